package agg

import (
	"math"
	"math/rand/v2"
	"testing"
)

// tauModel is Kendall's τ-b from its definition: concordant minus
// discordant pairs over the geometric mean of the pairs not tied in
// either variable (time has no ties).
func tauModel(ys []float64) float64 {
	var c, d, untied float64
	for i := range ys {
		for j := i + 1; j < len(ys); j++ {
			switch {
			case ys[j] > ys[i]:
				c++
			case ys[j] < ys[i]:
				d++
			}
		}
	}
	untied = c + d
	n := float64(len(ys))
	return (c - d) / math.Sqrt(n*(n-1)/2*untied)
}

func TestMannKendall(t *testing.T) {
	// scipy.stats.kendalltau([0, 1, 2, 3], [1, 2, 2, 3]) = 0.9128709291752769;
	// S = 5, Var(S) = (4·3·13 − 2·1·9)/18 = 7.6667
	tau, z := mannKendall([]float64{1, 2, 2, 3})
	if math.Abs(tau-0.9128709291752769) > 1e-12 || math.Abs(z-4/math.Sqrt(138.0/18)) > 1e-12 {
		t.Errorf("tau-b %v, z %v", tau, z)
	}
	if tau, z := mannKendall([]float64{5, 5, 5}); tau != 0 || z != 0 {
		t.Errorf("constant series: tau %v z %v", tau, z)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 300 {
		ys := make([]float64, 3+rng.IntN(60))
		levels := 1 + rng.IntN(8) // few levels: many ties
		for i := range ys {
			ys[i] = float64(rng.IntN(levels)) + float64(i)*rng.Float64()*0.1
		}
		if got, want := func() float64 { v, _ := mannKendall(ys); return v }(), tauModel(ys); math.Abs(got-want) > 1e-12 && !(math.IsNaN(want) && got == 0) {
			t.Fatalf("tau-b of %v: %v, model %v", ys, got, want)
		}
	}
}

// TestRampSearchModel compares the prefix-sum ramp fit with least squares
// done directly for every pair, on series short enough to search whole.
func TestRampSearchModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 200 {
		n := 3 + rng.IntN(40)
		ts, ys := make([]int64, n), make([]float64, n)
		for i := range ys {
			ts[i] = int64(i)*60e6 + rng.Int64N(10e6)
			ys[i] = rng.NormFloat64()
			if i > n/2 {
				ys[i] += float64(i-n/2) * rng.Float64()
			}
		}
		a, b, ok := rampSearch(ts, ys)
		bestGain, ba, bb := 0.0, -1, -1
		for i := range n {
			for j := i + 1; j < n; j++ {
				if g := rampGainModel(ts, ys, i, j); g > bestGain+1e-9 {
					bestGain, ba, bb = g, i, j
				}
			}
		}
		if ok != (ba >= 0) {
			t.Fatalf("found %v, model %v", ok, ba >= 0)
		}
		if ok && math.Abs(rampGainModel(ts, ys, a, b)-bestGain) > 1e-6*math.Max(1, bestGain) {
			t.Fatalf("ramp %d..%d (gain %v), model %d..%d (gain %v)", a, b, rampGainModel(ts, ys, a, b), ba, bb, bestGain)
		}
	}
}

// rampGainModel fits y = c + β·x with x = clamp(t − t_a, 0, t_b − t_a)
// by least squares and returns how much it lowers the squared error of a
// constant, 0 when β ≤ 0.
func rampGainModel(ts []int64, ys []float64, a, b int) float64 {
	n := float64(len(ys))
	xs := make([]float64, len(ys))
	var mx, my float64
	for i, t := range ts {
		h, ha, hb := float64(t-ts[0])/3600e6, float64(ts[a]-ts[0])/3600e6, float64(ts[b]-ts[0])/3600e6
		xs[i] = math.Min(math.Max(h-ha, 0), hb-ha)
		mx += xs[i] / n
		my += ys[i] / n
	}
	var sxy, sxx float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
	}
	if sxx <= 1e-12 || sxy <= 0 {
		return 0
	}
	return sxy * sxy / sxx
}

// series returns n one-minute points: a noisy flat level of 100, then
// from point from a rise of rise per point until point to, flat again.
func leakSeries(rng *rand.Rand, n, from, to int, rise, noise float64) ([]int64, []float64) {
	ts, ys := make([]int64, n), make([]float64, n)
	for i := range ys {
		ts[i] = int64(i) * 60e6
		ys[i] = 100 + noise*rng.NormFloat64() + rise*float64(min(max(i-from, 0), to-from))
	}
	return ts, ys
}

func TestFindRise(t *testing.T) {
	th := DefaultThresholds()
	rng := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{120, 1440, 10_000} {
		for k := range 20 {
			from := n/10 + rng.IntN(n*7/10)
			to := n
			if k%2 == 1 {
				to = from + (n-from)/3
			}
			ts, ys := leakSeries(rng, n, from, to, 30.0/float64(to-from), 1)
			f, ok := findRise(ts, ys, th)
			switch {
			case !ok:
				t.Errorf("n=%d: rise from %d to %d not found", n, from, to)
			case abs(int64(f.a-from)) > int64(n/20):
				t.Errorf("n=%d: rise from %d found from %d", n, from, f.a)
			case f.rise < 0.2 || f.rise > 0.4 || f.tau < th.LeakTau:
				t.Errorf("n=%d: rise %v (want about 0.3), tau-b %v", n, f.rise, f.tau)
			}
		}
		// flat noise, a rise that falls back, a small rise: no leak
		ts, ys := leakSeries(rng, n, 0, 0, 0, 1)
		if f, ok := findRise(ts, ys, th); ok {
			t.Errorf("n=%d: flat noise is a leak: %+v", n, f)
		}
		ts, ys = leakSeries(rng, n, n/3, n/2, 30/float64(n/6), 0.5)
		for i := n * 2 / 3; i < n; i++ {
			ys[i] = 100 + 0.5*rng.NormFloat64()
		}
		if f, ok := findRise(ts, ys, th); ok {
			t.Errorf("n=%d: a rise that falls back is a leak: %+v", n, f)
		}
		ts, ys = leakSeries(rng, n, n/3, n, 3/float64(n), 0.1)
		if f, ok := findRise(ts, ys, th); ok {
			t.Errorf("n=%d: a 3%% rise is a leak: %+v", n, f)
		}
	}
}

// BenchmarkFindRise: a host of 10,000 bins, with a leak and flat.
func BenchmarkFindRise(b *testing.B) {
	for _, c := range []struct {
		name string
		rise float64
	}{{"leak", 0.01}, {"flat", 0}} {
		b.Run(c.name, func(b *testing.B) {
			ts, ys := leakSeries(rand.New(rand.NewPCG(1, 1)), 10_000, 6000, 10_000, c.rise, 1)
			th := DefaultThresholds()
			b.ReportAllocs()
			for b.Loop() {
				findRise(ts, ys, th)
			}
		})
	}
}
