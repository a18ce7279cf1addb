package htmlreport

import (
	"github.com/resreport/resreport/columnar"
	"math"

	"github.com/resreport/resreport/agg"
)

// HostView is what the report shows of one host: its identity and
// accounting, the values the drill-down ranks hosts by, and every
// drill-down series reduced to display resolution (M4 columns, see m4.go)
// and quantized. It is built from the host's full-resolution
// agg.HostResult by NewHostView and keeps no reference to it, so a run can
// finalize hosts one at a time and drop each HostResult at once.
type HostView struct {
	Name    string
	Pods    []string
	Records int64
	Bins    int   // bins with records
	Resets  int   // counter resets (worker restarts) seen
	First   int64 // start of the first bin with records, µs (Bins > 0)
	Last    int64 // start of the last bin with records, µs (Bins > 0)

	interval int64
	shift    uint         // columns of 2^shift bins
	present  []int64      // bin numbers with records, as inclusive [from, to] pairs
	metrics  []viewMetric // per hostKeys entry
}

// hostKeys are the drill-down's metrics: every agg.HostMetrics entry (the
// average per bin) and the host's cache hit rate.
var hostKeys = append(append([]string(nil), agg.HostMetrics...), hitRateKey)

const hitRateKey = "cache_hit_rate"

// viewMetric is one drill-down metric of a host. rank orders hosts for the
// top N (the peak of the bins' maxima, or for metrics where low is bad the
// lowest minimum), last is the last bin's average (NaN when none).
type viewMetric struct {
	rank, last float64
	s          viewSeries
}

// viewSeries is a series reduced to the view's columns, as codes: value =
// lo + code × step, noCode for a column without a value.
type viewSeries struct {
	kind  seriesKind
	lo    float64 // seriesConst: the value
	step  float64
	top   uint16   // code of the largest value
	c0    int64    // column of the first slots(shift) codes
	codes []uint16 // slotsOf(shift) per column, c0 onwards
}

type seriesKind uint8

const (
	seriesNone  seriesKind = iota // no value in any bin
	seriesConst                   // the same value in every bin with records
	seriesCodes
)

const (
	noCode  = math.MaxUint16
	maxCode = noCode - 1
	// maxSeriesPoints bounds the points of any drawn series: a view's
	// columns times their slots, and the page's.
	maxSeriesPoints = 2000
)

// NewHostView reduces host h, binned at interval µs (> 0), to what the
// report shows. It only reads h (h.Start gives the bins' places on the
// time axis), so it may run for many hosts at once.
func NewHostView(h *agg.HostResult, interval int64) HostView {
	n := len(h.Start)
	v := HostView{
		Name: h.Name, Pods: append([]string(nil), h.Pods...), Records: h.Records(),
		Bins: n, Resets: len(h.Resets), interval: interval,
		metrics: make([]viewMetric, len(hostKeys)),
	}
	ns := make([]int64, n)
	for i, s := range h.Start {
		ns[i] = binNumber(s, interval)
	}
	if n > 0 {
		v.First, v.Last = h.Start[0], h.Start[n-1]
		v.shift = fitShift(ns[0], ns[n-1], maxSeriesPoints)
	}
	v.present = runsOf(ns)
	var cols []m4col[float64]
	for j, key := range hostKeys {
		var avg, rankSrc []float64
		lowWorse := hostInfo(key).worse == "low"
		if key == hitRateKey {
			avg, rankSrc = h.HitRate, h.HitRate
		} else if j < len(h.Metrics) {
			m := &h.Metrics[j]
			avg, rankSrc = m.Avg, m.Max
			if lowWorse {
				rankSrc = m.Min
			}
		}
		avg, rankSrc = avg[:min(len(avg), n)], rankSrc[:min(len(rankSrc), n)]
		vm := &v.metrics[j]
		if lowWorse {
			vm.rank, _ = minOf(rankSrc)
		} else {
			vm.rank, _ = maxOf(rankSrc)
		}
		vm.last, _ = lastValue(avg)
		full := countValues(avg) == n
		if v.shift == 0 {
			vm.s = quantizeBins(ns, avg, full)
			continue
		}
		cols = m4Reduce(ns, avg, v.shift, cols[:0])
		vm.s = quantize(cols, v.shift, full)
	}
	return v
}

// binNumber numbers bins on one integer axis for every run at a given
// interval: day × bins per day + bin of the day, with agg.Binner's bins
// (aligned to midnight, a short last bin when the width does not divide a
// day, one bin per day for widths of a day or more).
func binNumber(start, interval int64) int64 {
	interval = max(interval, 1)
	day := columnar.FloorDiv(start, usPerDay)
	return day*binsPerDay(interval) + (start-day*usPerDay)/interval
}

// binStart is the start (µs) of bin number n.
func binStart(n, interval int64) int64 {
	interval = max(interval, 1)
	bpd := binsPerDay(interval)
	day := columnar.FloorDiv(n, bpd)
	return day*usPerDay + (n-day*bpd)*interval
}

func binsPerDay(interval int64) int64 {
	if interval >= usPerDay {
		return 1
	}
	return (usPerDay + interval - 1) / interval
}

// fitShift is the smallest column width 2^shift at which bin numbers n0
// to n1 make at most points points.
func fitShift(n0, n1 int64, points int) uint {
	var s uint
	for s < 62 && int64(slotsOf(s))*((n1>>s)-(n0>>s)+1) > int64(points) {
		s++
	}
	return s
}

// runsOf encodes ascending bin numbers as inclusive [from, to] runs.
func runsOf(ns []int64) []int64 {
	var runs []int64
	for _, b := range ns {
		if k := len(runs); k > 0 && runs[k-1]+1 >= b {
			runs[k-1] = b
			continue
		}
		runs = append(runs, b, b)
	}
	return runs
}

