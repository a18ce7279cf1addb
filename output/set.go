package output

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ErrConflict is matched (errors.Is) by the errors of outputs that
// collide with each other or with what is at their path: bad arguments,
// found before anything is written.
var ErrConflict = errors.New("conflicting outputs")

type conflict string

func (c conflict) Error() string        { return string(c) }
func (c conflict) Is(target error) bool { return target == ErrConflict }

func conflictf(format string, args ...any) error { return conflict(fmt.Sprintf(format, args...)) }

// Set is the outputs of one run, put in place together by Commit or
// dropped by Abort. Its methods may be called from several goroutines;
// each File is written by one goroutine at a time.
type Set struct {
	ctx context.Context
	run string

	mu      sync.Mutex
	targets []*target
	locks   map[string]*nameLock // by lock file path
	swept   map[string]bool      // directories cleaned of dead runs' files
	made    []string             // directories created for the outputs, parents first
	cleaned []string             // what the sweeps did, for the log
	notes   map[string]string    // by output name: what is wrong with it but not an error
	spools  int
	done    bool // committed or aborted
}

type targetKind int

const (
	regular   targetKind = iota // a file, renamed into place
	inPlace                     // standard output, a device, a FIFO: written at commit
	directory                   // a directory, swapped into place
)

// target is one output of a Set.
type target struct {
	kind   targetKind
	name   string      // as given, for messages
	path   string      // the final path, links resolved ("" for standard output)
	dir    string      // the directory of path (regular, directory)
	key    string      // key(base of path)
	tmp    string      // the temporary file or directory; the spool of an inPlace target
	fd     *os.File    // tmp, open and locked until the end
	root   *os.Root    // a directory target's tmp, for its writer
	prev   os.FileInfo // the existing target, nil if none
	closed bool        // complete: File.Close or Dir.Close succeeded

	aside  string // during Commit: the .old or .new work file
	moved  bool   // during Commit: a previous target was renamed to aside (not linked)
	placed bool   // during Commit: tmp was renamed to path
}

// NewSet starts an output set. Writes to its outputs fail once ctx is
// done, and so does Commit.
func NewSet(ctx context.Context) *Set {
	return &Set{ctx: ctx, run: newRunID(), locks: map[string]*nameLock{}, swept: map[string]bool{}}
}

// Cleaned returns what the set removed or restored of dead runs' files
// in its directories.
func (s *Set) Cleaned() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.cleaned...)
}

// Notes returns, by output name as given, what is wrong with an output
// without failing it (standard output that discards what is written).
func (s *Set) Notes() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.notes)
}

// checkStdout checks standard output as the target name (see
// checkStdout), keeping its note, if any; s.mu is held.
func (s *Set) checkStdout(name string) error {
	note, err := checkStdout(os.Stdout)
	if err != nil || note == "" {
		return err
	}
	if s.notes == nil {
		s.notes = map[string]string{}
	}
	s.notes[name] = note
	return nil
}

// File adds a file output at path ("-" for standard output). Its
// directory is created if needed, the target is locked, and a temporary
// file is created next to it: what is written goes there until Commit.
func (s *Set) File(path string) (*File, error) {
	t, err := s.add(path, false)
	if err != nil {
		return nil, err
	}
	return newFile(s, t), nil
}

// Dir adds a directory output at path: the caller fills Dir.Path, a
// temporary directory next to path, and Commit swaps it into place,
// replacing the previous directory as a whole.
func (s *Set) Dir(path string) (*Dir, error) {
	t, err := s.add(path, true)
	if err != nil {
		return nil, err
	}
	return &Dir{s: s, t: t}, nil
}

func (s *Set) add(path string, isDir bool) (*target, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return nil, errors.New("output set already committed or aborted")
	}
	if err := s.ctx.Err(); err != nil {
		return nil, err
	}
	t, err := s.resolve(path, isDir)
	if err != nil {
		return nil, err
	}
	if err := s.collides(t); err != nil {
		return nil, err
	}
	if t.kind == inPlace {
		err = s.createSpool(t)
	} else {
		err = s.createTemp(t)
	}
	if err != nil {
		return nil, err
	}
	s.targets = append(s.targets, t)
	return t, nil
}

