package scan

import (
	"math"
	"strings"
	"testing"

	"github.com/resreport/resreport/columnar"
)

// exampleLine is the 22-group line of the format notes.
const exampleLine = "2026-05-06T22:30:05.123456 | I | res_metric_collector.cpp:114 | searchgenrecallkvworker-24-00001 | 9:177 | 0b6c0e8e-6f1a-4c1e-9d55-2f0c5b7e3a21 | model_kvcache_record | 32212254720/34359738368/107374182400/0.300/0/0 | 0/0/0/0 | 12 | 183422 | 32212254720 | 30/32/64/0/0.031 | 16/16/32/0/0.000 | 8/8/16/0/0.000 | 8/8/16/0/0.000 | 0/0/0 | 1.000 |  | 0/0/0/0/0 |  |  |  |  |  |  | 0/0/0/0 |  | 1520/0/0/311/42 |"

// withGroups returns exampleLine cut to its first n groups (n <= 22) or
// extended with the groups of newer versions.
func withGroups(n int) string {
	body := strings.TrimSuffix(exampleLine, " |")
	parts := strings.Split(body, " | ")
	header, groups := parts[:7], parts[7:]
	extra := []string{"0", "3", "1/2/3/4/5/6/7/8/9/10/11/12/13/14"}
	if n <= 22 {
		groups = groups[:n]
	} else {
		groups = append(groups, extra[:n-22]...)
	}
	return strings.Join(append(header, groups...), " | ") + " |"
}

func col(name string) int { return columnar.MustMetric(name) }

func TestParseOK(t *testing.T) {
	f := func(line string, check func(t *testing.T, b *columnar.Batch)) {
		t.Helper()
		b := columnar.NewBatch()
		p := NewParser(NoSince, NoUntil)
		out, reason := p.Parse([]byte(line), b, 3, false)
		if out != Kept || b.Len != 1 {
			t.Fatalf("Parse(%q) = %v, %v; want kept", line, out, reason)
		}
		if p.BadValues != 0 {
			t.Fatalf("BadValues = %d", p.BadValues)
		}
		check(t, b)
	}
	f(exampleLine, func(t *testing.T, b *columnar.Batch) {
		if b.Host[0] != 3 || columnar.FormatTimestamp(b.TS[0]) != "2026-05-06T22:30:05.123456" {
			t.Fatalf("host/ts = %d %s", b.Host[0], columnar.FormatTimestamp(b.TS[0]))
		}
		for s, want := range map[*columnar.Strings]string{&b.Level: "I", &b.Pod: "searchgenrecallkvworker-24-00001",
			&b.TraceID: "0b6c0e8e-6f1a-4c1e-9d55-2f0c5b7e3a21", &b.Cluster: "model_kvcache_record"} {
			if got := string(s.Value(0)); got != want {
				t.Fatalf("string column = %q, want %q", got, want)
			}
		}
		if b.PID.Ints[0] != 9 || b.TID.Ints[0] != 177 {
			t.Fatalf("pid:tid = %d:%d", b.PID.Ints[0], b.TID.Ints[0])
		}
		ints := map[string]int64{"shm_memory_usage": 32212254720, "shm_total_limit": 107374182400, "object_count": 183422,
			"worker_oc_service_thread_max_running": 30, "worker_oc_service_thread_total": 32, "worker_oc_service_thread_tasks_delta": 64,
			"etcd_queue_limit": 0, "oc_hit_mem": 1520, "oc_hit_remote": 311, "oc_miss": 42, "active_client_count": 12}
		for name, want := range ints {
			c := &b.Cols[col(name)]
			if !c.IsValid(0) || c.Ints[0] != want {
				t.Errorf("%s = %d (valid %v), want %d", name, c.Ints[0], c.IsValid(0), want)
			}
		}
		floats := map[string]float64{"shm_share_mem_ratio": 0.3, "worker_oc_service_thread_usage": 0.031, "etcd_request_success_rate": 1}
		for name, want := range floats {
			c := &b.Cols[col(name)]
			if !c.IsValid(0) || c.Floats[0] != want {
				t.Errorf("%s = %v, want %v", name, c.Floats[0], want)
			}
		}
		for _, name := range []string{"obs_request_success_rate", "stream_count", "worker_sc_service_thread_usage",
			"sc_local_cache_usage_rate", "brpc_stream_leak_count", "spill_io_stats_01"} {
			if b.Cols[col(name)].IsValid(0) {
				t.Errorf("%s is valid, want null", name)
			}
		}
	})
	f(withGroups(21), func(t *testing.T, b *columnar.Batch) {
		if b.Cols[col("oc_hit_mem")].IsValid(0) {
			t.Error("21 groups: OC_HIT_NUM should be null")
		}
		if !b.Cols[col("sc_local_cache_usage")].IsValid(0) == false && b.Cols[col("shared_disk_usage")].Ints[0] != 0 {
			t.Error("21 groups: shared disk")
		}
	})
	f(withGroups(24), func(t *testing.T, b *columnar.Batch) {
		if c := &b.Cols[col("deferred_cleanup_queue_size")]; !c.IsValid(0) || c.Ints[0] != 3 {
			t.Errorf("deferred_cleanup_queue_size = %d", c.Ints[0])
		}
	})
	f(withGroups(25), func(t *testing.T, b *columnar.Batch) {
		if c := &b.Cols[col("spill_io_stats_14")]; !c.IsValid(0) || c.Floats[0] != 14 {
			t.Errorf("spill_io_stats_14 = %v", c.Floats[0])
		}
	})
	// CRLF, BOM and space variations are tolerated.
	f("\xef\xbb\xbf"+exampleLine+"\r", func(*testing.T, *columnar.Batch) {})
	f(strings.Replace(exampleLine, "T22:30:05.123456", " 22:30:05", 1), func(t *testing.T, b *columnar.Batch) {
		if columnar.FormatTimestamp(b.TS[0]) != "2026-05-06T22:30:05" {
			t.Error("space-separated timestamp")
		}
	})
}

