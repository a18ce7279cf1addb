package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/resreport/resreport/bench/loggen"
)

// TestRunThatCannotFit plans runs that would need more memory than the
// machine (here 400 MB) has, from logs and from samples files: each stops
// before reading, in one line naming an interval that would fit, and
// writes nothing; at that interval the run goes through. A convert, which
// writes no bins, goes through at any interval.
func TestRunThatCannotFit(t *testing.T) {
	defer func(f func() int64) { availableMemory = f }(availableMemory)
	availableMemory = func() int64 { return 400 << 20 }
	tmp := t.TempDir()
	logs, pq := filepath.Join(tmp, "logs"), filepath.Join(tmp, "pq")
	o := loggen.Options{Hosts: 3, LinesPerHost: 2000, Start: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), Period: 10 * time.Minute, Seed: 2}
	if _, err := loggen.Generate(logs, o); err != nil { // 2000 × 10 min: two weeks
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
