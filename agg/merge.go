package agg

import "slices"

// Merge folds o into p; o must not be used afterwards. Partials of one run
// share the binner's interval and the host table.
func (p *Partial) Merge(o *Partial) {
	binMap := make([]int32, len(o.binStart))
	for j, start := range o.binStart {
		binMap[j] = p.binIndex(start)
	}
	ng := len(gaugeCols)
	for j, k := range binMap {
		for g := 0; g < ng; g++ {
			p.gauges.mergeSlot(int(k)*ng+g, &o.gauges, j*ng+g)
		}
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
		nh := len(hostCols)
		for m := 0; m < nh; m++ {
			p.hostStats.mergeSlot(k*nh+m, &o.hostStats, j*nh+m)
		}
		if src := &o.oc[j]; src.has && p.oc[k].newer(src.ts, &src.vals) {
			p.oc[k] = *src
		}
	}
}
