package htmlreport

import (
	"math"

	"github.com/resreport/resreport/agg"
	"github.com/resreport/resreport/columnar"
)

// clusterColumns returns every per-bin cluster column of r by its --json
// key (agg.Result.ClusterColumns, the same columns as agg.WriteJSON).
func clusterColumns(r *agg.Result) map[string]agg.Series {
	cols := map[string]agg.Series{}
	for _, c := range r.ClusterColumns() {
		cols[c.Key] = c.Values
	}
	return cols
}

// timeAxis is the x axis every chart shares: all bins from the first to the
// last, including bins where no host has a record, so that a pause in the
// logs is a gap and not a jump. pos maps an index of Result.Bins to its
// axis position.
type timeAxis struct {
	starts []int64
	labels []string
	pos    []int
	filled bool // false: empty bins were left out (too many)
}

// maxAxis bounds the filled axis; a run with more bins than this between
// its first and last record gets an axis of its non-empty bins only.
const maxAxis = 200_000

func buildAxis(r *agg.Result) timeAxis {
	a := timeAxis{pos: make([]int, len(r.Bins))}
	n := len(r.Bins)
	if n == 0 {
		return a
	}
	var starts []int64
	if r.Interval > 0 {
		last := r.Bins[n-1]
		for s := r.Bins[0]; s <= last; s = nextBin(s, r.Interval) {
			if len(starts) >= maxAxis && len(starts) >= 2*n {
				starts = nil
				break
			}
			starts = append(starts, s)
		}
	}
	if starts == nil {
		starts = append([]int64(nil), r.Bins...)
	} else {
		a.filled = true
	}
	a.starts = starts
	j := 0
	for g, b := range r.Bins {
		for j < len(starts) && starts[j] < b {
			j++
		}
		if j == len(starts) || starts[j] != b { // bins not on the binner's grid: use them as they are
			return buildPlainAxis(r)
		}
		a.pos[g] = j
	}
	a.labels = labels(starts, r.Interval)
	return a
}

func buildPlainAxis(r *agg.Result) timeAxis {
	a := timeAxis{starts: append([]int64(nil), r.Bins...), pos: make([]int, len(r.Bins))}
	for g := range r.Bins {
		a.pos[g] = g
	}
	a.labels = labels(a.starts, r.Interval)
	return a
}

func labels(starts []int64, interval int64) []string {
	out := make([]string, len(starts))
	withYear := len(starts) > 0 && columnar.FormatTimestamp(starts[0])[:4] != columnar.FormatTimestamp(starts[len(starts)-1])[:4]
	for i, s := range starts {
		out[i] = binLabel(s, interval, withYear)
	}
	return out
}

const usPerDay = 86400 * 1_000_000

// nextBin returns the start of the bin after the one starting at s, with
// agg.Binner's rule: bins restart at each midnight, so a width that does
// not divide a day gives a short last bin.
func nextBin(s, interval int64) int64 {
	day := s - floorMod(s, usPerDay)
	next := s + interval
	if next > day+usPerDay {
		next = day + usPerDay
	}
	return next
}

func floorMod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

func hasValue(s []float64) bool {
	for _, v := range s {
		if !bad(v) {
			return true
		}
	}
	return false
}

// maxOf and minOf return the largest and smallest value of s, NaN when it
// has none, and the index of the first one.
func maxOf(s []float64) (float64, int) {
	best, at := math.NaN(), -1
	for i, v := range s {
		if !bad(v) && (at < 0 || v > best) {
			best, at = v, i
		}
	}
	return best, at
}

func minOf(s []float64) (float64, int) {
	best, at := math.NaN(), -1
	for i, v := range s {
		if !bad(v) && (at < 0 || v < best) {
			best, at = v, i
		}
	}
	return best, at
}

func last(s []float64) float64 {
	if len(s) == 0 {
		return math.NaN()
	}
	return s[len(s)-1]
}

// lastValue returns the last value of s that is a number, and its index.
func lastValue(s []float64) (float64, int) {
	for i := len(s) - 1; i >= 0; i-- {
		if !bad(s[i]) {
			return s[i], i
		}
	}
	return math.NaN(), -1
}
