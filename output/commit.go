package output

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// Commit puts every output in place, or none. It fails when the set's
// context is done, an output is not complete (not closed) or a rename
// fails, and then the previous outputs are as they were. Outputs written
// in place (standard output, devices, FIFOs) are copied from their spools
// first: they cannot be taken back, so a failure after them leaves them
// written and the files as they were.
//
// The previous version of each file is kept aside (a hard link) until
// every rename has succeeded. Either way the temporary files are removed
// and the locks released; the set cannot be used afterwards.
func (s *Set) Commit() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return errors.New("output set already committed or aborted")
	}
	err := s.commit()
	if err != nil {
		if rerr := s.rollback(); rerr != nil {
			err = errors.Join(err, rerr)
		}
	} else {
		s.finish()
	}
	s.cleanup(err != nil)
	return err
}

// Abort drops the set: temporary files are removed, locks released, and
// the directories the set created removed if they are still empty. It
// does nothing after Commit, so it can be deferred.
func (s *Set) Abort() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.done {
		s.cleanup(true)
	}
}

func (s *Set) commit() error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	for _, t := range s.targets {
		if !t.closed {
			return fmt.Errorf("%s is not complete", t.name)
		}
	}
	for _, t := range s.targets {
		if t.kind == inPlace {
			if err := s.writeInPlace(t); err != nil {
				return err
			}
		}
	}
	for _, t := range s.targets {
		if t.kind != inPlace {
			if err := s.setAside(t); err != nil {
				return err
			}
		}
	}
	for _, t := range s.targets {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		if t.kind != inPlace {
			if err := place(t); err != nil {
				return err
			}
		}
	}
	return s.ctx.Err()
}

// setAside keeps the previous target under its .old name (a hard link,
// so the target never goes missing; a directory is renamed when placed),
// or marks with a .new file that there was none.
func (s *Set) setAside(t *target) error {
	old := filepath.Join(t.dir, workName(t.key, s.run, kindOld))
	fi, err := os.Lstat(t.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		t.aside = filepath.Join(t.dir, workName(t.key, s.run, kindNew))
		f, err := os.OpenFile(t.aside, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			t.aside = ""
			return fmt.Errorf("commit %s: %w", t.name, err)
		}
		return f.Close()
	case err != nil:
		return fmt.Errorf("commit %s: %w", t.name, err)
	case (t.kind == directory) != fi.IsDir():
		return fmt.Errorf("commit %s: the target changed kind during the run", t.name)
	case t.kind == directory:
		t.aside, t.moved = old, true
		return nil
	}
	if err := os.Link(t.path, old); err != nil {
		// no hard links here (some network and FUSE file systems): the
		// previous file is renamed aside just before it is replaced
		t.moved = true
	}
	t.aside = old
	return nil
}

// place renames the temporary to the target.
func place(t *target) error {
	if t.moved {
		if err := os.Rename(t.path, t.aside); err != nil {
			return fmt.Errorf("commit %s: %w", t.name, err)
		}
	}
	if err := os.Rename(t.tmp, t.path); err != nil {
		return fmt.Errorf("commit %s: %w", t.name, err)
	}
	t.placed = true
	return nil
}

// rollback puts the previous targets back, last placed first. A previous
// file that cannot be put back stays under its .old name, and the error
// says where.
func (s *Set) rollback() error {
	var errs []error
	for i := len(s.targets) - 1; i >= 0; i-- {
		t := s.targets[i]
		if t.kind == inPlace || t.aside == "" {
			continue
		}
		if err := restore(t); err != nil {
			errs = append(errs, fmt.Errorf("%s: could not put the previous version back (%w); it is kept as %s", t.name, err, t.aside))
		}
	}
	return errors.Join(errs...)
}

