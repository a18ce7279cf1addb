package agg

import (
	"testing"

	"github.com/resreport/resreport/columnar"
)

// secondsBatch is a batch of host 0's samples at base + the given seconds.
func secondsBatch(base int64, secs ...int64) *columnar.Batch {
	b := columnar.NewBatch()
	for i, s := range secs {
		b.Host[i] = 0
		b.TS[i] = base + s*1e6
		b.Pod.Append([]byte("pod"))
	}
	b.Len = len(secs)
	return b
}

func secondsRange(from, to int64) []int64 {
	var out []int64
	for s := from; s < to; s++ {
		out = append(out, s)
	}
	return out
}

// TestGapAcrossBoundaries checks the longest gap of a host-bin (the input
// of host_silent) where its samples come in pieces: a silence between two
// batches of a unit, between two units, and of two equal silences the
// first.
func TestGapAcrossBoundaries(t *testing.T) {
	base := ts(t, "2026-05-06T10:00:00")
	after := append(secondsRange(0, 1024), secondsRange(1054, 1200)...) // 31 s from row 1023 to row 1024
	twice := append(append(secondsRange(0, 100), secondsRange(130, 200)...), secondsRange(230, 300)...)
	for _, c := range []struct {
		name    string
		units   [][]*columnar.Batch
		gap, at int64 // seconds
	}{
		{"batches", [][]*columnar.Batch{{secondsBatch(base, after[:1024]...), secondsBatch(base, after[1024:]...)}}, 31, 1023},
		{"units", [][]*columnar.Batch{{secondsBatch(base, after[:1024]...)}, {secondsBatch(base, after[1024:]...)}}, 31, 1023},
		{"first of two", [][]*columnar.Batch{{secondsBatch(base, twice[:150]...)}, {secondsBatch(base, twice[150:]...)}}, 31, 99},
		{"none", [][]*columnar.Batch{{secondsBatch(base, secondsRange(0, 100)...)}, {secondsBatch(base, secondsRange(100, 200)...)}}, 1, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := FromBatches(3600000, []string{"10.0.0.1"}, c.units)
			if err != nil {
				t.Fatal(err)
			}
			h := &r.Hosts[0]
			if len(h.Gap) != 1 || h.Gap[0] != c.gap*1e6 || h.GapAt[0] != base+c.at*1e6 {
				t.Fatalf("gap %v at %v, want %d s at +%d s", h.Gap, h.GapAt, c.gap, c.at)
			}
			silent := false
			for _, f := range Findings(r, DefaultThresholds()) {
				silent = silent || f.Rule == "host_silent"
			}
			if silent != (c.gap > 3) {
				t.Errorf("host_silent reported: %v, want %v", silent, c.gap > 3)
			}
		})
	}
}
