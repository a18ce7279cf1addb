package agg

import (
	"github.com/resreport/resreport/columnar"
	"math"
	"sort"
)

// A rule marks the bins where it fires; marks at most one bin apart form a
// stretch, the raw episode. Whether a stretch is reported on its own depends on
// how long it lasts and on how often the rule fires by chance on the same
// series (noiseModel); the rest are blips, summarised per rule and metric.

// mark is a bin where a rule fired: its index in the scope's bins, its
// level and the evidence.
type mark struct {
	i   int
	sev Severity // Warn or Critical
	v   float64
}

// stretch is a run of marks: consecutive marks start at most two bins
// apart (one bin without the rule firing, or without data, is bridged).
type stretch struct {
	m          []mark
	start, end int64 // start of the first marked bin, end of the last
	k, kc      int   // marks, of which critical
}

// binEnd is the end of the bin starting at s: the next bin start, or
// midnight for a day's short last bin (as Binner cuts them).
func binEnd(s, interval int64) int64 {
	day := columnar.FloorDiv(s, microsPerDay) * microsPerDay
	return min(s+interval, day+microsPerDay)
}

// stretchesOf groups marks (ascending by bin) into stretches.
func stretchesOf(marks []mark, starts []int64, interval int64) []stretch {
	var out []stretch
	for a := 0; a < len(marks); {
		b := a + 1
		for b < len(marks) && starts[marks[b].i]-starts[marks[b-1].i] <= 2*interval {
			b++
		}
		out = append(out, newStretch(marks[a:b], starts, interval))
		a = b
	}
	return out
}

func newStretch(m []mark, starts []int64, interval int64) stretch {
	r := stretch{m: m, start: starts[m[0].i], end: binEnd(starts[m[len(m)-1].i], interval), k: len(m)}
	for _, x := range m {
		if x.sev == Critical {
			r.kc++
		}
	}
	return r
}

// trim drops marks at the ends of r that are below its peak level and set
// off from the rest by a bin without a mark: a stray blip of a lesser
// level that the bridging joined to a real episode.
func (r stretch) trim(starts []int64, interval int64) stretch {
	peak := Warn
	if r.kc > 0 {
		peak = Critical
	}
	m := r.m
	for len(m) > 1 && m[0].sev < peak && starts[m[1].i]-starts[m[0].i] > interval {
		m = m[1:]
	}
	for n := len(m); n > 1 && m[n-1].sev < peak && starts[m[n-1].i]-starts[m[n-2].i] > interval; n = len(m) {
		m = m[:n-1]
	}
	return newStretch(m, starts, interval)
}

// noiseAlpha bounds the expected number of stretches as long as a
// reported one that a series' noise would produce by chance.
const noiseAlpha = 1e-3

// chance is the expected number of stretches of at least k marks among n bins
// when each bin is marked independently with probability p and one-bin
// gaps are bridged: n·p starts, each followed by another mark within two
// bins with probability q = 1-(1-p)².
func chance(k int, p, n float64) float64 {
	if p <= 0 {
		return 0
	}
	p = min(p, 1)
	q := 1 - (1-p)*(1-p)
	return n * p * math.Pow(q, float64(k-1))
}

// noiseModel is how often a rule fires on one series: m marks (mc
// critical) over n bins.
type noiseModel struct {
	n, m, mc float64
	interval int64
	sustain  int64
}

func newNoiseModel(all []mark, starts []int64, interval, sustain int64) noiseModel {
	nm := noiseModel{n: float64(binEnd(starts[len(starts)-1], interval)-starts[0]) / float64(interval),
		m: float64(len(all)), interval: interval, sustain: sustain}
	for _, x := range all {
		if x.sev == Critical {
			nm.mc++
		}
	}
	return nm
}

// verdict is what judge says of a stretch.
type verdict struct {
	sig  bool     // an episode to report on its own; else a blip
	sev  Severity // Critical only for an episode
	core bool     // only its critical marks stand out: report those alone
	p    float64  // the rule's rate on the rest of the series
}

// judge tells whether stretch r is an episode to report on its own, and
// its severity. It must last at least Sustain, and its marks must be
// unlikely by chance given how often the rule fires on the rest of the
// series (leave-one-out: a real episode does not raise its own baseline;
// noise spread over the whole series does). It is critical when its
// critical marks alone are unlikely. A single bin is never an episode.
func (nm noiseModel) judge(r stretch) verdict {
	rest := max(1, nm.n-float64(r.end-r.start)/float64(nm.interval))
	v := verdict{sev: Warn, p: (nm.m - float64(r.k)) / rest}
	if r.k < 2 || r.end-r.start < nm.sustain {
		return v
	}
	v.sig = chance(r.k, v.p, nm.n) <= noiseAlpha
	if r.kc >= 2 && chance(r.kc, (nm.mc-float64(r.kc))/rest, nm.n) <= noiseAlpha {
		v.core, v.sig, v.sev = !v.sig, true, Critical
	}
	return v
}

