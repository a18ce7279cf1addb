package htmlreport

import (
	"bufio"
	"bytes"
	"math"
	"runtime"
	"sync"
)

// The per-host drill-down's part of the data document: every host's series
// of every drill-down metric, merged from the host views to one common
// column width and written as compact code strings.

// hostPointBudget bounds the drill-down's points over all hosts and
// metrics together (each point is two characters of the page, fewer in
// runs): with many hosts their series get wider columns, so that the page
// stays small at any scale. Series of one value and metrics a host lacks
// cost one number.
const hostPointBudget = 5_000_000

// Page codes: 12 bits written as two characters of codeAlphabet, the top
// code meaning no value; "~" and one character c repeat the previous code
// index(c)+2 more times.
const (
	codeAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	pageNull     = 1<<12 - 1
	pageTop      = pageNull - 1 // the largest value's code
	maxRepeat    = len(codeAlphabet) + 1
)

// Significant digits of the drill-down's plain numbers (ranks, latest
// values, one-value series) and of a coded series' lo and step.
const (
	hostDigits = 6
	codeDigits = 7
)

// drillAxis chooses the drill-down's axis over bin numbers n0 to n1: the
// narrowest columns that are no narrower than any view's, make at most
// maxSeriesPoints points per series, and at most hostPointBudget points
// in all. It returns the axis and the points it makes.
func drillAxis(views []HostView, n0, n1, interval int64) (binAxis, int64) {
	ax := binAxis{interval: interval, n0: n0, n1: n1}
	if ax.empty() {
		return ax, 0
	}
	ax.shift = fitShift(n0, n1, maxSeriesPoints)
	for i := range views {
		ax.shift = max(ax.shift, views[i].shift)
	}
	for {
		total := drillPoints(views, ax.shift)
		if total <= hostPointBudget || ax.cols() == 1 {
			return ax, total
		}
		ax.shift++
	}
}

// drillPoints counts the coded points of every series at width 2^shift.
func drillPoints(views []HostView, shift uint) int64 {
	var total int64
	for i := range views {
		v := &views[i]
		for j := range v.metrics {
			s := &v.metrics[j].s
			if s.kind != seriesCodes {
				continue
			}
			t0, t1 := s.span(v.shift, shift-v.shift)
			total += (t1 - t0 + 1) * int64(slotsOf(shift))
		}
	}
	return total
}

// codeWriter appends page codes, runs of one code shortened.
type codeWriter struct {
	b    []byte
	prev int
	run  int             // repeats of prev not yet written
	cols []m4col[uint16] // scratch for writeHostSeries
}

func (w *codeWriter) put(c int) {
	if len(w.b) > 0 && c == w.prev {
		w.run++
		return
	}
	w.flush()
	w.b = append(w.b, codeAlphabet[c>>6], codeAlphabet[c&63])
	w.prev = c
}

func (w *codeWriter) flush() {
	for w.run > 0 {
		if w.run == 1 {
			w.b = append(w.b, codeAlphabet[w.prev>>6], codeAlphabet[w.prev&63])
			w.run = 0
			break
		}
		k := min(w.run, maxRepeat)
		w.b = append(w.b, '~', codeAlphabet[k-2])
		w.run -= k
	}
}

// writeHostSeries writes metric j of host v on axis ax, in display units
// (× scale): null without a value, a number for one value, else
// [first column on the axis, lo, step, codes] with value = lo + code ×
// step, slots codes per column.
func writeHostSeries(e *jsonStream, v *HostView, j int, ax *binAxis, scale float64, cw *codeWriter) {
	m := v.metric(j)
	if m == nil {
		e.writeString("null")
		return
	}
	s := &m.s
	switch s.kind {
	case seriesNone:
		e.writeString("null")
		return
	case seriesConst:
		e.number(s.lo*scale, hostDigits)
		return
	}
	up := ax.shift - v.shift
	t0, _ := s.span(v.shift, up)
	step, top := s.step, uint32(s.top)
	requant := top > pageTop
	if requant {
		step *= float64(top) / pageTop
	}
	e.open('[')
	e.elem()
	e.number(float64(t0-ax.c0()), hostDigits)
	e.elem()
	e.number(s.lo*scale, codeDigits)
	e.elem()
	e.number(step*scale, codeDigits)
	e.elem()
	e.writeByte('"')
	cw.b, cw.run = cw.b[:0], 0
	if ax.shift == 0 {
		cw.putBins(s, top, requant)
	} else {
		cw.putColumns(s, v.shift, up, ax.slots(), top, requant)
	}
	cw.flush()
	e.write(cw.b)
	e.writeByte('"')
	e.close(']')
}

// putBins puts the codes of s stored at width 1 on an axis of width 1: a
// column is a bin, its one slot the bin's code (putColumns' result, without
// building the columns).
func (cw *codeWriter) putBins(s *viewSeries, top uint32, requant bool) {
	for _, c := range s.codes {
		if c == noCode {
			cw.put(pageNull)
			continue
		}
		cw.put(requantized(c, top, requant))
	}
}

