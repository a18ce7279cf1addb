package output

import (
	"bufio"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// File is a file output of a Set: an io.Writer onto its temporary file.
// Close it when its content is complete; Commit refuses a set with an
// output that is not.
type File struct {
	s   *Set
	t   *target
	bw  *bufio.Writer
	err error // sticky
}

func newFile(s *Set, t *target) *File {
	return &File{s: s, t: t, bw: bufio.NewWriterSize(&pathWriter{f: t.fd, name: t.name, early: t.kind == regular}, 256<<10)}
}

// Name returns the output's path as given to Set.File.
func (f *File) Name() string { return f.t.name }

// Write buffers p for the temporary file. It fails once the set's
// context is done, and after any earlier failure.
func (f *File) Write(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	if f.t.closed {
		return 0, &Error{"write", f.t.name, errors.New("already closed")}
	}
	if err := f.s.ctx.Err(); err != nil {
		f.err = err
		return 0, err
	}
	n, err := f.bw.Write(p)
	f.err = err
	return n, err
}

// Close flushes the content to disk and marks the output complete. The
// temporary file stays open (and locked) until Commit or Abort.
func (f *File) Close() error {
	if f.t.closed {
		return f.err
	}
	if f.err == nil {
		f.err = f.s.ctx.Err()
	}
	if f.err == nil {
		f.err = f.bw.Flush()
	}
	if f.err == nil && f.t.kind == regular {
		if err := f.t.fd.Sync(); err != nil {
			f.err = &Error{"sync", f.t.name, err}
		}
	}
	if f.err != nil {
		return f.err
	}
	f.t.closed = true
	return nil
}

// pathWriter names the output in write errors (a full disk) and, for a
// temporary file (early), starts writing each writebackChunk to disk as
// soon as it is written: Close's fsync then finds most of a large output
// on disk (the fsyncs of the 300-host outputs' 600 MB took 0.2 s after
// the run, one after the other), where the kernel would otherwise start
// only when dirty pages age or pile up.
type pathWriter struct {
	f             *os.File
	name          string
	early         bool
	written, sent int64 // bytes written, and handed to writeback
}

// writebackChunk is how many bytes are written between writebacks.
const writebackChunk = 2 << 20

func (w *pathWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err != nil {
		err = &Error{"write", w.name, bare(err)}
	}
	if w.written += int64(n); w.early && w.written-w.sent >= writebackChunk {
		startWriteback(w.f, w.sent, w.written-w.sent)
		w.sent = w.written
	}
	return n, err
}

// bare strips the path from an I/O error: it names a temporary file or a
// descriptor (/dev/stdout), not the output as given.
func bare(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Error is a failure to write, sync or commit an output; it names the
// output as given, not its temporary file.
type Error struct {
	Op, Name string
	Err      error
}

func (e *Error) Error() string { return e.Op + " " + e.Name + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Dir is a directory output of a Set (a Hive-partitioned data set).
type Dir struct {
	s *Set
	t *target
}

// Name returns the output's path as given to Set.Dir.
func (d *Dir) Name() string { return d.t.name }

// Path returns the temporary directory to fill; Commit renames it to the
// target.
func (d *Dir) Path() string { return d.t.tmp }

// Root returns the temporary directory opened as a root: write through it
// (Root.MkdirAll, Root.OpenFile) so that once the set is aborted a writer
// that is still running can no longer create anything there.
func (d *Dir) Root() *os.Root { return d.t.root }

// Close flushes every file under Path to disk and marks the output
// complete.
func (d *Dir) Close() error {
	if err := d.s.ctx.Err(); err != nil {
		return err
	}
	err := filepath.WalkDir(d.t.tmp, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := d.s.ctx.Err(); err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Sync()
	})
	if err != nil {
		return &Error{"sync", d.t.name, err}
	}
	d.t.closed = true
	return nil
}

// NewWriter returns w with a check of ctx before every write, so that an
// encoder writing to it stops at its next write once ctx is done.
func NewWriter(ctx context.Context, w io.Writer) io.Writer { return &ctxWriter{ctx, w} }

type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c *ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
