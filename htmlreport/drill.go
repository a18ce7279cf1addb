package htmlreport

import (
	"bufio"
	"bytes"
	"math"
	"math/bits"
	"runtime"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
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
	rs := newRescale(top)
	if top > pageTop {
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
	switch {
	case ax.shift == 0:
		cw.putBins(s, rs)
	case v.shift == 0:
		cw.putBinColumns(s, up, ax.slots(), rs)
	default:
		cw.putColumns(s, v.shift, up, ax.slots(), rs)
	}
	cw.flush()
	e.write(cw.b)
	e.writeByte('"')
	e.close(']')
}

// putBins puts the codes of s stored at width 1 on an axis of width 1: a
// column is a bin, its one slot the bin's code (putColumns' result, without
// building the columns).
func (cw *codeWriter) putBins(s *viewSeries, rs rescale) {
	for _, c := range s.codes {
		if c == noCode {
			cw.put(pageNull)
			continue
		}
		cw.put(rs.code(c))
	}
}

// putColumns puts the codes of s stored at width 2^shift merged to the
// axis' width 2^(shift+up), slots codes per column, from its first column.
func (cw *codeWriter) putColumns(s *viewSeries, shift, up uint, slots int, rs rescale) {
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
			cw.put(rs.code(c))
		}
		next++
	}
}

// putBinColumns is putColumns for a series stored at width 1 (a code per
// bin, the usual view: a day of 1-minute bins fits one series) on a wider
// axis (slots 2 or 4): each column's first, last, smallest and largest
// code are taken in one pass over its bins, in registers, without
// building the columns (at 300 hosts merged's columns and their copies
// were most of encoding the drill-down, which comes after the run). The
// inner loop is addCode's on four locals: addCode on a local m4col keeps
// it in memory, 35% more of the parser's samples (0.024 against 0.0175).
func (cw *codeWriter) putBinColumns(s *viewSeries, up uint, slots int, rs rescale) {
	codes, next := s.codes, s.c0>>up
	for i := 0; i < len(codes); {
		c := (s.c0 + int64(i)) >> up
		end := min(len(codes), int((c+1)<<up-s.c0))
		for i < end && codes[i] == noCode {
			i++
		}
		if i == end {
			continue
		}
		f := codes[i]
		l, mn, mx, minFirst := f, f, f, uint8(1)
		for i++; i < end; i++ {
			v := codes[i]
			if v == noCode {
				continue
			}
			var keep, top uint8 // conditional moves
			if v >= mn {
				keep = 1
			}
			if v > mx {
				top = 1
			}
			l, mn, mx, minFirst = v, min(mn, v), max(mx, v), minFirst&keep|top
		}
		for ; next < c; next++ {
			for range slots {
				cw.put(pageNull)
			}
		}
		next++
		cw.put(rs.code(f))
		if slots == maxSlots {
			a, b := mn, mx
			if minFirst == 0 {
				a, b = b, a
			}
			cw.put(rs.code(a))
			cw.put(rs.code(b))
		}
		cw.put(rs.code(l))
	}
}

// rescale maps a series' codes 0 … top to the page's 0 … pageTop, as
// (c × pageTop + top/2) / top when top > pageTop (else codes are the
// page's as they are), the division done as a multiplication by
// Granlund and Montgomery's round-up method: for n < 2^29, L = ⌈log2
// top⌉ and m = ⌈2^(29+L) / top⌉, n × m >> (29+L) is n / top (a division
// per code was an eighth of encoding the drill-down).
type rescale struct {
	mul, half, m uint64
	k            uint
}

// rescaleBits bounds the numerators: maxCode × pageTop + maxCode/2 < 2^29.
const rescaleBits = 29

func newRescale(top uint32) rescale {
	if top <= pageTop {
		return rescale{mul: 1, m: 1}
	}
	k := rescaleBits + uint(bits.Len32(top-1))
	return rescale{mul: pageTop, half: uint64(top / 2), m: (1<<k + uint64(top) - 1) / uint64(top), k: k}
}

