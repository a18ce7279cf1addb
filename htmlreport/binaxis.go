package htmlreport

import "github.com/resreport/resreport/columnar"

// binAxis is a chart's x axis: the columns of 2^shift bins (see
// binNumber) from the one holding bin number n0 to the one holding n1,
// each drawn as slotsOf(shift) points. At shift 0 it is every bin from the
// first to the last, empty ones included.
type binAxis struct {
	interval int64
	shift    uint
	n0, n1   int64 // first and last bin number; n1 < n0: no bins
}

func (a *binAxis) empty() bool { return a.n1 < a.n0 }

// c0 is the first column.
func (a *binAxis) c0() int64 { return a.n0 >> a.shift }

// cols is the number of columns.
func (a *binAxis) cols() int {
	if a.empty() {
		return 0
	}
	return int(a.n1>>a.shift-a.c0()) + 1
}

func (a *binAxis) slots() int { return slotsOf(a.shift) }

// points is the number of points of a series that spans the axis.
func (a *binAxis) points() int { return a.cols() * a.slots() }

// width is the span of one column, e.g. "8 min".
func (a *binAxis) width() string { return intervalText(a.interval << a.shift) }

// labels are the axis labels, one per point: each column's points carry
// the label of its first bin on the axis.
func (a *binAxis) labels() []string {
	out := make([]string, 0, a.points())
	if a.empty() {
		return out
	}
	withYear := yearOf(binStart(a.n0, a.interval)) != yearOf(binStart(a.n1, a.interval))
	for c := a.c0(); c <= a.n1>>a.shift; c++ {
		l := binLabel(binStart(max(c<<a.shift, a.n0), a.interval), a.interval, withYear)
		for range a.slots() {
			out = append(out, l)
		}
	}
	return out
}

func yearOf(us int64) string { return columnar.FormatTimestamp(us)[:4] }

// span returns the points of the axis from the first of the column holding
// start to the last of the column of the last bin starting before end,
// clamped to the axis.
func (a *binAxis) span(start, end int64) (int, int) {
	n := a.points()
	if n == 0 {
		return 0, 0
	}
	pos := func(t int64) int {
		c := binNumber(t, a.interval)>>a.shift - a.c0()
		return int(min(max(c, 0), int64(a.cols()-1))) * a.slots()
	}
	from := pos(start)
	to := pos(max(start, end-1)) + a.slots() - 1
	return from, min(max(to, from), n-1)
}
