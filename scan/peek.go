package scan

import (
	"bytes"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"time"

	"github.com/resreport/resreport/columnar"
)

// peekSize is how much of a file's head (and of a plain file's tail) is
// read to find its first (and last) timestamps.
const peekSize = 64 << 10

// peekLines is how many lines' timestamps Peek keeps of each end of a
// file.
const peekLines = 64

// Span is the time extent of a plan's records, as far as a cheap look at
// the files tells: the timestamps of the lines at each file's start and
// each plain file's end, and for a rotated gzip file the stamp in its
// name (the time it was rotated, about its last record). It plans a run
// before it starts; nothing in it is exact.
type Span struct {
	First, Last int64      // over all files; First > Last when nothing was found
	Hosts       []HostSpan // per host of the plan
	Files       []FileSpan // per file of the plan
}

// HostSpan is one host's estimated time extent, and the most records its
// files can hold (maxRecords): a record out of time order (a clock before
// NTP) can make First and Last years apart, but only adds bins it is in.
type HostSpan struct{ First, Last, Records int64 }

// FileSpan is what Peek saw of one file: the timestamps of up to
// peekLines lines at each end (Seen), and the span assumed to hold the
// lines between (Mid): from the median of the head's timestamps to the
// median of the tail's (a rotated gzip file's stamp), so that a stray
// timestamp at either end is a record of its own, not the end of a span
// decades long. Records is the most records the file can hold.
type FileSpan struct {
	Seen              []int64
	MidFirst, MidLast int64 // MidFirst > MidLast: none
	Records           int64
}

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
		fs := peekFile(f)
		fs.Records = maxRecords(f)
		s.Files = append(s.Files, fs)
		h := &s.Hosts[f.Host]
		h.First, h.Last = min(h.First, fs.MidFirst), max(h.Last, fs.MidLast)
		for _, t := range fs.Seen {
			h.First, h.Last = min(h.First, t), max(h.Last, t)
		}
		h.Records += fs.Records
	}
	for _, h := range s.Hosts {
		if h.First <= h.Last {
			s.First, s.Last = min(s.First, h.First), max(s.Last, h.Last)
		}
	}
	return s
}

// peekFile reads the timestamps at the ends of f (none when it cannot).
func peekFile(f File) FileSpan {
	fs := FileSpan{MidFirst: math.MaxInt64, MidLast: math.MinInt64}
	fh, err := openChecked(&f) // not a FIFO that replaced a log since discovery
	if err != nil {
		return fs
	}
	defer fh.Close()
	var head, tail []byte
	stamp, stamped := int64(0), false
	if f.Gzip {
		zr, err := getGzipReader(fh)
		if err != nil {
			return fs
		}
		head, _ = io.ReadAll(io.LimitReader(zr, peekSize))
		gzReaderPool.Put(zr)
		stamp, stamped = rotationStamp(filepath.Base(f.Path))
	} else {
		head = make([]byte, min(peekSize, max(f.Size, 0)))
		n, _ := fh.ReadAt(head, 0)
		head, tail = head[:n], head[:n]
		if f.Size > peekSize {
			tail = make([]byte, peekSize)
			n, _ := fh.ReadAt(tail, f.Size-peekSize)
			tail = tail[min(bytes.IndexByte(tail[:n], '\n')+1, n):n] // from the first whole line
		}
	}
	h, t := headTimestamps(head), tailTimestamps(tail)
	fs.Seen = append(h, t...)
	ends := []int64{}
	for _, ts := range [][]int64{h, t} {
		if len(ts) > 0 {
			ends = append(ends, median(ts))
		}
	}
	if stamped {
		ends = append(ends, stamp)
	}
	for _, e := range ends {
		fs.MidFirst, fs.MidLast = min(fs.MidFirst, e), max(fs.MidLast, e)
	}
	return fs
}

// headTimestamps returns the timestamps of the first peekLines lines of b
// that have one.
func headTimestamps(b []byte) []int64 {
	var out []int64
	for line := range bytes.Lines(b) {
		if t, ok := lineTimestamp(line); ok {
			if out = append(out, t); len(out) == peekLines {
				break
			}
		}
	}
	return out
}

// tailTimestamps returns the timestamps of the last peekLines lines of b
// that have one.
func tailTimestamps(b []byte) []int64 {
	var out []int64
	for len(b) > 0 && len(out) < peekLines {
		i := bytes.LastIndexByte(b[:len(b)-1], '\n')
		if t, ok := lineTimestamp(b[i+1:]); ok {
			out = append(out, t)
		}
		b = b[:i+1]
	}
	return out
}

// median returns the middle of ts (the upper one of an even count).
func median(ts []int64) int64 {
	s := slices.Sorted(slices.Values(ts))
	return s[len(s)/2]
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