func TestParseSkips(t *testing.T) {
	f := func(line string, final bool, want Outcome, reason Reason) {
		t.Helper()
		b := columnar.NewBatch()
		p := NewParser(NoSince, NoUntil)
		out, r := p.Parse([]byte(line), b, 0, final)
		if out != want || r != reason {
			t.Fatalf("Parse(%.60q…) = %v, %v; want %v, %v", line, out, r, want, reason)
		}
		if out == Kept {
			return
		}
		if b.Len != 0 {
			t.Fatalf("skipped line left a row")
		}
		for c := range b.Cols {
			if b.Cols[c].IsValid(0) {
				t.Fatalf("%.80q: skipped line left column %s valid", line, columnar.Metrics[c].Name)
			}
		}
	}
	f("", false, Skipped, ReasonEmpty)
	f("  \r", false, Skipped, ReasonEmpty)
	f("\xef\xbb\xbf", false, Skipped, ReasonEmpty)
	f("2026-05-06T22:30:05.123456 | I | x | y", false, Skipped, ReasonShort)
	f(strings.Replace(exampleLine, "2026-05-06T22:30:05.123456", "2026-05-06T22:30:05.123456Z", 1), false, Skipped, ReasonBadTimestamp)
	f(strings.Replace(exampleLine, "2026-05-06T22:30:05.123456", "2026-05-06T22:30:05+08:00", 1), false, Skipped, ReasonBadTimestamp)
	f(strings.Replace(exampleLine, "2026-05-06T22:30:05.123456", "2026-02-30T22:30:05", 1), false, Skipped, ReasonBadTimestamp)
	f(strings.Replace(exampleLine, "2026-05-06T22:30:05.123456", "garbage", 1), false, Skipped, ReasonBadTimestamp)
	// a deleted group shifts the rest: sub-field counts no longer match
	f(strings.Replace(exampleLine, "| 12 | 183422 |", "| 183422 |", 1), false, Skipped, ReasonBadShape)
	// a deleted sub-field
	f(strings.Replace(exampleLine, "30/32/64/0/0.031", "30/32/0/0.031", 1), false, Skipped, ReasonBadShape)
	// 23 groups is no known version
	f(withGroups(22)+" 5 |", false, Skipped, ReasonBadShape)
	f(withGroups(20), false, Skipped, ReasonBadShape)
	// a line cut short in the middle of a Trailing file: complete only
	// without the trailing '|'
	f(exampleLine[:len(exampleLine)-5], false, Skipped, ReasonCut)
	f(exampleLine[:len(exampleLine)-2], false, Skipped, ReasonCut)
	// cut inside a group, leaving no known group count
	f(exampleLine[:len(exampleLine)-60], false, Skipped, ReasonBadShape)
	// the same cut as the last line of a live file
	f(exampleLine[:len(exampleLine)-5], true, Skipped, ReasonPartialTail)
	f(exampleLine[:40], true, Skipped, ReasonPartialTail)
	// a complete last line without its newline is a record
	f(exampleLine, true, Kept, ReasonNone)
}

