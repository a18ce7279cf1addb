package output

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// sameFile reports whether f is still the file at path (it was not
// removed or replaced since it was opened).
func sameFile(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Lstat(path)
	return err == nil && os.SameFile(a, b)
}

// LockedError is returned when another run holds the lock of a target.
type LockedError struct {
	Target string
	PID    int // 0 when unknown
}

func (e *LockedError) Error() string {
	who := "another resreport run"
	if e.PID > 0 {
		who += " (pid " + strconv.Itoa(e.PID) + ")"
	}
	return fmt.Sprintf("%s is being written by %s: wait for it to finish or choose another output", e.Target, who)
}

// nameLock is the lock of one target: .KEY.resreport-lock in its
// directory, holding the owner's pid.
type nameLock struct {
	path string
	f    *os.File
}

// lockTarget takes the lock of target (key k in dir) without waiting.
func lockTarget(dir, k, target string) (*nameLock, error) {
	path := filepath.Join(dir, lockName(k))
	for tries := 0; tries < 100; tries++ {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o666)
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", target, err)
		}
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", target, err)
		}
		if !ok {
			pid := readPID(f)
			f.Close()
			return nil, &LockedError{Target: target, PID: pid}
		}
		// The previous holder removes the file when it is done: a lock
		// on a removed file locks nothing, so check and try again.
		if sameFile(f, path) {
			f.Truncate(0)
			f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
			return &nameLock{path: path, f: f}, nil
		}
		f.Close()
	}
	return nil, fmt.Errorf("lock %s: %s keeps being replaced", target, path)
}

// release removes the lock file while still holding it, then unlocks.
func (l *nameLock) release() {
	if l == nil || l.f == nil {
		return
	}
	os.Remove(l.path)
	l.f.Close()
	l.f = nil
}

func readPID(f *os.File) int {
	b := make([]byte, 32)
	n, _ := f.ReadAt(b, 0)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b[:n])))
	return pid
}
