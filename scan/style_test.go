package scan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/resreport/resreport/columnar"
)

// noTrailing returns a Trailing line in the NoTrailing style: its groups
// joined by " | " with nothing after the last.
func noTrailing(line string) string { return strings.TrimSuffix(line, " |") }

func TestClassify(t *testing.T) {
	for pipes := 0; pipes < 40; pipes++ {
		for _, endsPipe := range []bool{false, true} {
			tr := endsPipe && columnar.ValidGroupCount(pipes)
			nt := columnar.ValidGroupCount(pipes + 1)
			want := map[[2]bool]lineClass{{false, false}: classNone, {true, false}: classTrailing,
				{false, true}: classNoTrailing, {true, true}: classBoth}[[2]bool{tr, nt}]
			if want == classNoTrailing && endsPipe {
				want = classEmptyLast
			}
			if got := classify(pipes, endsPipe); got != want {
				t.Errorf("classify(%d, %v) = %v, want %v", pipes, endsPipe, got, want)
			}
		}
	}
	for line, want := range map[string]lineClass{
		exampleLine:                         classTrailing,
		noTrailing(exampleLine):             classNoTrailing,
		withGroups(21):                      classBoth,
		noTrailing(withGroups(21)):          classEmptyLast, // 21 groups, the last empty
		withGroups(25):                      classTrailing,
		noTrailing(withGroups(25)):          classNoTrailing,
		withGroups(24):                      classBoth,      // also 25 groups without the trailing pipe, the last empty
		withGroups(22) + " 5 |":             classEmptyLast, // 24 groups without it, the last empty
		"\xef\xbb\xbf" + exampleLine + "\r": classTrailing,
		"a|b|c|d|e|f":                       classNone,
		exampleLine[:200]:                   classNone,
		"":                                  classNone,
	} {
		if got := classifyLine([]byte(line)); got != want {
			t.Errorf("classifyLine(%.50q…) = %v, want %v", line, got, want)
		}
	}
}

// rowText renders row i of b: every column and header string, for
// comparing rows.
func rowText(b *columnar.Batch, i int) string {
	var s strings.Builder
	fmt.Fprintf(&s, "host=%d ts=%d pid=%v/%d tid=%v/%d %q %q %q %q", b.Host[i], b.TS[i], b.PID.IsValid(i), b.PID.Ints[i],
		b.TID.IsValid(i), b.TID.Ints[i], b.Level.Value(i), b.Pod.Value(i), b.TraceID.Value(i), b.Cluster.Value(i))
	for c := range b.Cols {
		if b.Cols[c].IsValid(i) {
			fmt.Fprintf(&s, " %s=%v", columnar.Metrics[c].Name, b.Cols[c].Float(i))
		}
	}
	return s.String()
}

// TestNoTrailingReadsAlike parses each worker version's line in both
// styles, also with an empty last group: the rows are the same.
func TestNoTrailingReadsAlike(t *testing.T) {
	emptyLast := func(line string) string { // the line with its last group printed empty
		i := strings.LastIndex(strings.TrimSuffix(line, " |"), " | ")
		return line[:i] + " |  |"
	}
	var lines []string
	for _, n := range []int{21, 22, 24, 25} {
		lines = append(lines, withGroups(n), emptyLast(withGroups(n)))
	}
	lines = append(lines, strings.Replace(exampleLine, "| 12 |", "| null |", 1), strings.ReplaceAll(exampleLine, " | ", "|"))
	for _, line := range lines {
		var rows [2]string
		for i, s := range []Style{Trailing, NoTrailing} {
			l := line
			if s == NoTrailing {
				l = noTrailing(line)
			}
			b := columnar.NewBatch()
			p := NewParser(NoSince, NoUntil)
			p.StartFile(s)
			if out, r := p.Parse([]byte(l), b, 2, false); out != Kept {
				t.Fatalf("%v: %.80q…: %v %v", s, l, out, r)
			}
			rows[i] = fmt.Sprintf("%s bad=%d", rowText(b, 0), p.BadValues)
		}
		if rows[0] != rows[1] {
			t.Fatalf("%q:\ntrailing    %s\nno-trailing %s", line, rows[0], rows[1])
		}
	}
}

