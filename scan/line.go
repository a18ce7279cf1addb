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
	ReasonCut                 // complete only in the other style than its file's (see Style): cut short
	ReasonTooLong             // longer than MaxLineBytes; never buffered whole
	ReasonPartialTail         // last line of a file, not terminated and not complete
	NumReasons
)

// ReasonNames are the names used in JSON, logs and the report footer.
var ReasonNames = [NumReasons]string{"", "empty", "short", "bad_timestamp", "bad_shape", "cut", "too_long", "partial_tail"}

func (r Reason) String() string { return ReasonNames[r] }

// MaxLineBytes is the longest line the scanner accepts (1 MiB).
const MaxLineBytes = 1 << 20

// Parser turns resource-log lines into batch rows. Between lines it keeps
// the time filter, the bad-value count and the file's style (StartFile);
// it does not allocate per line (header strings are copied into the
// batch's arenas).
type Parser struct {
	Since int64 // inclusive, microseconds (see columnar.ParseTimestamp)
	Until int64 // exclusive

	// BadValues counts values of kept lines that were not numbers (or were
	// nan/inf, or integers beyond int64) and are stored as null; BadField
	// is the field of the first such value of the last line with any (see
	// FieldName).
	BadValues int64
	BadField  int

	style Style     // of the current file
	prev  lineClass // of the previous line
	// body holds a NoTrailing line's body with a '|' appended, so that
	// parseBody reads both styles alike; its capacity leaves scanFast
	// room to read ahead.
	body []byte
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
// must not be full. Lines are read in the style of their file (StartFile;
// Trailing by default), which a change of format switches (see Style).
// final says the line is the last of its file and was not terminated by
// a newline: unless it is a complete line of a Trailing file, it is a
// half-written line of a live file and is skipped as ReasonPartialTail.
// Parse may read (never write) the bytes of line's capacity past its
// length, which must not be written meanwhile; they do not change the
// result.
func (p *Parser) Parse(line []byte, b *columnar.Batch, host int32, final bool) (Outcome, Reason) {
	prev := p.prev
	p.prev = classNone
	line = bytes.TrimPrefix(line, bom)
	line = trimSpace(line)
	if len(line) == 0 {
		return Skipped, ReasonEmpty
	}
	if final && (p.style != Trailing || line[len(line)-1] != '|') {
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
	// A Trailing body holds one '|' per group and ends in one; a
	// NoTrailing body one '|' fewer.
	n := bytes.Count(rest, pipe)
	class := classify(n, len(rest) > 0 && rest[len(rest)-1] == '|')
	reason := p.follow(class, prev)
	if ts < p.Since || ts >= p.Until {
		return OutOfRange, ReasonNone
	}
	if final && class == classEmptyLast {
		return Skipped, ReasonPartialTail // ends in '|' but a group short
	}
	if reason != ReasonNone {
		return Skipped, reason
	}
	if p.style == NoTrailing {
		rest = p.terminated(rest)
		n++
	}
	row := b.Len
	bad, field, ok := parseBody(b, row, rest, n)
	if !ok {
		b.ClearRow(row)
		return Skipped, ReasonBadShape
	}
	if pbad, pfield := parsePIDTID(b, row, hdr[4]); pbad > 0 {
		bad += pbad
		field = pfield // PID:TID comes before the groups
	}
	if bad > 0 {
		p.BadValues += bad
		p.BadField = field
	}
	b.Host[row] = host
	b.TS[row] = ts
	appendUTF8(&b.Level, hdr[1])
	appendUTF8(&b.Source, hdr[2])
	appendUTF8(&b.Pod, hdr[3])
	appendUTF8(&b.TraceID, hdr[5])
	appendUTF8(&b.Cluster, hdr[6])
	b.Len++
	return Kept, ReasonNone
}

// The fields of a bad value that are not metrics (Parser.BadField).
const (
	FieldPID = -1
	FieldTID = -2
)

// FieldName names a field of Parser.BadField: "pid", "tid" or the
// metric's column name.
func FieldName(f int) string {
	switch f {
	case FieldPID:
		return "pid"
	case FieldTID:
		return "tid"
	}
	return columnar.Metrics[f].Name
}

// terminated returns a copy of a NoTrailing body with a '|' after its last
// group, in p.body.
func (p *Parser) terminated(body []byte) []byte {
	if cap(p.body) < len(body)+1+fastWindow {
		p.body = make([]byte, 0, max(4096, 2*len(body)+fastWindow))
	}
	p.body = append(append(p.body[:0], body...), '|')
	return p.body
}

var pipe = []byte{'|'}

// fastPath enables scanFast; the tests turn it off to check that both
// paths give the same rows.
var fastPath = true

// parseBody parses the n metric groups of body (which ends in '|') into
// row in one pass over the bytes. An empty group is a group the worker did
// not register: its columns stay null. It fails when a group's number of
// '/'-separated sub-fields is not the catalogue's (a deleted or shifted
// field); it returns the number of values that were not numbers and the
// column of the first.
//
// scanFast (swar.go) takes every sub-field it can; parseBody takes the one
// it stops at with parseValue and the general delimiter rules, then hands
// back to scanFast.
func parseBody(b *columnar.Batch, row int, body []byte, n int) (bad int64, first int, ok bool) {
	endCol := int(columnar.GroupStart[n])
	cur := bodyCursor{voff: row, foff: row >> 3}
	ext := body[:cap(body)]
	vbit := byte(1) << (uint(row) & 7)
	for {
		if fastPath {
			cur = scanFast(ext, endCol, cur, b.Values, b.Validity, vbit)
		}
		if cur.col >= endCol {
			return bad, first, true
		}
		// The general path for the sub-field at cur.
		info := colInfo[cur.col]
		if info&infoFirst != 0 {
			cur.pos = skipSpaces(body, cur.pos)
			if body[cur.pos] == '|' { // an empty group
				cur.pos++
				cur.advance(int(info & 0xff))
				continue
			}
		}
		last := info&infoLast != 0
		end, delim, valid := parseValue(body, cur.pos, &b.Cols[cur.col], row, info&(infoFirst|infoLast) == infoFirst|infoLast)
		if !valid {
			if bad == 0 {
				first = cur.col
			}
			bad++
		}
		if delim == '|' {
			if !last {
				return 0, 0, false
			}
			cur.pos = end + 1
		} else {
			if last {
				return 0, 0, false
			}
			cur.pos = skipSpaces(body, end+1)
		}
		cur.advance(1)
	}
}

// parseValue parses the sub-field starting at body[pos] into row of c and
// returns the position of the delimiter that ends it ('/' or '|'; only '|'
// when single, for one-value groups, so "N/A" is one bad value) and
// whether it was a number. Plain digits with an optional fraction take a
// fused fast path; anything else is cut at the delimiter and handed to
// parseUint / parseFloat.
func parseValue(body []byte, pos int, c *columnar.Column, row int, single bool) (int, byte, bool) {
	i, m := digitsFrom(body, pos, 0)
	nd := i - pos
	if c.Kind == columnar.Int {
		if nd > 0 && nd <= 18 {
			if j := skipSpaces(body, i); body[j] == '|' || (body[j] == '/' && !single) {
				c.SetInt(row, int64(m))
				return j, body[j], true
			}
		}
	} else if nd > 0 {
		fd := 0
		if body[i] == '.' {
			var j int
			j, m = digitsFrom(body, i+1, m)
			fd, i = j-i-1, j
		}
		if nd+fd <= 15 {
			if j := skipSpaces(body, i); body[j] == '|' || (body[j] == '/' && !single) {
				f := float64(m)
				if fd > 0 {
					f /= pow10[fd]
				}
				c.SetFloat(row, f)
				return j, body[j], true
			}
		}
	}
	// slow path: find the delimiter, then parse the trimmed token
	j := pos
	for body[j] != '|' && (single || body[j] != '/') {
		j++
	}
	v := trimSpace(body[pos:j])
	if c.Kind == columnar.Int {
		if x, ok := parseUint(v); ok {
			c.SetInt(row, x)
			return j, body[j], true
		}
	} else if x, ok := parseFloat(v); ok {
		c.SetFloat(row, x)
		return j, body[j], true
	}
	return j, body[j], false
}

// digitsFrom accumulates the decimal digits of b from i into m and
// returns the position after them.
func digitsFrom(b []byte, i int, m uint64) (int, uint64) {
	for i < len(b) {
		d := b[i] - '0'
		if d > 9 {
			break
		}
		m = m*10 + uint64(d)
		i++
	}
	return i, m
}

func skipSpaces(b []byte, i int) int {
	for i < len(b) && b[i] == ' ' {
		i++
	}
	return i
}

// parsePIDTID parses "PID:TID" into the PID and TID columns; it returns
// the number of bad values and the field of the first.
func parsePIDTID(b *columnar.Batch, row int, f []byte) (bad int64, first int) {
	pid, tid := f, []byte(nil)
	if j := bytes.IndexByte(f, ':'); j >= 0 {
		pid, tid = f[:j], f[j+1:]
	}
	first = FieldPID
	if x, ok := parseUint(trimSpace(pid)); ok {
		b.PID.SetInt(row, x)
	} else {
		bad++
	}
	if x, ok := parseUint(trimSpace(tid)); ok {
		b.TID.SetInt(row, x)
	} else {
		if bad == 0 {
			first = FieldTID
		}
		bad++
	}
	return bad, first
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
