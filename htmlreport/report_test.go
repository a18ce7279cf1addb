package htmlreport

import (
	"bytes"
	"encoding/json"
	"html"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/resreport/resreport/agg"
	"github.com/resreport/resreport/columnar"
)

func render(t testing.TB, in *Input) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// jsonDoc is the --json document of a result, decoded.
type jsonDoc struct {
	Bins  []map[string]any            `json:"bins"`
	Hosts map[string][]map[string]any `json:"hosts"`
}

func jsonOf(t testing.TB, r *agg.Result, s *agg.Summary) *jsonDoc {
	t.Helper()
	var buf bytes.Buffer
	if err := agg.WriteJSON(&buf, &agg.Document{Summary: s, Result: r}); err != nil {
		t.Fatal(err)
	}
	var d jsonDoc
	if err := json.Unmarshal(buf.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	return &d
}

// num reads a JSON number (null: NaN).
func num(t testing.TB, m map[string]any, key string) float64 {
	t.Helper()
	v, ok := m[key]
	if !ok {
		t.Fatalf("--json bin has no key %q", key)
	}
	if v == nil {
		return math.NaN()
	}
	return v.(float64)
}

var reportDataRE = regexp.MustCompile(`(?s)<script type="application/json" id="report-data">(.*?)</script>`)

// pageDataOf extracts and decodes the page's embedded JSON document.
func pageDataOf(t testing.TB, page string) map[string]any {
	t.Helper()
	m := reportDataRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no report-data script in the page")
	}
	var d map[string]any
	if err := json.Unmarshal([]byte(m[1]), &d); err != nil {
		t.Fatalf("report data is not JSON: %v", err)
	}
	return d
}