// TestStyleRule feeds one parser a file's lines: a line of the other
// style is cut, two in a row change the file's style.
func TestStyleRule(t *testing.T) {
	T, N := exampleLine, noTrailing(exampleLine)
	cutGroup := exampleLine[:len(exampleLine)-5] // lost " |" and part of its last value
	for _, tc := range []struct {
		style Style
		lines []string
		want  string // one letter per line: k kept, c cut, b bad shape, o outside range
	}{
		{Trailing, []string{T, T, T}, "kkk"},
		{NoTrailing, []string{N, N, N}, "kkk"},
		{Trailing, []string{T, N, T, T}, "kckk"},
		{Trailing, []string{T, cutGroup, T}, "kck"},
		{NoTrailing, []string{N, T, N}, "kck"},
		// a change of format mid-file costs one line
		{Trailing, []string{T, T, N, N, N}, "kkckk"},
		{NoTrailing, []string{N, T, T, T, N}, "kckkc"},
		// a line of either style does not change it
		{Trailing, []string{withGroups(21), N, withGroups(21), N}, "kckc"},
		{NoTrailing, []string{withGroups(21), T, noTrailing(withGroups(21))}, "kck"},
		// a blank or bad line between two lines of the other style
		{Trailing, []string{N, "", N}, "c-c"},
		{Trailing, []string{N, "garbage", N}, "c-c"},
		// in a Trailing file, a line ending in '|' that is complete only
		// without a trailing pipe has a group count of no known version
		{Trailing, []string{withGroups(22) + " 5 |", T}, "bk"},
		{NoTrailing, []string{noTrailing(withGroups(22)) + " | 5 |", N}, "kk"}, // 24 groups, the last empty
		// and it does not change the style
		{Trailing, []string{withGroups(22) + " 5 |", withGroups(22) + " 5 |", T}, "bbk"},
		{Trailing, []string{withGroups(21), strings.TrimSuffix(withGroups(21), "  |"), withGroups(21)}, "kbk"},
	} {
		p := NewParser(NoSince, NoUntil)
		p.StartFile(tc.style)
		b := columnar.NewBatch()
		var got strings.Builder
		for _, l := range tc.lines {
			switch out, r := p.Parse([]byte(l), b, 0, false); {
			case out == Kept:
				got.WriteByte('k')
			case r == ReasonCut:
				got.WriteByte('c')
			case r == ReasonBadShape:
				got.WriteByte('b')
			default:
				got.WriteByte('-')
			}
		}
		if got.String() != tc.want {
			t.Errorf("%v %d lines: %s, want %s", tc.style, len(tc.lines), got.String(), tc.want)
		}
	}
}

// TestStyleOutOfRange: lines outside --since/--until follow the style rule
// too (a change of format there is seen), and are counted as outside.
func TestStyleOutOfRange(t *testing.T) {
	p := NewParser(NoSince, 1) // everything of 2026 is outside
	p.StartFile(Trailing)
	b := columnar.NewBatch()
	N := noTrailing(exampleLine)
	for _, l := range []string{N, N} {
		if out, _ := p.Parse([]byte(l), b, 0, false); out != OutOfRange {
			t.Fatalf("outcome %v, want outside the range", out)
		}
	}
	p.Until = NoUntil
	if out, r := p.Parse([]byte(N), b, 0, false); out != Kept {
		t.Fatalf("after a change of format outside the range: %v %v", out, r)
	}
}

