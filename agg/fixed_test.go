package agg

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/resreport/resreport/columnar"
)

// TestExactSumOrderFree adds the same terms in random orders, with merges
// of partial sums, and checks the result is always the same and equals the
// exact sum of the terms truncated to 2^-60 (computed with big.Float).
func TestExactSumOrderFree(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := range 300 {
		n := 1 + r.IntN(200)
		xs := make([]float64, n)
		for i := range xs {
			switch r.IntN(6) {
			case 0:
				xs[i] = math.Round(r.Float64()*1000) / 1000 // a %.3f ratio
			case 1:
				xs[i] = float64(r.Int64N(1 << 40)) // a byte count
			case 2:
				xs[i] = -r.Float64() * 1e6
			case 3:
				xs[i] = r.Float64() * 1e-20 // below the resolution
			case 4:
				xs[i] = math.Ldexp(r.Float64(), 61+r.IntN(3)) // beyond 128 bits when summed: big.Int
			default:
				xs[i] = r.NormFloat64() * 1e3
			}
		}
		if iter%3 == 0 {
			for i := range xs {
				xs[i] = math.Abs(xs[i]) // all one sign: overflow checks on the way up
			}
		}
		want := exactTruncSum(xs)
		var first float64
		for k := range 5 {
			perm := r.Perm(n)
			var a, b exactSum
			cut := r.IntN(n + 1)
			for j, p := range perm {
				if j < cut {
					a.add(xs[p])
				} else {
					b.add(xs[p])
				}
			}
			a.merge(&b)
			got := a.Float()
			if k == 0 {
				first = got
			} else if math.Float64bits(got) != math.Float64bits(first) {
				t.Fatalf("iter %d: order changed the sum: %v vs %v", iter, got, first)
			}
			if got != want {
				t.Fatalf("iter %d: sum %v, want %v", iter, got, want)
			}
		}
	}
}

// exactTruncSum is the exact sum of the terms, each truncated toward zero
// to a multiple of 2^-60, rounded to float64 once.
func exactTruncSum(xs []float64) float64 {
	sum := new(big.Int)
	for _, x := range xs {
		f := new(big.Float).SetFloat64(x)
		f.SetMantExp(f, fracBits)
		i, _ := f.Int(nil)
		sum.Add(sum, i)
	}
	f, _ := new(big.Float).SetInt(sum).Float64()
	return math.Ldexp(f, -fracBits)
}

// TestClusterSumOrderFree adds the same terms to a cluster sum in random
// orders, up to and past 128 bits: always the exact sum.
func TestClusterSumOrderFree(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for iter := range 200 {
		xs := make([]float64, 1+r.IntN(100))
		for i := range xs {
			xs[i] = float64(r.Int64N(1<<52)) * math.Pow(2, float64(r.IntN(20)-10))
			if iter%4 == 0 {
				xs[i] = math.Ldexp(r.Float64(), 61) // sums beyond 128 bits
			}
		}
		want := exactTruncSum(xs)
		for range 3 {
			c := &cluster{}
			var e cell
			for _, p := range r.Perm(len(xs)) {
				if t, ok := fixedTerm(xs[p]); !ok || c.over != nil || !e.sum.add(t) {
					c.addBig(&e, 0, xs[p])
				}
			}
			if got := c.sumOf(&e, 0); got != want {
				t.Fatalf("iter %d: %v, want %v", iter, got, want)
			}
		}
	}
}

