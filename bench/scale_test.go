package bench

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/resreport/resreport/bench/loggen"
)

// The scale benchmarks run the resreport command itself, as a user does,
// on hundreds of hosts: the cost must follow the bytes, not hosts × bins.
// They take minutes and gigabytes of disk, so they run only with
// RESREPORT_BENCH_SCALE=1 (never in the CI gate):
//
//	RESREPORT_BENCH_SCALE=1 go test -run '^$' -bench Scale -benchtime 3x ./bench/

// BenchmarkScale300Hosts runs `resreport report` on 300 hosts × 1 day of
// 10 s samples (2.6 M lines, 1.8 GB, one file per host) at 1-hour and at
// 1-minute bins, in pairs, and reports the ratio of their times (target ≤
// 1.3), the peak RSS of the 1-minute runs (target ≤ 400 MB) and the size
// of their HTML (target ≤ 20 MB). The ratio is the median of the pairs'
// ratios, a pair's two runs side by side and in alternating order (1h 1m,
// then 1m 1h): the machine's speed drifts by more than the ratio's margin
// within seconds (the same build's 1-hour run took 1.9 s to 3.1 s within
// a minute), and a ratio of medians taken over the whole run mixes
// drifts of the two sides.
func BenchmarkScale300Hosts(b *testing.B) {
	dir := scaleData(b, "h300-d1", loggen.Options{Hosts: 300, LinesPerHost: 8640, Period: 10 * time.Second, Seed: 1})
	bin := resreportBinary(b)
	out := b.TempDir()
	var coarse, fine, ratios []float64
	var rss, html int64
	run := func(iv string) float64 {
		html1 := filepath.Join(out, "r-"+iv+".html")
		wall, maxrss := runCommand(b, bin, "report", dir, "-q", "--interval", iv, "-o", html1)
		if iv == "1m" {
			rss = max(rss, maxrss)
			if st, err := os.Stat(html1); err == nil {
				html = max(html, st.Size())
			}
		}
		return wall
	}
	for b.Loop() {
		var c, f float64
		if len(ratios)%2 == 0 {
			c, f = run("1h"), run("1m")
		} else {
			f, c = run("1m"), run("1h")
		}
		coarse, fine, ratios = append(coarse, c), append(fine, f), append(ratios, f/c)
	}
	b.ReportMetric(median(ratios), "1m/1h")
	b.ReportMetric(median(fine), "s/report-1m")
	b.ReportMetric(median(coarse), "s/report-1h")
	b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MB")
	b.ReportMetric(float64(html)/(1<<20), "HTML-MB")
}

// scaleData generates a data set for the scale benchmarks once into the
// system's temporary directory.
func scaleData(b *testing.B, name string, o loggen.Options) string {
	b.Helper()
	if os.Getenv("RESREPORT_BENCH_SCALE") == "" {
		b.Skip("set RESREPORT_BENCH_SCALE=1 to run the scale benchmarks")
	}
	dir := filepath.Join(os.TempDir(), "resreport-bench-"+name+"-v1")
	done := filepath.Join(dir, ".complete")
	if _, err := os.Stat(done); err != nil {
		os.RemoveAll(dir)
		if _, err := loggen.Generate(dir, o); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(done, nil, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

var (
	binOnce sync.Once
	binDir  string // where the command is built, removed by TestMain
	binPath string
	binErr  error
)

// TestMain removes the command the scale benchmarks built.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// resreportBinary builds the command once per run of the benchmarks.
func resreportBinary(b *testing.B) string {
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "resreport-bench-bin-")
		if err != nil {
			binErr = err
			return
		}
		binDir, binPath = dir, filepath.Join(dir, "resreport")
		cmd := exec.Command("go", "build", "-o", binPath, "../cmd/resreport")
		var msg bytes.Buffer
		cmd.Stderr = &msg
		if err := cmd.Run(); err != nil {
			binErr = fmt.Errorf("go build: %v: %s", err, msg.String())
		}
	})
	if binErr != nil {
		b.Fatal(binErr)
	}
	return binPath
}

// runCommand runs bin with args and returns its wall time in seconds and
// its peak RSS in bytes.
func runCommand(b *testing.B, bin string, args ...string) (float64, int64) {
	b.Helper()
	cmd := exec.Command(bin, args...)
	var msg bytes.Buffer
	cmd.Stderr = &msg
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s %v: %v\n%s", bin, args, err, msg.String())
	}
	wall := time.Since(start).Seconds()
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var rss int64
	if ru != nil {
		rss = ru.Maxrss << 10 // kilobytes on Linux
	}
	return wall, rss
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}