func TestParseBadValues(t *testing.T) {
	f := func(old, repl, column string, badValues int64) {
		t.Helper()
		line := strings.Replace(exampleLine, old, repl, 1)
		b := columnar.NewBatch()
		p := NewParser(NoSince, NoUntil)
		if out, r := p.Parse([]byte(line), b, 0, false); out != Kept {
			t.Fatalf("%q: %v %v", repl, out, r)
		}
		if p.BadValues != badValues || FieldName(p.BadField) != column {
			t.Fatalf("%q: BadValues = %d in %s, want %d in %s", repl, p.BadValues, FieldName(p.BadField), badValues, column)
		}
		if column != "pid" && column != "tid" && b.Cols[col(column)].IsValid(0) {
			t.Fatalf("%q: %s should be null", repl, column)
		}
	}
	f("| 12 |", "| null |", "active_client_count", 1)
	f("| 12 |", "| N/A |", "active_client_count", 1)
	f("| 12 |", "| \xff\xfe |", "active_client_count", 1)
	f("| 12 |", "| 1.5 |", "active_client_count", 1) // not an integer
	f("| 1.000 |", "| nan |", "etcd_request_success_rate", 1)
	f("| 1.000 |", "| inf |", "etcd_request_success_rate", 1)
	f("| 1.000 |", "| -inf |", "etcd_request_success_rate", 1)
	f("| 1.000 |", "| 1e999 |", "etcd_request_success_rate", 1)
	f("0/0.031 |", "0/nan |", "worker_oc_service_thread_usage", 1)
	f("| 12 |", "| 99999999999999999999 |", "active_client_count", 1) // overflows int64
	f("| 12 |", "| 18446744073709551615 |", "active_client_count", 1) // ULONG_MAX, printed with %lu
	f("| 183422 |", "| 9223372036854775808 |", "object_count", 1)     // 2^63
	// BadField is the first of the line's bad values
	f("| 12 | 183422 |", "| null | x |", "active_client_count", 2)
	f("| 9:177 | ", "| 9:? | ", "tid", 1)
	f("| 9:177 | 0b6c0e8e-6f1a-4c1e-9d55-2f0c5b7e3a21 | model_kvcache_record | 32212254720/", "| ?:? | 0b6c0e8e-6f1a-4c1e-9d55-2f0c5b7e3a21 | model_kvcache_record | x/", "pid", 3)
}

func TestParseTimeRange(t *testing.T) {
	ts := func(s string) int64 {
		v, ok := columnar.ParseTimestamp([]byte(s))
		if !ok {
			t.Fatal(s)
		}
		return v
	}
	p := NewParser(ts("2026-05-06T22:30:05.123456"), ts("2026-05-06T22:30:05.123457"))
	b := columnar.NewBatch()
	if out, _ := p.Parse([]byte(exampleLine), b, 0, false); out != Kept {
		t.Fatal("since is inclusive")
	}
	p = NewParser(ts("2026-05-06T22:30:00"), ts("2026-05-06T22:30:05.123456"))
	if out, _ := p.Parse([]byte(exampleLine), b, 0, false); out != OutOfRange {
		t.Fatal("until is exclusive")
	}
}

