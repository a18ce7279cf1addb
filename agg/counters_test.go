package agg

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// sampleOC is a sample whose first counter (mem hits) is v, the rest 0.
func sampleOC(ts, pid, v int64) ocSample {
	return ocSample{ts: ts, pid: pid, vals: [NumOC]int64{v}}
}

// spansOf puts samples (in input order) into spans by bin of width w.
func spansOf(w int64, samples []ocSample) []ocSpan {
	var spans []ocSpan
	var heads []ocSample
	for i := range samples {
		b := int(samples[i].ts / w)
		for len(spans) <= b {
			spans = append(spans, ocSpan{})
		}
		spans[b].add(&samples[i], &heads)
	}
	return spans
}

func deltasOf(spans []ocSpan) *HostResult {
	n := len(spans)
	h := &HostResult{HitRate: nanSeries(n)}
	for k := range h.OCDelta {
		h.OCDelta[k] = nanSeries(n)
	}
	h.ocDeltas(spans)
	return h
}

// TestOCRestartInBin: a restart inside a bin keeps the hits before it, and
// a restart with the same PID is seen though the counter has passed its
// old value by the bin's end.
func TestOCRestartInBin(t *testing.T) {
	const s = int64(1e6)
	h := deltasOf(spansOf(60*s, []ocSample{
		sampleOC(50*s, 9, 1000),
		sampleOC(70*s, 9, 5000),  // +4000
		sampleOC(90*s, 12, 10),   // new PID: +10
		sampleOC(110*s, 12, 100), // +90
		sampleOC(170*s, 12, 300), // +200
		sampleOC(190*s, 12, 900), // +600
		sampleOC(200*s, 12, 0),   // restart, same PID
		sampleOC(230*s, 12, 400), // +400
	}))
	want := []float64{math.NaN(), 4100, 200, 1000}
	for i, w := range want {
		if got := h.OCDelta[0][i]; got != w && !(math.IsNaN(got) && math.IsNaN(w)) {
			t.Errorf("bin %d: delta %v, want %v", i, got, w)
		}
	}
	if !slices.Equal(h.Resets, []int{1, 3}) {
		t.Errorf("Resets %v, want [1 3]", h.Resets)
	}
}

// TestOCSpanMerge: a bin's samples split between two units at any point
// give the span of one read, also where the cut falls between samples of
// one second (several with a timestamp) and where the samples around the
// cut are swapped; a unit read twice adds nothing. (Units that overlap by
// more than that are joined by their last samples only: not tested for
// equality.)
func TestOCSpanMerge(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 200; trial++ {
		var samples []ocSample
		ts, pid := int64(0), int64(1)
		var v [NumOC]int64
		for range 2 + r.IntN(10) {
			ts += int64(r.IntN(3)) // the same timestamp a third of the time
			switch r.IntN(6) {
			case 0:
				pid++
			case 1:
				v[r.IntN(NumOC)] = int64(r.IntN(10))
			case 2:
				v = [NumOC]int64{}
			}
			for k := range v {
				v[k] += int64(r.IntN(100))
			}
			samples = append(samples, ocSample{ts: ts, pid: pid, vals: v})
		}
		for cut := 0; cut <= len(samples); cut++ {
			checkCut(t, samples, cut, false)
			if cut > 0 && cut < len(samples) {
				checkCut(t, samples, cut, true)
			}
		}
	}
}

// checkCut reads samples as two units cut before samples[cut], the two
// samples around the cut swapped if swap (a record moved across a
// rotation), and checks the merged span against one read of the same
// order, and that reading the second unit again adds nothing.
func checkCut(t *testing.T, samples []ocSample, cut int, swap bool) {
	t.Helper()
	in := slices.Clone(samples)
	if swap {
		in[cut-1], in[cut] = in[cut], in[cut-1]
	}
	var whole ocSpan
	var wholeHeads []ocSample
	for i := range in {
		whole.add(&in[i], &wholeHeads)
	}
	// b shares its arena with another span whose head grows between b's
	// samples, so b's head is moved as it grows
	var a, b, other ocSpan
	var aHeads, bHeads []ocSample
	for i := range in {
		if i < cut {
			a.add(&in[i], &aHeads)
		} else {
			b.add(&in[i], &bHeads)
			o := sampleOC(-1, 1, int64(i))
			other.add(&o, &bHeads)
		}
	}
	twice := b
	a.merge(&b, bHeads)
	if !sameSpan(&a, &whole) {
		t.Fatalf("cut %d swap %v: merged %+v, one read %+v", cut, swap, a, whole)
	}
	if a.merge(&twice, bHeads); !sameSpan(&a, &whole) {
		t.Fatalf("cut %d swap %v: read twice %+v, once %+v", cut, swap, a, whole)
	}
}

// sameSpan compares what spans give: samples, restarts and growth.
func sameSpan(a, b *ocSpan) bool {
	return a.has == b.has && a.resets == b.resets && a.first == b.first && a.last == b.last && a.growth() == b.growth()
}

func TestAddSat(t *testing.T) {
	for _, c := range [][3]int64{
		{1, 2, 3}, {math.MaxInt64, 1, math.MaxInt64}, {math.MaxInt64 - 1, 1, math.MaxInt64},
		{math.MinInt64, -1, math.MinInt64}, {-5, 3, -2}, {5, 0, 5}, {math.MaxInt64, math.MaxInt64, math.MaxInt64},
	} {
		if got := addSat(c[0], c[1]); got != c[2] {
			t.Errorf("addSat(%d, %d) = %d, want %d", c[0], c[1], got, c[2])
		}
	}
}

// TestOCRepeatedLines: lines read twice in one unit (an earlier or equal
// timestamp) are left out, not taken for restarts.
func TestOCRepeatedLines(t *testing.T) {
	const s = int64(1e6)
	once := []ocSample{sampleOC(10*s, 1, 100), sampleOC(70*s, 1, 150), sampleOC(80*s, 1, 170)}
	twice := append(slices.Clone(once), once...)
	a, b := deltasOf(spansOf(60*s, once)), deltasOf(spansOf(60*s, twice))
	if a.OCDelta[0][1] != 70 || b.OCDelta[0][1] != 70 || len(b.Resets) != 0 {
		t.Errorf("deltas %v and %v (Resets %v), want 70 and no restart", a.OCDelta[0], b.OCDelta[0], b.Resets)
	}
}

// TestOCHeadBounded: samples of one stuck timestamp, alternating between
// two host-bins of one arena, keep each head at maxHead samples and the
// arena linear in them, not quadratic.
func TestOCHeadBounded(t *testing.T) {
	var a, b ocSpan
	var heads []ocSample
	for i := range 10000 {
		sa, sb := sampleOC(5, 1, int64(i)), sampleOC(7, 1, int64(i))
		a.add(&sa, &heads)
		b.add(&sb, &heads)
	}
	if a.headN != maxHead || b.headN != maxHead || len(heads) > 4*maxHead*maxHead {
		t.Errorf("heads %d and %d, arena %d; want %d each and at most %d", a.headN, b.headN, len(heads), maxHead, 4*maxHead*maxHead)
	}
	if g := a.growth(); g[0] != 9999 {
		t.Errorf("growth %d, want 9999", g[0])
	}
}
