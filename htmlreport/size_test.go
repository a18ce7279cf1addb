package htmlreport

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/resreport/resreport/agg"
)

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// The large data set: 500 hosts × a day of 1-minute bins, one sample a
// minute (720,000 lines), made once for the tests that need it.
var (
	bigOnce    sync.Once
	bigResult  *agg.Result
	bigSummary *agg.Summary
)

func bigData(t *testing.T) (*agg.Result, *agg.Summary) {
	t.Helper()
	if testing.Short() {
		t.Skip("500 hosts × 1440 bins: skipped with -short")
	}
	bigOnce.Do(func() {
		start := time.Now()
		bigResult, bigSummary = aggregate(t, generate(genOptions{hosts: 500, minutes: 1440, stepSec: 60}), 60_000)
		t.Logf("500 hosts × 1440 bins made and aggregated in %v", time.Since(start))
	})
	if bigResult == nil {
		t.Fatal("the large data set could not be made (see the first test that asked for it)")
	}
	if len(bigResult.Hosts) != 500 || len(bigResult.Bins) != 1440 {
		t.Fatalf("%d hosts, %d bins", len(bigResult.Hosts), len(bigResult.Bins))
	}
	return bigResult, bigSummary
}

// TestReportSize500Hosts bounds the page's size for 500 hosts × 1440 bins:
// the per-host series are embedded compactly (4 significant digits, one
// number for a constant series, runs of bins instead of null padding).
func TestReportSize500Hosts(t *testing.T) {
	r, s := bigData(t)
	start := time.Now()
	var w countWriter
	if err := Write(&w, &Input{Title: "big", Result: r, Summary: s}); err != nil {
		t.Fatal(err)
	}
	t.Logf("500 hosts × 1440 bins: %.1f MB in %v", float64(w.n)/1e6, time.Since(start))
	if limit := int64(64 << 20); w.n > limit {
		t.Errorf("report is %d bytes, more than %d", w.n, limit)
	}
}

// TestBrowser500HostsResponsive loads the 500-host day in chromium: it must
// draw every chart without errors in bounded time, and the host selector
// must redraw the drill-down quickly.
func TestBrowser500HostsResponsive(t *testing.T) {
	r, s := bigData(t)
	ctx, run := newBrowser(t)
	path := filepath.Join(t.TempDir(), "big.html")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(f, &Input{Title: "big", Result: r, Summary: s}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	tctx, cancel := context.WithTimeout(ctx, 120*time.Second)
	defer cancel()
	start := time.Now()
	if err := chromedp.Do(tctx, chromedp.Navigate("file://"+path)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(tctx, chromedp.Poll[bool](`window.resreport && window.resreport.ready === true`, chromedp.WithPollingTimeout(90*time.Second))); err != nil {
		t.Fatalf("not drawn: %v", err)
	}
	load := time.Since(start)
	pc, err := chromedp.Run(tctx, chromedp.Evaluate[pageCheck](checkJS))
	if err != nil {
		t.Fatal(err)
	}
	if len(pc.Undrawn) > 0 {
		t.Errorf("charts not drawn: %q", pc.Undrawn)
	}
	start = time.Now()
	switchHost := `(() => { const s = document.getElementById('ph-host'); s.value = '250'; s.dispatchEvent(new Event('change'));
	  const m = document.getElementById('ph-metric'); m.value = 'object_count'; m.dispatchEvent(new Event('change'));
	  return window.resreport.charts.per_host_chart.getOption().series.length; })()`
	n, err := chromedp.Run(tctx, chromedp.Evaluate[int](switchHost))
	if err != nil {
		t.Fatal(err)
	}
	redraw := time.Since(start)
	t.Logf("500 hosts × 1440 bins: drawn in %v, host and metric switch in %v", load, redraw)
	if n != 1 {
		t.Errorf("per-host chart has %d series after choosing one host", n)
	}
	if load > 60*time.Second || redraw > 5*time.Second {
		t.Errorf("not responsive: drawn in %v, switch in %v", load, redraw)
	}
	if problems, _, _ := run.snapshot(); len(problems) > 0 {
		t.Errorf("console errors: %q", problems)
	}
}
