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
	var x [1]statElem
	one, at := []run{{start: start, end: end}}, []runTarget{{&statBlock{el: x[:]}, 0}}
	if col.Ints != nil {
		foldInts(col.Ints, one, at, 0)
	} else {
		foldFloats(col.Floats, one, at, 0)
	}
	return int32(x[0].cnt), x[0].sum, x[0].max, x[0].min
}

// foldDenseRuns folds each run's statistics of a column without nulls
// into metric j of its target, in one loop over the runs without calls
// (foldInts, foldFloats). At fine bins a run is a few rows: a call per
// run, with what the compiler keeps on the stack around it, was half the
// cost of a run.
func foldDenseRuns(col *columnar.ColumnView, runs []run, targets []runTarget, j int) {
	if col.Ints != nil {
		foldInts(col.Ints, runs, targets, j)
	} else {
		foldFloats(col.Floats, runs, targets, j)
	}
}

// foldFloats folds the count, sum, max and min of the values of each run,
// all valid, into metric j of its target; two accumulators halve the
// dependency chains (min and max compile to branch-free instructions;
// comparisons would mispredict on noisy data).
func foldFloats(vals []float64, runs []run, targets []runTarget, j int) {
	targets = targets[:len(runs)]
	for ri, r := range runs {
		vs := vals[r.start:r.end]
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
		t := &targets[ri]
		t.b.fold(t.i+j, int64(len(vs)), s0+s1, max(hi0, hi1), min(lo0, lo1))
	}
}

// intSumLimit bounds the magnitudes whose sum over a batch (at most
// BatchRows values) cannot overflow int64.
const intSumLimit = 1 << 50

// foldInts is foldFloats over integers: the sum is taken exactly in int64
// when no value is near overflow, in float64 otherwise.
func foldInts(vals []int64, runs []run, targets []runTarget, j int) {
	targets = targets[:len(runs)]
	for ri, r := range runs {
		vs := vals[r.start:r.end]
		lo, hi := int64(math.MaxInt64), int64(math.MinInt64) // a run has values
		var s int64
		for _, v := range vs {
			lo, hi, s = min(lo, v), max(hi, v), s+v
		}
		sum := float64(s)
		if lo <= -intSumLimit || hi >= intSumLimit {
			sum = 0
			for _, v := range vs {
				sum += float64(v)
			}
		}
		t := &targets[ri]
		t.b.fold(t.i+j, int64(len(vs)), sum, float64(hi), float64(lo))
	}
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