func TestParseInvalidUTF8(t *testing.T) {
	line := strings.Replace(exampleLine, "searchgenrecallkvworker-24-00001", "w\xff</script>\"x", 1)
	b := columnar.NewBatch()
	p := NewParser(NoSince, NoUntil)
	if out, _ := p.Parse([]byte(line), b, 0, false); out != Kept {
		t.Fatal("not kept")
	}
	if got := string(b.Pod.Value(0)); got != "w\uFFFD</script>\"x" {
		t.Fatalf("pod = %q", got)
	}
}

func TestNumbers(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"0.031", 0.031, true}, {"1.000", 1, true}, {"0", 0, true}, {"-2.5", -2.5, true}, {"12.", 12, true},
		{"1e3", 1000, true}, {"123456789012345678", 123456789012345678, true}, {"0.1234567890123456789", 0.1234567890123456789, true},
		{"nan", 0, false}, {"NaN", 0, false}, {"inf", 0, false}, {"", 0, false}, {"-", 0, false}, {".", 0, false},
		{"1.2.3", 0, false}, {"0x10", 0, false}, {"1_000", 0, false}, {"1e400", 0, false},
	} {
		got, ok := parseFloat([]byte(tc.in))
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("parseFloat(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"183422", 183422, true}, {"9223372036854775807", math.MaxInt64, true},
		{"9223372036854775808", 0, false}, {"18446744073709551615", 0, false}, {"", 0, false}, {"1.0", 0, false}, {"-3", 0, false}, {"+3", 0, false}, {"-0", 0, false},
	} {
		got, ok := parseUint([]byte(tc.in))
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseUint(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseAllocs(t *testing.T) {
	b := columnar.NewBatch()
	for _, s := range []Style{Trailing, NoTrailing} {
		p := NewParser(NoSince, NoUntil)
		p.StartFile(s)
		var lines [][]byte
		for _, l := range []string{exampleLine, withGroups(25), withGroups(21)} {
			if s == NoTrailing {
				l = noTrailing(l)
			}
			lines = append(lines, []byte(l))
		}
		// warm up the string arenas
		b.Reset()
		for i := 0; i < columnar.BatchRows-16; i++ {
			p.Parse(lines[i%3], b, 0, false)
		}
		b.Reset()
		allocs := testing.AllocsPerRun(1000, func() {
			for _, l := range lines {
				if b.Full() {
					b.Reset()
				}
				if out, _ := p.Parse(l, b, 0, false); out != Kept {
					t.Fatal("not kept")
				}
			}
		})
		if allocs != 0 {
			t.Fatalf("%v: %v allocations per parsed line, want 0", s, allocs/3)
		}
	}
}

func BenchmarkParseLine(b *testing.B) { benchParseLine(b, exampleLine, Trailing) }

func benchParseLine(b *testing.B, text string, s Style) {
	line := []byte(text)
	batch := columnar.NewBatch()
	p := NewParser(NoSince, NoUntil)
	p.StartFile(s)
	b.SetBytes(int64(len(line) + 1))
	b.ReportAllocs()
	for b.Loop() {
		if batch.Full() {
			batch.Reset()
		}
		p.Parse(line, batch, 0, false)
	}
}

func TestDigitsFrom(t *testing.T) {
	slow := func(b []byte, i int, m uint64) (int, uint64) {
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			m = m*10 + uint64(b[i]-'0')
			i++
		}
		return i, m
	}
	inputs := []string{"", "0", "12345678", "123456789", "32212254720/", "0.031", "99999999999999999|", "1234567a9012",
		"00000000000000001 ", "9876543210987654321", "12345678:", "1234567/", "\xff\xfa12345678", "1234\x3a5678", "12345678\xff"}
	for _, in := range inputs {
		for start := 0; start <= len(in); start++ {
			gi, gm := digitsFrom([]byte(in), start, 7)
			wi, wm := slow([]byte(in), start, 7)
			if gi != wi || gm != wm {
				t.Fatalf("digitsFrom(%q, %d) = %d, %d; want %d, %d", in, start, gi, gm, wi, wm)
			}
		}
	}
}