// restore undoes setAside and place for t.
func restore(t *target) error {
	isNew := filepath.Ext(t.aside) == "."+string(kindNew)
	if t.placed && t.kind == directory {
		if err := os.Rename(t.path, t.tmp); err != nil { // the new directory, removed by cleanup
			return err
		}
		t.placed = false
	}
	switch {
	case isNew && t.placed:
		if err := os.Remove(t.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	case !isNew && (t.placed || t.moved):
		if _, err := os.Lstat(t.aside); err == nil {
			if err := os.Rename(t.aside, t.path); err != nil {
				return err
			}
		}
	}
	t.placed = false
	if err := os.Remove(t.aside); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	t.aside = ""
	return nil
}

// finish removes what Commit kept aside and flushes the directories.
func (s *Set) finish() {
	dirs := map[string]bool{}
	for _, t := range s.targets {
		if t.kind == inPlace {
			continue
		}
		dirs[t.dir] = true
		if t.kind == directory && !(filepath.Ext(t.aside) == "."+string(kindNew)) {
			del := filepath.Join(t.dir, workName(t.key, s.run, kindDel))
			if os.Rename(t.aside, del) == nil {
				os.RemoveAll(del)
			}
			continue
		}
		os.Remove(t.aside)
	}
	for d := range dirs {
		syncDir(d)
	}
}

// cleanup closes and removes the temporaries, releases the locks and,
// after a failure, removes the directories the set created if empty.
func (s *Set) cleanup(failed bool) {
	var wg sync.WaitGroup
	for _, t := range s.targets {
		if t.root != nil {
			t.root.Close() // a writer still filling it gets errors, and cannot recreate it
		}
		if t.fd != nil {
			t.fd.Close()
		}
		if !t.placed && t.tmp != "" {
			// at once: unlinking a file of hundreds of MB frees its blocks
			// and can take a few hundred milliseconds
			wg.Go(func() { removeAll(t.tmp) })
		}
	}
	wg.Wait()
	for _, l := range s.locks {
		l.release()
	}
	if failed {
		for i := len(s.made) - 1; i >= 0; i-- {
			os.Remove(s.made[i])
		}
	}
	s.done = true
}

// removeAll removes a temporary tree, again if a writer that was still
// running added to it meanwhile.
func removeAll(path string) {
	for try := 0; try < 3; try++ {
		if os.RemoveAll(path) == nil {
			return
		}
	}
}

// writeInPlace copies the spool of an inPlace target to it.
func (s *Set) writeInPlace(t *target) error {
	if _, err := t.fd.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("write %s: %w", t.name, err)
	}
	dst, closeDst, err := s.openInPlace(t)
	if err != nil {
		return fmt.Errorf("write %s: %w", t.name, err)
	}
	_, err = io.CopyBuffer(NewWriter(s.ctx, dst), t.fd, make([]byte, 256<<10))
	if cerr := closeDst(); err == nil {
		err = cerr
	}
	if err != nil && s.ctx.Err() == nil {
		return &Error{"write", t.name, bare(err)}
	}
	return err
}

// openInPlace opens an inPlace target for writing: standard output (or
// error) itself when the target is it, else the path, without creating
// or replacing it.
func (s *Set) openInPlace(t *target) (io.Writer, func() error, error) {
	none := func() error { return nil }
	if t.name == "-" {
		return os.Stdout, none, nil
	}
	for _, std := range []*os.File{os.Stdout, os.Stderr} {
		if fi, err := std.Stat(); err == nil && os.SameFile(fi, t.prev) {
			return std, none, nil
		}
	}
	flags := os.O_WRONLY
	if t.prev.Mode().IsRegular() {
		flags |= os.O_TRUNC // a regular file behind /dev/fd/N: as a shell's > would
	}
	if t.prev.Mode()&fs.ModeNamedPipe != 0 {
		f, err := s.openFIFO(t.path)
		if err != nil {
			return nil, nil, err
		}
		return f, f.Close, nil
	}
	f, err := os.OpenFile(t.path, flags, 0)
	if err != nil {
		return nil, nil, err
	}
	return f, f.Close, nil
}

// openFIFO opens a FIFO for writing once it has a reader, and gives up
// when the context is done.
func (s *Set) openFIFO(path string) (*os.File, error) {
	for {
		f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, syscall.ENXIO) { // ENXIO: no reader yet
			return nil, err
		}
		select {
		case <-s.ctx.Done():
			return nil, s.ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
