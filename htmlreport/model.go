package htmlreport

import (
	"math"

	"github.com/resreport/resreport/agg"
	"github.com/resreport/resreport/columnar"
)

// clusterColumns returns every per-bin cluster column of r by its --json
// key (see agg.WriteJSON): host_count, avg/max/min of each gauge, the OC
// counter sums and averages, oc_hosts, cache_hit_rate, total_hits and
// total_requests.
func clusterColumns(r *agg.Result) map[string]agg.Series {
	nb := len(r.Bins)
	cols := map[string]agg.Series{
		"host_count":     intSeries(r.HostCount, nb),
		"oc_hosts":       intSeries(r.OCHosts, nb),
		"cache_hit_rate": r.HitRate,
		"total_hits":     r.TotalHits,
		"total_requests": r.TotalRequests,
	}
	for m, s := range r.Gauges {
		if s.Avg == nil {
			continue
		}
		k := agg.Key(m)
		cols[k+"_avg"], cols[k+"_max"], cols[k+"_min"] = s.Avg, s.Max, s.Min
	}
	for k := 0; k < agg.NumOC; k++ {
		key := agg.Key(ocColumn(k))
		cols[key+"_sum"], cols[key+"_avg"] = r.OCSum[k], r.OCAvg[k]
	}
	return cols
}

// ocColumn is the catalogue index of OC_HIT_NUM counter k.
func ocColumn(k int) int {
	for g, grp := range columnar.Groups {
		if grp.Name == "OC_HIT_NUM" {
			return columnar.GroupStart[g] + k
		}
	}
	panic("htmlreport: no OC_HIT_NUM group")
}

func intSeries(v []int, n int) agg.Series {
	s := make(agg.Series, n)
	for i := range s {
		if i < len(v) {
			s[i] = float64(v[i])
		} else {
			s[i] = math.NaN()
		}
	}
	return s
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

// onAxis spreads a per-bin series over the axis, NaN where the axis has a
// bin without data.
func (a *timeAxis) onAxis(s agg.Series) []float64 {
	out := make([]float64, len(a.starts))
	for i := range out {
		out[i] = math.NaN()
	}
	for g, v := range s {
		if g < len(a.pos) {
			out[a.pos[g]] = v
		}
	}
	return out
}

// hostRuns encodes a host's bins as runs on the axis: [start, length, ...].
func (a *timeAxis) hostRuns(bins []int) []int {
	var runs []int
	for _, g := range bins {
		p := a.pos[g]
		if n := len(runs); n > 0 && runs[n-2]+runs[n-1] == p {
			runs[n-1]++
			continue
		}
		runs = append(runs, p, 1)
	}
	return runs
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
