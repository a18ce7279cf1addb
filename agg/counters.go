package agg

import "math"

// OC_HIT_NUM counters grow within a worker process; a restart starts them
// again near zero. A bin's delta is what they grew by since the host's
// previous bin, taken sample by sample as Prometheus's increase() does: a
// restart inside a bin (or a PID that comes back after a restart, with
// counters past their old values by the bin's end) loses nothing.

// ocSample is one sample of the five counters.
type ocSample struct {
	ts   int64
	pid  int64 // -1 when the sample has no PID
	vals [NumOC]int64
}

// after reports whether s comes after o: a later timestamp, or the same
// timestamp and larger counters (counters only grow within a process).
func (s *ocSample) after(o *ocSample) bool {
	if s.ts != o.ts {
		return s.ts > o.ts
	}
	var a, b int64
	for k := range s.vals {
		a += s.vals[k]
		b += o.vals[k]
	}
	return a > b
}

// restart reports whether b is a restart after a: a decrease of any
// counter, or a PID other than a's (both known).
func restart(a, b *ocSample) bool {
	r := a.pid != b.pid && a.pid >= 0 && b.pid >= 0
	for k := range b.vals {
		r = r || b.vals[k] < a.vals[k]
	}
	return r
}

// ocStep returns what the counters grew by from sample a to sample b: the
// difference, or b's values when b is a restart.
func ocStep(a, b *ocSample) (d [NumOC]int64, reset bool) {
	reset = restart(a, b)
	for k := range b.vals {
		d[k] = b.vals[k]
		if !reset {
			d[k] -= a.vals[k]
		}
	}
	return d, reset
}

// ocSpan is the counter samples of one host-bin, in input order: its first
// sample, its last (the one after all others), and the counters' growth
// between the two over the samples in between (growth). A sample that
// does not come after the span's last (an earlier or repeated timestamp: a
// line read twice, a clock step back) is left out. The growth is kept as
// that before the last restart (grew) and the values at it (seg): since
// then the counters only grew, by last − seg, so a sample that is no
// restart costs comparisons only.
type ocSpan struct {
	has         bool
	reset       bool // a restart between two of the samples
	first, last ocSample
	seg, grew   [NumOC]int64
}

// add extends the span by sample s, which follows its samples in input
// order.
func (o *ocSpan) add(s *ocSample) {
	switch {
	case !o.has:
		o.has, o.first, o.last, o.seg = true, *s, *s, s.vals
	case s.after(&o.last):
		if restart(&o.last, s) {
			o.grew = addAll(o.growth(), &s.vals)
			o.seg, o.reset = s.vals, true
		}
		o.last = *s
	}
}

// growth is what the counters grew by from the span's first sample to its
// last.
func (o *ocSpan) growth() [NumOC]int64 {
	g := o.grew
	for k := range g {
		g[k] = addSat(g[k], o.last.vals[k]-o.seg[k])
	}
	return g
}

// merge extends the span by src, the same host-bin's samples of a later
// unit, as if the two had been read as one. When src's samples start
// before o's last (units that overlap in time) only src's last is kept,
// one step after o's.
func (o *ocSpan) merge(src *ocSpan) {
	switch {
	case !src.has:
		return
	case !o.has:
		*o = *src
		return
	case !src.last.after(&o.last): // none of src's samples would be added
		return
	case src.first.after(&o.last):
		d, reset := ocStep(&o.last, &src.first)
		g := addAll(o.growth(), &d)
		o.grew, o.seg = addAll(g, &src.grew), src.seg
		o.reset = o.reset || reset || src.reset
	default:
		d, reset := ocStep(&o.last, &src.last)
		o.grew, o.seg = addAll(o.growth(), &d), src.last.vals
		o.reset = o.reset || reset
	}
	o.last = src.last
}

// addAll is a + d, counter by counter (addSat).
func addAll(a [NumOC]int64, d *[NumOC]int64) [NumOC]int64 {
	for k := range a {
		a[k] = addSat(a[k], d[k])
	}
	return a
}

// addSat is a + b, held at the int64 bounds instead of wrapping.
func addSat(a, b int64) int64 {
	s := a + b
	if (s > a) == (b > 0) || b == 0 {
		return s
	}
	if b > 0 {
		return math.MaxInt64
	}
	return math.MinInt64
}

// ocDeltas sets the host's per-bin counter deltas and hit rates from its
// bins' spans: the growth from the previous bin's last sample (of the
// host's bins with one) to the bin's first, plus the growth within the
// bin. The host's first such bin has no delta; a bin with a restart in
// either part is in Resets.
func (h *HostResult) ocDeltas(ocs []ocSpan) {
	var prev *ocSample
	for i := range ocs {
		cur := &ocs[i]
		if !cur.has {
			continue
		}
		reset := cur.reset
		if prev != nil {
			d, r := ocStep(prev, &cur.first)
			reset = reset || r
			g := cur.growth()
			d = addAll(d, &g)
			var hits, total float64
			for k := range d {
				v := float64(d[k])
				h.OCDelta[k][i] = v
				total += v
				if k != OCMiss {
					hits += v
				}
			}
			if total > 0 {
				h.HitRate[i] = hits / total
			}
		}
		if reset {
			h.Resets = append(h.Resets, i)
		}
		prev = &cur.last
	}
}
