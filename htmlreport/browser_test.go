package htmlreport

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath is the browser the tests drive. A machine without it skips
// the browser tests, except in CI (CI=true), where they must run: .ci/run
// installs Debian's chromium package.
func chromiumPath(t *testing.T) string {
	t.Helper()
	p := os.Getenv("RESREPORT_CHROMIUM")
	if p == "" {
		p = "/usr/bin/chromium"
	}
	if _, err := os.Stat(p); err != nil {
		ci := os.Getenv("CI")
		if ci == "" || ci == "false" || ci == "0" {
			t.Skipf("browser test skipped: no chromium at %s (install it: apt-get update && apt-get install -y chromium); with CI=true this is a failure", p)
		}
		t.Fatalf("CI=%s but no chromium at %s: %v (install it: apt-get install -y chromium)", ci, p, err)
	}
	return p
}

// browserRun is what one page load saw.
type browserRun struct {
	mu       sync.Mutex
	problems []string // console errors, exceptions, error log entries
	requests []string // URLs the page asked for
	dialogs  []string // alert/confirm/prompt messages
}

func (b *browserRun) add(list *[]string, s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	*list = append(*list, s)
}

func (b *browserRun) snapshot() (problems, requests, dialogs []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.problems...), append([]string(nil), b.requests...), append([]string(nil), b.dialogs...)
}

// newBrowser starts headless chromium and returns a tab context.
func newBrowser(t *testing.T) (context.Context, *browserRun) {
	t.Helper()
	path := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Env("TMPDIR="+t.TempDir()), // its singleton socket's directory, left when it is killed
		chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1400, 1000),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // starts the browser, with no timeout
		t.Fatalf("start chromium: %v", err)
	}
	run := &browserRun{}
	err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				run.add(&run.problems, "console."+string(e.Type)+": "+strings.Join(parts, " "))
			}
		case *runtime.EventExceptionThrown:
			msg := e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
			run.add(&run.problems, "exception: "+msg)
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError {
				run.add(&run.problems, "log "+string(e.Entry.Source)+": "+e.Entry.Text+" "+e.Entry.URL)
			}
		case *network.EventRequestWillBeSent:
			run.add(&run.requests, e.Request.URL)
		case *page.EventJavascriptDialogOpening:
			run.add(&run.dialogs, string(e.Type)+": "+e.Message)
			go chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false}) //nolint:errcheck // best effort: the test fails on the dialog anyway
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return ctx, run
}

// pageCheck is what the page reports about itself after drawing.
type pageCheck struct {
	Containers int      `json:"containers"`
	Undrawn    []string `json:"undrawn"`
	Scripts    int      `json:"scripts"`
	Images     int      `json:"images"`
	Options    []string `json:"options"`
	NoZoom     []string `json:"noZoom"` // time charts without dataZoom
	// Long: line series with more points than maxSeriesPoints, or that let
	// ECharts sample them (LTTB keeps one point of each pair of an M4
	// column: it can hide a spike).
	Long []string `json:"long"`
}

// checkJS inspects every chart container: an ECharts instance, a canvas of
// non-zero size, and painted pixels on it.
var checkJS = strings.ReplaceAll(`(() => {
  const out = {containers: 0, undrawn: [], scripts: document.scripts.length,
    images: document.images.length, options: [], noZoom: [], long: []};
  document.querySelectorAll('.chart').forEach(el => {
    out.containers++;
    const c = el.querySelector('canvas');
    const inst = window.resreport && window.resreport.charts[el.id];
    if (!c || !inst || c.width === 0 || c.height === 0) { out.undrawn.push(el.id + ': no canvas'); return; }
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    for (let i = 3; i < d.length; i += 4 * 7) if (d[i] !== 0) painted++;
    if (painted < 50) out.undrawn.push(el.id + ': blank canvas');
    const o = inst.getOption();
    if (o.xAxis && o.xAxis[0] && o.xAxis[0].type === 'category') {
      if (!o.dataZoom || !o.dataZoom.length) out.noZoom.push(el.id);
      o.series.forEach(s => {
        if (s.type === 'line' && (s.data.length > MAXPOINTS || (s.sampling && s.sampling !== 'none'))) out.long.push(el.id + '/' + s.name + ': ' + s.data.length + ' points, sampling ' + s.sampling);
      });
    }
  });
  document.querySelectorAll('#ph-host option').forEach(o => out.options.push(o.textContent));
  return out;
})()`, "MAXPOINTS", strconv.Itoa(maxSeriesPoints))