func round(v float64, digits int) float64 {
	s := string(appendRound(nil, v, digits))
	if s == "null" {
		return math.NaN()
	}
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

func same(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

func jsonNum(v any) float64 {
	if v == nil {
		return math.NaN()
	}
	return v.(float64)
}

var (
	thRE      = regexp.MustCompile(`<th data-k="([^"]+)">`)
	rowRE     = regexp.MustCompile(`<tr data-t="([^"]+)"><td>([^<]*)</td>(.*?)</tr>`)
	cellRE    = regexp.MustCompile(`<td>([^<]*)</td>`)
	summaryRE = regexp.MustCompile(`<tr id="(sum-[^"]+)"><td>[^<]*</td><td>([^<]*)</td></tr>`)
)

// TestNumbersMatchJSON checks that every number of the detail table and
// the overview, and every value the charts draw, is the --json value of the
// same result after the same formatting (or rounding).
func TestNumbersMatchJSON(t *testing.T) {
	small, smallSum := aggregateDir(t, "testdata/small", 60_000)
	gen, genSum := aggregate(t, generate(genOptions{hosts: 12, minutes: 150, stepSec: 10, evil: true}), 600_000)
	for name, c := range map[string]struct {
		r *agg.Result
		s *agg.Summary
	}{"testdata": {small, smallSum}, "generated": {gen, genSum}} {
		t.Run(name, func(t *testing.T) {
			checkNumbers(t, c.r, c.s)
		})
	}
}

func checkNumbers(t *testing.T, r *agg.Result, s *agg.Summary) {
	page := render(t, &Input{Title: "x", Result: r, Summary: s})
	doc := jsonOf(t, r, s)
	if len(doc.Bins) == 0 {
		t.Fatal("no bins")
	}

	// Detail table.
	fmts := map[string]func(float64) string{}
	for _, c := range detailColumns() {
		fmts[c.Key] = c.fmt
	}
	var keys []string
	for _, m := range thRE.FindAllStringSubmatch(page, -1) {
		keys = append(keys, m[1])
	}
	if len(keys) != len(detailColumns()) {
		t.Fatalf("detail table has %d keyed columns, want %d", len(keys), len(detailColumns()))
	}
	for _, want := range []string{"tp_worker_oc_maxWaiting_avg", "tp_worker_oc_maxWaiting_max", "tp_async_maxWaiting_avg", "tp_async_maxWaiting_max"} {
		if !strings.Contains(strings.Join(keys, " "), want) {
			t.Errorf("detail table lacks the queue column %s", want)
		}
	}
	rows := rowRE.FindAllStringSubmatch(page, -1)
	if len(rows) != len(doc.Bins) {
		t.Fatalf("detail table has %d rows, --json %d bins", len(rows), len(doc.Bins))
	}
	labels := make([]string, len(rows))
	nonZeroWait := false
	for i, row := range rows {
		bin := doc.Bins[i]
		if row[1] != bin["time"] {
			t.Errorf("row %d is %s, --json bin %v", i, row[1], bin["time"])
		}
		labels[i] = row[2]
		cells := cellRE.FindAllStringSubmatch(row[3], -1)
		if len(cells) != len(keys) {
			t.Fatalf("row %d has %d cells", i, len(cells))
		}
		for j, k := range keys {
			v := num(t, bin, k)
			if want := fmts[k](v); html.UnescapeString(cells[j][1]) != want {
				t.Errorf("row %s column %s: page %q, --json %v formats as %q", row[1], k, cells[j][1], v, want)
			}
			if strings.Contains(k, "maxWaiting") && v > 0 {
				nonZeroWait = true
			}
		}
	}
	if !nonZeroWait {
		t.Error("no wait column has a value above 0: the data exercise nothing")
	}

	// Overview.
	got := map[string]string{}
	for _, m := range summaryRE.FindAllStringSubmatch(page, -1) {
		got[m[1]] = html.UnescapeString(m[2])
	}
	last := doc.Bins[len(doc.Bins)-1]
	peak := func(key string) (float64, string) {
		best, at := math.NaN(), ""
		for i, b := range doc.Bins {
			if v := num(t, b, key); !math.IsNaN(v) && (at == "" || v > best) {
				best, at = v, labels[i]
			}
		}
		return best, at
	}
	var records, hits, reqs float64
	for _, hbins := range doc.Hosts {
		for _, b := range hbins {
			records += num(t, b, "records")
		}
	}
	for _, b := range doc.Bins {
		if h, q := num(t, b, "total_hits"), num(t, b, "total_requests"); !math.IsNaN(h) && !math.IsNaN(q) {
			hits += h
			reqs += q
		}
	}
	memPeak, memAt := peak("mem_usage_max")
	objPeak, objAt := peak("object_count_max")
	want := map[string]string{
		"sum-range":       labels[0] + " ~ " + labels[len(labels)-1],
		"sum-hosts":       fmtInt(int64(len(doc.Hosts))),
		"sum-records":     fmtInt(int64(records)),
		"sum-mem-latest":  fmtBytes(num(t, last, "mem_usage_avg")) + " / " + fmtBytes(num(t, last, "mem_total_limit_avg")) + " (" + fmtPct(num(t, last, "mem_ratio_avg")) + ")",
		"sum-mem-peak":    fmtBytes(memPeak) + " at " + memAt,
		"sum-obj-latest":  fmtCount(num(t, last, "object_count_avg")),
		"sum-obj-peak":    fmtCount(objPeak) + " at " + objAt,
		"sum-hit-latest":  fmtPct2(num(t, last, "cache_hit_rate")),
		"sum-hit-overall": fmtPct2(hits/reqs) + " (" + fmtCount(hits) + " of " + fmtCount(reqs) + " requests)",
		"sum-clients":     fmtCount(num(t, last, "active_clients_avg")),
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("overview %s: page %q, from --json %q", id, got[id], w)
		}
	}
	if !strings.HasPrefix(got["sum-skipped"], fmtInt(s.SkippedTotal)+" ") {
		t.Errorf("overview sum-skipped %q, summary says %d", got["sum-skipped"], s.SkippedTotal)
	}

	// Chart data: every cluster column the charts use, at each bin's axis
	// position, is the --json value rounded to clusterDigits.
	pd := pageDataOf(t, page)
	ax := buildAxis(r)
	series := pd["s"].(map[string]any)
	if len(series) < 60 {
		t.Errorf("only %d cluster columns in the page", len(series))
	}
	for key, arr := range series {
		a := arr.([]any)
		if len(a) != len(ax.starts) {
			t.Fatalf("column %s has %d values on an axis of %d", key, len(a), len(ax.starts))
		}
		for g, b := range doc.Bins {
			v, ok := b[key]
			if !ok {
				if !math.IsNaN(jsonNum(a[ax.pos[g]])) {
					t.Errorf("column %s is not in --json but has values", key)
				}
				break
			}
			if w, p := round(jsonNum(v), clusterDigits), jsonNum(a[ax.pos[g]]); !same(w, p) {
				t.Errorf("column %s bin %d: page %v, --json %v", key, g, p, w)
			}
		}
	}

	// Per-host drill-down: these runs are short, so the drill-down has one
	// point per bin, and every host's memory in each bin is its --json value
	// (to about half a quantization step); bins without a record have none.
	ph := pageHostsOf(t, pd)
	if ph.slots != 1 || len(ph.axis) != len(ax.starts) {
		t.Fatalf("drill-down axis of %d points, %d slots; want one per bin (%d)", len(ph.axis), ph.slots, len(ax.starts))
	}
	mem := ph.metrics["shm_memory_usage"]
	n0 := binNumber(r.Bins[0], r.Interval)
	for i, nm := range ph.names {
		hbins := doc.Hosts[nm]
		if len(hbins) == 0 {
			t.Fatalf("host %s of the page is not in --json", nm)
		}
		want := make([]float64, len(ph.axis))
		for p := range want {
			want[p] = math.NaN()
		}
		peak := math.NaN()
		for _, b := range hbins {
			ts, ok := columnar.ParseTimestamp([]byte(b["time"].(string)))
			if !ok {
				t.Fatalf("--json time %v", b["time"])
			}
			want[binNumber(ts, r.Interval)-n0] = num(t, b, "mem_usage_avg") * toGB
			if v := num(t, b, "mem_usage_max") * toGB; !math.IsNaN(v) && !(v <= peak) {
				peak = v
			}
		}
		for p, w := range want {
			g := mem.values[i][p]
			if math.IsNaN(w) != math.IsNaN(g) || math.Abs(g-w) > pageTol(mem.steps[i], w, w) {
				t.Errorf("host %s at %s: page %v GB, --json %v GB (step %g)", nm, ph.axis[p], g, w, mem.steps[i])
			}
		}
		if math.Abs(mem.rank[i]-peak) > 1e-5*peak {
			t.Errorf("host %s: rank %v, --json peak %v", nm, mem.rank[i], peak)
		}
	}
}

// TestHostileNamesAreText checks the page source: the hostile host name and
// worker id never appear as markup, and the page has exactly its three
// script elements.
func TestHostileNamesAreText(t *testing.T) {
	r, s := aggregate(t, generate(genOptions{hosts: 4, minutes: 30, stepSec: 30, evil: true}), 60_000)
	full := render(t, &Input{Title: `<b>title</b>`, Since: `"><script>alert(3)</script>`, Result: r, Summary: s,
		Findings: []agg.Finding{{Severity: agg.Critical, Rule: "memory_ratio", Hosts: []string{evilHost},
			Message: "</script><img src=y>", Start: "2026-05-06T00:00:00", End: "2026-05-06T00:01:00"}}})
	page := withoutECharts(t, full)
	for _, bad := range []string{"<img", "<script>alert", "<b>title", "onerror=alert(1)>"} {
		if strings.Contains(page, bad) {
			i := strings.Index(page, bad)
			t.Errorf("page contains %q as markup: …%s…", bad, page[max(0, i-80):min(len(page), i+80)])
		}
	}
	if n := strings.Count(strings.ToLower(page), "</script"); n != 3 {
		t.Errorf("page has %d </script sequences, want 3 (one per script element)", n)
	}
	if !strings.Contains(page, "&lt;img src=x onerror=alert(1)&gt;") {
		t.Error("the hostile host name is not in the page as escaped text")
	}
	if !strings.Contains(page, `kvworker-&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;`) {
		t.Error("the hostile worker id is not in the host table as escaped text")
	}
	pd := pageDataOf(t, page)
	found := false
	for _, n := range pd["hosts"].(map[string]any)["names"].([]any) {
		found = found || n == evilHost
	}
	if !found {
		t.Errorf("the data document lacks host %q", evilHost)
	}
	if !strings.Contains(page, `id="findings-table"`) || !strings.Contains(page, "1 critical, 0 warnings") {
		t.Error("findings table missing")
	}
	if none := render(t, &Input{Result: r}); !strings.Contains(none, "No findings") {
		t.Error("a report without findings does not say so")
	}
}

// TestNoNaNOrInfInPage feeds NaN and ±Inf through every kind of series and
// wants null in the page's data, which encoding/json must accept.
func TestNoNaNOrInfInPage(t *testing.T) {
	r, s := aggregateDir(t, "testdata/small", 60_000)
	r.Gauge("shm_memory_usage").Avg[0] = math.Inf(1)
	r.Gauge("shm_memory_usage").Max[1] = math.Inf(-1)
	r.HitRate[2] = math.NaN()
	r.TotalHits[3] = math.Inf(1)
	r.Hosts[0].Metric("shm_memory_usage").Avg[0] = math.Inf(1)
	r.Hosts[0].Metric("object_count").Max[0] = math.NaN()
	r.Hosts[1].HitRate[1] = math.Inf(-1)
	page := render(t, &Input{Result: r, Summary: s})
	m := reportDataRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no data")
	}
	for _, bad := range []string{"NaN", "Inf", "inf"} {
		if strings.Contains(m[1], bad) {
			t.Errorf("page data contains %q", bad)
		}
	}
	pageDataOf(t, page) // must decode
	if !strings.Contains(page, "<td>N/A</td>") {
		t.Error("a missing value is not shown as N/A in the table")
	}
}