func countValues(s []float64) int {
	n := 0
	for _, v := range s {
		if !bad(v) {
			n++
		}
	}
	return n
}

// quantize stores the columns as codes: exact for integers spanning at
// most maxCode, else maxCode steps from the smallest value to the largest
// (the page needs far fewer). full says every bin with records has a
// value, so that a series of one value can be stored as that value.
func quantize(cols []m4col[float64], shift uint, full bool) viewSeries {
	if len(cols) == 0 {
		return viewSeries{}
	}
	lo, hi, whole := cols[0].mn, cols[0].mx, true
	for i := range cols {
		k := &cols[i]
		lo, hi = min(lo, k.mn), max(hi, k.mx)
		whole = whole && isWhole(k.f) && isWhole(k.l) && isWhole(k.mn) && isWhole(k.mx)
	}
	slots := slotsOf(shift)
	s := codedSeries(lo, hi, whole, full, cols[0].c, int(cols[len(cols)-1].c-cols[0].c+1)*slots)
	if s.kind == seriesConst {
		return s
	}
	var buf [maxSlots]float64
	for i := range cols {
		k := &cols[i]
		k.slots(buf[:slots])
		dst := s.codes[int(k.c-s.c0)*slots:]
		for q, v := range buf[:slots] {
			dst[q] = s.code(v)
		}
	}
	return s
}

// codedSeries is the series of values lo … hi (whole: all integers) from
// column c0 on: one value when lo == hi and full; else n codes, none set,
// with the step quantize describes.
func codedSeries(lo, hi float64, whole, full bool, c0 int64, n int) viewSeries {
	if lo == hi && full {
		return viewSeries{kind: seriesConst, lo: lo}
	}
	s := viewSeries{kind: seriesCodes, lo: lo, step: 1, top: uint16(min(hi-lo, maxCode)), c0: c0}
	if !whole || hi-lo > maxCode {
		s.step, s.top = (hi-lo)/maxCode, maxCode
	}
	s.codes = make([]uint16, n)
	for i := range s.codes {
		s.codes[i] = noCode
	}
	return s
}

// code is the code of value v (lo ≤ v ≤ hi) in s: min(round(x), top) of
// x = (v−lo)/step ≥ 0, rounding half away from zero as math.Round does,
// on integers (math.Round's bit work was a seventh of quantizeBins).
func (s *viewSeries) code(v float64) uint16 {
	if s.step == 0 {
		return 0
	}
	x := (v - s.lo) / s.step
	if !(x < float64(s.top)) { // and +Inf
		return s.top
	}
	i := int64(x)            // x ≥ 0: its floor
	if x-float64(i) >= 0.5 { // exact: x < 2^16
		i++
	}
	return uint16(i)
}

// isWhole reports whether finite v is a whole number: v == math.Trunc(v),
// without a call per value (every float from 2^52 on is whole).
func isWhole(v float64) bool { return math.Abs(v) >= 1<<52 || v == float64(int64(v)) }

// quantizeBins is quantize(m4Reduce(ns, vs, 0, nil), 0, full) without
// the columns: at width 1 a column is a bin (one slot, its value). It is
// the usual case (a day of 1-minute bins fits the page), where building
// the columns was ~70% of NewHostView.
func quantizeBins(ns []int64, vs []float64, full bool) viewSeries {
	first := 0
	for first < len(vs) && bad(vs[first]) {
		first++
	}
	if first == len(vs) {
		return viewSeries{}
	}
	lo, hi, last := vs[first], vs[first], first
	whole := isWhole(lo)
	for i := first + 1; i < len(vs); i++ {
		v := vs[i]
		if bad(v) {
			continue
		}
		last = i
		// the builtins' min and max (±0), called only when v is not
		// plainly inside: a branch predicted right, where the builtins'
		// code on every value was a fifth of the function
		if !(v > lo) {
			lo = min(lo, v)
		}
		if !(v < hi) {
			hi = max(hi, v)
		}
		whole = whole && isWhole(v)
	}
	s := codedSeries(lo, hi, whole, full, ns[first], int(ns[last]-ns[first]+1))
	if s.kind == seriesConst {
		return s
	}
	codes, c0 := s.codes, s.c0
	for i := first; i <= last; i++ {
		if v := vs[i]; !bad(v) {
			codes[ns[i]-c0] = s.code(v)
		}
	}
	return s
}

// merged appends to out the series' columns merged to width
// 2^(shift+up), shift being the width it was stored at. A column's slots
// are points of it in time order, among them its first, last, smallest and
// largest, so the wider columns are those of the slots taken as points.
func (s *viewSeries) merged(shift, up uint, out []m4col[uint16]) []m4col[uint16] {
	slots := slotsOf(shift)
	for i := 0; i+slots <= len(s.codes); i += slots {
		src := s.codes[i : i+slots]
		if src[0] == noCode {
			continue
		}
		c := (s.c0 + int64(i/slots)) >> up
		n := len(out)
		if n == 0 || out[n-1].c != c {
			out = append(out, newM4col(c, src[0]))
			n++
		} else {
			addCode(&out[n-1], src[0])
		}
		k := &out[n-1]
		for _, v := range src[1:] {
			addCode(k, v)
		}
	}
	return out
}

// span returns the first and last column of the series at width
// 2^(shift+up).
func (s *viewSeries) span(shift, up uint) (int64, int64) {
	n := int64(len(s.codes) / slotsOf(shift))
	return s.c0 >> up, (s.c0 + n - 1) >> up
}

// metric returns drill-down metric j of the view, nil when the view has
// none (a HostView not made by NewHostView).
func (v *HostView) metric(j int) *viewMetric {
	if j < 0 || j >= len(v.metrics) {
		return nil
	}
	return &v.metrics[j]
}
