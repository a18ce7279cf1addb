package agg

import (
	"math"
	"math/rand/v2"
	"testing"
)

// llr is the log-likelihood ratio sharpen maximises, for the marks a…b of
// r, from its definition: each marked bin from the first to the last
// counts log(rho/p), each other bin log((1-rho)/(1-p)).
func llr(r stretch, a, b int, p float64, starts []int64, interval int64) float64 {
	rho := min(0.999, float64(r.k)*float64(interval)/float64(r.end-r.start))
	marked := map[int64]bool{}
	for _, x := range r.m[a : b+1] {
		marked[starts[x.i]] = true
	}
	var s float64
	for t := starts[r.m[a].i]; t <= starts[r.m[b].i]; t += interval {
		if marked[t] {
			s += math.Log(rho / p)
		} else {
			s += math.Log((1 - rho) / (1 - p))
		}
	}
	return s
}

// TestSharpenModel compares sharpen's maximum-sum segment with the best
// of all segments, scored from the definition.
func TestSharpenModel(t *testing.T) {
	const iv = 60_000_000
	rng := rand.New(rand.NewPCG(11, 12))
	starts := make([]int64, 400)
	for i := range starts {
		starts[i] = int64(i) * iv
	}
	for range 500 {
		var marks []mark
		density := 0.3 + 0.7*rng.Float64()
		for i := 0; i < 60; i++ {
			if i == 0 || rng.Float64() < density {
				marks = append(marks, mark{i, Warn, 1})
			}
		}
		for _, r := range stretchesOf(marks, starts, iv) {
			p := 0.01 + 0.5*rng.Float64()
			rho := min(0.999, float64(r.k)*float64(iv)/float64(r.end-r.start))
			if rho <= p {
				continue
			}
			got := r.sharpen(p, starts, iv)
			a := index(starts, got.start)
			var ga, gb int
			for j, x := range r.m {
				if x.i == a {
					ga = j
				}
				if starts[x.i] == starts[got.m[len(got.m)-1].i] {
					gb = j
				}
			}
			best := math.Inf(-1)
			for i := range r.m {
				for j := i; j < len(r.m); j++ {
					best = math.Max(best, llr(r, i, j, p, starts, iv))
				}
			}
			if s := llr(r, ga, gb, p, starts, iv); math.Abs(s-best) > 1e-9 {
				t.Fatalf("sharpen kept marks %d..%d (score %v), best score %v", ga, gb, s, best)
			}
		}
	}
}

// TestStretchesModel: marks at most one bin apart are one stretch, from a
// walk over the bins.
func TestStretchesModel(t *testing.T) {
	const iv = 60_000_000
	rng := rand.New(rand.NewPCG(13, 14))
	for range 200 {
		n := 1 + rng.IntN(200)
		starts := make([]int64, n)
		var t0 int64
		for i := range starts {
			t0 += iv * int64(1+rng.IntN(2)*rng.IntN(3)) // now and then a missing bin or two
			starts[i] = t0
		}
		var marks []mark
		for i := range n {
			if rng.Float64() < 0.4 {
				marks = append(marks, mark{i, Severity(1 + rng.IntN(2)), 0})
			}
		}
		got := stretchesOf(marks, starts, iv)
		// model: a new stretch whenever two bin lengths or more pass
		// between the starts of consecutive marks
		var want [][2]int
		for j, m := range marks {
			if j == 0 || starts[m.i]-starts[marks[j-1].i] > 2*iv {
				want = append(want, [2]int{m.i, m.i})
			}
			want[len(want)-1][1] = m.i
		}
		if len(got) != len(want) {
			t.Fatalf("%d stretches, model %d", len(got), len(want))
		}
		for k, w := range want {
			g := got[k]
			if g.start != starts[w[0]] || g.end != starts[w[1]]+iv || g.m[0].i != w[0] || g.m[len(g.m)-1].i != w[1] {
				t.Fatalf("stretch %d: %d..%d, model bins %d..%d", k, g.m[0].i, g.m[len(g.m)-1].i, w[0], w[1])
			}
			kc := 0
			for _, x := range g.m {
				if x.sev == Critical {
					kc++
				}
			}
			if g.k != len(g.m) || g.kc != kc {
				t.Fatalf("stretch %d: k %d kc %d, want %d %d", k, g.k, g.kc, len(g.m), kc)
			}
		}
	}
}
