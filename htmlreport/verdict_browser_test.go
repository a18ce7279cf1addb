package htmlreport

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/resreport/resreport/agg"
	"github.com/resreport/resreport/bench/loggen"
)

// firstScreen is what the top of the page shows in the viewport.
type firstScreen struct {
	Width, Height int
	Status        string
	VerdictTop    float64
	VerdictBottom float64
	Top           []shownItem
}

type shownItem struct {
	Text         string
	Top, Bottom  float64
	Chart        string
	From, To     int
	LinkBottom   float64
	LinkVisibleY bool
}

const firstScreenJS = `(() => {
  const v = document.getElementById('verdict').getBoundingClientRect();
  const out = {width: window.innerWidth, height: window.innerHeight,
    status: document.getElementById('verdict-status').textContent,
    verdictTop: v.top, verdictBottom: v.bottom, top: []};
  document.querySelectorAll('#top-findings li').forEach(li => {
    const r = li.getBoundingClientRect(), a = li.querySelector('a.zoom'), ar = a.getBoundingClientRect();
    out.top.push({text: li.textContent, top: r.top, bottom: r.bottom, chart: a.dataset.chart,
      from: +a.dataset.from, to: +a.dataset.to, linkBottom: ar.bottom, linkVisibleY: ar.bottom <= window.innerHeight});
  });
  return out;
})()`

// TestBrowserFirstScreen: on the noisy day with planted anomalies the
// first screen (1400×1000) shows the verdict and the most severe findings,
// and a finding's link zooms its chart to the finding's time range.
func TestBrowserFirstScreen(t *testing.T) {
	dir := t.TempDir()
	if _, err := loggen.Generate(filepath.Join(dir, "logs"), loggen.OnCallDay()); err != nil {
		t.Fatal(err)
	}
	r, s := aggregateDir(t, filepath.Join(dir, "logs"), 60_000)
	fs := agg.Findings(r, agg.DefaultThresholds())
	ctx, run := newBrowser(t)
	path := writeReport(t, dir, &Input{Title: "OnCallDay Worker Resource Analysis Report", Result: r, Summary: s, Findings: fs})

	tctx, cancel := context.WithTimeout(ctx, 120*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.EmulateViewport(1400, 1000), chromedp.Navigate("file://"+path)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(tctx, chromedp.Poll[bool](`window.resreport && window.resreport.ready === true`, chromedp.WithPollingTimeout(90*time.Second))); err != nil {
		p, _, _ := run.snapshot()
		t.Fatalf("page did not finish drawing: %v; problems: %q", err, p)
	}
	got, err := chromedp.Run(tctx, chromedp.Evaluate[firstScreen](firstScreenJS))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(tctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	saveShot(t, dir, "first-screen.png", shot)
	if img, err := png.Decode(bytes.NewReader(shot)); err != nil || img.Bounds().Dx() != 1400 || img.Bounds().Dy() != 1000 {
		t.Errorf("screenshot: %v, %v; want 1400×1000", err, img.Bounds())
	}

	if got.Width != 1400 || got.Height != 1000 {
		t.Errorf("viewport %d×%d", got.Width, got.Height)
	}
	if got.Status != "CRITICAL" || got.VerdictTop < 0 || got.VerdictBottom > float64(got.Height) {
		t.Errorf("verdict %q from y=%v to %v: not a critical verdict in the first screen", got.Status, got.VerdictTop, got.VerdictBottom)
	}
	if len(got.Top) != topFindings {
		t.Fatalf("%d top findings, want %d", len(got.Top), topFindings)
	}
	var critical int
	for _, it := range got.Top {
		if it.Bottom > float64(got.Height) || !it.LinkVisibleY {
			t.Errorf("top finding below the first screen (bottom %v): %s", it.Bottom, it.Text)
		}
		if strings.HasPrefix(it.Text, "critical") {
			critical++
		}
	}
	if n := agg.Counts(fs)[agg.Critical]; critical != min(n, topFindings) {
		t.Errorf("%d critical findings among the top, want %d: %+v", critical, min(n, topFindings), got.Top)
	}
	for _, rule := range []string{"success_rate", "thread_pool_saturated", "host_silent", "memory_ratio"} {
		found := false
		for _, it := range got.Top {
			found = found || strings.Contains(it.Text, rule)
		}
		if !found {
			t.Errorf("the top findings do not show %s", rule)
		}
	}

	// "show on the chart" of the saturated pool zooms its chart to it.
	var sat shownItem
	for _, it := range got.Top {
		if strings.Contains(it.Text, "thread_pool_saturated") {
			sat = it
		}
	}
	click := `(() => { const a = [...document.querySelectorAll('#top-findings a.zoom')].find(a => a.dataset.chart === '` + sat.Chart + `');
	  a.click(); const z = window.resreport.charts['` + sat.Chart + `'].getOption().dataZoom[0];
	  const r = document.getElementById('` + sat.Chart + `').getBoundingClientRect();
	  return [z.startValue, z.endValue, r.top, r.bottom, window.innerHeight]; })()`
	zoom, err := chromedp.Run(tctx, chromedp.Evaluate[[]float64](click))
	if err != nil {
		t.Fatal(err)
	}
	if sat.Chart != "tp_worker_oc" || zoom[0] > float64(sat.From) || zoom[1] < float64(sat.To) || zoom[1]-zoom[0] > 4*float64(sat.To-sat.From+10) {
		t.Errorf("the saturation's link (chart %q, bins %d–%d) zoomed to %v–%v", sat.Chart, sat.From, sat.To, zoom[0], zoom[1])
	}
	if zoom[3] < 0 || zoom[2] > zoom[4] {
		t.Errorf("the chart is not in view after the click: y %v–%v of %v", zoom[2], zoom[3], zoom[4])
	}
	shot, err = chromedp.Run(tctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	saveShot(t, dir, "saturation-chart.png", shot)
	if p, _, _ := run.snapshot(); len(p) > 0 {
		t.Errorf("console errors or exceptions: %q", p)
	}
}

// saveShot writes a screenshot under dir (and RESREPORT_SCREENSHOT_DIR).
func saveShot(t *testing.T, dir, name string, shot []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), shot, 0o644); err != nil {
		t.Fatal(err)
	}
	if d := os.Getenv("RESREPORT_SCREENSHOT_DIR"); d != "" {
		if err := os.WriteFile(filepath.Join(d, t.Name()+"-"+name), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshot: %s", filepath.Join(dir, name))
}
