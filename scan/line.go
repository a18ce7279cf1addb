package scan

import (
	"bytes"
	"math"
	"unicode/utf8"

	"github.com/resreport/resreport/columnar"
)

// Outcome is what became of one input line.
type Outcome uint8

const (
	// Kept lines are records appended to the batch.
	Kept Outcome = iota
	// OutOfRange lines have a valid timestamp outside [since, until).
	OutOfRange
	// Skipped lines are not records; Reason says why.
	Skipped
)

// Reason is why a line was skipped.
type Reason uint8

const (
	ReasonNone         Reason = iota
	ReasonEmpty               // blank line (or only a BOM / CR)
	ReasonShort               // fewer than 8 '|'-separated fields
	ReasonBadTimestamp        // first field is not a naive YYYY-MM-DDTHH:MM:SS[.f] time
	ReasonBadShape            // group or sub-field counts of no known worker version
	ReasonTooLong             // longer than MaxLineBytes; never buffered whole
	ReasonPartialTail         // last line of a file, not terminated and not complete
	NumReasons
)

// ReasonNames are the names used in JSON, logs and the report footer.
var ReasonNames = [NumReasons]string{"", "empty", "short", "bad_timestamp", "bad_shape", "too_long", "partial_tail"}

func (r Reason) String() string { return ReasonNames[r] }

// MaxLineBytes is the longest line the scanner accepts (1 MiB).
const MaxLineBytes = 1 << 20

// Parser turns resource-log lines into batch rows. It keeps no state
// between lines but the time filter and the bad-value count, and it does
// not allocate (header strings are copied into the batch's arenas).
type Parser struct {
	Since int64 // inclusive, microseconds (see columnar.ParseTimestamp)
	Until int64 // exclusive

	// BadValues counts values of kept lines that were not numbers (or were
	// nan/inf) and are stored as null.
	BadValues int64
}

// NewParser returns a parser keeping lines with since <= ts < until.
func NewParser(since, until int64) *Parser { return &Parser{Since: since, Until: until} }

// NoSince and NoUntil are the open ends of the time filter.
const (
	NoSince = math.MinInt64
	NoUntil = math.MaxInt64
)

var bom = []byte("\xef\xbb\xbf")

// Parse parses one line (without its '\n') and, when it is a record in the
// time range, appends it to b as row b.Len with the given host index. b
// must not be full. final says the line is the last of its file and was not
// terminated by a newline: unless it is complete (ends in '|'), it is a
// half-written line of a live file and is skipped as ReasonPartialTail.
func (p *Parser) Parse(line []byte, b *columnar.Batch, host int32, final bool) (Outcome, Reason) {
	line = bytes.TrimPrefix(line, bom)
	line = trimSpace(line)
	if len(line) == 0 {
		return Skipped, ReasonEmpty
	}
	if final && line[len(line)-1] != '|' {
		return Skipped, ReasonPartialTail
	}
	var hdr [7][]byte
	rest := line
	for i := range hdr {
		j := bytes.IndexByte(rest, '|')
		if j < 0 {
			return Skipped, ReasonShort
		}
		hdr[i] = trimSpace(rest[:j])
		rest = rest[j+1:]
	}
	ts, ok := columnar.ParseTimestamp(hdr[0])
	if !ok {
		return Skipped, ReasonBadTimestamp
	}
	if ts < p.Since || ts >= p.Until {
		return OutOfRange, ReasonNone
	}
	// Every metric group is followed by '|', so the body holds one '|' per
	// group and ends in one.
	n := bytes.Count(rest, pipe)
	if len(rest) == 0 || rest[len(rest)-1] != '|' || !columnar.ValidGroupCount(n) {
		return Skipped, ReasonBadShape
	}
	row := b.Len
	bad := int64(0)
	for g := 0; g < n; g++ {
		j := bytes.IndexByte(rest, '|')
		field := trimSpace(rest[:j])
		rest = rest[j+1:]
		if len(field) == 0 {
			continue // group not registered in this worker: nulls
		}
		nb, ok := parseGroup(b, row, g, field)
		if !ok {
			clearRow(b, row)
			return Skipped, ReasonBadShape
		}
		bad += nb
	}
	bad += parsePIDTID(b, row, hdr[4])
	p.BadValues += bad
	b.Host[row] = host
	b.TS[row] = ts
	appendUTF8(&b.Level, hdr[1])
	appendUTF8(&b.Pod, hdr[3])
	appendUTF8(&b.TraceID, hdr[5])
	appendUTF8(&b.Cluster, hdr[6])
	b.Len++
	return Kept, ReasonNone
}

