package htmlreport

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/resreport/resreport/agg"
)

// pageHosts is the drill-down's part of a page's data document, decoded
// the way the page's script decodes it (hostValues in report.js).
type pageHosts struct {
	names   []string
	axis    []string
	slots   int
	metrics map[string]*pageMetric
}

type pageMetric struct {
	worse      string
	rank, last []float64
	values     [][]float64 // per host, one value per axis point, NaN for none
	steps      []float64   // per host: the quantization step (0 for one value)
}

func pageHostsOf(t testing.TB, pd map[string]any) *pageHosts {
	t.Helper()
	hd := pd["hosts"].(map[string]any)
	ph := &pageHosts{slots: int(hd["slots"].(float64)), metrics: map[string]*pageMetric{}}
	for _, n := range hd["names"].([]any) {
		ph.names = append(ph.names, n.(string))
	}
	for _, l := range hd["axis"].([]any) {
		ph.axis = append(ph.axis, l.(string))
	}
	cols := hd["cols"].([]any)
	for _, mv := range hd["metrics"].([]any) {
		m := mv.(map[string]any)
		pm := &pageMetric{worse: m["worse"].(string)}
		for i := range ph.names {
			pm.rank = append(pm.rank, jsonNum(m["rank"].([]any)[i]))
			pm.last = append(pm.last, jsonNum(m["last"].([]any)[i]))
			vals, step := decodeHostSeries(t, m["values"].([]any)[i], cols[i].([]any), len(ph.axis), ph.slots)
			pm.values = append(pm.values, vals)
			pm.steps = append(pm.steps, step)
		}
		ph.metrics[m["key"].(string)] = pm
	}
	return ph
}

// decodeHostSeries is hostValues of report.js.
func decodeHostSeries(t testing.TB, v any, cols []any, n, slots int) ([]float64, float64) {
	t.Helper()
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
	}
	switch v := v.(type) {
	case nil:
		return out, 0
	case float64:
		for r := 0; r < len(cols); r += 2 {
			a, k := int(cols[r].(float64)), int(cols[r+1].(float64))
			for p := a * slots; p < (a+k)*slots && p < n; p++ {
				out[p] = v
			}
		}
		return out, 0
	case []any:
		j, lo, step, s := int(v[0].(float64))*slots, v[1].(float64), v[2].(float64), v[3].(string)
		prev := pageNull
		for p := 0; p+1 < len(s); p += 2 {
			reps := 1
			if s[p] == '~' {
				reps = strings.IndexByte(codeAlphabet, s[p+1]) + 2
			} else {
				prev = strings.IndexByte(codeAlphabet, s[p])*64 + strings.IndexByte(codeAlphabet, s[p+1])
			}
			for ; reps > 0; reps-- {
				if j >= n {
					t.Fatalf("series %v runs past the axis of %d points", v, n)
				}
				if prev != pageNull {
					out[j] = lo + float64(prev)*step
				}
				j++
			}
		}
		return out, step
	}
	t.Fatalf("host series %v (%T)", v, v)
	return nil, 0
}

