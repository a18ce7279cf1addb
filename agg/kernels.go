package agg

import (
	"encoding/binary"
	"math"

	"github.com/resreport/resreport/columnar"
)

// runStats returns count, sum, max and min of the valid values of rows
// [start, end) of col, a column with nulls in the batch (one without goes
// to foldDenseRuns).
func runStats(col *columnar.ColumnView, start, end int) (cnt int32, sum, mx, mn float64) {
	if !allValid(col.Valid, start, end) {
		if col.Ints != nil {
			return runStatsSparse(col.Ints, col.Valid, start, end)
		}
		return runStatsSparse(col.Floats, col.Valid, start, end)
	}
	if col.Ints != nil {
		return runStatsInts(col.Ints[start:end])
	}
	return runStatsFloats(col.Floats[start:end])
}

// runStatsFloats is runStats over values that are all valid, with two
// accumulators to halve the dependency chains (min and max compile to
// branch-free instructions; comparisons would mispredict on noisy data).
func runStatsFloats(vs []float64) (cnt int32, sum, mx, mn float64) {
	lo0, hi0 := vs[0], vs[0]
	lo1, hi1 := lo0, hi0
	var s0, s1 float64
	i := 0
	for ; i+2 <= len(vs); i += 2 {
		a, b := vs[i], vs[i+1]
		lo0, hi0, s0 = min(lo0, a), max(hi0, a), s0+a
		lo1, hi1, s1 = min(lo1, b), max(hi1, b), s1+b
	}
	if i < len(vs) {
		a := vs[i]
		lo0, hi0, s0 = min(lo0, a), max(hi0, a), s0+a
	}
	return int32(len(vs)), s0 + s1, max(hi0, hi1), min(lo0, lo1)
}

// foldDenseRuns folds each run's statistics of a column without nulls
// into metric j of its target, in one loop over the runs: at fine bins a
// run is a few rows, and runStats' dispatch per run was a sixth of the
// fold.
func foldDenseRuns(col *columnar.ColumnView, runs []run, targets []runTarget, j int) {
	if vs := col.Ints; vs != nil {
		for ri, r := range runs {
			c, s, mx, mn := runStatsInts(vs[r.start:r.end])
			t := &targets[ri]
			t.b.fold(t.i+j, int64(c), s, mx, mn)
		}
		return
	}
	for ri, r := range runs {
		c, s, mx, mn := runStatsFloats(col.Floats[r.start:r.end])
		t := &targets[ri]
		t.b.fold(t.i+j, int64(c), s, mx, mn)
	}
}

// intSumLimit bounds the magnitudes whose sum over a batch (at most
// BatchRows values) cannot overflow int64.
const intSumLimit = 1 << 50

// runStatsInts is runStats over integers that are all valid: the sum is
// taken exactly in int64 when no value is near overflow, in float64
// otherwise.
//
// Not inlined: inlined into foldDenseRuns' loop over runs, its loop kept
// the sum on the stack (+8% instructions of the aggregation at 1-hour bins).
//
//go:noinline
func runStatsInts(vs []int64) (cnt int32, sum, mx, mn float64) {
	lo, hi := vs[0], vs[0]
	var s int64
	for _, v := range vs {
		lo, hi, s = min(lo, v), max(hi, v), s+v
	}
	if lo > -intSumLimit && hi < intSumLimit {
		return int32(len(vs)), float64(s), float64(hi), float64(lo)
	}
	for _, v := range vs {
		sum += float64(v)
	}
	return int32(len(vs)), sum, float64(hi), float64(lo)
}

// runStatsSparse is runStats over rows some of which are null.
func runStatsSparse[T int64 | float64](vals []T, valid []byte, start, end int) (cnt int32, sum, mx, mn float64) {
	var lo, hi T
	first := true
	for i := start; i < end; i++ {
		if valid[i>>3]&(1<<(uint(i)&7)) == 0 {
			continue
		}
		v := vals[i]
		if first {
			lo, hi, first = v, v, false
		} else if v < lo {
			lo = v
		} else if v > hi {
			hi = v
		}
		sum += float64(v)
		cnt++
	}
	return cnt, sum, float64(hi), float64(lo)
}

// Densities of a column in a batch.
const (
	someValid    = iota // some rows have values, some are null
	allRowsValid        // no null
	noneValid           // only nulls
)

// density classifies the first n rows of a column.
func density(c *columnar.ColumnView, n int) uint8 {
	switch {
	case n == 0 || c.Nulls >= n:
		return noneValid
	case c.Nulls == 0:
		return allRowsValid
	}
	return someValid
}

// allValid reports whether rows [start, end) (end > start) are all valid,
// a byte of the bitmap at a time where it can.
func allValid(valid []byte, start, end int) bool {
	i := start
	for ; i < end && i&7 != 0; i++ {
		if valid[i>>3]&(1<<(uint(i)&7)) == 0 {
			return false
		}
	}
	for ; i+64 <= end && i&63 == 0; i += 64 {
		if binary.LittleEndian.Uint64(valid[i>>3:]) != math.MaxUint64 {
			return false
		}
	}
	for ; i+8 <= end; i += 8 {
		if valid[i>>3] != 0xff {
			return false
		}
	}
	for ; i < end; i++ {
		if valid[i>>3]&(1<<(uint(i)&7)) == 0 {
			return false
		}
	}
	return true
}
