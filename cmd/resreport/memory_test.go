package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/resreport/resreport/agg"
	"github.com/resreport/resreport/bench/loggen"
	"github.com/resreport/resreport/scan"
)

// TestRunThatCannotFit plans runs that would need more memory than the
// machine (here 250 MB) has, from logs and from samples files: each stops
// before reading, in one line naming an interval that would fit, and
// writes nothing; at that interval the run goes through. A convert, which
// writes no bins, goes through at any interval.
func TestRunThatCannotFit(t *testing.T) {
	defer func(f func() int64) { availableMemory = f }(availableMemory)
	availableMemory = func() int64 { return 250 << 20 }
	tmp := t.TempDir()
	logs, pq := filepath.Join(tmp, "logs"), filepath.Join(tmp, "pq")
	// a sample a second: at 1 s bins every record is a bin of its own
	o := loggen.Options{Hosts: 3, LinesPerHost: 3000, Start: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), Period: time.Second, Seed: 2}
	if _, err := loggen.Generate(logs, o); err != nil {
		t.Fatal(err)
	}
	// convert writes no bins: it runs whatever --interval says
	if code, stderr := runCLIErr(t, "convert", logs, "-q", "--interval", "1s", "--parquet-dir", pq); code != 0 {
		t.Fatalf("convert: exit %d, %q", code, stderr)
	}
	fit := regexp.MustCompile(`--interval (\S+) would fit`)
	for _, src := range [][]string{{logs}, {"--from-parquet", pq}} {
		html := filepath.Join(tmp, "r.html")
		args := append(append([]string{"report"}, src...), "-q", "-o", html)
		code, stderr := runCLIErr(t, append(args, "--interval", "1s")...)
		m := fit.FindStringSubmatch(stderr)
		if code == 0 || m == nil {
			t.Fatalf("%v at 1 s bins: exit %d, %q: want a failure naming an interval that fits", src, code, stderr)
		}
		if _, err := os.Stat(html); !os.IsNotExist(err) {
			t.Fatalf("%v: the failed run wrote %s (%v)", src, html, err)
		}
		if code, stderr := runCLIErr(t, append(args, "--interval", m[1])...); code != 0 {
			t.Fatalf("%v at the interval named, %s: exit %d, %q", src, m[1], code, stderr)
		}
		os.Remove(html)
		t.Logf("%v: %s", src, stderr)
	}
}

// TestOutlierTimestampFits: one record dated 1970 at the start of a file
// and one dated 2100 at the end of another make the hosts' spans decades
// long, but add a bin each: the runs from the logs and from their samples
// files go through on a machine of 400 MB.
func TestOutlierTimestampFits(t *testing.T) {
	defer func(f func() int64) { availableMemory = f }(availableMemory)
	availableMemory = func() int64 { return 400 << 20 }
	tmp := t.TempDir()
	logs, pq := filepath.Join(tmp, "logs"), filepath.Join(tmp, "pq")
	o := loggen.Options{Hosts: 3, LinesPerHost: 2000, Seed: 3}
	if _, err := loggen.Generate(logs, o); err != nil {
		t.Fatal(err)
	}
	edit := func(host int, f func(text, first []byte) []byte) {
		p := filepath.Join(o.HostDir(logs, host), "resource.log")
		text, err := os.ReadFile(p)
		must(t, err)
		must(t, os.WriteFile(p, f(text, text[:bytes.IndexByte(text, '\n')+1]), 0o644))
	}
	edit(0, func(text, first []byte) []byte {
		return append(bytes.Replace(first, []byte("2026-"), []byte("1970-"), 1), text...)
	})
	edit(1, func(text, first []byte) []byte {
		return append(text, bytes.Replace(first, []byte("2026-"), []byte("2100-"), 1)...)
	})
	if code, stderr := runCLIErr(t, "convert", logs, "-q", "--parquet-dir", pq); code != 0 {
		t.Fatalf("convert: exit %d, %q", code, stderr)
	}
	for _, src := range [][]string{{logs}, {"--from-parquet", pq}} {
		args := append(append([]string{"report"}, src...), "-q", "-o", filepath.Join(tmp, "r.html"))
		if code, stderr := runCLIErr(t, args...); code != 0 {
			t.Errorf("%v: exit %d, %q", src, code, stderr)
		}
	}
}

