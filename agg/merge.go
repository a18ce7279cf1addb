package agg

import (
	"slices"
	"sort"
)

// Combine merges the partials of one run (same binner and host table) into
// the final result; they must not be used afterwards. The per-bin cluster
// state is folded into the first partial; the host-bins of all partials
// are combined host by host, on all cores (see Partial.hostResult).
func Combine(ps []*Partial, hosts []string) *Result {
	total := ps[0]
	for _, o := range ps[1:] {
		total.mergeBins(o)
	}
	return total.result(ps, hosts)
}

// Result computes the final statistics of a single partial.
func (p *Partial) Result(hosts []string) *Result { return Combine([]*Partial{p}, hosts) }

// mergeBins folds the cluster bins, their host sets and the hosts' worker
// ids of o into p.
func (p *Partial) mergeBins(o *Partial) {
	for j, start := range o.binStart {
		k := p.binIndex(start)
		p.gauges.mergeSlot(int(k), &o.gauges, j)
		for w := 0; w < p.words; w++ {
			p.hostBits[int(k)*p.words+w] |= o.hostBits[j*p.words+w]
		}
	}
	for h, pods := range o.pods {
		for _, v := range pods {
			if !slices.Contains(p.pods[h], v) && len(p.pods[h]) < maxPods {
				p.pods[h] = append(p.pods[h], v)
			}
		}
	}
}

// slotRef is one host-bin of one of the partials being combined.
type slotRef struct {
	p   int32 // index of the partial
	s   int32 // slot in it
	bin int64 // bin start
}

// hostSlots lists, per host, the host-bins of all partials, ordered by bin
// and, within a bin, by partial.
func hostSlots(ps []*Partial) map[int32][]slotRef {
	by := make(map[int32][]slotRef)
	for k, p := range ps {
		for s, h := range p.slotHost {
			by[h] = append(by[h], slotRef{p: int32(k), s: int32(s), bin: p.slotBin[s]})
		}
	}
	for _, refs := range by {
		sort.SliceStable(refs, func(a, b int) bool { return refs[a].bin < refs[b].bin })
	}
	return by
}
