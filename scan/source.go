package scan

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/klauspost/compress/gzip"
)

// unit is one piece of work: a byte range of a plain file, or a whole
// gzip file (a gzip stream cannot be entered in the middle).
type unit struct {
	file       int   // index into Plan.Files
	start, end int64 // plain: lines starting in [start, end); gzip: 0, size
	size       int64 // the file's size when the range was cut
}

// openChecked opens f for reading without blocking on a FIFO, and fails
// unless it is still the regular file discovery saw (a log rotated by
// renaming, as logrotate's create does, is another file).
func openChecked(f *File) (*os.File, error) {
	fh, err := openFile(f.Path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err // "open PATH: reason"
	}
	st, err := fh.Stat()
	switch {
	case err != nil: // "stat PATH: reason"
	case !st.Mode().IsRegular():
		err = fmt.Errorf("%s is now a %s", f.Path, kindOf(st.Mode()))
	case f.Info != nil && !os.SameFile(f.Info, st):
		err = fmt.Errorf("%s was replaced since discovery (rotated?)", f.Path)
	}
	if err != nil {
		fh.Close()
		return nil, err
	}
	return fh, nil
}

// checkShrunk reports a plain file that ended before end, the end of the
// range being read: it was truncated while read (logrotate's copytruncate),
// and the lines past what was read are lost to this run (the caller
// names them).
func checkShrunk(fh *os.File, f *File, end int64) error {
	st, err := fh.Stat()
	if err != nil {
		return err // "stat PATH: reason"
	}
	if st.Size() >= end {
		return nil
	}
	return fmt.Errorf("%s was truncated while read (copytruncate?): %d bytes at discovery, %d now", f.Path, f.Size, st.Size())
}

// countingReader counts the bytes read from the file (for progress and
// error offsets).
type countingReader struct {
	r        io.Reader
	n        int64
	progress *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.progress != nil {
		c.progress.Add(int64(n))
	}
	return n, err
}

// gzBlockSize is the size of the decompressed blocks handed from the
// decompressing goroutine to the parser.
const gzBlockSize = 256 << 10

var gzBlockPool = sync.Pool{New: func() any { b := make([]byte, gzBlockSize); return &b }}

// gzipStream decompresses a gzip file (all members) in its own goroutine
// and hands blocks to Read, so inflating and parsing run in parallel. Its
// memory is bounded by the block channel, whatever the compression ratio.
type gzipStream struct {
	blocks chan gzBlock
	done   chan struct{}
	cur    *[]byte
	rest   []byte
	err    error
	wg     sync.WaitGroup
}

type gzBlock struct {
	buf *[]byte
	n   int
	err error
}

func newGzipStream(f *os.File, path string, progress *atomic.Int64) *gzipStream {
	s := &gzipStream{blocks: make(chan gzBlock, 4), done: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(s.blocks)
		cr := &countingReader{r: f, progress: progress}
		br := bufReaderPool.Get().(*bufio.Reader)
		br.Reset(cr)
		defer func() { br.Reset(nil); bufReaderPool.Put(br) }()
		zr, err := getGzipReader(br)
		if err != nil {
			s.send(gzBlock{err: fmt.Errorf("gzip %s: %w", path, err)})
			return
		}
		defer gzReaderPool.Put(zr)
		for {
			b := gzBlockPool.Get().(*[]byte)
			n, err := io.ReadFull(zr, *b)
			if err == io.ErrUnexpectedEOF && n > 0 {
				err = nil // a short block; the next read says how the stream ended
			}
			if err == io.EOF {
				err = nil
				if n == 0 {
					gzBlockPool.Put(b)
					return
				}
			} else if err != nil {
				err = fmt.Errorf("gzip %s: at compressed offset %d: %w", path, cr.n, err)
			}
			if !s.send(gzBlock{buf: b, n: n, err: err}) || err != nil {
				return
			}
		}
	}()
	return s
}

// The decompressors (tables and window, ~50 KB) and their 256 KiB read
// buffers are reused across files: rotated logs are many small streams.
var (
	gzReaderPool  sync.Pool // *gzip.Reader
	bufReaderPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 256<<10) }}
)

// getGzipReader returns a pooled decompressor reset to read r.
func getGzipReader(r io.Reader) (*gzip.Reader, error) {
	if zr, ok := gzReaderPool.Get().(*gzip.Reader); ok {
		if err := zr.Reset(r); err != nil {
			gzReaderPool.Put(zr)
			return nil, err
		}
		return zr, nil
	}
	return gzip.NewReader(r)
}

func (s *gzipStream) send(b gzBlock) bool {
	select {
	case s.blocks <- b:
		return true
	case <-s.done:
		if b.buf != nil {
			gzBlockPool.Put(b.buf)
		}
		return false
	}
}

func (s *gzipStream) Read(p []byte) (int, error) {
	for len(s.rest) == 0 {
		if s.cur != nil {
			gzBlockPool.Put(s.cur)
			s.cur = nil
		}
		if s.err != nil {
			return 0, s.err
		}
		b, ok := <-s.blocks
		if !ok {
			return 0, io.EOF
		}
		s.cur, s.rest, s.err = b.buf, nil, b.err
		if b.buf != nil {
			s.rest = (*b.buf)[:b.n]
		}
	}
	n := copy(p, s.rest)
	s.rest = s.rest[n:]
	return n, nil
}

// Close stops the decompressing goroutine and waits for it.
func (s *gzipStream) Close() {
	close(s.done)
	for b := range s.blocks {
		if b.buf != nil {
			gzBlockPool.Put(b.buf)
		}
	}
	s.wg.Wait()
	if s.cur != nil {
		gzBlockPool.Put(s.cur)
		s.cur = nil
	}
}
