package scan

import (
	"bytes"
	"io"
)

// lineBufSize is the line reader's buffer: room for a whole line of
// MaxLineBytes plus a read-ahead, so a longer line is recognised without
// ever being buffered whole.
const lineBufSize = 2 * MaxLineBytes

// readSize bounds one read, so a small byte range does not read far past
// its end.
const readSize = 256 << 10

// lineReader splits a byte stream into lines ('\n'-terminated) without
// allocating per line, in the manner of bufio.Scanner but with the
// accounting resreport needs: each line's stream offset, whether it was
// terminated, and over-long lines skipped in constant memory.
type lineReader struct {
	src  io.Reader
	buf  []byte
	r, w int   // unread window buf[r:w]
	base int64 // stream offset of buf[0]
	eof  bool
	err  error // the read error that ended the stream, if not io.EOF
	read int64 // bytes read from sources since the reader was made
}

// line is one line returned by next. Text aliases the reader's buffer and
// is valid until the next call.
type line struct {
	Text       []byte // without the '\n'; nil for a too-long line
	Start      int64  // stream offset of the first byte
	Terminated bool   // ended by '\n' (false: last bytes of the stream)
	TooLong    bool   // longer than MaxLineBytes, skipped
}

func (lr *lineReader) reset(src io.Reader) {
	if lr.buf == nil {
		lr.buf = make([]byte, lineBufSize)
	}
	lr.src, lr.r, lr.w, lr.base, lr.eof, lr.err = src, 0, 0, 0, false, nil
}

// next returns the next line; ok is false at the end of the stream.
func (lr *lineReader) next() (l line, ok bool) {
	for {
		if i := bytes.IndexByte(lr.buf[lr.r:lr.w], '\n'); i >= 0 {
			l = line{Text: lr.buf[lr.r : lr.r+i], Start: lr.base + int64(lr.r), Terminated: true}
			if i > MaxLineBytes {
				l.Text, l.TooLong = nil, true
			}
			lr.r += i + 1
			return l, true
		}
		if lr.w-lr.r > MaxLineBytes {
			return lr.skipLong(), true
		}
		if lr.eof {
			if lr.r == lr.w {
				return line{}, false
			}
			l = line{Text: lr.buf[lr.r:lr.w], Start: lr.base + int64(lr.r)}
			if lr.w-lr.r > MaxLineBytes {
				l.Text, l.TooLong = nil, true
			}
			lr.r = lr.w
			return l, true
		}
		lr.fill(readSize)
	}
}

// skipLong discards the current line, which is already longer than
// MaxLineBytes, up to and including its '\n'.
func (lr *lineReader) skipLong() line {
	l := line{Start: lr.base + int64(lr.r), TooLong: true}
	lr.r = lr.w
	for {
		if i := bytes.IndexByte(lr.buf[lr.r:lr.w], '\n'); i >= 0 {
			lr.r += i + 1
			l.Terminated = true
			return l
		}
		lr.r = lr.w
		if lr.eof {
			return l
		}
		lr.fill(readSize)
	}
}

// peek calls f on the lines ahead, without consuming them, until f
// returns false, the stream ends or the next line does not fit in the
// buffer. An unterminated last line is not passed to f.
func (lr *lineReader) peek(f func(line []byte) bool) {
	pos := lr.r
	for {
		i := bytes.IndexByte(lr.buf[pos:lr.w], '\n')
		if i < 0 {
			if lr.eof || lr.w-lr.r == len(lr.buf) {
				return
			}
			r := lr.r
			lr.fill(readSize)
			pos -= r - lr.r // fill moved the window to the front
			continue
		}
		if !f(lr.buf[pos : pos+i]) {
			return
		}
		pos += i + 1
	}
}

// discardLine discards up to and including the next '\n', reading no
// further than stream offset limit: false means there was no '\n' before
// limit (or the stream ended first). Unlike skipLong, its cost is bounded
// by limit, however long the line.
func (lr *lineReader) discardLine(limit int64) bool {
	for {
		if i := bytes.IndexByte(lr.buf[lr.r:lr.w], '\n'); i >= 0 {
			lr.r += i + 1
			return true
		}
		lr.r = lr.w
		if lr.eof || lr.base+int64(lr.w) >= limit {
			return false
		}
		lr.fill(int(min(limit-lr.base-int64(lr.w), readSize)))
	}
}

// fill moves the unread window to the front and reads at most most (> 0)
// more bytes.
func (lr *lineReader) fill(most int) {
	if lr.r > 0 {
		n := copy(lr.buf, lr.buf[lr.r:lr.w])
		lr.base += int64(lr.r)
		lr.r, lr.w = 0, n
	}
	n, err := lr.src.Read(lr.buf[lr.w:min(len(lr.buf), lr.w+most)])
	lr.w += n
	lr.read += int64(n)
	if err != nil {
		lr.eof = true
		if err != io.EOF {
			lr.err = err
		}
	}
}

// consumed returns the stream offset up to which lines were returned.
func (lr *lineReader) consumed() int64 { return lr.base + int64(lr.r) }
