package agg

import (
	"math"
	"slices"
	"sort"
)

// slotRef is one host-bin of one of the partials being combined.
type slotRef struct {
	part int32 // index into the host's partials, in unit order
	slot int32
	bin  int64 // bin start
}

// hostRefs appends to refs the slots of host h in parts (in unit order),
// ordered by bin and, within a bin, by unit.
func hostRefs(h int32, parts []*Partial, refs []slotRef) []slotRef {
	for k, p := range parts {
		for _, s := range p.slots[h] {
			refs = append(refs, slotRef{part: int32(k), slot: s, bin: p.slotBin[s]})
		}
	}
	sort.SliceStable(refs, func(a, b int) bool { return refs[a].bin < refs[b].bin })
	return refs
}

// hostBins is the combined state of one host, bin by bin: what a
// HostResult is computed from and what the host adds to the cluster bins.
type hostBins struct {
	start   []int64
	samples []int64
	spans   []sampleSpan
	stats   []statLoc // per bin: its statistics of every gauge
	oc      []ocSpan
	pods    []string

	merged statVec // the bins that several units hold, merged
	refs   []slotRef
}

// statLoc is where a bin's statistics of every gauge are: in the slot of
// the one unit that holds the bin (most bins), or merged.
type statLoc struct {
	b   *statBlock
	off int
}

// combineHost merges host h's slots of the partials of its units, given
// in unit order, into hb, emptied first (its memory is reused): statistics
// of a bin are folded in unit order, so the result does not depend on
// which worker read which unit. A bin that one unit holds keeps its
// statistics in that unit's partial (valid while the partials are); the
// few that several units hold (at their boundaries) are merged into
// hb.merged.
func combineHost(h int32, parts []*Partial, hb *hostBins) {
	hb.refs = hostRefs(h, parts, hb.refs[:0])
	refs := hb.refs
	hb.merged.reset()
	hb.start, hb.samples, hb.spans = hb.start[:0], hb.samples[:0], hb.spans[:0]
	hb.oc, hb.stats, hb.pods = hb.oc[:0], hb.stats[:0], hb.pods[:0]
	i := -1
	for k, ref := range refs {
		q := parts[ref.part]
		if k == 0 || ref.bin != refs[k-1].bin {
			i++
			hb.start = append(hb.start, ref.bin)
			hb.samples = append(hb.samples, 0)
			hb.spans = append(hb.spans, emptySpan())
			hb.oc = append(hb.oc, ocSpan{})
			b, off := q.stats.at(int(ref.slot), 0)
			hb.stats = append(hb.stats, statLoc{b, off})
		} else {
			if k == 1 || refs[k-2].bin != ref.bin { // the bin's second unit: move it to merged
				m := hb.merged.slots
				hb.merged.add()
				p := parts[refs[k-1].part]
				hb.merged.mergeSlot(m, &p.stats, int(refs[k-1].slot))
				b, off := hb.merged.at(m, 0)
				hb.stats[i] = statLoc{b, off}
			}
			hb.stats[i].b.merge(hb.stats[i].off, q.stats.width, &q.stats, int(ref.slot))
		}
		hb.samples[i] += q.slotSamples[ref.slot]
		hb.spans[i].merge(&q.slotTime[ref.slot])
		hb.oc[i].merge(&q.oc[ref.slot], q.ocHeads)
	}
	for _, p := range parts {
		for _, v := range p.pods[h] {
			if !slices.Contains(hb.pods, v) && len(hb.pods) < maxPods {
				hb.pods = append(hb.pods, v)
			}
		}
	}
}

// result sets hr to the host's per-bin statistics, reusing hr's memory
// (the series of a host that was handed on and is done with).
func (hb *hostBins) result(name string, index int32, hr *HostResult) {
	n := len(hb.start)
	nh := len(hostCols)
	*hr = HostResult{
		Name: name, Index: index, Pods: slices.Sorted(slices.Values(hb.pods)),
		Start: hb.start, Samples: hb.samples,
		First: resize(hr.First, n), Last: resize(hr.Last, n), Gap: resize(hr.Gap, n), GapAt: resize(hr.GapAt, n),
		Metrics: resize(hr.Metrics, nh), OCDelta: hr.OCDelta,
		HitRate: fillNaN(hr.HitRate, n), Resets: hr.Resets[:0],
	}
	for i, s := range hb.spans {
		hr.First[i], hr.Last[i], hr.Gap[i], hr.GapAt[i] = s.first, s.last, s.gap, s.gapAt
	}
	for k := range hr.OCDelta {
		hr.OCDelta[k] = fillNaN(hr.OCDelta[k], n)
	}
	// every value is set below: no NaN fill
	for j := range hr.Metrics {
		m := &hr.Metrics[j]
		m.Avg, m.Max, m.Min = resize(m.Avg, n), resize(m.Max, n), resize(m.Min, n)
	}
	hb.transpose(hr.Metrics)
	hr.ocDeltas(hb.oc)
}

// resize returns s with length n, reallocated only when too small; its
// values are left as they were.
func resize[S ~[]E, E any](s S, n int) S {
	if cap(s) < n {
		return make(S, n)
	}
	return s[:n]
}

// fillNaN returns s (resized) with every value NaN.
func fillNaN(s Series, n int) Series {
	s = resize(s, n)
	for i := range s {
		s[i] = math.NaN()
	}
	return s
}

// transposeTile is the number of bins transposed together: their slots
// (~30 KB) stay in cache while every metric's series gets them, four
// cache lines per series and tile (8 bins, one line each of ninety
// series, took a third longer: perf at 300 hosts, 1-minute bins).
const transposeTile = 32

// transpose sets the host's series, bin-major slots to metric-major
// series, tile by tile (metric by metric over all bins read every slot
// once per metric, from memory at fine bins).
func (hb *hostBins) transpose(ms []MinMaxAvg) {
	n := len(hb.start)
	for i0 := 0; i0 < n; i0 += transposeTile {
		locs := hb.stats[i0:min(i0+transposeTile, n)]
		for j := range ms {
			m := &ms[j]
			avg, mx, mn := m.Avg[i0:][:len(locs)], m.Max[i0:][:len(locs)], m.Min[i0:][:len(locs)]
			for k, l := range locs {
				avg[k], mx[k], mn[k] = l.b.stats(l.off + j)
			}
		}
	}
}

func nanSeries(n int) Series { return fillNaN(nil, n) }