// TestDrillSeriesMatchModel writes random host series on axes of random
// width and reads them back as the page does: every column of the axis
// holds the first, lowest, highest and last value of the input bins in it
// (to half a quantization step), in time order, and no value where the
// input has none.
func TestDrillSeriesMatchModel(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for round := 0; round < 200; round++ {
		ns, vs := randomSeries(r)
		if len(ns) == 0 {
			continue
		}
		shift := fitShift(ns[0], ns[len(ns)-1], maxSeriesPoints)
		cols := m4Reduce(ns, vs, shift, nil)
		full := countValues(vs) == len(vs)
		s := quantize(cols, shift, full)
		v := HostView{shift: shift, present: runsOf(ns), metrics: []viewMetric{{s: s}}}
		n0 := ns[0] - int64(r.IntN(5000))
		ax := binAxis{interval: 60e6, n0: n0, n1: ns[len(ns)-1] + int64(r.IntN(5000))}
		ax.shift = max(shift, fitShift(ax.n0, ax.n1, maxSeriesPoints)) + uint(r.IntN(3))
		var buf bytes.Buffer
		bw := bufio.NewWriter(&buf)
		e := &jsonStream{w: bw}
		var cw codeWriter
		e.open('[')
		e.elem()
		writeHostSeries(e, &v, 0, &ax, 1, &cw)
		e.elem()
		e.ints(v.presentCols(&ax))
		e.close(']')
		bw.Flush()
		var doc []any
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatalf("round %d: %v: %s", round, err, buf.Bytes())
		}
		got, step := decodeHostSeries(t, doc[0], doc[1].([]any), ax.points(), ax.slots())
		if s.kind == seriesConst {
			if !full || step != 0 {
				t.Fatalf("round %d: one value for a series with gaps", round)
			}
		}
		tol := pageTol(step, s.lo, s.lo+float64(s.top)*s.step)
		slots := ax.slots()
		want := map[int64]group{}
		for _, g := range groupsOf(ns, vs, ax.shift) {
			want[g.c] = g
		}
		for c := int64(0); c < int64(ax.cols()); c++ {
			pts := got[int(c)*slots : int(c+1)*slots]
			g, ok := want[c+ax.c0()]
			if !ok {
				if s.kind == seriesCodes && !math.IsNaN(pts[0]) {
					t.Fatalf("round %d column %d: %v where the input has no value", round, c, pts)
				}
				continue
			}
			if math.IsNaN(pts[0]) {
				t.Fatalf("round %d column %d: no value, input %v", round, c, g.vs)
			}
			near := func(a, b float64) bool { return math.Abs(a-b) <= tol }
			mn, mx := g.vs[0], g.vs[0]
			for _, x := range g.vs {
				mn, mx = min(mn, x), max(mx, x)
			}
			lo, hi := pts[0], pts[0]
			for _, x := range pts {
				lo, hi = min(lo, x), max(hi, x)
			}
			if !near(pts[0], g.vs[0]) || !near(pts[slots-1], g.vs[len(g.vs)-1]) || !near(lo, mn) || !near(hi, mx) {
				t.Fatalf("round %d column %d (shift %d, step %g): points %v, input first %v last %v min %v max %v",
					round, c, ax.shift, step, pts, g.vs[0], g.vs[len(g.vs)-1], mn, mx)
			}
			// In time order: the points are, to a step, a subsequence of the input.
			p := 0
			for _, x := range pts {
				for p < len(g.vs) && !near(g.vs[p], x) {
					p++
				}
				if p == len(g.vs) {
					t.Fatalf("round %d column %d: points %v are not in the order of %v", round, c, pts, g.vs)
				}
			}
		}
		if want := drillPoints([]HostView{v}, ax.shift); s.kind == seriesCodes && int64(countCodes(doc[0])) != want {
			t.Fatalf("round %d: %d codes, drillPoints says %d", round, countCodes(doc[0]), want)
		}
	}
}

// pageTol is how far a drill-down value with quantization step step may
// be from the value it stands for, in a series from lo to hi: half a step
// of the view's codes, half a step of the page's, and the rounding of lo
// and step to codeDigits digits.
func pageTol(step, lo, hi float64) float64 {
	return step*(0.5+0.5*pageTop/maxCode+pageTop*5e-7) + 5e-7*(math.Abs(lo)+math.Abs(hi))
}

// countCodes counts the points a code string stands for.
func countCodes(v any) int {
	s := v.([]any)[3].(string)
	n := 0
	for p := 0; p+1 < len(s); p += 2 {
		if s[p] == '~' {
			n += strings.IndexByte(codeAlphabet, s[p+1]) + 2
		} else {
			n++
		}
	}
	return n
}

// TestDrillAxisBudget: many hosts get wider columns, within the budget,
// and never narrower than their views.
func TestDrillAxisBudget(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, hosts := range []int{1, 30, 300, 1000} {
		views := make([]HostView, hosts)
		n0, n1 := int64(29_000_000), int64(29_000_000+1440*7-1)
		for i := range views {
			ns := make([]int64, 0, n1-n0+1)
			vs := make([]float64, 0, n1-n0+1)
			for b := n0 + int64(r.IntN(100)); b <= n1; b++ {
				ns = append(ns, b)
				vs = append(vs, r.Float64())
			}
			shift := fitShift(ns[0], ns[len(ns)-1], maxSeriesPoints)
			views[i] = HostView{shift: shift, present: runsOf(ns), metrics: make([]viewMetric, len(hostKeys))}
			s := quantize(m4Reduce(ns, vs, shift, nil), shift, true)
			for j := range views[i].metrics {
				views[i].metrics[j].s = s // the codes are shared: only read
			}
		}
		ax, points := drillAxis(views, n0, n1, 60e6)
		if points > hostPointBudget || ax.points() > maxSeriesPoints || ax.shift < views[0].shift {
			t.Errorf("%d hosts: shift %d, %d points per series, %d in all", hosts, ax.shift, ax.points(), points)
		}
		if ax.shift > 0 && drillPoints(views, ax.shift-1) <= hostPointBudget && fitShift(n0, n1, maxSeriesPoints) < ax.shift {
			t.Errorf("%d hosts: shift %d is wider than the budget needs", hosts, ax.shift)
		}
		t.Logf("%d hosts × 7 days of 1-min bins: columns of %s, %d points per series, %d in all", hosts, ax.width(), ax.points(), points)
	}
}

