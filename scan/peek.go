package scan

import (
	"bytes"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"time"

	"github.com/resreport/resreport/columnar"
)

// peekSize is how much of a file's head (and of a plain file's tail) is
// read to find its first (and last) timestamp.
const peekSize = 64 << 10

// Span is the time extent of a plan's records, as far as a cheap look at
// the files tells: the timestamps of each file's first line and of each
// plain file's last line, and for a rotated gzip file the stamp in its
// name (the time it was rotated, about its last record). It plans a run
// before it starts; nothing in it is exact.
type Span struct {
	First, Last int64      // over all files; First > Last when nothing was found
	Hosts       []HostSpan // per host of the plan
}

// HostSpan is one host's estimated time extent, and the most records its
// files can hold (maxRecords): a record out of time order (a clock before
// NTP) can make First and Last years apart, but only adds bins it is in.
type HostSpan struct{ First, Last, Records int64 }

// minRecordBytes is the fewest bytes of a file a record takes: a 19-byte
// timestamp (no fraction), the '|' ending each of the 7 header fields
// (the other six empty) and the fewest groups, 21, all empty: 21 '|' with
// the trailing pipe, 20 without it plus the line's '\n' (an unterminated
// last line of that format is partial_tail). TestMinRecordBytes checks
// that no shorter line is a record.
const minRecordBytes = 19 + 7 + 21

// maxDeflateRatio bounds what a gzip file inflates to per compressed byte:
// deflate's longest match, 258 bytes, takes at least 2 bits.
const maxDeflateRatio = 1032

// maxRecords is the most records f can hold by its size at discovery
// (what a run reads of it). For gzip the bound is sound but loose, 22
// records per compressed byte, where real logs have about one per 80.
func maxRecords(f File) int64 {
	n := max(f.Size, 0)
	if f.Gzip {
		n *= maxDeflateRatio
	}
	return n / minRecordBytes
}

// Peek estimates the time extent of plan's files, and bounds their
// records by their sizes. Files it cannot read are left out of the extent
// (the run reports them).
func Peek(plan *Plan) *Span {
	s := &Span{First: math.MaxInt64, Last: math.MinInt64, Hosts: make([]HostSpan, len(plan.Hosts))}
	for i := range s.Hosts {
		s.Hosts[i] = HostSpan{First: math.MaxInt64, Last: math.MinInt64}
	}
	for _, f := range plan.Files {
		first, last := peekFile(f)
		h := &s.Hosts[f.Host]
		h.First, h.Last = min(h.First, first), max(h.Last, last)
		h.Records += maxRecords(f)
	}
	for _, h := range s.Hosts {
		if h.First <= h.Last {
			s.First, s.Last = min(s.First, h.First), max(s.Last, h.Last)
		}
	}
	return s
}

// peekFile returns the first and last timestamps found in f (MaxInt64,
// MinInt64 when none).
func peekFile(f File) (first, last int64) {
	first, last = math.MaxInt64, math.MinInt64
	fh, err := openChecked(&f) // not a FIFO that replaced a log since discovery
	if err != nil {
		return first, last
	}
	defer fh.Close()
	var head []byte
	if f.Gzip {
		zr, err := getGzipReader(fh)
		if err != nil {
			return first, last
		}
		head, _ = io.ReadAll(io.LimitReader(zr, peekSize))
		gzReaderPool.Put(zr)
		if t, ok := rotationStamp(filepath.Base(f.Path)); ok {
			last = t
		}
	} else {
		head = make([]byte, min(peekSize, max(f.Size, 0)))
		n, _ := fh.ReadAt(head, 0)
		head = head[:n]
		if f.Size > peekSize {
			tail := make([]byte, peekSize)
			n, _ := fh.ReadAt(tail, f.Size-peekSize)
			last = max(last, lastTimestamp(tail[:n]))
		}
	}
	for line := range bytes.Lines(head) {
		if t, ok := lineTimestamp(line); ok {
			first = t
			break
		}
	}
	last = max(last, lastTimestamp(head))
	if first > last && last != math.MinInt64 {
		first = last
	}
	if last == math.MinInt64 && first != math.MaxInt64 {
		last = first
	}
	return first, last
}

// lastTimestamp returns the timestamp of the last line of b that has one.
func lastTimestamp(b []byte) int64 {
	for len(b) > 0 {
		i := bytes.LastIndexByte(b[:len(b)-1], '\n')
		if t, ok := lineTimestamp(b[i+1:]); ok {
			return t
		}
		if i < 0 {
			break
		}
		b = b[:i+1]
	}
	return math.MinInt64
}

// lineTimestamp parses the timestamp field of a line.
func lineTimestamp(line []byte) (int64, bool) {
	i := bytes.IndexByte(line, '|')
	if i < 0 {
		return 0, false
	}
	return columnar.ParseTimestamp(trimSpace(bytes.TrimPrefix(line[:i], bom)))
}

var reRotated = regexp.MustCompile(`\.(\d{14})\.log(\.gz)?$`)

// rotationStamp parses the stamp of a rotated file's name
// (resource.<YYYYMMDDHHMMSS>.log[.gz], local time as the records).
func rotationStamp(name string) (int64, bool) {
	m := reRotated.FindStringSubmatch(name)
	if m == nil {
		return 0, false
	}
	t, err := time.Parse("20060102150405", m[1])
	if err != nil {
		return 0, false
	}
	return t.UnixMicro(), true
}
