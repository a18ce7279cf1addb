package output

import (
	"context"
	"errors"
	"io"
)

// WriteFileAtomic writes one file through write, as a set of one output:
// a failure leaves the previous file (if any) as it was and no temporary
// file behind.
func WriteFileAtomic(path string, write func(io.Writer) error) error {
	return WriteFileAtomicContext(context.Background(), path, write)
}

// WriteFileAtomicContext is WriteFileAtomic stopped by ctx.
func WriteFileAtomicContext(ctx context.Context, path string, write func(io.Writer) error) error {
	s := NewSet(ctx)
	defer s.Abort()
	f, err := s.File(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		var named *Error
		if !errors.As(err, &named) {
			err = &Error{"write", path, err}
		}
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return s.Commit()
}