// perHostJS returns the per-host chart's series names and a fingerprint of
// its canvas.
const perHostJS = `(() => {
  const c = window.resreport.charts.per_host_chart;
  return {names: c.getOption().series.map(s => s.name),
          pixels: c.getDom().querySelector('canvas').toDataURL().length + ':' + c.getDom().querySelector('canvas').toDataURL().slice(-200)};
})()`

type perHostState struct {
	Names  []string `json:"names"`
	Pixels string   `json:"pixels"`
}

func writeReport(t *testing.T, dir string, in *Input) string {
	t.Helper()
	path := filepath.Join(dir, "report.html")
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBrowserSmallTestdata(t *testing.T) {
	r, s := aggregateDir(t, "testdata/small", 60_000)
	browseReport(t, &Input{Title: "testdata Worker Resource Analysis Report", Since: "2026-05-06T22:00:00", Result: r, Summary: s}, "")
}

func TestBrowserGenerated50Hosts(t *testing.T) {
	ds := generate(genOptions{hosts: 50, minutes: 180, stepSec: 10, evil: true})
	r, s := aggregate(t, ds, 600_000)
	browseReport(t, &Input{Title: "cluster-A Worker Resource Analysis Report", Result: r, Summary: s}, evilHost)
}

// browseReport loads the report of in and checks it as a person would.
// evil, when set, is a host whose name must stay text.
func browseReport(t *testing.T, in *Input, evil string) {
	ctx, run := newBrowser(t)
	dir := t.TempDir()
	path := writeReport(t, dir, in)
	url := "file://" + path

	tctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("navigate: %v", err)
	}
	if _, err := chromedp.Run(tctx, chromedp.Poll[bool](`window.resreport && window.resreport.ready === true`, chromedp.WithPollingTimeout(60*time.Second))); err != nil {
		p, _, _ := run.snapshot()
		t.Fatalf("page did not finish drawing: %v; problems: %q", err, p)
	}

	pc, err := chromedp.Run(tctx, chromedp.Evaluate[pageCheck](checkJS))
	if err != nil {
		t.Fatal(err)
	}
	if pc.Containers < 20 {
		t.Errorf("only %d chart containers", pc.Containers)
	}
	if len(pc.Undrawn) > 0 {
		t.Errorf("charts not drawn: %q", pc.Undrawn)
	}
	if len(pc.NoZoom) > 0 || len(pc.Long) > 0 {
		t.Errorf("time charts without dataZoom %q, line series too long or sampled %q", pc.NoZoom, pc.Long)
	}
	if pc.Scripts != 3 || pc.Images != 0 {
		t.Errorf("page has %d scripts and %d images, want 3 and 0 (injected markup?)", pc.Scripts, pc.Images)
	}
	if len(pc.Options) != len(in.Result.Hosts)+1 {
		t.Errorf("host selector has %d options, want %d", len(pc.Options), len(in.Result.Hosts)+1)
	}

	// The host selector changes the per-host chart.
	before, err := chromedp.Run(tctx, chromedp.Evaluate[perHostState](perHostJS))
	if err != nil {
		t.Fatal(err)
	}
	if len(before.Names) != min(10, len(in.Result.Hosts)) {
		t.Errorf("top view shows %d hosts: %q", len(before.Names), before.Names)
	}
	pick := len(in.Result.Hosts) - 1
	if evil != "" {
		for i, h := range in.Result.Hosts {
			if h.Name == evil {
				pick = i
			}
		}
	}
	want := in.Result.Hosts[pick].Name
	sel := fmt.Sprintf(`(() => { const s = document.getElementById('ph-host'); s.value = '%d'; s.dispatchEvent(new Event('change')); return s.value; })()`, pick)
	if _, err := chromedp.Run(tctx, chromedp.Evaluate[string](sel)); err != nil {
		t.Fatal(err)
	}
	after, err := chromedp.Run(tctx, chromedp.Evaluate[perHostState](perHostJS))
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Names) != 1 || after.Names[0] != want {
		t.Errorf("after choosing host %q the chart shows %q", want, after.Names)
	}
	if after.Pixels == before.Pixels {
		t.Error("the per-host chart's canvas did not change with the host selector")
	}
	// Another metric redraws too.
	if _, err := chromedp.Run(tctx, chromedp.Evaluate[string](`(() => { const s = document.getElementById('ph-metric'); s.value = 'worker_oc_service_thread_usage'; s.dispatchEvent(new Event('change')); return s.value; })()`)); err != nil {
		t.Fatal(err)
	}
	metric, err := chromedp.Run(tctx, chromedp.Evaluate[perHostState](perHostJS))
	if err != nil {
		t.Fatal(err)
	}
	if metric.Pixels == after.Pixels {
		t.Error("the per-host chart did not change with the metric selector")
	}

	if evil != "" {
		checkEvilText(t, tctx, in, pick)
	}

	// Tooltips render host names; show one on each host-name chart.
	tips := `(() => {
	  const r = window.resreport.charts;
	  r.per_host_chart.dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 3});
	  r.mem_dist_chart.dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 0});
	  return document.images.length;
	})()`
	if n, err := chromedp.Run(tctx, chromedp.Evaluate[int](tips)); err != nil {
		t.Fatal(err)
	} else if n != 0 {
		t.Errorf("a tooltip created %d <img> elements", n)
	}

	// Hide the tooltips again: one still moving (they animate) can widen
	// the page for the full-page screenshot.
	hide := `(() => { const r = window.resreport.charts;
	  r.per_host_chart.dispatchAction({type: 'hideTip'}); r.mem_dist_chart.dispatchAction({type: 'hideTip'}); return true; })()`
	if _, err := chromedp.Run(tctx, chromedp.Evaluate[bool](hide)); err != nil {
		t.Fatal(err)
	}
	shot, err := fullPageScreenshot(tctx)
	if err != nil {
		t.Fatal(err)
	}
	shotPath := filepath.Join(dir, "report.png")
	if err := os.WriteFile(shotPath, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	if d := os.Getenv("RESREPORT_SCREENSHOT_DIR"); d != "" {
		if err := os.WriteFile(filepath.Join(d, t.Name()+".png"), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshot: %s (%d bytes)", shotPath, len(shot))
	checkNotBlank(t, shot)

	// Before the probes below: no dialog may have opened.
	if _, _, dialogs := run.snapshot(); len(dialogs) > 0 {
		t.Errorf("the page opened dialogs (script injection?): %q", dialogs)
	}
	// Prove the listeners work: a console error and an alert of our own
	// must be seen (the alert is dismissed by the listener).
	if err := chromedp.Do(tctx, chromedp.Evaluate[chromedp.Void](`console.error('resreport-probe'); setTimeout(() => alert('resreport-dialog-probe'), 0)`)); err != nil {
		t.Fatal(err)
	}
	problems, requests, dialogs := run.snapshot()
	for deadline := time.Now().Add(5 * time.Second); !(containsText(problems, "resreport-probe") && containsText(dialogs, "resreport-dialog-probe")) && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		problems, requests, dialogs = run.snapshot()
	}
	var real []string
	for _, p := range problems {
		if !strings.Contains(p, "resreport-probe") {
			real = append(real, p)
		}
	}
	if !containsText(problems, "resreport-probe") {
		t.Error("the console listener did not see a console.error: the checks below prove nothing")
	}
	if len(real) > 0 {
		t.Errorf("console errors or exceptions: %q", real)
	}
	if !containsText(requests, url) {
		t.Errorf("the network listener did not see the page's own request (saw %q)", requests)
	}
	if !containsText(dialogs, "resreport-dialog-probe") {
		t.Errorf("the dialog listener did not see an alert (saw %q)", dialogs)
	}
	for _, u := range requests {
		if u != url {
			t.Errorf("the page made a network request: %s", u)
		}
	}
}

// fullPageScreenshot captures the whole document as PNG, clipped to the
// document's own size (chromedp.FullScreenshot now and then returns a
// capture wider than the page, padded with white).
func fullPageScreenshot(ctx context.Context) ([]byte, error) {
	size, err := chromedp.Run(ctx, chromedp.Evaluate[[2]float64](`[document.documentElement.scrollWidth, document.documentElement.scrollHeight]`))
	if err != nil {
		return nil, err
	}
	yes := true
	res, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{
		Format:                page.CaptureScreenshotFormatPng,
		Clip:                  &page.Viewport{Width: size[0], Height: size[1], Scale: 1},
		FromSurface:           &yes,
		CaptureBeyondViewport: &yes,
	})
	return res.Data, err
}

