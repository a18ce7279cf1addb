package agg

import (
	"math"
	"slices"
)

// statVec holds mergeable partial statistics (count, sum, max, min) over
// a growing set of slots: every metric of every bin (or host-bin), at
// index bin × metrics + metric.
type statVec struct {
	cnt []int32
	sum []float64
	max []float64
	min []float64
}

// grow adds n empty slots.
func (s *statVec) grow(n int) {
	lo := len(s.cnt)
	s.cnt, s.sum, s.max, s.min = extend(s.cnt, n), extend(s.sum, n), extend(s.max, n), extend(s.min, n)
	clear(s.cnt[lo:])
	clear(s.sum[lo:])
	for i := lo; i < lo+n; i++ {
		s.max[i], s.min[i] = math.Inf(-1), math.Inf(1)
	}
}

// extend lengthens s by n elements (not cleared), growing its capacity
// geometrically.
func extend[T any](s []T, n int) []T { return slices.Grow(s, n)[:len(s)+n] }

// fold adds a run's partial statistics to slot k.
func (s *statVec) fold(k int, cnt int32, sum, max, min float64) {
	s.cnt[k] += cnt
	s.sum[k] += sum
	if max > s.max[k] {
		s.max[k] = max
	}
	if min < s.min[k] {
		s.min[k] = min
	}
}

// mergeSlot folds slot j of o into slot k of s.
func (s *statVec) mergeSlot(k int, o *statVec, j int) {
	if o.cnt[j] == 0 {
		return
	}
	s.fold(k, o.cnt[j], o.sum[j], o.max[j], o.min[j])
}

// avg, max and min of slot k; NaN when the slot has no value.
func (s *statVec) avg(k int) float64 {
	if s.cnt[k] == 0 {
		return math.NaN()
	}
	return s.sum[k] / float64(s.cnt[k])
}

func (s *statVec) maxOf(k int) float64 {
	if s.cnt[k] == 0 {
		return math.NaN()
	}
	return s.max[k]
}

func (s *statVec) minOf(k int) float64 {
	if s.cnt[k] == 0 {
		return math.NaN()
	}
	return s.min[k]
}