func TestFinalLine(t *testing.T) {
	for _, tc := range []struct {
		style Style
		line  string
		want  Reason
	}{
		{Trailing, exampleLine, ReasonNone},
		{Trailing, exampleLine[:len(exampleLine)-2], ReasonPartialTail},
		{Trailing, strings.TrimSuffix(withGroups(21), "  |"), ReasonPartialTail}, // ends in '|', a group short
		{Trailing, withGroups(22) + " 5 |", ReasonPartialTail},                   // 23 groups of a 25-group line being written
		{NoTrailing, noTrailing(exampleLine), ReasonPartialTail},                 // may be mid-line
		{NoTrailing, exampleLine, ReasonPartialTail},
	} {
		p := NewParser(NoSince, NoUntil)
		p.StartFile(tc.style)
		out, r := p.Parse([]byte(tc.line), columnar.NewBatch(), 0, true)
		if r != tc.want || (r == ReasonNone) != (out == Kept) {
			t.Errorf("%v, final %.40q…%q: %v %v, want %v", tc.style, tc.line, tc.line[len(tc.line)-10:], out, r, tc.want)
		}
	}
}

func TestLearnStyle(t *testing.T) {
	T, N := exampleLine, noTrailing(exampleLine)
	rep := func(s string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = s
		}
		return out
	}
	for _, tc := range []struct {
		lines []string
		tail  string // unterminated
		want  Style
	}{
		{nil, "", Trailing},
		{rep(N, 1), "", NoTrailing},
		{rep(T, 1), "", Trailing},
		{append(rep(N, 5), rep(T, 3)...), "", NoTrailing},
		{append(rep(N, 4), rep(T, 4)...), "", Trailing}, // a tie
		{append(append([]string{T}, rep(N, 4)...), rep(T, 10)...), "", Trailing},
		{append(rep(T, 8), rep(N, 20)...), "", Trailing}, // only the first 8 vote
		{append(rep("", 30), rep(N, 3)...), "", NoTrailing},
		{append(rep("", 70), rep(N, 3)...), "", Trailing}, // beyond the lookahead
		// only weak evidence: lines of either style count for Trailing, lines
		// complete only without the trailing pipe but ending in '|' (an empty
		// last group) for NoTrailing
		{append(rep(withGroups(21), 5), rep(withGroups(22)+" 5 |", 3)...), "", Trailing},
		{append(rep(withGroups(21), 3), rep(noTrailing(withGroups(21)), 5)...), "", NoTrailing},
		{append(rep(noTrailing(withGroups(21)), 7), T), "", Trailing},    // a line that tells wins
		{rep(withGroups(21), 20), "", Trailing},                          // no line tells
		{append(rep(withGroups(21), 20), N), "", NoTrailing},             // one that does
		{[]string{strings.Repeat("x", lineBufSize+10), N}, "", Trailing}, // the buffer cannot hold both
		{rep(T, 1), N + N + N, Trailing},                                 // the unterminated tail does not vote
	} {
		text := strings.Join(tc.lines, "\n")
		if len(tc.lines) > 0 {
			text += "\n"
		}
		text += tc.tail
		var lr lineReader
		lr.reset(strings.NewReader(text))
		if got := learnStyle(&lr); got != tc.want {
			t.Errorf("%d lines: %v, want %v", len(tc.lines), got, tc.want)
		}
		// learning consumes nothing
		n := 0
		for {
			if _, ok := lr.next(); !ok {
				break
			}
			n++
		}
		want := len(tc.lines)
		if tc.tail != "" {
			want++
		}
		if n != want {
			t.Errorf("%d lines: %d left after learning", len(tc.lines), n)
		}
	}
}

