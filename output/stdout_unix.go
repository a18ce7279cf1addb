//go:build unix

package output

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// checkStdout fails when standard output f is not open for writing, and
// returns a note when it is /dev/null opened for reading and writing: the
// Go runtime opens a standard descriptor closed at start (resreport -o -
// >&-) that way, and so do launchers that discard it on purpose (Python's
// subprocess.DEVNULL, daemon(3)), which cannot be told apart. The run goes
// on, saying that the output is lost. A shell's > /dev/null opens it
// write-only: a choice, taken without a note.
func checkStdout(f *os.File) (note string, err error) {
	c, err := f.SyscallConn()
	if err != nil {
		return "", fmt.Errorf("standard output: %w", err)
	}
	var flags int
	var ferr error
	if err := c.Control(func(fd uintptr) { flags, ferr = unix.FcntlInt(fd, unix.F_GETFL, 0) }); err != nil {
		return "", fmt.Errorf("standard output: %w", err)
	}
	if ferr != nil {
		return "", fmt.Errorf("standard output: %w", ferr)
	}
	switch flags & unix.O_ACCMODE {
	case unix.O_RDONLY:
		return "", errors.New("standard output is not open for writing")
	case unix.O_RDWR:
		if isDevNull(f) {
			return "standard output is /dev/null opened read-write (closed at start, >&-, or discarded by the caller): what goes there is lost; redirect it to a file or pipe to keep it", nil
		}
	}
	return "", nil
}

// isDevNull reports whether f is the null device.
func isDevNull(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	if err != nil {
		return false
	}
	a, ok1 := fi.Sys().(*syscall.Stat_t)
	b, ok2 := null.Sys().(*syscall.Stat_t)
	return ok1 && ok2 && a.Rdev == b.Rdev
}
