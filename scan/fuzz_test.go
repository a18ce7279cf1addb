package scan

import (
	"testing"
	"time"
	"unicode/utf8"

	"github.com/resreport/resreport/columnar"
)

// FuzzParseLine checks that no input crashes the parser, that a skipped
// line leaves no trace in the batch, and that kept lines hold valid UTF-8.
// The parser reads lines of even length as Trailing, odd as NoTrailing.
// Seeds: testdata/fuzz/FuzzParseLine and the lines below.
func FuzzParseLine(f *testing.F) {
	for _, s := range []string{exampleLine, withGroups(21), withGroups(24), withGroups(25), "", "|||||||", "a|b|c|d|e|f|g|h|",
		exampleLine[:100], "\xef\xbb\xbf" + exampleLine + "\r", noTrailing(exampleLine), noTrailing(withGroups(25)) + " "} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	b := columnar.NewBatch()
	p := NewParser(NoSince, NoUntil)
	f.Fuzz(func(t *testing.T, line []byte, final bool) {
		if b.Full() {
			b.Reset()
		}
		n := b.Len
		p.StartFile(Style(len(line) & 1))
		out, reason := p.Parse(line, b, 1, final)
		switch out {
		case Kept:
			if b.Len != n+1 || reason != ReasonNone {
				t.Fatalf("kept but Len %d -> %d, reason %v", n, b.Len, reason)
			}
			for _, s := range []*columnar.Strings{&b.Level, &b.Pod, &b.TraceID, &b.Cluster} {
				if len(s.Offsets) != b.Len+1 || !utf8.Valid(s.Value(n)) {
					t.Fatalf("string column broken: %d offsets, %q", len(s.Offsets), s.Value(n))
				}
			}
			if got := columnar.FormatTimestamp(b.TS[n]); len(got) < 19 {
				t.Fatalf("timestamp %q", got)
			}
			for c := range b.Cols {
				if col := &b.Cols[c]; col.Kind == columnar.Int && col.IsValid(n) && col.Ints[n] < 0 {
					t.Fatalf("%s = %d: integer fields are unsigned", columnar.Metrics[c].Name, col.Ints[n])
				}
			}
			if b.PID.Ints[n] < 0 || b.TID.Ints[n] < 0 {
				t.Fatalf("pid:tid %d:%d", b.PID.Ints[n], b.TID.Ints[n])
			}
		default:
			if b.Len != n || (out == Skipped) != (reason != ReasonNone) {
				t.Fatalf("outcome %v reason %v, Len %d -> %d", out, reason, n, b.Len)
			}
			for c := range b.Cols {
				if b.Cols[c].IsValid(n) {
					t.Fatalf("skipped line left %s valid", columnar.Metrics[c].Name)
				}
			}
		}
	})
}

// FuzzParseTimestamp checks ParseTimestamp against the time package: what
// it accepts formats back to an equal instant, and every valid layout it
// sees is accepted.
func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{"2026-05-06T22:30:05.123456", "2026-05-06 22:30:05", "2026-02-29T00:00:00", "2024-02-29T23:59:59.9",
		"2026-05-06T22:30:05Z", "2026-05-06T22:30:05+08:00", "0001-01-01T00:00:00", "9999-12-31T23:59:59.999999999", "2026-13-01T00:00:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, ok := columnar.ParseTimestamp([]byte(s))
		want, err := time.Parse("2006-01-02T15:04:05.999999999", s)
		if err != nil && len(s) > 10 && s[10] == ' ' {
			want, err = time.Parse("2006-01-02 15:04:05.999999999", s)
		}
		if ok != (err == nil) {
			// time.Parse accepts a few things we do not (and the reverse is a bug)
			if ok {
				t.Fatalf("ParseTimestamp(%q) ok, time.Parse: %v", s, err)
			}
			return
		}
		if !ok {
			return
		}
		if got := want.UnixMicro(); got != ts {
			t.Fatalf("ParseTimestamp(%q) = %d, time.Parse %d", s, ts, got)
		}
		back, ok := columnar.ParseTimestamp([]byte(columnar.FormatTimestamp(ts)))
		if !ok || back != ts {
			t.Fatalf("round trip of %q: %v %d != %d", s, ok, back, ts)
		}
	})
}
