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
//
// Its head is the samples taken after first up to the first of the
// second timestamp later than first's (two samples in logs without
// repeated timestamps; at most maxHead), kept in its partial's arena (heads[head:][:headN]):
// a unit whose first sample of the host-bin does not come after the last
// of the units before it is joined to them exactly from the first of these
// that does. That covers a restart in the second the unit before ended
// (whole-second timestamps) and a record swapped across a rotation: the
// earlier units' last is then at most the head's first later timestamp.
type ocSpan struct {
	has         bool
	headSteps   int8  // of the head's timestamps, how many rose from the one before
	resets      int32 // restarts between two of its samples
	head, headN int32
	first, last ocSample
	seg, grew   [NumOC]int64
}

// maxHead bounds a span's head: more samples of one timestamp than this
// (a stuck clock) end it, so that a head moved each time it grows (two
// host-bins' samples alternating) costs a bounded copy; a unit joined past
// it is joined by its last sample (see merge).
const maxHead = 64

// add extends the span by sample s, which follows its samples in input
// order; heads is the arena of the span's partial.
func (o *ocSpan) add(s *ocSample, heads *[]ocSample) {
	switch {
	case !o.has:
		*o = ocSpan{has: true, head: int32(len(*heads)), first: *s, last: *s, seg: s.vals}
	case s.after(&o.last):
		if restart(&o.last, s) {
			o.grew = addAll(o.growth(), &s.vals)
			o.seg = s.vals
			o.resets++
		}
		if o.headSteps < 2 && o.headN < maxHead {
			o.pushHead(s, o.last.ts, heads)
		}
		o.last = *s
	}
}

// pushHead appends s, which follows a sample of timestamp prev, to the
// span's head, moving the head to the arena's end first when another
// span's samples came after it.
func (o *ocSpan) pushHead(s *ocSample, prev int64, heads *[]ocSample) {
	if int(o.head+o.headN) != len(*heads) {
		n := int32(len(*heads))
		*heads = append(*heads, (*heads)[o.head:o.head+o.headN]...)
		o.head = n
	}
	*heads = append(*heads, *s)
	o.headN++
	if s.ts > prev {
		o.headSteps++
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
// unit (srcHeads the arena of its partial), as if the two had been read as
// one: src's samples that come after o's last, the suffix of its chain.
func (o *ocSpan) merge(src *ocSpan, srcHeads []ocSample) {
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
		o.resets += src.resets
		if reset {
			o.resets++
		}
	case o.join(src, srcHeads[src.head:][:src.headN]):
	default:
		// src's head is all before o's last too (a clock stepped back,
		// files that overlap in time by more than a sample): src's
		// samples are joined by its last only.
		d, reset := ocStep(&o.last, &src.last)
		o.grew, o.seg = addAll(o.growth(), &d), src.last.vals
		if reset {
			o.resets++
		}
	}
	o.last = src.last
}

// join extends the span by src, whose first sample does not come after
// o's last but whose last does: from the first sample of src's head that
// does, if there is one, else it returns false.
func (o *ocSpan) join(src *ocSpan, head []ocSample) bool {
	var pre [NumOC]int64 // src's growth from its first to head[j]
	var preResets int32
	prev := &src.first
	for j := range head {
		c := &head[j]
		d, r := ocStep(prev, c)
		pre = addAll(pre, &d)
		if r {
			preResets++
		}
		prev = c
		if !c.after(&o.last) {
			continue
		}
		bridge, reset := ocStep(&o.last, c)
		g := addAll(o.growth(), &bridge)
		// the growth from c to src's last: without a restart after c the
		// difference, else the rest of src's growth
		var rest [NumOC]int64
		if src.resets == preResets {
			for k := range rest {
				rest[k] = src.last.vals[k] - c.vals[k]
			}
		} else {
			rest = src.growth()
			for k := range rest {
				rest[k] = addSat(rest[k], -pre[k])
			}
		}
		o.grew, o.seg = addAll(g, &rest), src.last.vals
		o.resets += src.resets - preResets
		if reset {
			o.resets++
		}
		return true
	}
	return false
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
		reset := cur.resets > 0
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
