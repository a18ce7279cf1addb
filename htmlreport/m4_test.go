package htmlreport

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// randomSeries makes bin numbers (ascending, with gaps) and values with
// the shapes real series have: noise on a slow wave, spikes, runs of one
// value, ties among few levels, and bins without a value.
func randomSeries(r *rand.Rand) ([]int64, []float64) {
	n := r.IntN(3000)
	ns, vs := make([]int64, n), make([]float64, n)
	b := int64(r.IntN(1 << 25))
	levels := r.IntN(2) == 0
	for i := range ns {
		b += 1
		if r.IntN(50) == 0 {
			b += int64(r.IntN(200)) // a gap
		}
		ns[i] = b
		v := 100*math.Sin(float64(i)/float64(1+r.IntN(300))) + r.NormFloat64()*5
		switch {
		case levels:
			v = float64(r.IntN(4))
		case r.IntN(200) == 0:
			v *= 50 // a spike
		case i > 0 && r.IntN(4) == 0:
			v = vs[i-1] // a repeated value
		}
		if r.IntN(20) == 0 {
			v = math.NaN()
		}
		vs[i] = v
	}
	return ns, vs
}

// group is the brute-force model of one column: its values in time order.
type group struct {
	c  int64
	vs []float64
}

func groupsOf(ns []int64, vs []float64, shift uint) []group {
	var gs []group
	for i, v := range vs {
		if math.IsNaN(v) {
			continue
		}
		c := int64(math.Floor(float64(ns[i]) / float64(int64(1)<<shift)))
		if len(gs) == 0 || gs[len(gs)-1].c != c {
			gs = append(gs, group{c: c})
		}
		gs[len(gs)-1].vs = append(gs[len(gs)-1].vs, v)
	}
	return gs
}

// inOrder says whether pts is a subsequence of vs (positions non-decreasing:
// one input point may stand for several slots).
func inOrder(pts, vs []float64) bool {
	p := 0
	for _, x := range pts {
		for p < len(vs) && vs[p] != x {
			p++
		}
		if p == len(vs) {
			return false
		}
	}
	return true
}

// TestM4MatchesModel compares the reduction with a brute-force model on
// random series at every width: one column per column of the model with a
// value, in order; its first and last points, its minimum and maximum
// kept; every point drawn is an input point of the column, in time order.
func TestM4MatchesModel(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 300; round++ {
		ns, vs := randomSeries(r)
		for shift := uint(0); shift <= 9; shift++ {
			cols := m4Reduce(ns, vs, shift, nil)
			gs := groupsOf(ns, vs, shift)
			if len(cols) != len(gs) {
				t.Fatalf("round %d shift %d: %d columns, model %d", round, shift, len(cols), len(gs))
			}
			slots := make([]float64, slotsOf(shift))
			for i, g := range gs {
				k := cols[i]
				mn, mx := g.vs[0], g.vs[0]
				for _, v := range g.vs {
					mn, mx = min(mn, v), max(mx, v)
				}
				if k.c != g.c || k.f != g.vs[0] || k.l != g.vs[len(g.vs)-1] || k.mn != mn || k.mx != mx {
					t.Fatalf("round %d shift %d column %d: %+v, model first %v last %v min %v max %v", round, shift, g.c, k, g.vs[0], g.vs[len(g.vs)-1], mn, mx)
				}
				k.slots(slots)
				lo, hi := slots[0], slots[0]
				for _, v := range slots {
					lo, hi = min(lo, v), max(hi, v)
				}
				if slots[0] != g.vs[0] || slots[len(slots)-1] != g.vs[len(g.vs)-1] || lo != mn || hi != mx || !inOrder(slots, g.vs) {
					t.Fatalf("round %d shift %d column %d: points %v of %v", round, shift, g.c, slots, g.vs)
				}
			}
		}
	}
}