// resolve classifies the target at path.
func (s *Set) resolve(name string, isDir bool) (*target, error) {
	if name == "-" {
		if isDir {
			return nil, conflictf("standard output cannot be a directory output")
		}
		if err := s.checkStdout(name); err != nil {
			return nil, err
		}
		return &target{kind: inPlace, name: name}, nil
	}
	if name == "" {
		return nil, conflictf("empty output path")
	}
	abs, err := filepath.Abs(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	t := &target{name: name}
	desc := descriptorOf(abs)
	fi, err := os.Stat(abs) // follows links
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if li, lerr := os.Lstat(abs); lerr == nil && li.Mode()&fs.ModeSymlink != 0 {
			return nil, fmt.Errorf("%s: a symbolic link to a missing file", name)
		}
		dir, err := s.mkdirAll(filepath.Dir(abs))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		t.path = filepath.Join(dir, filepath.Base(abs))
	case err != nil:
		return nil, fmt.Errorf("%s: %w", name, err)
	case isDir && !fi.IsDir():
		return nil, conflictf("%s exists and is not a directory", name)
	case !isDir && fi.IsDir():
		return nil, conflictf("%s is a directory", name)
	case !isDir && (!fi.Mode().IsRegular() || desc != ""):
		if isStdout(desc) {
			if err := s.checkStdout(name); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
		t.kind, t.path, t.prev = inPlace, abs, fi
		return t, nil
	default:
		real, err := filepath.EvalSymlinks(abs) // replace a linked file where it is, keep the link
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		t.path, t.prev = real, fi
	}
	t.kind = regular
	if isDir {
		t.kind = directory
	}
	t.dir = filepath.Dir(t.path)
	t.key = key(filepath.Base(t.path))
	return t, nil
}

// mkdirAll creates dir and its missing parents, remembering which it
// created (Abort removes them if they are still empty), and returns dir
// with its links resolved.
func (s *Set) mkdirAll(dir string) (string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || d == filepath.Dir(d) {
			break
		}
		missing = append(missing, d)
	}
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return "", err
	}
	for i := len(missing) - 1; i >= 0; i-- {
		s.made = append(s.made, missing[i])
	}
	return filepath.EvalSymlinks(dir)
}

// collides reports a target that is another output, or inside or around
// a directory output.
func (s *Set) collides(t *target) error {
	for _, o := range s.targets {
		var same bool
		switch {
		case t.name == "-" || o.name == "-":
			same = t.name == o.name
		case t.prev != nil && t.prev.Mode()&fs.ModeCharDevice != 0:
			same = false // a terminal or /dev/null can take several outputs
		case t.path == o.path:
			same = true
		case t.prev != nil && o.prev != nil:
			same = os.SameFile(t.prev, o.prev)
		}
		if same {
			return conflictf("%s is the same file as output %s: give each output its own file", t.name, o.name)
		}
		if t.path != "" && o.path != "" && within(t.path, o.path) {
			return conflictf("%s is inside the directory output %s", t.name, o.name)
		}
		if t.path != "" && o.path != "" && within(o.path, t.path) {
			return conflictf("%s would hold output %s", t.name, o.name)
		}
	}
	return nil
}

// within reports whether path is inside directory dir.
func within(path, dir string) bool {
	return strings.HasPrefix(path, dir+string(filepath.Separator))
}

// createTemp locks a file or directory target, sweeps its directory of
// dead runs' files and creates its temporary.
func (s *Set) createTemp(t *target) error {
	lockPath := filepath.Join(t.dir, lockName(t.key))
	if _, ok := s.locks[lockPath]; !ok {
		l, err := lockTarget(t.dir, t.key, t.name)
		if err != nil {
			return err
		}
		s.locks[lockPath] = l
	}
	s.sweep(t.dir)
	fd, tmp, err := createLocked(filepath.Join(t.dir, workName(t.key, s.run, kindTmp)), t.kind == directory)
	if err != nil {
		return fmt.Errorf("create %s: %w", t.name, err)
	}
	if t.prev != nil {
		err = fd.Chmod(t.prev.Mode().Perm()) // keep the previous mode; a new one gets 0666 (dirs 0777) less the umask
	}
	if err == nil && t.kind == directory {
		t.root, err = os.OpenRoot(tmp)
	}
	if err != nil {
		fd.Close()
		os.Remove(tmp)
		return fmt.Errorf("create %s: %w", t.name, err)
	}
	t.fd, t.tmp = fd, tmp
	return nil
}