// code is code c on the page's scale.
func (r rescale) code(c uint16) int { return int((uint64(c)*r.mul + r.half) * r.m >> r.k) }

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
// axis, and per metric the hosts' ranks, latest values and series, whose
// encodings enc makes (from views on ax).
func writeHosts(e *jsonStream, views []HostView, ax *binAxis, enc *hostSeries) {
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
	for j, key := range hostKeys {
		if e.err != nil {
			return // the output failed (or its run was cancelled): stop
		}
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
		if b, ok := enc.metric(j); ok {
			e.write(b)
		}
		enc.done(j)
		e.close(']')
		e.close('}')
	}
	e.close(']')
	e.field("default", "shm_memory_usage")
	e.close('}')
}

// hostSeries encodes the drill-down's series, one metric (every host's
// series of it, comma-separated) per goroutine, GOMAXPROCS at once, in the
// background from when the page's axes are known: merging the views'
// columns to the page's width is most of writing the page, which comes
// after the run, when no other work is left, so it overlaps with the rest
// of the page (the template, the cluster columns) and with writing the
// metrics encoded before. At most len(free) encodings are held at once.
type hostSeries struct {
	ready []chan struct{} // per metric: closed once its part is set
	parts []*seriesPart   // per metric: its encoding, until done
	free  chan *seriesPart
	quit  chan struct{}
	g     errgroup.Group
}

// seriesPart is the encoding of one metric, its buffers reused metric after
// metric.
type seriesPart struct {
	buf bytes.Buffer
	bw  *bufio.Writer
	cw  codeWriter
}

// encodeHostSeries starts encoding every drill-down metric of views on ax.
// The caller takes each metric in order (metric, then done) and calls stop
// at the end.
func encodeHostSeries(views []HostView, ax *binAxis) *hostSeries {
	k := runtime.GOMAXPROCS(0)
	h := &hostSeries{
		ready: make([]chan struct{}, len(hostKeys)),
		parts: make([]*seriesPart, len(hostKeys)),
		free:  make(chan *seriesPart, 2*k),
		quit:  make(chan struct{}),
	}
	for j := range h.ready {
		h.ready[j] = make(chan struct{})
	}
	for range cap(h.free) {
		h.free <- &seriesPart{}
	}
	h.g.SetLimit(k + 1) // the dispatcher and k encoders
	background.Add(1)
	h.g.Go(func() error {
		defer background.Add(-1)
		// metrics start in order, each with a part: the lowest not yet
		// written always has one, so the writer cannot wait forever
		for j := range hostKeys {
			var p *seriesPart
			select {
			case p = <-h.free:
			case <-h.quit:
				return nil
			}
			background.Add(1)
			h.g.Go(func() error {
				defer background.Add(-1)
				p.encode(views, j, ax)
				h.parts[j] = p
				close(h.ready[j])
				return nil
			})
		}
		return nil
	})
	return h
}

// background counts the page's background goroutines while they run (a
// goroutine's count is dropped before whoever waits for it can see it
// done), so that tests can check that none outlives WriteContext.
var background atomic.Int32

// metric waits for metric j's encoding and returns it (valid until done);
// false when the encoding was stopped.
func (h *hostSeries) metric(j int) ([]byte, bool) {
	select {
	case <-h.ready[j]:
		return h.parts[j].buf.Bytes(), true
	case <-h.quit:
		return nil, false
	}
}

// done hands metric j's part back for a later metric.
func (h *hostSeries) done(j int) {
	select {
	case <-h.ready[j]:
		h.free <- h.parts[j] // never blocks: the part came from free
		h.parts[j] = nil
	default:
	}
}

// stop ends the encoding (metrics not started are not) and waits for the
// goroutines.
func (h *hostSeries) stop() {
	close(h.quit)
	h.g.Wait() //nolint:errcheck // the jobs return no error
}

// encode sets p to metric j's series of every view, comma-separated.
func (p *seriesPart) encode(views []HostView, j int, ax *binAxis) {
	p.buf.Reset()
	if p.bw == nil {
		p.bw = bufio.NewWriterSize(&p.buf, 1<<14)
	}
	e := &jsonStream{w: p.bw, first: true}
	scale := hostInfo(hostKeys[j]).scale
	for i := range views {
		e.elem()
		writeHostSeries(e, &views[i], j, ax, scale, &p.cw)
	}
	p.bw.Flush()
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
