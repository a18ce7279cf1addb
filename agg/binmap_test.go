package agg

import (
	"math/rand/v2"
	"testing"
)

// TestBinMap checks binMap against a map over random bins: in order, out
// of order, negative times, intervals that do not divide a day, and stray
// bins far away that make it sparse.
func TestBinMap(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, interval := range []int64{1000, 60_000_000, 7_000_000_000, 2 * microsPerDay} {
		far := int64(1e17) / interval // bins spread over ~3,000 years
		for _, spread := range []int64{100, 10_000, far} {
			b, _ := NewBinner(interval / microsPerMilli)
			m := newBinMap(b.Interval())
			want := map[int64]int32{}
			t0 := int64(1_778_025_600_000_000) - r.Int64N(2)*3_000_000_000_000_000 // some runs before 1970
			for i := 0; i < 3000; i++ {
				var ts int64
				switch r.IntN(3) {
				case 0:
					ts = t0 + int64(i)*interval/3 // in order
				case 1:
					ts = t0 + r.Int64N(spread)*interval // anywhere in the spread
				default:
					ts = t0 - r.Int64N(100)*interval // before the first
				}
				start := b.Bin(ts)
				got, ok := m.get(start)
				w, wok := want[start]
				if ok != wok || got != w {
					t.Fatalf("interval %d spread %d: get(%d) = %d, %v; want %d, %v", interval, spread, start, got, ok, w, wok)
				}
				if !ok {
					v := int32(len(want))
					m.put(start, v)
					want[start] = v
				}
			}
			for start, w := range want {
				if got, ok := m.get(start); !ok || got != w {
					t.Fatalf("interval %d spread %d: get(%d) = %d, %v at the end; want %d", interval, spread, start, got, ok, w)
				}
			}
			if spread == far && m.sparse == nil {
				t.Errorf("interval %d: bins spread over %d still in a window of %d", interval, far, len(m.window))
			}
			if spread == 100 && m.sparse != nil {
				t.Errorf("interval %d: dense bins went sparse", interval)
			}
		}
	}
}

// TestBinMapDistinct checks that distinct bin starts get distinct numbers
// when the interval does not divide a day (the last bin of a day is short).
func TestBinMapDistinct(t *testing.T) {
	b, _ := NewBinner(7 * 3600 * 1000) // 7 h: bins at 0, 7, 14, 21 h
	m := newBinMap(b.Interval())
	seen := map[int64]int64{}
	for ts := int64(0); ts < 5*microsPerDay; ts += 3600 * 1000 * 1000 {
		start := b.Bin(ts)
		k := m.number(start)
		if s, ok := seen[k]; ok && s != start {
			t.Fatalf("bins %d and %d both numbered %d", s, start, k)
		}
		seen[k] = start
	}
	if len(seen) != 5*4 {
		t.Fatalf("%d bins in 5 days of 7-h bins, want 20", len(seen))
	}
}