// createSpool creates the spool of an inPlace target in the system's
// temporary directory.
func (s *Set) createSpool(t *target) error {
	dir := os.TempDir()
	s.sweep(dir)
	s.spools++
	k := fmt.Sprintf("resreport-spool-%d", s.spools)
	fd, tmp, err := createLocked(filepath.Join(dir, workName(k, s.run, kindTmp)), false)
	if err != nil {
		return fmt.Errorf("%s: spool in %s: %w", t.name, dir, err)
	}
	t.fd, t.tmp = fd, tmp
	return nil
}

// createLocked creates the file (or directory) path, exclusively, and
// takes its lock. A sweep by another run may take the lock of a file just
// created: it then removes the file, and this tries again.
func createLocked(path string, isDir bool) (*os.File, string, error) {
	for tries := 0; ; tries++ {
		var fd *os.File
		var err error
		if isDir {
			if err = os.Mkdir(path, 0o777); err == nil {
				fd, err = os.Open(path)
			}
		} else {
			fd, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		}
		if errors.Is(err, fs.ErrExist) && tries < 100 {
			time.Sleep(time.Millisecond) // being removed by a sweep
			continue
		}
		if err != nil {
			return nil, "", err
		}
		ok, err := tryLock(fd)
		if ok {
			return fd, path, nil
		}
		fd.Close()
		if err != nil || tries >= 100 {
			os.Remove(path)
			return nil, "", fmt.Errorf("lock %s: %v", path, err)
		}
	}
}

// descriptorOf returns the descriptor path (/dev/stdout, /dev/fd/N,
// /proc/self/fd/N) that path is or links to, "" for none: such a target
// is written in place even when it leads to a regular file (standard
// output redirected to a file).
func descriptorOf(path string) string {
	for hops := 0; hops < 40; hops++ {
		if isDescriptorPath(path) {
			return path
		}
		fi, err := os.Lstat(path)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return ""
		}
		to, err := os.Readlink(path)
		if err != nil {
			return ""
		}
		if !filepath.IsAbs(to) {
			to = filepath.Join(filepath.Dir(path), to)
		}
		path = to
	}
	return ""
}

// isStdout reports whether descriptor path d is this process's standard
// output.
func isStdout(d string) bool {
	switch d {
	case "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1", "/proc/thread-self/fd/1", "/proc/" + strconv.Itoa(os.Getpid()) + "/fd/1":
		return true
	}
	return false
}

func isDescriptorPath(p string) bool {
	switch p {
	case "/dev/stdin", "/dev/stdout", "/dev/stderr":
		return true
	}
	for _, prefix := range []string{"/dev/fd/", "/proc/self/fd/", "/proc/thread-self/fd/"} {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	if rest, ok := strings.CutPrefix(p, "/proc/"); ok {
		pid, fd, _ := strings.Cut(rest, "/")
		return pid != "" && strings.Trim(pid, "0123456789") == "" && strings.HasPrefix(fd, "fd/")
	}
	return false
}

// Overlaps returns the name of the output that is the input file at
// path (info from os.Stat), or a directory output that holds it; "" if
// none.
func (s *Set) Overlaps(path string, info os.FileInfo) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.targets {
		if t.prev != nil && t.kind != directory && os.SameFile(t.prev, info) {
			return t.name
		}
		if t.kind == directory {
			if real, err := filepath.EvalSymlinks(path); err == nil && within(real, t.path) {
				return t.name
			}
		}
	}
	return ""
}

// syncDir flushes a directory's entries (renames) to disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}
