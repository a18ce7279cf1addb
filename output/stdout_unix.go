//go:build unix

package output

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// checkStdout fails when what is written to standard output f would be
// lost: f is not open for writing, or it is /dev/null opened for reading
// and writing. The Go runtime opens a standard descriptor closed at start
// (resreport -o - >&-) that way, so that is the closed one; a shell's
// > /dev/null opens it write-only, and passes. A launcher that hands a
// read-write /dev/null (Python's subprocess.DEVNULL, daemon(3)) cannot be
// told from a closed descriptor and fails too: the message says how to
// discard an output on purpose.
func checkStdout(f *os.File) error {
	c, err := f.SyscallConn()
	if err != nil {
		return fmt.Errorf("standard output: %w", err)
	}
	var flags int
	var ferr error
	if err := c.Control(func(fd uintptr) { flags, ferr = unix.FcntlInt(fd, unix.F_GETFL, 0) }); err != nil {
		return fmt.Errorf("standard output: %w", err)
	}
	if ferr != nil {
		return fmt.Errorf("standard output: %w", ferr)
	}
	switch flags & unix.O_ACCMODE {
	case unix.O_RDONLY:
		return errors.New("standard output is not open for writing")
	case unix.O_RDWR:
		if isDevNull(f) {
			return errors.New("standard output was closed at start (>&-) or is /dev/null opened read-write, which cannot be told apart: the output would be lost; redirect standard output to a file or pipe, or give /dev/null as the output to discard it")
		}
	}
	return nil
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