// TestUnsignedFields: a sign in an integer field (all printed with %lu)
// makes a bad value, on the fast path and the general one; fractions keep
// theirs.
func TestUnsignedFields(t *testing.T) {
	for _, fast := range []bool{true, false} {
		fastPath = fast
		for _, tc := range []struct{ old, repl, column string }{
			{"| 12 |", "| -12 |", "active_client_count"},
			{"| 183422 |", "| -183422 |", "object_count"},
			{"| 183422 |", "| +183422 |", "object_count"},
			{"1520/0/0/311/42 |", "1520/0/-1/311/42 |", "oc_hit_l2"},
			{"1520/0/0/311/42 |", "-1520/0/0/311/42 |", "oc_hit_mem"},
			{"1520/0/0/311/42 |", "1520/0/0/311/-42 |", "oc_miss"},
			{"| 32212254720/", "| -32212254720/", "shm_memory_usage"},
			{"30/32/64/0/0.031", "30/32/-64/0/0.031", "worker_oc_service_thread_tasks_delta"},
		} {
			for _, s := range []Style{Trailing, NoTrailing} {
				line := strings.Replace(exampleLine, tc.old, tc.repl, 1)
				if s == NoTrailing {
					line = noTrailing(line)
				}
				b := columnar.NewBatch()
				p := NewParser(NoSince, NoUntil)
				p.StartFile(s)
				if out, r := p.Parse([]byte(line), b, 0, false); out != Kept {
					t.Fatalf("%q: %v %v", tc.repl, out, r)
				}
				if p.BadValues != 1 || b.Cols[col(tc.column)].IsValid(0) {
					t.Errorf("fast %v %v %q: bad values %d, %s valid %v", fast, s, tc.repl, p.BadValues, tc.column, b.Cols[col(tc.column)].IsValid(0))
				}
			}
		}
		for _, pt := range []string{"-9:177", "9:-177", "+9:177"} {
			b := columnar.NewBatch()
			p := NewParser(NoSince, NoUntil)
			p.Parse([]byte(strings.Replace(exampleLine, "| 9:177 |", "| "+pt+" |", 1)), b, 0, false)
			if p.BadValues != 1 || b.PID.IsValid(0) && b.TID.IsValid(0) || b.PID.Ints[0] < 0 || b.TID.Ints[0] < 0 {
				t.Errorf("pid:tid %s: bad values %d, pid %d tid %d", pt, p.BadValues, b.PID.Ints[0], b.TID.Ints[0])
			}
		}
		b := columnar.NewBatch()
		p := NewParser(NoSince, NoUntil)
		p.Parse([]byte(strings.Replace(exampleLine, "0/0.031 |", "0/-0.031 |", 1)), b, 0, false)
		if c := &b.Cols[col("worker_oc_service_thread_usage")]; p.BadValues != 0 || !c.IsValid(0) || c.Floats[0] != -0.031 {
			t.Errorf("a negative fraction: bad values %d, %v", p.BadValues, c.Floats[0])
		}
	}
	fastPath = true
}

// TestSpaceTimestamp: a space instead of 'T' is read (logs that went
// through other tools); a zone suffix is still a bad timestamp.
func TestSpaceTimestamp(t *testing.T) {
	for _, tc := range []struct {
		ts   string
		want Reason
	}{
		{"2026-05-06 22:30:05.123456", ReasonNone},
		{"2026-05-06 22:30:05", ReasonNone},
		{"2026-05-06 22:30:05Z", ReasonBadTimestamp},
		{"2026-05-06 22:30:05.123+08:00", ReasonBadTimestamp},
		{"2026-05-06  22:30:05", ReasonBadTimestamp},
	} {
		for _, s := range []Style{Trailing, NoTrailing} {
			line := strings.Replace(exampleLine, "2026-05-06T22:30:05.123456", tc.ts, 1)
			if s == NoTrailing {
				line = noTrailing(line)
			}
			b := columnar.NewBatch()
			p := NewParser(NoSince, NoUntil)
			p.StartFile(s)
			out, r := p.Parse([]byte(line), b, 0, false)
			if r != tc.want {
				t.Errorf("%v %q: %v %v, want %v", s, tc.ts, out, r, tc.want)
			}
			if out == Kept && columnar.FormatTimestamp(b.TS[0])[:19] != "2026-05-06T22:30:05" {
				t.Errorf("%q read as %s", tc.ts, columnar.FormatTimestamp(b.TS[0]))
			}
		}
	}
}

func BenchmarkParseLineNoTrailing(b *testing.B) {
	benchParseLine(b, noTrailing(withGroups(25)), NoTrailing)
}

// BenchmarkParseLine25 is the Trailing line of BenchmarkParseLineNoTrailing.
func BenchmarkParseLine25(b *testing.B) { benchParseLine(b, withGroups(25), Trailing) }