// TestM4MergeIsReduce: the points of the columns of one width, taken as
// the input, reduce to exactly the columns of any wider width.
func TestM4MergeIsReduce(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for round := 0; round < 300; round++ {
		ns, vs := randomSeries(r)
		shift, up := uint(r.IntN(4)), uint(r.IntN(6))
		var pn []int64
		var pv []float64
		slots := make([]float64, slotsOf(shift))
		for _, k := range m4Reduce(ns, vs, shift, nil) {
			k.slots(slots)
			for _, v := range slots {
				pn, pv = append(pn, k.c<<shift), append(pv, v)
			}
		}
		merged := m4Reduce(pn, pv, shift+up, nil)
		direct := m4Reduce(ns, vs, shift+up, nil)
		if len(merged) != len(direct) {
			t.Fatalf("round %d: %d merged columns, %d direct", round, len(merged), len(direct))
		}
		for i := range direct {
			if merged[i] != direct[i] {
				t.Fatalf("round %d shift %d+%d column %d: merged %+v, direct %+v", round, shift, up, i, merged[i], direct[i])
			}
		}
	}
}

// TestQuantizeBinsMatchesColumns: NewHostView's path for width-1 columns
// gives the series the general path gives, on random series and on the
// corners (no value, one value, a constant with and without gaps).
func TestQuantizeBinsMatchesColumns(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	nan := math.NaN()
	negz := math.Copysign(0, -1)
	cases := [][]float64{nil, {nan, nan}, {5}, {nan, 5, nan}, {3, 3, 3}, {3, nan, 3}, {0, 1e6}, {-2.5, 7, math.Inf(1)},
		{0, negz, 1}, {negz, 0, nan, -1}, {1, 0, negz}, {negz, 0}, {0, negz}, {nan, 2, 1, 3, 1, 3, 2}}
	for round := 0; round < 300; round++ {
		ns, vs := randomSeries(r)
		if round < len(cases) {
			vs = cases[round]
			ns = make([]int64, len(vs))
			for i := range ns {
				ns[i] = int64(100 + 2*i)
			}
		}
		for _, full := range []bool{true, false} {
			want := quantize(m4Reduce(ns, vs, 0, nil), 0, full)
			got := quantizeBins(ns, vs, full)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("round %d, full %v: %+v, want %+v", round, full, got, want)
			}
			// DeepEqual takes -0 for 0: the bottom is the builtin's min
			lo := math.Inf(1)
			for _, v := range vs {
				if !bad(v) {
					lo = min(lo, v)
				}
			}
			if got.kind != seriesNone && math.Float64bits(got.lo) != math.Float64bits(lo) {
				t.Fatalf("round %d, full %v: bottom %v, min %v", round, full, got.lo, lo)
			}
		}
	}
}

func TestIsWhole(t *testing.T) {
	for _, v := range []float64{0, math.Copysign(0, -1), 1, -1, 0.5, -0.5, 1e15 + 0.5, 1 << 52, -(1 << 52), 1<<52 - 0.5, 1e300, -1e300, math.SmallestNonzeroFloat64, 4503599627370495.5, 9.3e18, -9.3e18} {
		if got, want := isWhole(v), v == math.Trunc(v); got != want {
			t.Errorf("isWhole(%v) = %v, want %v", v, got, want)
		}
	}
}

// TestCode checks a series' code of a value against min(math.Round(x),
// top), x = (v−lo)/step, on values at and around half steps, at both
// ends, past the top and on random series' scales.
func TestCode(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for round := range 2000 {
		lo, hi := r.NormFloat64()*1e6, 0.0
		hi = lo + math.Abs(r.NormFloat64())*math.Pow(10, float64(r.IntN(12)-4))
		s := codedSeries(lo, hi, round%3 == 0, false, 0, 1)
		if s.step == 0 {
			continue
		}
		for range 50 {
			x := float64(r.IntN(int(s.top)+2)) + []float64{0, 0.5, 0.49999999999999994, 0.5000000000000001, r.Float64()}[r.IntN(5)]
			v := min(lo+x*s.step, hi)
			want := uint16(min(math.Round((v-s.lo)/s.step), float64(s.top)))
			if got := s.code(v); got != want {
				t.Fatalf("lo %v step %v top %d: code(%v) = %d, want %d", lo, s.step, s.top, v, got, want)
			}
		}
	}
	s := viewSeries{lo: 0, step: math.SmallestNonzeroFloat64, top: maxCode}
	if got := s.code(1); got != maxCode { // x = +Inf
		t.Errorf("code of +Inf steps = %d, want %d", got, maxCode)
	}
}