func containsText(list []string, s string) bool {
	for _, x := range list {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}

type evilState struct {
	Texts []string `json:"texts"`
	Info  string   `json:"info"`
}

// checkEvilText checks that the hostile host name and worker id are in the
// page as text, in the selector, the host table and the host info line.
func checkEvilText(t *testing.T, ctx context.Context, in *Input, pick int) {
	t.Helper()
	js := `(() => {
	  const texts = [];
	  document.querySelectorAll('#ph-host option, #host-table td.name').forEach(e => texts.push(e.textContent));
	  return {texts: texts, info: document.getElementById('ph-info').textContent};
	})()`
	got, err := chromedp.Run(ctx, chromedp.Evaluate[evilState](js))
	if err != nil {
		t.Fatal(err)
	}
	h := in.Result.Hosts[pick]
	count := func(s string) int {
		n := 0
		for _, x := range got.Texts {
			if strings.Contains(x, s) {
				n++
			}
		}
		return n
	}
	if count(h.Name) < 2 {
		t.Errorf("host name %q is not text in the selector and the host table: %q", h.Name, got.Texts)
	}
	for _, pod := range h.Pods {
		if count(pod) < 1 || !strings.Contains(got.Info, pod) {
			t.Errorf("worker id %q is not text in the host table and info line (info %q)", pod, got.Info)
		}
	}
	if !strings.Contains(got.Info, h.Name) {
		t.Errorf("info line %q lacks the host name", got.Info)
	}
}

// checkNotBlank decodes the PNG screenshot and wants a picture: many
// colours, and ink (pixels clearly darker than the near-white page and
// chart backgrounds) on a fair share of it.
func checkNotBlank(t *testing.T, b []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	bounds := img.Bounds()
	colours := map[uint32]bool{}
	var total, ink int
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 2 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			total++
			if r < 0xd000 || g < 0xd000 || bl < 0xd000 {
				ink++
			}
			colours[(r>>11)<<10|(g>>11)<<5|bl>>11] = true
		}
	}
	frac := float64(ink) / float64(total)
	t.Logf("screenshot %v: %d colours, %.1f%% ink", bounds.Size(), len(colours), 100*frac)
	if bounds.Dx() != 1400 || bounds.Dy() < 3000 {
		t.Errorf("screenshot is %v, want 1400 wide (the window: nothing wider) and at least 3000 high", bounds.Size())
	}
	if len(colours) < 40 {
		t.Errorf("screenshot has only %d distinct colours", len(colours))
	}
	if frac < 0.02 {
		t.Errorf("screenshot is blank: %.2f%% ink", 100*frac)
	}
}
