package agg

import (
	"fmt"
	"math"
	"slices"
)

// cluster applies the cluster-wide rules to r's series: the cache hit
// rate, and surges of misses or remote hits.
func (fs *FindingSet) cluster(r *Result) []episode {
	th := fs.th
	s := &scope{starts: r.Bins, interval: fs.interval, th: th}
	s.series(&rule{rule: "cache_hit_rate", metric: "cache_hit_rate", what: "cluster cache hit rate below " + pct(th.HitWarn),
		unit: UnitRatio, low: true, threshold: byLevel(th.HitWarn, th.HitCritical),
		level: func(g int) (Severity, float64) {
			switch v := r.HitRate[g]; {
			case v < th.HitCritical:
				return Critical, v
			case v < th.HitWarn:
				return Warn, v
			}
			return Info, 0
		},
		describe: func(e *episode, _ []mark) {
			e.msg = "cluster cache hit rate fell to " + pct(e.value) + lasting(e)
			e.hosts = fs.hostsBelow(e.start, e.end)
		}})

	excess := fs.excess(r)
	for _, m := range []struct {
		k            int
		key, label   string
		excessColumn int
	}{{OCMiss, "oc_miss_sum", "cache misses", 0}, {3, "oc_remote_hit_sum", "remote hits", 1}} {
		series := slices.Clone(r.OCSum[m.k])
		for g := range series {
			series[g] -= excess[g][m.excessColumn]
		}
		base := surgeBase(series, th)
		s.series(&rule{rule: "surge", metric: m.key, what: m.label + " surging", unit: "requests",
			threshold: constant(0),
			level: func(g int) (Severity, float64) {
				if math.IsNaN(base[g]) {
					return Info, 0
				}
				return Warn, series[g]
			},
			describe: func(e *episode, mk []mark) {
				med := base[index(r.Bins, e.at)]
				e.threshold = th.SurgeFactor * math.Max(med, 1)
				e.msg = fmt.Sprintf("%s surged to %s per bin (%.1f× the median %s of the bins before)%s",
					m.label, count(e.value), e.value/math.Max(med, 1), count(med), lasting(e))
			}})
	}
	return s.out
}

// surgeBase returns, for each bin that surges, the median of the ten bins
// before it that did not (NaN for the others): a bin surges when it is at
// least SurgeMin and more than SurgeFactor times that median. Surging bins
// stay out of the median, so a long surge is one episode, not its first
// bins only.
func surgeBase(series Series, th Thresholds) []float64 {
	base := make([]float64, len(series))
	var hist []float64
	for g, v := range series {
		base[g] = math.NaN()
		if math.IsNaN(v) {
			continue
		}
		if len(hist) >= 3 {
			if med := median(slices.Clone(hist)); v >= th.SurgeMin && v > th.SurgeFactor*math.Max(med, 1) {
				base[g] = med
				continue
			}
		}
		hist = append(hist, v)
		if len(hist) > 10 {
			hist = hist[1:]
		}
	}
	return base
}

// excess returns, per bin of r, the misses and remote hits that hosts
// coming back from a silence counted in it for the whole silence.
func (fs *FindingSet) excess(r *Result) [][2]float64 {
	out := make([][2]float64, len(r.Bins))
	for _, c := range fs.catchUp {
		if g := index(r.Bins, c.start); g >= 0 {
			out[g][0] += c.excess[0]
			out[g][1] += c.excess[1]
		}
	}
	return out
}

// hostsBelow lists the hosts whose hit rate was below HitWarn in a bin of
// [from, to).
func (fs *FindingSet) hostsBelow(from, to int64) []string {
	var out []string
	for _, sp := range fs.lowHit {
		if sp.start < to && sp.end > from {
			out = append(out, sp.host)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