// TestHostViewsInput: views passed in any order make the page the
// result's own hosts make; a view keeps nothing of its HostResult; a view
// made at another bin width is an error.
func TestHostViewsInput(t *testing.T) {
	r, s := aggregate(t, generate(genOptions{hosts: 9, minutes: 120, stepSec: 10, evil: true}), 60_000)
	want := render(t, &Input{Title: "x", Result: r, Summary: s})
	views := make([]HostView, len(r.Hosts))
	for i := range r.Hosts {
		views[len(views)-1-i] = NewHostView(&r.Hosts[i], r.Interval)
	}
	for i := range r.Hosts { // the views must not see this
		h := &r.Hosts[i]
		for j := range h.Metrics {
			for k := range h.Metrics[j].Avg {
				h.Metrics[j].Avg[k], h.Metrics[j].Max[k], h.Metrics[j].Min[k] = 1, 1, 1
			}
		}
		h.Start[0], h.Pods[0], h.HitRate[len(h.HitRate)-1] = 0, "changed", 1
	}
	r.Hosts = nil
	if got := render(t, &Input{Title: "x", Result: r, Summary: s, Hosts: views}); got != want {
		t.Error("the page of views given in reverse order differs from the page of the result's hosts")
	}
	views[3] = NewHostView(&agg.HostResult{Name: "odd", Start: []int64{r.Bins[0]}, Samples: []int64{1}}, 600_000_000)
	if err := Write(&bytes.Buffer{}, &Input{Result: r, Hosts: views}); err == nil || !strings.Contains(err.Error(), `"odd"`) {
		t.Errorf("a view at another bin width: error %v", err)
	}
}

// failWriter is a writer that fails with errDiskFull once left bytes are
// written.
type failWriter struct{ left int }

var errDiskFull = errors.New("disk full")

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) > w.left {
		n := w.left
		w.left = 0
		return n, errDiskFull
	}
	w.left -= len(p)
	return len(p), nil
}

// TestWriteFails: a writer that fails anywhere in the page fails Write.
func TestWriteFails(t *testing.T) {
	r, s := aggregate(t, generate(genOptions{hosts: 5, minutes: 60, stepSec: 10}), 60_000)
	in := &Input{Result: r, Summary: s}
	size := len(render(t, in))
	for _, at := range []int{0, 100, size / 3, size / 2, size - 10} {
		if err := Write(&failWriter{left: at}, in); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("writer failing after %d of %d bytes: error %v", at, size, err)
		}
	}
}

