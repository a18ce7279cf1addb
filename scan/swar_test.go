package scan

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/resreport/resreport/columnar"
)

func TestDigitRun(t *testing.T) {
	for _, in := range []string{"", "0", "12345678", "1234567/", "/", " 1", "12\x3a", "9\x2f", "\xff123", "1\xff23", "1234\xba5678", "99999999"} {
		b := make([]byte, 8)
		copy(b, in)
		want := 0
		for want < 8 && b[want] >= '0' && b[want] <= '9' {
			want++
		}
		if got := digitRun(binary.LittleEndian.Uint64(b)); got != want {
			t.Errorf("digitRun(%q) = %d, want %d", in, got, want)
		}
	}
	// every single byte value in every position after a digit prefix
	for n := 0; n < 8; n++ {
		for c := 0; c < 256; c++ {
			b := []byte("55555555")
			b[n] = byte(c)
			want := n
			if c >= '0' && c <= '9' {
				want = 8
			}
			if got := digitRun(binary.LittleEndian.Uint64(b)); got != want {
				t.Fatalf("digitRun(%q) = %d, want %d", b, got, want)
			}
		}
	}
}

func TestDigitsValue(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 100000; i++ {
		n := 1 + r.IntN(8)
		s := strconv.FormatUint(r.Uint64N(100000000), 10)
		s = strings.Repeat("0", 8)[:max(0, n-len(s))] + s
		s = s[len(s)-n:]
		b := []byte(s + "/|xyz678")
		want, _ := strconv.ParseUint(s, 10, 64)
		if got := digitsValue(binary.LittleEndian.Uint64(b), n); got != want {
			t.Fatalf("digitsValue(%q, %d) = %d, want %d", b, n, got, want)
		}
	}
}

var bothBatches = [2]*columnar.Batch{columnar.NewBatch(), columnar.NewBatch()}

// parseBoth parses line in style s with and without the fast path; the
// line is placed in a buffer whose bytes after it (read ahead by
// scanFast) are tail, and so are the bytes after the copy a NoTrailing
// line is parsed from.
func parseBoth(t *testing.T, line []byte, s Style, final bool, tail string) {
	t.Helper()
	rows := &bothBatches
	var res [2]string
	for i, fast := range []bool{true, false} {
		buf := append(append([]byte(nil), line...), tail...)
		fastPath = fast
		b := rows[i]
		b.Reset()
		p := NewParser(NoSince, NoUntil)
		p.StartFile(s)
		if tail != "" {
			p.body = make([]byte, len(line)+1+fastWindow+len(tail))
			for j := range p.body {
				p.body[j] = tail[j%len(tail)]
			}
			p.body = p.body[:0]
		}
		out, reason := p.Parse(buf[:len(line)], b, 0, final)
		fastPath = true
		res[i] = fmt.Sprintf("%v %v bad=%d len=%d", out, reason, p.BadValues, b.Len)
	}
	if res[0] != res[1] {
		t.Fatalf("%v %q: fast path %s, general path %s", s, line, res[0], res[1])
	}
	for c := range columnar.Metrics {
		a, g := &rows[0].Cols[c], &rows[1].Cols[c]
		if !bytes.Equal(a.Valid, g.Valid) {
			t.Fatalf("%v %q: %s validity differs: fast %v, general %v", s, line, columnar.Metrics[c].Name, a.IsValid(0), g.IsValid(0))
		}
		if a.IsValid(0) {
			if fa, fg := a.Float(0), g.Float(0); fa != fg {
				t.Fatalf("%v %q: %s = %v fast, %v general", s, line, columnar.Metrics[c].Name, fa, fg)
			}
		}
	}
}

// parseStyles runs parseBoth on a Trailing line as it is, and in both
// styles without its trailing pipe.
func parseStyles(t *testing.T, line string, final bool, tail string) {
	t.Helper()
	parseBoth(t, []byte(line), Trailing, final, tail)
	parseBoth(t, []byte(noTrailing(line)), NoTrailing, final, tail)
	parseBoth(t, []byte(noTrailing(line)), Trailing, final, tail)
}

func TestFastPathEqualsGeneral(t *testing.T) {
	values := []string{"0", "7", "12345678", "123456789", "1234567890123456", "12345678901234567", "123456789012345678",
		"0.031", "1.000", "12.", ".5", "0.1234567", "0.12345678", "12345678.1234567", "1234567890123.45", "-1", "+1",
		"1e3", " 1", "1 ", "1  ", "null", "N/A", "", "nan", "1.2.3", "00000000000000001", "99999999999999999999"}
	tails := []string{"", "9999999999999999", "||||", "        "}
	groups := strings.Split(strings.TrimSuffix(strings.SplitN(exampleLine, " | ", 8)[7], " |"), " | ")
	header := strings.Join(strings.SplitN(exampleLine, " | ", 8)[:7], " | ")
	for g := range groups {
		subs := strings.Split(groups[g], "/")
		for s := range subs {
			for _, v := range values {
				mod := append([]string(nil), groups...)
				ss := append([]string(nil), subs...)
				ss[s] = v
				mod[g] = strings.Join(ss, "/")
				line := header + " | " + strings.Join(mod, " | ") + " |"
				for _, tail := range tails {
					parseStyles(t, line, false, tail)
				}
			}
		}
	}
	// delimiters and spacing around them
	for _, repl := range [][2]string{{" | ", "|"}, {" | ", "  |  "}, {"/", " / "}, {"/", "/ "}, {" |", "|"}, {" | ", " |  "}} {
		line := header + " | " + strings.ReplaceAll(strings.SplitN(exampleLine, " | ", 8)[7], repl[0], repl[1])
		for _, tail := range tails {
			parseStyles(t, line, false, tail)
			parseStyles(t, line, true, tail)
		}
	}
	for _, n := range []int{21, 22, 24, 25} {
		parseStyles(t, withGroups(n), false, "")
		parseStyles(t, withGroups(n), false, "123456789012345678")
	}
}

// FuzzFastPath checks that the word-at-a-time path gives exactly the rows
// of the general one in either style, whatever the bytes after the line
// hold. Seeds: testdata/fuzz/FuzzFastPath and the lines below.
func FuzzFastPath(f *testing.F) {
	for _, s := range []string{exampleLine, withGroups(21), withGroups(24), withGroups(25)} {
		for _, l := range []string{s, noTrailing(s)} {
			f.Add([]byte(l), "")
			f.Add([]byte(l), "12345678901234567890")
		}
	}
	f.Fuzz(func(t *testing.T, line []byte, tail string) {
		parseBoth(t, line, Trailing, false, tail)
		parseBoth(t, line, NoTrailing, false, tail)
	})
}
