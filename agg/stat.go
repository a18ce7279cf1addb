package agg

import (
	"math"
	"sync"
)

// statVec holds mergeable partial statistics (count, sum, max, min) of
// width metrics for a growing set of slots (bins or host-bins). Slots live
// in fixed-size blocks, so adding one never copies the ones before it and
// capacity overshoots by less than a block.
type statVec struct {
	width  int
	slots  int
	blocks []*statBlock
	pool   *sync.Pool // nil, or where release puts blocks and add takes them
}

// blockSlots is the number of slots per block (a power of two): a block of
// every gauge is ~350 KB, so a partial of few slots (a unit of a small
// file, a row group of a samples file) holds little more than it needs.
const blockSlots = 128

// statBlock is blockSlots slots × width metrics, slot-major. A metric's
// four statistics lie together (one cache line holds two): at 1-minute
// bins of 10 s samples a batch has ~170 runs, and folding a run into four
// separate arrays touched four lines per run and metric (the fold was
// ~40% of Partial.Add at 300 hosts).
type statBlock struct{ el []statElem }

// statElem is the partial statistics of one metric of one slot; with cnt
// 0 it is empty and the rest is undefined (so a slot is emptied by a
// clear, and its first fold sets max and min).
type statElem struct {
	sum, max, min float64
	cnt           int64
}

func newStatVec(width int) statVec { return statVec{width: width} }

// add appends one empty slot. A block kept by reset is emptied slot by
// slot as slots are added, so the slot is in cache when its first runs
// are folded in (a whole block cleared at once is evicted by then).
func (s *statVec) add() {
	k := s.slots
	if k%blockSlots == 0 && k/blockSlots == len(s.blocks) {
		var b *statBlock
		if s.pool != nil {
			b, _ = s.pool.Get().(*statBlock)
		}
		if b == nil {
			b = &statBlock{el: make([]statElem, blockSlots*s.width)}
		}
		s.blocks = append(s.blocks, b)
	}
	s.slots++
	s.clearSlot(k)
}

// reset empties the vector, keeping its blocks for reuse.
func (s *statVec) reset() { s.slots = 0 }

// release empties the vector and hands its blocks to its pool (if any).
func (s *statVec) release() {
	if s.pool != nil {
		for _, b := range s.blocks {
			s.pool.Put(b)
		}
	}
	clear(s.blocks)
	s.blocks, s.slots = s.blocks[:0], 0
}

// at returns the block and offset of metric j of slot k.
func (s *statVec) at(k, j int) (*statBlock, int) {
	return s.blocks[k/blockSlots], (k%blockSlots)*s.width + j
}

// fold adds a run's partial statistics to metric j of slot k.
func (s *statVec) fold(k, j int, cnt int64, sum, max, min float64) {
	b, i := s.at(k, j)
	b.fold(i, cnt, sum, max, min)
}

// fold adds a run's partial statistics to element i of the block.
func (b *statBlock) fold(i int, cnt int64, sum, max, min float64) {
	e := &b.el[i]
	if e.cnt == 0 { // max and min of an empty element are undefined
		*e = statElem{sum: sum, max: max, min: min, cnt: cnt}
		return
	}
	e.cnt += cnt
	e.sum += sum
	if max > e.max {
		e.max = max
	}
	if min < e.min {
		e.min = min
	}
}

// clearSlot empties slot k.
func (s *statVec) clearSlot(k int) {
	b, i := s.at(k, 0)
	clear(b.el[i : i+s.width])
}

// mergeSlot folds every metric of slot l of o into slot k of s.
func (s *statVec) mergeSlot(k int, o *statVec, l int) {
	ob, oi := o.at(l, 0)
	for j := 0; j < s.width; j++ {
		if e := &ob.el[oi+j]; e.cnt != 0 {
			s.fold(k, j, e.cnt, e.sum, e.max, e.min)
		}
	}
}

// stats returns the average, max and min of metric j of slot k; NaN when
// the slot has no value.
func (s *statVec) stats(k, j int) (avg, max, min float64) {
	b, i := s.at(k, j)
	return b.el[i].stats()
}

// merge folds every metric of slot l of o into the width metrics of b from
// offset off.
func (b *statBlock) merge(off, width int, o *statVec, l int) {
	ob, oi := o.at(l, 0)
	for j := 0; j < width; j++ {
		if e := &ob.el[oi+j]; e.cnt != 0 {
			b.fold(off+j, e.cnt, e.sum, e.max, e.min)
		}
	}
}

// stats returns the average, max and min of element i; NaN when it has
// no value.
func (b *statBlock) stats(i int) (avg, max, min float64) {
	return b.el[i].stats()
}

// stats returns the average, max and min; NaN when there is no value.
func (e *statElem) stats() (avg, max, min float64) {
	if e.cnt == 0 {
		nan := math.NaN()
		return nan, nan, nan
	}
	return e.sum / float64(e.cnt), e.max, e.min
}