// TestClusterBinsOrderFree folds the per-bin statistics of units of three
// hosts each into the cluster in unit order and in reverse: the same bits
// (units finish in any order).
func TestClusterBinsOrderFree(t *testing.T) {
	_, perHost := benchHostUnits(12, 400)
	binner, err := NewBinner(300_000)
	if err != nil {
		t.Fatal(err)
	}
	var parts []*Partial
	var v columnar.View
	for k := 0; k < len(perHost); k += 3 {
		p := NewPartial(binner)
		for _, bs := range perHost[k : k+3] {
			for _, b := range bs {
				b.View(&v)
				p.Add(&v)
			}
		}
		parts = append(parts, p)
	}
	fwd, rev := newCluster(binner.interval), newCluster(binner.interval)
	for i := range parts {
		fwd.addBins(parts[i])
		rev.addBins(parts[len(parts)-1-i])
	}
	a, b := fwd.result(binner.interval), rev.result(binner.interval)
	if len(a.Bins) < 10 {
		t.Fatalf("%d bins", len(a.Bins))
	}
	checked := 0
	for _, m := range gaugeCols[len(hostCols):] {
		for k, s := range [][2]Series{{a.Gauges[m].Avg, b.Gauges[m].Avg}, {a.Gauges[m].Max, b.Gauges[m].Max}, {a.Gauges[m].Min, b.Gauges[m].Min}} {
			for i := range s[0] {
				if math.Float64bits(s[0][i]) != math.Float64bits(s[1][i]) {
					t.Fatalf("%s stat %d bin %d: %v in unit order, %v in reverse", columnar.Metrics[m].Name, k, i, s[0][i], s[1][i])
				}
				if !math.IsNaN(s[0][i]) {
					checked++
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no value to compare")
	}
}

func TestExactSumInts(t *testing.T) {
	var s exactSum
	s.addInt(math.MaxInt64)
	s.addInt(math.MaxInt64)
	s.addInt(-5)
	want := new(big.Float).SetInt(new(big.Int).Sub(new(big.Int).Mul(big.NewInt(math.MaxInt64), big.NewInt(2)), big.NewInt(5)))
	w, _ := want.Float64()
	if got := s.Float(); got != w {
		t.Fatalf("int sum %v, want %v", got, w)
	}
}

func TestU128Float(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 100000 {
		hi, lo := r.Uint64()>>r.IntN(64), r.Uint64()
		if r.IntN(4) == 0 {
			lo = lo >> 11 << 11 // halfway cases
			lo |= uint64(r.IntN(2)) << 10
		}
		b := new(big.Int).SetUint64(hi)
		b.Lsh(b, 64).Or(b, new(big.Int).SetUint64(lo))
		want, _ := new(big.Float).SetInt(b).Float64()
		if got := u128Float(hi, lo); got != want {
			t.Fatalf("u128Float(%#x, %#x) = %v, want %v", hi, lo, got, want)
		}
	}
}

// TestClusterFoldMaxMin checks the cluster fold's maxima and minima
// against the builtins' over values with ±0 and NaN, in random orders.
func TestClusterFoldMaxMin(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	pool := []float64{0, math.Copysign(0, -1), 1, -1, 2.5, -7, math.NaN(), math.Inf(1), math.Inf(-1)}
	same := func(a, b float64) bool {
		return math.Float64bits(a) == math.Float64bits(b) || math.IsNaN(a) && math.IsNaN(b)
	}
	for iter := range 2000 {
		n := 1 + r.IntN(6)
		c := &cluster{}
		row := []cell{{max: math.Inf(-1), min: math.Inf(1)}}
		wantMax, wantMin := math.Inf(-1), math.Inf(1)
		for range n {
			x, y := pool[r.IntN(len(pool))], pool[r.IntN(len(pool))]
			c.fold(row, 0, []statElem{{sum: 1, max: x, min: y, cnt: 1}})
			wantMax, wantMin = max(wantMax, x), min(wantMin, y)
		}
		if !same(row[0].max, wantMax) || !same(row[0].min, wantMin) {
			t.Fatalf("iter %d: max %v min %v, builtins %v %v", iter, row[0].max, row[0].min, wantMax, wantMin)
		}
	}
}

// TestFixedAdd checks fixed128.add against big.Int arithmetic: the sum when
// it fits in 128 bits, false (and s unchanged) when it does not, on
// random operands and those at the edges of the range.
func TestFixedAdd(t *testing.T) {
	edges := []int64{math.MinInt64, math.MinInt64 + 1, -1, 0, 1, math.MaxInt64 - 1, math.MaxInt64}
	los := []uint64{0, 1, 1 << 63, math.MaxUint64}
	var ops []fixed128
	for _, h := range edges {
		for _, l := range los {
			ops = append(ops, fixed128{h, l})
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		ops = append(ops, fixed128{int64(rng.Uint64()), rng.Uint64()})
	}
	lo, hi := new(big.Int).Lsh(big.NewInt(-1), 127), new(big.Int).Lsh(big.NewInt(1), 127)
	for _, a := range ops {
		for _, b := range ops {
			want := new(big.Int).Add(a.bigInt(), b.bigInt())
			fits := want.Cmp(lo) >= 0 && want.Cmp(hi) < 0
			s := a
			if ok := s.add(b); ok != fits {
				t.Fatalf("%v + %v: add says %v, want %v", a, b, ok, fits)
			} else if ok && s.bigInt().Cmp(want) != 0 {
				t.Fatalf("%v + %v = %v, want %v", a, b, s.bigInt(), want)
			} else if !ok && s != a {
				t.Fatalf("%v + %v: overflow changed s to %v", a, b, s)
			}
		}
	}
}

// TestFoldShort checks the cluster fold's inline path against the general
// one (fixedTerm, big.Int past 128 bits): one cell, from random sums, given
// terms of every exponent and sign, whole and not, zeros, subnormals,
// ±Inf, NaN and the edges of foldShort's range; a cell foldShort does not
// take must be left as it was.
func TestFoldShort(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	edges := []float64{0, math.Copysign(0, -1), 5e-324, -5e-324, math.SmallestNonzeroFloat64 * 4,
		math.Ldexp(1, -59), math.Ldexp(1, -60), -math.Ldexp(1, -59), math.Ldexp(1, 56), math.Ldexp(1, 56) - 8,
		-math.Ldexp(1, 56) + 8, math.Ldexp(1, 62), math.MaxFloat64, math.Inf(1), math.Inf(-1), math.NaN(),
		1, -1, 0.1, -0.1, 1 << 53, -(1 << 53), 12345.678}
	term := func() float64 {
		if rng.IntN(4) == 0 {
			return edges[rng.IntN(len(edges))]
		}
		x := math.Float64frombits(rng.Uint64()&^(0x7ff<<52) | uint64(1023-70+rng.IntN(140))<<52)
		if rng.IntN(3) == 0 {
			x = math.Trunc(x)
		}
		return x
	}
	var skipped, taken int
	for iter := range 100000 {
		start := []fixed128{{}, {int64(rng.Uint64()), rng.Uint64()}, {math.MaxInt64, math.MaxUint64}, {math.MinInt64, 0}}[rng.IntN(4)]
		x := statElem{sum: term(), max: 1, min: 1, cnt: 1}
		got := cell{cnt: 3, sum: start, max: 2, min: 0}
		want := got
		row := []cell{got}
		if foldShort(row, []statElem{x}) == 0 {
			skipped++
			if row[0] != got {
				t.Fatalf("iter %d: sum %v not taken, but the cell changed to %+v", iter, x.sum, row[0])
			}
			continue
		}
		tm, ok := fixedTerm(x.sum)
		if !ok || !want.sum.add(tm) {
			t.Fatalf("iter %d: foldShort took %v onto %v, fixedTerm does not (ok %v)", iter, x.sum, start, ok)
		}
		want.cnt, want.max = 4, 2
		if row[0] != want {
			t.Fatalf("iter %d: %v onto %v: %+v, want %+v", iter, x.sum, start, row[0], want)
		}
		taken++
	}
	if skipped < 10000 || taken < 30000 {
		t.Fatalf("foldShort took %d sums and left %d: the test's sums miss a path", taken, skipped)
	}
}