var pipe = []byte{'|'}

// parseGroup parses the '/'-separated sub-fields of group g into row. It
// fails when the number of sub-fields is not the group's: a deleted or
// shifted field. It returns the number of values that were not numbers.
func parseGroup(b *columnar.Batch, row, g int, field []byte) (bad int64, ok bool) {
	start := columnar.GroupStart[g]
	k := columnar.GroupStart[g+1] - start
	for s := 0; s < k; s++ {
		var v []byte
		if s == k-1 {
			v = field
			if bytes.IndexByte(v, '/') >= 0 {
				return 0, false
			}
		} else {
			j := bytes.IndexByte(field, '/')
			if j < 0 {
				return 0, false
			}
			v, field = field[:j], field[j+1:]
		}
		v = trimSpace(v)
		c := &b.Cols[start+s]
		if c.Kind == columnar.Int {
			if x, ok := parseInt(v); ok {
				c.SetInt(row, x)
				continue
			}
		} else if x, ok := parseFloat(v); ok {
			c.SetFloat(row, x)
			continue
		}
		bad++
	}
	return bad, true
}

// parsePIDTID parses "PID:TID" into the PID and TID columns.
func parsePIDTID(b *columnar.Batch, row int, f []byte) (bad int64) {
	pid, tid := f, []byte(nil)
	if j := bytes.IndexByte(f, ':'); j >= 0 {
		pid, tid = f[:j], f[j+1:]
	}
	if x, ok := parseInt(trimSpace(pid)); ok {
		b.PID.SetInt(row, x)
	} else {
		bad++
	}
	if x, ok := parseInt(trimSpace(tid)); ok {
		b.TID.SetInt(row, x)
	} else {
		bad++
	}
	return bad
}

func clearRow(b *columnar.Batch, row int) {
	mask := ^byte(1 << (uint(row) & 7))
	i := row >> 3
	for c := range b.Cols {
		b.Cols[c].Valid[i] &= mask
	}
	b.PID.Valid[i] &= mask
	b.TID.Valid[i] &= mask
}

// appendUTF8 appends s to col, replacing invalid UTF-8 with U+FFFD so that
// every output (Arrow, Parquet, JSON, HTML) holds valid text.
func appendUTF8(col *columnar.Strings, s []byte) {
	if utf8.Valid(s) {
		col.Append(s)
		return
	}
	d := col.Data
	for len(s) > 0 {
		r, size := utf8.DecodeRune(s)
		if r == utf8.RuneError && size <= 1 {
			d = utf8.AppendRune(d, utf8.RuneError)
		} else {
			d = append(d, s[:size]...)
		}
		s = s[size:]
	}
	col.Data = d
	col.Offsets = append(col.Offsets, int32(len(d)))
}

// asciiSpace marks the bytes trimSpace removes.
var asciiSpace = [256]bool{' ': true, '\t': true, '\r': true, '\n': true, '\v': true, '\f': true}

func trimSpace(b []byte) []byte {
	i, j := 0, len(b)
	for i < j && asciiSpace[b[i]] {
		i++
	}
	for j > i && asciiSpace[b[j-1]] {
		j--
	}
	return b[i:j]
}
