package agg

import (
	"math"
	"slices"
)

// Leak detection: a change-point search finds where a series starts to
// rise (and where the rise ends), then a Mann–Kendall test and a
// Theil–Sen slope on that stretch decide whether it is a steady rise. The
// search is linear in the number of bins after bucketing; the quadratic
// tests run on at most trendPoints bucket means.

const (
	searchPoints = 200 // the change-point search runs on at most this many bucket means
	trendPoints  = 128 // the trend tests run on at most this many
	leakZ        = 3.0 // Mann–Kendall z of the rise (one-sided p < 0.0014)
)

// riseFit is a steady rise of a series, from point a to point b.
type riseFit struct {
	a, b   int
	tau, z float64 // Kendall τ-b and Mann–Kendall z of the stretch
	slope  float64 // Theil–Sen slope, per microsecond
	base   float64 // level at a on the Theil–Sen line
	rise   float64 // slope × duration, relative to |base|
}

// findRise looks for a steady rise of ys (at times ts, ascending) that
// may start and end anywhere: the rising stretch of the best
// flat–rise–flat fit, kept when it spans LeakMinBins points, its Kendall
// τ-b is at least LeakTau with a Mann–Kendall z of at least leakZ, it rises
// by LeakMinRise of its starting level, and at the end of the window (its
// last 5%, at least LeakMinBins points) the series is still above half
// the rise.
func findRise(ts []int64, ys []float64, th Thresholds) (riseFit, bool) {
	var f riseFit
	if len(ys) < max(th.LeakMinBins, 3) {
		return f, false
	}
	a, b, ok := rampSearch(ts, ys)
	if !ok || b-a+1 < th.LeakMinBins {
		return f, false
	}
	st, sy := bucketMeans(ts[a:b+1], ys[a:b+1], trendPoints)
	if lo, hi := sy[0], sy[len(sy)-1]; hi-lo < th.LeakMinRise/2*math.Abs(lo) {
		return f, false // too small a rise to test
	}
	f.a, f.b = a, b
	f.tau, f.z = mannKendall(sy)
	if f.tau < th.LeakTau || f.z < leakZ {
		return f, false
	}
	if f.slope = theilSen(st, sy); f.slope <= 0 {
		return f, false
	}
	rest := make([]float64, len(sy))
	for i := range sy {
		rest[i] = sy[i] - f.slope*(st[i]-float64(ts[a]))
	}
	f.base = median(rest)
	up := f.slope * float64(ts[b]-ts[a])
	if f.rise = up / math.Abs(f.base); f.base == 0 || f.rise < th.LeakMinRise {
		return f, false
	}
	if tail := max(th.LeakMinBins, len(ys)/20); b < len(ys)-1 && mean(ys[max(b+1, len(ys)-tail):]) < f.base+up/2 {
		return f, false // it fell back by the end of the window
	}
	return f, true
}

// rampSum holds prefix sums of t, t², y and t·y (t in hours from the
// first point) for least-squares fits of ramps, and the parts of a fit's
// sums that depend on its end only (see best).
type rampSum struct {
	t, tt, y, ty []float64
	x            []float64 // the times
	p, q, r      []float64 // per end b: see best
}

func newRampSum(t, y []float64) *rampSum {
	n := len(t)
	s := &rampSum{t: make([]float64, n+1), tt: make([]float64, n+1), y: make([]float64, n+1), ty: make([]float64, n+1), x: t,
		p: make([]float64, n), q: make([]float64, n), r: make([]float64, n)}
	for i := range t {
		s.t[i+1] = s.t[i] + t[i]
		s.tt[i+1] = s.tt[i] + t[i]*t[i]
		s.y[i+1] = s.y[i] + y[i]
		s.ty[i+1] = s.ty[i] + t[i]*y[i]
	}
	ally := s.y[n]
	for b, x := range t {
		after := float64(n - b - 1)
		s.p[b] = s.t[b+1] + x*after
		s.q[b] = s.tt[b+1] + x*x*after
		s.r[b] = s.ty[b+1] + x*(ally-s.y[b+1])
	}
	return s
}

// span is the points lo … hi-1.
type span struct{ lo, hi int }

// best returns the a in as and b in bs (a < b) whose ramp, rising from
// point a to point b, most lowers the squared error of a constant fit, and
// by how much; -1, -1, 0 when no ramp rises. The ramp's x is t − t_a
// clamped to [0, t_b − t_a]; its sums over all n points split into parts
// of b alone (newRampSum) and of a alone (here), with T, TT, Y, TY the
// prefix sums of t, t², y, t·y and m = n − b − 1 the points after b:
//
//	Σx  = p_b + (t_a·a − T_a − t_a·n),            p_b = T_{b+1} + t_b·m
//	Σx² = q_b − 2t_a·p_b + (t_a²(n−a) − TT_a + 2t_a·T_a), q_b = TT_{b+1} + t_b²·m
//	Σxy = r_b + (t_a·Y_a − t_a·Y_n − TY_a),       r_b = TY_{b+1} + t_b(Y_n − Y_{b+1})
//
// so the coarse search, every pair of 200 points, costs a few
// multiplications per pair (gains are compared as cov² > best·vx, without
// a division).
func (s *rampSum) best(as, bs span) (int, int, float64) {
	nn := len(s.x)
	n, ally := float64(nn), s.y[nn]
	mean, inv := ally/n, 1/n
	ba, bb, bg := -1, -1, 0.0
	for a := as.lo; a < as.hi; a++ {
		b0 := max(bs.lo, a+1)
		if b0 >= bs.hi {
			continue
		}
		ta, fa := s.x[a], float64(a)
		c1 := ta*fa - s.t[a] - ta*n
		c2 := ta*ta*(n-fa) - s.tt[a] + 2*ta*s.t[a]
		c3 := ta*s.y[a] - ta*ally - s.ty[a]
		two := 2 * ta
		ps := s.p[b0:bs.hi]
		qs, rs := s.q[b0:bs.hi][:len(ps)], s.r[b0:bs.hi][:len(ps)]
		for k, p := range ps {
			sx := p + c1
			cov := rs[k] + c3 - sx*mean
			vx := qs[k] - two*p + c2 - sx*sx*inv
			if vx <= 1e-12 || cov <= 0 || cov*cov <= bg*vx {
				continue
			}
			ba, bb, bg = a, b0+k, cov*cov/vx
		}
	}
	return ba, bb, bg
}

