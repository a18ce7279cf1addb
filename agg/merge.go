package agg

import "slices"

// Merge folds o into p; o must not be used afterwards. Partials of one run
// share the binner's interval and the host table.
func (p *Partial) Merge(o *Partial) {
	binMap := make([]int32, len(o.binStart))
	for j, start := range o.binStart {
		binMap[j] = p.binIndex(start)
	}
	for j, k := range binMap {
		p.gauges.mergeSlot(int(k), &o.gauges, j)
	}
	for j, k := range binMap {
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
	for j := range o.slotHost {
		k := int(p.slotIndex(o.slotHost[j], o.slotBin[j]))
		p.slotSamples[k] += o.slotSamples[j]
		p.slotTime[k].merge(&o.slotTime[j])
		p.hostStats.mergeSlot(k, &o.hostStats, j)
		if src := &o.oc[j]; src.has && p.oc[k].newer(src.ts, &src.vals) {
			p.oc[k] = *src
		}
	}
}
