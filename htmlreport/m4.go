package htmlreport

import "cmp"

// M4 reduction (Jugel et al., "M4: A Visualization-Oriented Time Series
// Data Aggregation", VLDB 2014): of the points that fall in one pixel
// column of a line chart, only the first, the last, the smallest and the
// largest decide which pixels the line covers, so a chart of those four
// per column looks like the chart of every point, spikes included.
//
// Columns here are runs of 2^shift bins on the global bin axis (see
// binNumber), aligned on multiples of 2^shift: two neighbouring columns of
// one width are exactly one column of the next, so reductions made
// independently (one host at a time, before the run's time range is
// known) can be merged to one common width when the page is written: a
// column's points, drawn in time order (slots), include its first, last,
// smallest and largest, so the columns of the next width are the columns
// of those points.

// m4col is one column: its first and last value, its smallest and largest
// (the first of each, if repeated), and whether the smallest comes before
// the largest. The positions themselves are not kept: the page draws a
// column's points at fixed slots inside it, in this order, and merging
// columns needs only the order.
type m4col[T cmp.Ordered] struct {
	c            int64 // column: bin number >> shift
	f, mn, mx, l T
	minFirst     bool
}

func newM4col[T cmp.Ordered](c int64, v T) m4col[T] {
	return m4col[T]{c: c, f: v, mn: v, mx: v, l: v, minFirst: true}
}

// add appends a later point to the column.
func (k *m4col[T]) add(v T) {
	k.l = v
	if v < k.mn {
		k.mn, k.minFirst = v, false
	}
	if v > k.mx {
		k.mx, k.minFirst = v, true
	}
}

// addCode is add for page codes, without branches: on noisy series a
// code is a new smallest or largest of its column about half the time,
// and add's branches mispredicted as often.
func addCode(k *m4col[uint16], v uint16) {
	var mf, keep, top uint8 // set by conditional moves
	if k.minFirst {
		mf = 1
	}
	if v >= k.mn {
		keep = 1
	}
	if v > k.mx {
		top = 1
	}
	k.l, k.mn, k.mx, k.minFirst = v, min(k.mn, v), max(k.mx, v), mf&keep|top != 0
}

// m4Reduce appends to out the columns of width 2^shift of the points
// (ns[i], vs[i]), bin numbers ascending; NaN and ±Inf are no value, and a
// column without a value is left out.
func m4Reduce(ns []int64, vs []float64, shift uint, out []m4col[float64]) []m4col[float64] {
	for i, v := range vs {
		if bad(v) {
			continue
		}
		c := ns[i] >> shift
		if n := len(out); n > 0 && out[n-1].c == c {
			out[n-1].add(v)
			continue
		}
		out = append(out, newM4col(c, v))
	}
	return out
}

// maxSlots is the most points a column is drawn with.
const maxSlots = 4

// slotsOf is the number of points a column of 2^shift bins is drawn with:
// one for a bin, two (first and last, which are also the extremes) for two
// bins, four from four bins on.
func slotsOf(shift uint) int {
	if shift >= 2 {
		return maxSlots
	}
	return 1 << shift
}

// slots writes the column's points in time order into dst, len(dst) of
// them: see slotsOf.
func (k *m4col[T]) slots(dst []T) {
	switch len(dst) {
	case 1:
		dst[0] = k.f
	case 2:
		dst[0], dst[1] = k.f, k.l
	default:
		a, b := k.mn, k.mx
		if !k.minFirst {
			a, b = b, a
		}
		dst[0], dst[1], dst[2], dst[3] = k.f, a, b, k.l
	}
}
