package agg

import "math"

// statVec holds mergeable partial statistics (count, sum, max, min) for one
// metric over a growing set of slots (bins, or host-bins).
type statVec struct {
	cnt []int32
	sum []float64
	max []float64
	min []float64
}

func (s *statVec) grow() {
	s.cnt = append(s.cnt, 0)
	s.sum = append(s.sum, 0)
	s.max = append(s.max, math.Inf(-1))
	s.min = append(s.min, math.Inf(1))
}

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