// TestHostSeriesEncoding: the metrics encoded in the background, several
// at once, are each the views' series encoded one after the other, for
// any number of goroutines; and stopping at any point ends every goroutine
// (the test would hang otherwise) with what was encoded still right.
func TestHostSeriesEncoding(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	views := make([]HostView, 41)
	for i := range views {
		ns, vs := randomSeries(r)
		if len(ns) == 0 {
			continue
		}
		v := &views[i]
		v.shift = fitShift(ns[0], ns[len(ns)-1], maxSeriesPoints)
		v.present = runsOf(ns)
		v.metrics = make([]viewMetric, len(hostKeys)-r.IntN(2)) // some lack the last metric
		for j := range v.metrics {
			vj := make([]float64, len(vs))
			for k, x := range vs {
				vj[k] = x * float64(j+1)
			}
			if r.IntN(5) == 0 {
				vj[r.IntN(len(vj))] = math.NaN()
			}
			v.metrics[j].s = quantize(m4Reduce(ns, vj, v.shift, nil), v.shift, false)
		}
	}
	ax := binAxis{interval: 60e6, n0: 0, n1: 1 << 25}
	ax.shift = fitShift(ax.n0, ax.n1, maxSeriesPoints)
	want := make([][]byte, len(hostKeys))
	for j := range want {
		var p seriesPart
		p.encode(views, j, &ax)
		want[j] = bytes.Clone(p.buf.Bytes())
	}
	if len(want[0]) == 0 || bytes.Equal(want[0], want[1]) {
		t.Fatal("the model encodes nothing, or the same for two metrics")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 5} {
		runtime.GOMAXPROCS(procs)
		for _, stopAt := range []int{len(want), 0, 1, 3} {
			enc := encodeHostSeries(views, &ax)
			for j := range want[:stopAt] {
				got, ok := enc.metric(j)
				if !ok || !bytes.Equal(got, want[j]) {
					t.Fatalf("GOMAXPROCS %d, metric %d: encoded differently (%d bytes, want %d)", procs, j, len(got), len(want[j]))
				}
				enc.done(j)
			}
			enc.stop()
			if stopAt == len(want) {
				continue
			}
			if got, ok := enc.metric(stopAt); ok && !bytes.Equal(got, want[stopAt]) {
				t.Fatalf("GOMAXPROCS %d, metric %d after the stop: encoded differently", procs, stopAt)
			}
		}
	}
}

// TestPutBinsIsPutColumns checks the fast paths of a series stored at
// width 1, on an axis of width 1 (putBins) and on wider ones
// (putBinColumns), against the general one on random series with gaps,
// runs of one value and codes above and below the page's scale.
func TestPutBinsIsPutColumns(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	for trial := range 500 {
		n := 1 + r.IntN(300)
		ns, vs := make([]int64, n), make([]float64, n)
		b := int64(r.IntN(1000))
		spread := []float64{3, 100, 1e4, 1e9}[r.IntN(4)]
		for i := range n {
			b += 1 + int64(r.IntN(3)/2) // some bins missing
			ns[i] = b
			switch {
			case r.IntN(8) == 0:
				vs[i] = math.NaN()
			case i > 0 && r.IntN(3) == 0:
				vs[i] = vs[i-1]
			default:
				vs[i] = math.Round(r.Float64() * spread)
			}
		}
		s := quantizeBins(ns, vs, false)
		if s.kind != seriesCodes {
			continue
		}
		top := uint32(s.top)
		var fast, general codeWriter
		fast.putBins(&s, newRescale(top))
		fast.flush()
		general.putColumns(&s, 0, 0, 1, newRescale(top))
		general.flush()
		if !bytes.Equal(fast.b, general.b) {
			t.Fatalf("trial %d: putBins %q, putColumns %q", trial, fast.b, general.b)
		}
		up := uint(1 + r.IntN(7))
		var wide codeWriter
		wide.putBinColumns(&s, up, slotsOf(up), newRescale(top))
		wide.flush()
		general.b, general.run = general.b[:0], 0
		general.putColumns(&s, 0, up, slotsOf(up), newRescale(top))
		general.flush()
		if !bytes.Equal(wide.b, general.b) || len(wide.b) == 0 {
			t.Fatalf("trial %d, columns of %d bins: putBinColumns %q, putColumns %q", trial, 1<<up, wide.b, general.b)
		}
	}
}

// TestRescale checks the division-free rescaling against the division:
// every code of the tops at both ends and of random ones, and the ends and
// random codes of every other top (codes of tops up to the page's stay as
// they are).
func TestRescale(t *testing.T) {
	if (maxCode*pageTop+maxCode/2)>>rescaleBits != 0 {
		t.Fatal("rescaleBits does not bound the numerators")
	}
	r := rand.New(rand.NewPCG(3, 4))
	check := func(top, c uint32) {
		want := int(c)
		if top > pageTop {
			want = int((c*pageTop + top/2) / top)
		}
		if got := newRescale(top).code(uint16(c)); got != want {
			t.Fatalf("top %d, code %d: %d, want %d", top, c, got, want)
		}
	}
	for top := uint32(1); top <= maxCode; top++ {
		if top < pageTop+300 || top > maxCode-300 || r.IntN(500) == 0 {
			for c := range top + 1 {
				check(top, c)
			}
			continue
		}
		for _, c := range []uint32{0, 1, top / 2, top - 1, top, r.Uint32N(top), r.Uint32N(top)} {
			check(top, c)
		}
	}
}