// putColumns puts the codes of s stored at width 2^shift merged to the
// axis' width 2^(shift+up), slots codes per column, from its first column.
func (cw *codeWriter) putColumns(s *viewSeries, shift, up uint, slots int, top uint32, requant bool) {
	var buf [maxSlots]uint16
	next, _ := s.span(shift, up)
	cw.cols = s.merged(shift, up, cw.cols[:0])
	for i := range cw.cols {
		k := &cw.cols[i]
		for ; next < k.c; next++ {
			for range slots {
				cw.put(pageNull)
			}
		}
		k.slots(buf[:slots])
		for _, c := range buf[:slots] {
			cw.put(requantized(c, top, requant))
		}
		next++
	}
}

// requantized is code c of a series of codes 0 … top on the page's scale
// 0 … pageTop when requant (top > pageTop).
func requantized(c uint16, top uint32, requant bool) int {
	q := uint32(c)
	if requant {
		q = (q*pageTop + top/2) / top
	}
	return int(q)
}

// presentCols returns the columns of ax where host v has records, as
// [first column on the axis, count, ...] runs.
func (v *HostView) presentCols(ax *binAxis) []int64 {
	out := []int64{}
	for i := 0; i+1 < len(v.present); i += 2 {
		a, b := v.present[i]>>ax.shift-ax.c0(), v.present[i+1]>>ax.shift-ax.c0()
		if k := len(out); k > 0 && out[k-2]+out[k-1] >= a {
			out[k-1] = max(out[k-1], b-out[k-2]+1)
			continue
		}
		out = append(out, a, b-a+1)
	}
	return out
}

// writeHosts writes the drill-down's data: the hosts in views' order, the
// axis, and per metric the hosts' ranks, latest values and series.
func writeHosts(e *jsonStream, views []HostView, ax *binAxis) {
	e.open('{')
	names, pods := make([]string, len(views)), make([][]string, len(views))
	records, resets := make([]int64, len(views)), make([]int64, len(views))
	for i := range views {
		v := &views[i]
		names[i], pods[i], records[i], resets[i] = v.Name, v.Pods, v.Records, int64(v.Resets)
		if pods[i] == nil {
			pods[i] = []string{}
		}
	}
	e.field("names", names)
	e.field("pods", pods)
	e.key("records")
	e.ints(records)
	e.key("resets")
	e.ints(resets)
	e.field("axis", ax.labels())
	e.field("slots", ax.slots())
	e.field("width", ax.width())
	e.key("cols")
	e.open('[')
	for i := range views {
		e.elem()
		e.ints(views[i].presentCols(ax))
	}
	e.close(']')
	e.key("metrics")
	e.open('[')
	vals := make([]float64, len(views))
	parts := make([]seriesPart, max(1, min(runtime.GOMAXPROCS(0), len(views)/minPartViews)))
	for j, key := range hostKeys {
		info := hostInfo(key)
		e.elem()
		e.open('{')
		e.field("key", key)
		e.field("label", info.label)
		e.field("unit", info.unit)
		e.field("worse", info.worse)
		e.key("rank")
		e.numbers(perView(vals, views, j, info.scale, func(m *viewMetric) float64 { return m.rank }), hostDigits)
		e.key("last")
		e.numbers(perView(vals, views, j, info.scale, func(m *viewMetric) float64 { return m.last }), hostDigits)
		e.key("values")
		e.open('[')
		for _, part := range encodeSeries(views, j, ax, info.scale, parts) {
			if len(part) > 0 {
				e.elem()
				e.write(part)
			}
		}
		e.close(']')
		e.close('}')
	}
	e.close(']')
	e.field("default", "shm_memory_usage")
	e.close('}')
}

// minPartViews is the fewest host series encoded by one goroutine.
const minPartViews = 32

// seriesPart is the encoding of one share of the hosts' series of a
// metric, reused metric after metric.
type seriesPart struct {
	buf bytes.Buffer
	bw  *bufio.Writer
	cw  codeWriter
}

// encodeSeries returns metric j's series of every view, comma-separated,
// in len(parts) (≥ 1) consecutive shares encoded at once: merging the
// views' columns to the page's width was half of writing the page, which
// comes after the run, when no other work is left. The bytes are valid
// until the next call.
func encodeSeries(views []HostView, j int, ax *binAxis, scale float64, parts []seriesPart) [][]byte {
	out := make([][]byte, len(parts))
	encode := func(k int) {
		p := &parts[k]
		p.buf.Reset()
		if p.bw == nil {
			p.bw = bufio.NewWriterSize(&p.buf, 1<<14)
		}
		e := &jsonStream{w: p.bw, first: true}
		for i := k * len(views) / len(parts); i < (k+1)*len(views)/len(parts); i++ {
			e.elem()
			writeHostSeries(e, &views[i], j, ax, scale, &p.cw)
		}
		p.bw.Flush()
		out[k] = p.buf.Bytes()
	}
	if len(parts) == 1 {
		encode(0)
		return out
	}
	var wg sync.WaitGroup
	for k := range parts {
		wg.Go(func() { encode(k) })
	}
	wg.Wait()
	return out
}

// perView fills vals with f of metric j of each view, scaled; NaN where a
// view lacks the metric.
func perView(vals []float64, views []HostView, j int, scale float64, f func(*viewMetric) float64) []float64 {
	for i := range views {
		vals[i] = math.NaN()
		if m := views[i].metric(j); m != nil {
			vals[i] = f(m) * scale
		}
	}
	return vals
}