// rampSearch fits y = c + β·clamp(t − t_a, 0, t_b − t_a) by least squares
// over every a < b and returns the best rising fit's a and b: on at most
// searchPoints bucket means (O(searchPoints²)), then on the points of the
// buckets around each end (linear).
func rampSearch(ts []int64, ys []float64) (a, b int, ok bool) {
	hours := func(t []int64) []float64 {
		out := make([]float64, len(t))
		for i, v := range t {
			out[i] = float64(v-ts[0]) / 3600e6
		}
		return out
	}
	full := newRampSum(hours(ts), ys)
	n := len(ys)
	m := min(n, searchPoints)
	bt, by := bucketMeans(ts, ys, m)
	coarse := newRampSum(func() []float64 {
		out := make([]float64, m)
		for i, v := range bt {
			out[i] = (v - float64(ts[0])) / 3600e6
		}
		return out
	}(), by)
	ca, cb, g := coarse.best(span{0, m}, span{0, m})
	if g <= 0 {
		return 0, 0, false
	}
	if m == n {
		return ca, cb, true
	}
	near := func(k int) span { // the points of buckets k-1 … k+1
		return span{max(0, k-1) * n / m, min(m, k+2) * n / m}
	}
	one := func(i int) span { return span{i, i + 1} }
	// one end at a time: the buckets' points around a with b at its
	// bucket's last point, then around b
	b = min(n, (cb+1)*n/m) - 1
	a, _, g = full.best(near(ca), one(b))
	if g <= 0 {
		return 0, 0, false
	}
	_, b, _ = full.best(one(a), near(cb))
	a, _, g = full.best(near(ca), one(b))
	return a, b, g > 0
}

// bucketMeans averages (ts, ys) over n buckets of consecutive points (all
// of them when there are at most n).
func bucketMeans(ts []int64, ys []float64, n int) ([]float64, []float64) {
	n = min(n, len(ys))
	bt, by := make([]float64, n), make([]float64, n)
	for k := range n {
		lo, hi := k*len(ys)/n, (k+1)*len(ys)/n
		var st, sy float64
		for i := lo; i < hi; i++ {
			st += float64(ts[i])
			sy += ys[i]
		}
		bt[k], by[k] = st/float64(hi-lo), sy/float64(hi-lo)
	}
	return bt, by
}

// mannKendall returns Kendall's τ-b of ys against their order (time has
// no ties; ties in ys are corrected for) and the Mann–Kendall z of the
// trend, with the tie-corrected variance of S.
func mannKendall(ys []float64) (tauB, z float64) {
	n := len(ys)
	var s int
	for i := range n {
		for j := i + 1; j < n; j++ {
			switch {
			case ys[j] > ys[i]:
				s++
			case ys[j] < ys[i]:
				s--
			}
		}
	}
	sorted := slices.Clone(ys)
	slices.Sort(sorted)
	var tiedPairs, tieVar float64
	for i := 0; i < n; {
		j := i + 1
		for j < n && sorted[j] == sorted[i] {
			j++
		}
		t := float64(j - i)
		tiedPairs += t * (t - 1) / 2
		tieVar += t * (t - 1) * (2*t + 5)
		i = j
	}
	fn := float64(n)
	pairs := fn * (fn - 1) / 2
	if pairs-tiedPairs <= 0 {
		return 0, 0
	}
	tauB = float64(s) / math.Sqrt(pairs*(pairs-tiedPairs))
	v := (fn*(fn-1)*(2*fn+5) - tieVar) / 18
	switch {
	case s > 0:
		z = float64(s-1) / math.Sqrt(v)
	case s < 0:
		z = float64(s+1) / math.Sqrt(v)
	}
	return tauB, z
}

// theilSen is the median of the slopes between all pairs of points with
// different times.
func theilSen(ts, ys []float64) float64 {
	slopes := make([]float64, 0, len(ys)*(len(ys)-1)/2)
	for i := range ys {
		for j := i + 1; j < len(ys); j++ {
			if ts[j] != ts[i] {
				slopes = append(slopes, (ys[j]-ys[i])/(ts[j]-ts[i]))
			}
		}
	}
	if len(slopes) == 0 {
		return 0
	}
	return median(slopes)
}

// median returns the median of xs, which it reorders.
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 0 {
		return (xs[n/2-1] + xs[n/2]) / 2
	}
	return xs[n/2]
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