// sharpen narrows r to the part that stands out from noise of rate p: the
// stretch of bins maximising the log-likelihood ratio of being marked at
// r's own density rather than at p (a maximum-sum segment, linear).
// Noise bins bridged onto the ends of an episode fall off; the one-bin
// gaps of an episode in sparse noise stay.
func (r stretch) sharpen(p float64, starts []int64, interval int64) stretch {
	rho := min(0.999, float64(r.k)*float64(interval)/float64(r.end-r.start))
	if p <= 0 || rho <= p {
		return r
	}
	hit, miss := math.Log(rho/p), math.Log((1-rho)/(1-p))
	best, cur := math.Inf(-1), 0.0
	a, b, from := 0, 0, 0
	for j := range r.m {
		if j > 0 {
			cur += float64((starts[r.m[j].i]-starts[r.m[j-1].i])/interval-1) * miss
		}
		if cur < 0 {
			cur, from = 0, j
		}
		if cur += hit; cur > best {
			best, a, b = cur, from, j
		}
	}
	return newStretch(r.m[a:b+1], starts, interval)
}

// core is r from its first to its last critical mark.
func (r stretch) core(starts []int64, interval int64) stretch {
	a, b := 0, len(r.m)-1
	for r.m[a].sev != Critical {
		a++
	}
	for r.m[b].sev != Critical {
		b--
	}
	return newStretch(r.m[a:b+1], starts, interval)
}

// episode is one host's (or the cluster's) episode of a rule, as kept by
// a FindingSet: a few numbers and texts, no series.
type episode struct {
	rule, metric string
	what         string // for a summary of blips: "ETCD request success rate below 100%"
	unit         string
	host         string   // "" for the cluster
	hosts        []string // of a cluster episode: the hosts involved
	start, end   int64
	bins         int
	sev          Severity
	sig          bool // reported on its own; else a blip
	low          bool // the evidence is a trough
	value        float64
	at           int64 // when value was seen
	threshold    float64
	msg          string
}

// worse orders episodes by their evidence (lower for troughs), then time
// and host, so that the worst is the same whatever order hosts came in.
func (e *episode) worse(o *episode) bool {
	if e.value != o.value && !math.IsNaN(e.value) && !math.IsNaN(o.value) {
		return e.low == (e.value < o.value)
	}
	if e.at != o.at {
		return e.at < o.at
	}
	return e.host < o.host
}

// scope evaluates rules over one series of bins: a host's, or the
// cluster's (host "").
type scope struct {
	host     string
	starts   []int64
	interval int64
	th       Thresholds
	out      []episode
}

// rule describes a rule evaluated bin by bin.
type rule struct {
	rule, metric, what, unit string
	low                      bool
	// level returns the rule's level in bin i (Info: it does not fire)
	// and the evidence.
	level     func(i int) (Severity, float64)
	threshold func(Severity) float64
	// describe sets the episode's message (and may refine its rule,
	// value and unit) from its marks.
	describe func(e *episode, m []mark)
}

func (s *scope) series(r *rule) {
	var marks []mark
	for i := range s.starts {
		if sev, v := r.level(i); sev > Info {
			marks = append(marks, mark{i, sev, v})
		}
	}
	s.marked(r, marks)
}

// marked turns the marks of r into episodes.
func (s *scope) marked(r *rule, marks []mark) {
	if len(marks) == 0 {
		return
	}
	nm := newNoiseModel(marks, s.starts, s.interval, s.th.Sustain.Microseconds())
	for _, rn := range stretchesOf(marks, s.starts, s.interval) {
		v := nm.judge(rn)
		switch {
		case v.core:
			rn = rn.core(s.starts, s.interval)
		case v.sig:
			for range 3 { // each pass sees a denser episode
				rn = rn.sharpen(v.p, s.starts, s.interval)
			}
			rn = rn.trim(s.starts, s.interval)
		}
		e := episode{rule: r.rule, metric: r.metric, what: r.what, unit: r.unit, host: s.host,
			start: rn.start, end: rn.end, bins: rn.k, sev: v.sev, sig: v.sig, low: r.low}
		e.threshold = r.threshold(v.sev)
		best := -1
		for j, x := range rn.m {
			if best < 0 || (r.low && x.v < rn.m[best].v) || (!r.low && x.v > rn.m[best].v) {
				best = j
			}
		}
		e.value, e.at = rn.m[best].v, s.starts[rn.m[best].i]
		r.describe(&e, rn.m)
		s.out = append(s.out, e)
	}
}

func constant(v float64) func(Severity) float64 { return func(Severity) float64 { return v } }

func byLevel(warn, crit float64) func(Severity) float64 {
	return func(s Severity) float64 {
		if s == Critical {
			return crit
		}
		return warn
	}
}

// index returns the position of the bin starting at t in starts, or -1.
func index(starts []int64, t int64) int {
	i := sort.Search(len(starts), func(i int) bool { return starts[i] >= t })
	if i < len(starts) && starts[i] == t {
		return i
	}
	return -1
}
