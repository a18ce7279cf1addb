package scan

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// openFile opens a log; tests replace it to inject errors.
var openFile = os.OpenFile

// environmentErr returns err with a hint when it is a limit of the machine
// (no file descriptor or memory left), not a fault of the file: such a run
// would report a part of the input as if the rest were unreadable, so it
// stops instead. Else it returns nil: permission denied, not found, not a
// regular file and I/O errors are the file's and it is skipped.
func environmentErr(err error) error {
	var hint string
	switch {
	case errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE):
		hint = "the limit of open files is reached (raise ulimit -n, or use fewer --workers)"
	case errors.Is(err, syscall.ENOMEM), errors.Is(err, syscall.ENOBUFS):
		hint = "the machine is out of memory"
	default:
		return nil
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe // "open PATH: reason", without what the caller added
	}
	return fmt.Errorf("%w: %s; this is not a fault of the input, so the run stops", err, hint)
}