// TestAxisKeepsGaps: a pause of the whole cluster stays a gap on the shared
// axis (bins without data are on it, as null), and a host missing bins
// gets runs around its gap, not a shifted series.
func TestAxisKeepsGaps(t *testing.T) {
	ds := generate(genOptions{hosts: 5, minutes: 60, stepSec: 20})
	for h := range ds.lines { // every host pauses 22:20–22:29
		var keep []string
		for _, l := range ds.lines[h] {
			if !strings.HasPrefix(l, "2026-05-06T22:2") {
				keep = append(keep, l)
			}
		}
		ds.lines[h] = keep
	}
	r, _ := aggregate(t, ds, 60_000)
	ax := buildAxis(r)
	if len(r.Bins) != 50 || len(ax.starts) != 60 || !ax.filled {
		t.Fatalf("bins %d, axis %d (filled %v); want 50 and 60", len(r.Bins), len(ax.starts), ax.filled)
	}
	if ax.labels[20] != "05-06 22:20" || ax.pos[20] != 30 {
		t.Errorf("axis label 20 %q, bin 20 at %d", ax.labels[20], ax.pos[20])
	}
	// Host 3 also stops from minute 20 to 35: it has bins 0-19 and 35-59.
	v := NewHostView(&r.Hosts[3], r.Interval)
	hax := binAxis{interval: r.Interval, n0: binNumber(r.Bins[0], r.Interval), n1: binNumber(r.Bins[len(r.Bins)-1], r.Interval)}
	if want := []int64{0, 20, 35, 25}; !slices.Equal(v.presentCols(&hax), want) {
		t.Errorf("host 3 runs %v, want %v", v.presentCols(&hax), want)
	}
	page := render(t, &Input{Result: r})
	pd := pageDataOf(t, page)
	mem := pd["s"].(map[string]any)["mem_usage_avg"].([]any)
	if mem[25] != nil || mem[19] == nil || mem[30] == nil {
		t.Errorf("cluster memory around the pause: %v %v %v", mem[19], mem[25], mem[30])
	}
	host3 := pageHostsOf(t, pd).metrics["shm_memory_usage"].values[3]
	if !math.IsNaN(host3[25]) || math.IsNaN(host3[19]) || math.IsNaN(host3[35]) || !math.IsNaN(host3[34]) {
		t.Errorf("host 3's memory around its pause: %v %v %v %v", host3[19], host3[25], host3[34], host3[35])
	}
}