// TestWeekOf1000HostsAt1s plans 1,000 hosts × 7 days of 10 s samples
// (a plain file of 650-byte lines each, as scan.Peek sees it) on a 16 GB
// machine: at 1 s bins the run is refused in one line naming an interval
// that fits, also when one host's first record is dated 1970; at 1 min
// bins it fits, with or without it.
func TestWeekOf1000HostsAt1s(t *testing.T) {
	defer func(f func() int64) { availableMemory = f }(availableMemory)
	availableMemory = func() int64 { return 16 << 30 }
	const week, size, period = int64(7 * 86400 * 1e6), int64(7 * 8640 * 650), int64(10e6)
	start := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	plan, span := &scan.Plan{}, &scan.Span{First: start, Last: start + week}
	for h := range 1000 {
		plan.Hosts = append(plan.Hosts, fmt.Sprintf("10.0.%d.%d", h/256, h%256))
		plan.Files = append(plan.Files, scan.File{Host: int32(h), Size: size})
		// as scan.Peek plans it: 64 lines' timestamps at each end, the
		// span between their medians, 47 bytes or more a record
		fs := scan.FileSpan{MidFirst: start + 32*period, MidLast: start + week - 32*period, Records: size / 47}
		for i := range int64(64) {
			fs.Seen = append(fs.Seen, start+i*period, start+week-i*period)
		}
		span.Files = append(span.Files, fs)
		span.Hosts = append(span.Hosts, scan.HostSpan{First: start, Last: start + week, Records: size / 47})
	}
	for _, outlier := range []bool{false, true} {
		if outlier {
			span.Files[7].Seen[0] = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
			span.First, span.Hosts[7].First = span.Files[7].Seen[0], span.Files[7].Seen[0]
		}
		j := &job{Since: scan.NoSince, Until: scan.NoUntil, IntervalMS: 1000, Workers: 2}
		err := checkFits(j, plan, span, true)
		if err == nil || strings.Contains(err.Error(), "\n") || !regexp.MustCompile(`--interval \S+ would fit`).MatchString(err.Error()) {
			t.Fatalf("outlier %v, 1 s bins: %v; want a refusal naming an interval", outlier, err)
		}
		t.Logf("outlier %v: %v", outlier, err)
		j.IntervalMS = 60000
		if err := checkFits(j, plan, span, true); err != nil {
			t.Fatalf("outlier %v, 1 min bins: %v", outlier, err)
		}
		p := memoryPlan(j, plan, span, 60000, true)
		t.Logf("outlier %v, 1 min bins: %s (%d bins, up to %d per host)", outlier, fmtBytes(agg.Estimate(p)), p.ClusterBins, p.HostBins)
	}
}

// TestPiecesBins counts bins of pieces at 1 min: dense spans merged,
// a sparse one by its records, pieces inside a dense span not again, and
// single timestamps once per bin.
func TestPiecesBins(t *testing.T) {
	const minute = 60 * 1e6
	day := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	j := &job{Since: scan.NoSince, Until: scan.NoUntil}
	for _, c := range []struct {
		name string
		ps   []piece
		want int64
	}{
		{"one hour", []piece{{day, day + 60*minute - 1, 1e9}}, 61},
		{"two overlapping hours", []piece{{day, day + 60*minute - 1, 1e9}, {day + 30*minute, day + 90*minute - 1, 1e9}}, 91},
		{"decades, 10 records", []piece{{0, day, 10}}, 10},
		{"decades, and an hour", []piece{{day, day + 60*minute - 1, 1e9}, {0, day + 10, 10}}, 71},
		{"a row group inside", []piece{{day, day + 60*minute - 1, 1e9}, {day + minute, day + 2*minute, 1}}, 61},
		{"timestamps", []piece{{0, 0, 1}, {10, 10, 1}, {minute, minute, 1}, {day + 5*minute, day + 5*minute, 1}}, 3},
		{"timestamps inside", []piece{{day, day + 60*minute - 1, 1e9}, {day + 5*minute, day + 5*minute, 1}, {0, 0, 1}}, 62},
	} {
		if got := piecesBins(j, c.ps, 60000); got != c.want {
			t.Errorf("%s: %d bins, want %d", c.name, got, c.want)
		}
	}
	j.Since = day + 30*minute // the window cuts the pieces
	if got := piecesBins(j, []piece{{day, day + 60*minute - 1, 1e9}, {0, 0, 1}}, 60000); got != 31 {
		t.Errorf("from --since: %d bins, want 31", got)
	}
}
