package agg

import "math"

// statVec holds mergeable partial statistics (count, sum, max, min) of
// width metrics for a growing set of slots (bins or host-bins). Slots live
// in fixed-size blocks, so adding one never copies the ones before it and
// capacity overshoots by less than a block.
type statVec struct {
	width  int
	slots  int
	blocks []*statBlock
}

// blockSlots is the number of slots per block (a power of two): a block of
// every gauge is ~350 KB, so a partial of few slots (a unit of a small
// file, a row group of a samples file) holds little more than it needs.
const blockSlots = 128

// statBlock is blockSlots slots × width metrics, slot-major.
type statBlock struct {
	cnt           []int32
	sum, max, min []float64
}

func newStatVec(width int) statVec { return statVec{width: width} }

// add appends one empty slot.
func (s *statVec) add() {
	if s.slots%blockSlots == 0 {
		if k := s.slots / blockSlots; k < len(s.blocks) {
			s.blocks[k].init() // a block kept by reset
		} else {
			n := blockSlots * s.width
			b := &statBlock{cnt: make([]int32, n), sum: make([]float64, n), max: make([]float64, n), min: make([]float64, n)}
			b.init()
			s.blocks = append(s.blocks, b)
		}
	}
	s.slots++
}

// reset empties the vector, keeping its blocks for reuse.
func (s *statVec) reset() { s.slots = 0 }

// init empties every slot of the block.
func (b *statBlock) init() {
	clear(b.cnt)
	clear(b.sum)
	for i := range b.max {
		b.max[i], b.min[i] = math.Inf(-1), math.Inf(1)
	}
}

// at returns the block and offset of metric j of slot k.
func (s *statVec) at(k, j int) (*statBlock, int) {
	return s.blocks[k/blockSlots], (k%blockSlots)*s.width + j
}

// fold adds a run's partial statistics to metric j of slot k.
func (s *statVec) fold(k, j int, cnt int32, sum, max, min float64) {
	b, i := s.at(k, j)
	b.fold(i, cnt, sum, max, min)
}

// fold adds a run's partial statistics to element i of the block.
func (b *statBlock) fold(i int, cnt int32, sum, max, min float64) {
	b.cnt[i] += cnt
	b.sum[i] += sum
	if max > b.max[i] {
		b.max[i] = max
	}
	if min < b.min[i] {
		b.min[i] = min
	}
}

// clearSlot empties slot k.
func (s *statVec) clearSlot(k int) {
	b, i := s.at(k, 0)
	clear(b.cnt[i : i+s.width])
	clear(b.sum[i : i+s.width])
	for j := i; j < i+s.width; j++ {
		b.max[j], b.min[j] = math.Inf(-1), math.Inf(1)
	}
}

// mergeSlot folds every metric of slot l of o into slot k of s.
func (s *statVec) mergeSlot(k int, o *statVec, l int) {
	ob, oi := o.at(l, 0)
	for j := 0; j < s.width; j++ {
		if c := ob.cnt[oi+j]; c != 0 {
			s.fold(k, j, c, ob.sum[oi+j], ob.max[oi+j], ob.min[oi+j])
		}
	}
}

// stats returns the average, max and min of metric j of slot k; NaN when
// the slot has no value.
func (s *statVec) stats(k, j int) (avg, max, min float64) {
	b, i := s.at(k, j)
	if b.cnt[i] == 0 {
		nan := math.NaN()
		return nan, nan, nan
	}
	return b.sum[i] / float64(b.cnt[i]), b.max[i], b.min[i]
}

// merge folds every metric of slot l of o into the width metrics of b from
// offset off.
func (b *statBlock) merge(off, width int, o *statVec, l int) {
	ob, oi := o.at(l, 0)
	for j := 0; j < width; j++ {
		if c := ob.cnt[oi+j]; c != 0 {
			b.fold(off+j, c, ob.sum[oi+j], ob.max[oi+j], ob.min[oi+j])
		}
	}
}

// stats returns the average, max and min of element i; NaN when it has
// no value.
func (b *statBlock) stats(i int) (avg, max, min float64) {
	if b.cnt[i] == 0 {
		nan := math.NaN()
		return nan, nan, nan
	}
	return b.sum[i] / float64(b.cnt[i]), b.max[i], b.min[i]
}