// withoutECharts returns the page without the inlined chart library, whose
// source holds markup strings of its own (its image export, for one).
func withoutECharts(t testing.TB, page string) string {
	t.Helper()
	if !strings.Contains(page, echartsJS) {
		t.Fatal("ECharts is not inlined")
	}
	return strings.Replace(page, echartsJS, "", 1)
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestEmptyResult(t *testing.T) {
	r, err := agg.FromBatches(60_000, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	page := render(t, &Input{Title: "empty", Result: r})
	if !strings.Contains(page, "no records in range") {
		t.Error("empty report does not say so")
	}
	pageDataOf(t, page)
	if err := Write(&bytes.Buffer{}, &Input{}); err == nil {
		t.Error("Write without a result did not fail")
	}
}

// TestSelfContained: nothing in the markup points outside the page, the
// chart library and its licenses are inlined, and the titles name the bin
// width.
func TestSelfContained(t *testing.T) {
	r, s := aggregateDir(t, "testdata/small", 600_000)
	full := render(t, &Input{Title: "x", Result: r, Summary: s})
	page := withoutECharts(t, full)
	if m := regexp.MustCompile(`(?i)<(script|link|img|iframe|object|embed|source|audio|video)\b[^>]*\b(src|href)=`).FindString(page); m != "" {
		t.Errorf("page loads a resource: %s", m)
	}
	if !strings.Contains(full, "<script>"+echartsJS+"</script>") {
		t.Error("ECharts is not inlined whole")
	}
	for _, want := range []string{"Apache License", "Apache ECharts", "Mike Bostock", "ZRender", "Detail per 10 min", "Memory usage (GB) — per 10 min", "default-src 'none'"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "Hourly") {
		t.Error("a title says Hourly")
	}
	for _, bad := range []string{"</script", "<!--"} {
		if strings.Contains(strings.ToLower(echartsJS), bad) || strings.Contains(strings.ToLower(reportJS), bad) {
			t.Errorf("an inlined script contains %q", bad)
		}
	}
	// The footer lists the skipped lines by reason.
	for reason, n := range s.Skipped {
		if !regexp.MustCompile(`<tr><td>` + reason + `</td><td class="name">[^<]*</td><td>` + fmtInt(n) + `</td></tr>`).MatchString(page) {
			t.Errorf("footer lacks %d lines skipped as %s", n, reason)
		}
	}
	if s.BadValues < 3 || !strings.Contains(page, "<tr><td>Values not numbers (kept as no data)</td><td>"+fmtInt(s.BadValues)+"</td></tr>") {
		t.Errorf("footer lacks the %d bad values (testdata should have at least 3)", s.BadValues)
	}
	if len(s.Skipped) < 4 {
		t.Errorf("testdata exercises only %d skip reasons: %v", len(s.Skipped), s.Skipped)
	}
}

// TestLongRunReduced: a run with more bins than maxSeriesPoints gets M4
// columns in the charts and the drill-down. Every column of every chart
// series holds the first, lowest, highest and last --json value of its
// bins, in time order, the drill-down's likewise for each host's memory,
// and the page says so.
func TestLongRunReduced(t *testing.T) {
	r, s := aggregate(t, generate(genOptions{hosts: 3, minutes: 3000, stepSec: 60}), 60_000)
	page := render(t, &Input{Result: r, Summary: s})
	doc := jsonOf(t, r, s)
	pd := pageDataOf(t, page)
	ax := chartAxis(r)
	if ax.shift != 3 || len(pd["axis"].([]any)) != ax.points() || pd["slots"].(float64) != 4 {
		t.Fatalf("3000 bins: chart axis shift %d, %d labels, %v slots", ax.shift, len(pd["axis"].([]any)), pd["slots"])
	}
	for _, want := range []string{`id="chart-note"`, "The charts show the 3,000 bins as 1,500 points per series: columns of 8 min", "Per-host series reduced to 1,500 points: columns of 8 min"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// The model: the --json bins of each column, in time order.
	n0 := binNumber(r.Bins[0], r.Interval)
	colOf := func(ts string) int {
		us, ok := columnar.ParseTimestamp([]byte(ts))
		if !ok {
			t.Fatalf("--json time %q", ts)
		}
		return int(binNumber(us, r.Interval)>>ax.shift - n0>>ax.shift)
	}
	check := func(what string, got []float64, bins []map[string]any, key string, scale float64, tol func(float64) float64) {
		t.Helper()
		model := make([][]float64, ax.cols())
		for _, b := range bins {
			if v := num(t, b, key) * scale; !math.IsNaN(v) {
				c := colOf(b["time"].(string))
				model[c] = append(model[c], v)
			}
		}
		for c, vs := range model {
			pts := got[4*c : 4*c+4]
			if len(vs) == 0 {
				if !math.IsNaN(pts[0]) {
					t.Errorf("%s column %d: %v, no value in --json", what, c, pts)
				}
				continue
			}
			lo, hi, plo, phi := slices.Min(vs), slices.Max(vs), slices.Min(pts), slices.Max(pts)
			near := func(a, b float64) bool { return math.Abs(a-b) <= tol(b) }
			if !near(pts[0], vs[0]) || !near(pts[3], vs[len(vs)-1]) || !near(plo, lo) || !near(phi, hi) {
				t.Errorf("%s column %d: points %v, --json first %v last %v min %v max %v", what, c, pts, vs[0], vs[len(vs)-1], lo, hi)
			}
			p := 0
			for _, x := range pts {
				for p < len(vs) && !near(vs[p], x) {
					p++
				}
				if p == len(vs) {
					t.Errorf("%s column %d: points %v not in the order of %v", what, c, pts, vs)
					break
				}
			}
		}
	}
	cluster := pd["s"].(map[string]any)
	for _, key := range []string{"mem_usage_max", "mem_ratio_avg", "cache_hit_rate", "oc_miss_sum", "tp_worker_oc_maxWaiting_max"} {
		arr := cluster[key].([]any)
		got := make([]float64, len(arr))
		for i, v := range arr {
			got[i] = jsonNum(v)
		}
		check("cluster "+key, got, doc.Bins, key, 1, func(v float64) float64 { return 1e-5 * math.Abs(v) })
	}
	ph := pageHostsOf(t, pd)
	if ph.slots != 4 || len(ph.axis) != ax.points() {
		t.Fatalf("drill-down axis: %d points, %d slots", len(ph.axis), ph.slots)
	}
	mem := ph.metrics["shm_memory_usage"]
	for i, name := range ph.names {
		step := mem.steps[i]
		check("host "+name, mem.values[i], doc.Hosts[name], "mem_usage_avg", toGB, func(v float64) float64 { return pageTol(step, v, v) })
	}
}

// TestPathWarningsListed: the paths left out before reading, or in
// doubt, are in the footer as escaped text, their count in the
// accounting, and beyond 50 as a count.
func TestPathWarningsListed(t *testing.T) {
	r, s := aggregate(t, generate(genOptions{hosts: 2, minutes: 10, stepSec: 30}), 60_000)
	s.Warnings = []agg.PathWarning{
		{Path: "logs/10.0.0.9", Host: "10.0.0.9", Kind: "unreadable", Reason: "permission denied"},
		{Path: "logs/<b>x</b>/resource.log.gz", Host: "<b>x</b>", Kind: "duplicate", Reason: "a gzipped copy"},
	}
	page := render(t, &Input{Result: r, Summary: s})
	for _, want := range []string{`id="path-warnings"`, "<td>Paths skipped or in doubt before reading</td><td>2</td>",
		`<td class="name">logs/10.0.0.9</td><td class="name">10.0.0.9</td><td>unreadable</td><td class="name">permission denied</td>`,
		"logs/&lt;b&gt;x&lt;/b&gt;/resource.log.gz"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for i := range 60 {
		s.Warnings = append(s.Warnings, agg.PathWarning{Path: "p" + strconv.Itoa(i), Kind: "unreadable", Reason: "gone"})
	}
	if page := render(t, &Input{Result: r, Summary: s}); !strings.Contains(page, "… and 12 more paths.") || strings.Contains(page, ">p59<") {
		t.Error("62 warnings are not cut to 50 and a count")
	}
	s.Warnings = nil
	if page := render(t, &Input{Result: r, Summary: s}); strings.Contains(page, `id="path-warnings"`) {
		t.Error("a table of warnings without any")
	}
}

// TestBadValuesListed: the files with values stored as null are in the
// footer with their count and the line and field of the first, as
// escaped text, and beyond 50 as a count.
func TestBadValuesListed(t *testing.T) {
	r, s := aggregate(t, generate(genOptions{hosts: 2, minutes: 10, stepSec: 30}), 60_000)
	s.BadValues = 1234
	s.PerFile = []agg.FileSummary{
		{Path: "logs/10.0.0.1/logs/resource.log", Host: "10.0.0.1"},
		{Path: "logs/<b>x</b>/resource.log", Host: "<b>x</b>", BadValues: 1234, FirstBadValue: &agg.BadValueAt{Line: 40, Field: "object_count"}},
	}
	page := render(t, &Input{Result: r, Summary: s})
	for _, want := range []string{`id="bad-values"`, "<td>Values not numbers (kept as no data)</td><td>1,234</td>",
		`<tr><td class="name">logs/&lt;b&gt;x&lt;/b&gt;/resource.log</td><td class="name">&lt;b&gt;x&lt;/b&gt;</td><td>1,234</td><td>40</td><td class="name">object_count</td></tr>`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "logs/10.0.0.1/logs/resource.log") {
		t.Error("a file without bad values is listed")
	}
	for i := range 60 {
		s.PerFile = append(s.PerFile, agg.FileSummary{Path: "p" + strconv.Itoa(i), BadValues: 1, FirstBadValue: &agg.BadValueAt{Line: 1, Field: "pid"}})
	}
	if page := render(t, &Input{Result: r, Summary: s}); !strings.Contains(page, "… and 11 more files with values not numbers.") || strings.Contains(page, ">p59<") {
		t.Error("61 files are not cut to 50 and a count")
	}
	s.BadValues, s.PerFile = 0, nil
	if page := render(t, &Input{Result: r, Summary: s}); strings.Contains(page, `id="bad-values"`) {
		t.Error("a table of bad values without any")
	}
}
