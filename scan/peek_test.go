package scan

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/resreport/resreport/columnar"
)

// keptIn parses line into b as a file of style s would (final: its
// unterminated last line) and reports whether it is a record.
func keptIn(b *columnar.Batch, s Style, line string, final bool) bool {
	p := NewParser(NoSince, NoUntil)
	p.StartFile(s)
	out, _ := p.Parse([]byte(line), b, 0, final)
	b.Len = 0
	return out == Kept
}

// TestMinRecordBytes: the shortest records take minRecordBytes with their
// '\n' (or unterminated, in the format that allows it), and no shorter
// line is a record in either format: not the shortest ones less any byte,
// nor random short lines made of timestamps, pipes and values.
func TestMinRecordBytes(t *testing.T) {
	const ts = "2026-05-06T00:00:00"
	trailing := ts + strings.Repeat("|", 7+21)   // 21 empty groups, trailing pipe
	noTrailing := ts + strings.Repeat("|", 7+20) // 21 empty groups joined
	if len(trailing) != minRecordBytes || len(noTrailing)+1 != minRecordBytes {
		t.Fatalf("lengths %d and %d+1, want %d", len(trailing), len(noTrailing), minRecordBytes)
	}
	b := columnar.NewBatch()
	if !keptIn(b, Trailing, trailing, true) || !keptIn(b, NoTrailing, noTrailing, false) {
		t.Fatalf("the shortest records are not records: %q %q", trailing, noTrailing)
	}
	// short reports whether a line (final: without its '\n') takes fewer
	// than minRecordBytes; such a line must not be a record
	short := func(line string, final bool) bool {
		if final {
			return len(line) < minRecordBytes
		}
		return len(line)+1 < minRecordBytes
	}
	check := func(line string) {
		t.Helper()
		for _, s := range []Style{Trailing, NoTrailing} {
			for _, final := range []bool{false, true} {
				if short(line, final) && keptIn(b, s, line, final) {
					t.Fatalf("%q (%d bytes, %v, final %v) is a record", line, len(line), s, final)
				}
			}
		}
	}
	for _, l := range []string{trailing, noTrailing} {
		for i := range l {
			check(l[:i] + l[i+1:])
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "||||||||||||||||||||||||||||||||||||||/ 0.1"
	for range 200_000 {
		var b strings.Builder
		if rng.IntN(10) > 0 {
			b.WriteString(ts[:19-rng.IntN(2)])
		}
		for n := minRecordBytes - rng.IntN(8); b.Len() < n; {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		check(b.String())
	}
}

// TestPeekRecords: a host's record bound is its files' sizes over
// minRecordBytes, a gzip file's inflated by deflate's most.
func TestPeekRecords(t *testing.T) {
	dir := t.TempDir()
	plain, gz := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log.gz")
	if err := os.WriteFile(plain, []byte(strings.Repeat("x", 1000)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(gz, []byte(strings.Repeat("y", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	plan := &Plan{Hosts: []string{"h"}, Files: []File{{Path: plain, Size: 1000}, {Path: gz, Size: 100, Gzip: true}}}
	sp := Peek(plan)
	if want := int64(1000/minRecordBytes + 100*maxDeflateRatio/minRecordBytes); sp.Hosts[0].Records != want {
		t.Fatalf("records %d, want %d", sp.Hosts[0].Records, want)
	}
	if sp.First <= sp.Last {
		t.Fatalf("a span %d..%d from files without a timestamp", sp.First, sp.Last)
	}
}

// TestPeekStrayTimestamps: a file whose first line is dated 1970 and last
// 2100 (a small file and one past peekSize, plain and gzip) is seen with
// both, and its middle span is that of the other lines.
func TestPeekStrayTimestamps(t *testing.T) {
	dir := t.TempDir()
	line := func(ts string) string { return ts + strings.Repeat(" | x", 6) + " | " + strings.Repeat("|", 21) + "\n" }
	for _, n := range []int{50, 5000} { // ~7 KB and ~700 KB
		var b strings.Builder
		b.WriteString(line("1970-01-01T00:00:00"))
		for i := range n {
			b.WriteString(line(columnar.FormatTimestamp(int64(1778025600+i*10) * 1e6)))
		}
		b.WriteString(line("2100-01-01T00:00:00"))
		for _, gz := range []bool{false, true} {
			p := filepath.Join(dir, fmt.Sprintf("%d.log", n))
			data := []byte(b.String())
			if gz {
				p = filepath.Join(dir, fmt.Sprintf("%d.20260506120000.log.gz", n))
				data = gzipped(t, data)
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			sp := Peek(&Plan{Hosts: []string{"h"}, Files: []File{{Path: p, Size: int64(len(data)), Gzip: gz}}})
			fs := sp.Files[0]
			lo, hi := int64(1778025600)*1e6, int64(1778025600+(n-1)*10)*1e6
			if gz {
				hi, _ = rotationStamp(filepath.Base(p))
			}
			if fs.MidFirst < lo || fs.MidLast > hi || fs.MidFirst > fs.MidLast {
				t.Errorf("%d lines, gzip %v: middle %s..%s, want within %s..%s", n, gz,
					columnar.FormatTimestamp(fs.MidFirst), columnar.FormatTimestamp(fs.MidLast), columnar.FormatTimestamp(lo), columnar.FormatTimestamp(hi))
			}
			if !slices.Contains(fs.Seen, 0) || !gz && !slices.Contains(fs.Seen, 4102444800e6) {
				t.Errorf("%d lines, gzip %v: the stray timestamps are not seen", n, gz)
			}
			if len(fs.Seen) > 2*peekLines {
				t.Errorf("%d timestamps kept", len(fs.Seen))
			}
		}
	}
}

func gzipped(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
