package agg

import (
	"maps"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sort"
	"sync"

	"github.com/resreport/resreport/columnar"
)

// Series holds one value per bin; NaN marks a bin without data (null in
// JSON, a gap in charts).
type Series []float64

// MinMaxAvg are the per-bin statistics of one gauge metric.
type MinMaxAvg struct {
	Avg, Max, Min Series
}

// Result is the final aggregate of a run.
type Result struct {
	Interval int64   // bin width, microseconds
	Bins     []int64 // bin starts, ascending: every bin with at least one record

	HostCount []int       // per bin: hosts with records in the bin
	Gauges    []MinMaxAvg // per catalogue metric (columnar.Metrics); empty for counters

	// OC_HIT_NUM, per bin over the hosts that have a delta in the bin.
	OCSum         [NumOC]Series // sum of per-host deltas
	OCAvg         [NumOC]Series // OCSum / OCHosts
	OCHosts       []int         // hosts with a delta in the bin
	TotalHits     Series        // sum of the four hit deltas
	TotalRequests Series        // TotalHits + misses
	HitRate       Series        // TotalHits / TotalRequests

	Hosts []HostResult // hosts with at least one record, by name
}

// HostResult holds one host's per-bin statistics. Its series are indexed
// like Bins, which lists the global bin indices where the host has
// records, so charts align hosts on the global time axis.
type HostResult struct {
	Name    string
	Index   int32    // index in the run's host table
	Pods    []string // distinct worker ids seen (at most 16), sorted
	Bins    []int    // indices into Result.Bins, ascending
	Start   []int64  // bin start per entry of Bins (microseconds); per-host code uses this, not Result.Bins
	Samples []int64  // records per bin
	// First and Last are the first and last sample timestamps per bin;
	// Gap is the longest gap between samples seen inside the bin and GapAt
	// where it starts (gaps across bins follow from First and Last).
	First, Last, Gap, GapAt []int64

	Metrics []MinMaxAvg // per HostMetrics entry

	OCDelta [NumOC]Series // per-bin counter deltas; NaN without a previous bin
	HitRate Series        // four hits / (hits + misses) of the deltas
	Resets  []int         // bin indices (into Result.Bins) where a counter reset was seen
}

// Records returns the number of records of the host.
func (h *HostResult) Records() int64 {
	var n int64
	for _, s := range h.Samples {
		n += s
	}
	return n
}

// Gauge returns the statistics of the catalogue column called name.
func (r *Result) Gauge(name string) *MinMaxAvg {
	return &r.Gauges[columnar.MustMetric(name)]
}

// Metric returns the host's statistics of a HostMetrics column, or nil.
func (h *HostResult) Metric(name string) *MinMaxAvg {
	i := HostMetricIndex(name)
	if i < 0 {
		return nil
	}
	return &h.Metrics[i]
}

// result computes the final statistics of p, into which the cluster bins
// of all of ps are merged, and of the host-bins of ps. hosts is the run's
// host table.
func (p *Partial) result(ps []*Partial, hosts []string) *Result {
	nb := len(p.binStart)
	order := make([]int, nb)
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return p.binStart[order[a]] < p.binStart[order[b]] })
	global := make([]int, nb) // local bin index -> global
	r := &Result{Interval: p.binner.interval, Bins: make([]int64, nb), HostCount: make([]int, nb)}
	for g, l := range order {
		global[l] = g
		r.Bins[g] = p.binStart[l]
		n := 0
		for _, w := range p.hostBits[l*p.words : (l+1)*p.words] {
			n += bits.OnesCount64(w)
		}
		r.HostCount[g] = n
	}
	r.Gauges = make([]MinMaxAvg, len(columnar.Metrics))
	for j, m := range gaugeCols {
		s := MinMaxAvg{Avg: nanSeries(nb), Max: nanSeries(nb), Min: nanSeries(nb)}
		for l := 0; l < nb; l++ {
			g := global[l]
			s.Avg[g], s.Max[g], s.Min[g] = p.gauges.stats(l, j)
		}
		r.Gauges[m] = s
	}
	r.hostResults(p, ps, hosts, global)
	r.clusterOC()
	return r
}

func (r *Result) hostResults(p *Partial, ps []*Partial, hosts []string, global []int) {
	byHost := hostSlots(ps)
	ids := slices.Sorted(maps.Keys(byHost))
	r.Hosts = make([]HostResult, len(ids))
	// Hosts are independent: build them on all cores.
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(ids)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r.Hosts[i] = p.hostResult(ps, ids[i], byHost[ids[i]], hosts, global)
			}
		}()
	}
	for i := range ids {
		next <- i
	}
	close(next)
	wg.Wait()
	sort.Slice(r.Hosts, func(a, b int) bool { return r.Hosts[a].Name < r.Hosts[b].Name })
}

// hostResult builds the result of host h from its host-bins in all
// partials (refs, ordered by bin); p holds the merged cluster bins. The
// partials' statistics of a bin are folded in partial order.
func (p *Partial) hostResult(ps []*Partial, h int32, refs []slotRef, hosts []string, global []int) HostResult {
	n := 0
	for k, ref := range refs {
		if k == 0 || ref.bin != refs[k-1].bin {
			n++
		}
	}
	nh := len(hostCols)
	hr := HostResult{
		Name: hosts[h], Index: h, Pods: slices.Sorted(slices.Values(p.pods[h])),
		Bins: make([]int, n), Start: make([]int64, n), Samples: make([]int64, n),
		First: make([]int64, n), Last: make([]int64, n), Gap: make([]int64, n), GapAt: make([]int64, n),
		Metrics: make([]MinMaxAvg, nh),
		HitRate: nanSeries(n),
	}
	for k := range hr.OCDelta {
		hr.OCDelta[k] = nanSeries(n)
	}
	// every value is set below: one allocation, no NaN fill
	vals := make([]float64, 3*n*nh)
	for j := range hr.Metrics {
		v := vals[3*n*j : 3*n*(j+1)]
		hr.Metrics[j] = MinMaxAvg{Avg: v[:n:n], Max: v[n : 2*n : 2*n], Min: v[2*n:]}
	}
	ocs := make([]ocLast, n)
	acc := newStatVec(nh) // the bin being combined
	acc.add()
	var span sampleSpan
	i := -1
	flush := func() {
		if i < 0 {
			return
		}
		hr.First[i], hr.Last[i], hr.Gap[i], hr.GapAt[i] = span.first, span.last, span.gap, span.gapAt
		for j := range hr.Metrics {
			m := &hr.Metrics[j]
			m.Avg[i], m.Max[i], m.Min[i] = acc.stats(0, j)
		}
	}
	for k, ref := range refs {
		q := ps[ref.p]
		if k == 0 || ref.bin != refs[k-1].bin {
			flush()
			i++
			bi, _ := p.binOf.get(ref.bin)
			hr.Bins[i] = global[bi]
			hr.Start[i] = ref.bin
			span = q.slotTime[ref.s]
			acc.clearSlot(0)
		} else {
			span.merge(&q.slotTime[ref.s])
		}
		hr.Samples[i] += q.slotSamples[ref.s]
		acc.mergeSlot(0, &q.hostStats, int(ref.s))
		if src := &q.oc[ref.s]; src.has && ocs[i].newer(src.ts, &src.vals) {
			ocs[i] = *src
		}
	}
	flush()
	hr.ocDeltas(ocs)
	return hr
}

// ocDeltas turns the last counter sample of each bin into deltas to the
// host's previous bin with a sample. A decrease of any counter, or a new
// PID, is a restart of the worker: its counters began again at zero, so the
// delta is the new value itself (as Prometheus's increase() treats a
// reset), where the reference clamps it to 0 and loses the bin's hits.
func (h *HostResult) ocDeltas(ocs []ocLast) {
	var prev *ocLast
	for i := range ocs {
		cur := &ocs[i]
		if !cur.has {
			continue
		}
		if prev != nil {
			reset := cur.pid != prev.pid && cur.pid >= 0 && prev.pid >= 0
			for k := range cur.vals {
				if cur.vals[k] < prev.vals[k] {
					reset = true
				}
			}
			var hits, total float64
			for k := range cur.vals {
				d := cur.vals[k]
				if !reset {
					d -= prev.vals[k]
				}
				h.OCDelta[k][i] = float64(d)
				total += float64(d)
				if k != OCMiss {
					hits += float64(d)
				}
			}
			if reset {
				h.Resets = append(h.Resets, h.Bins[i])
			}
			if total > 0 {
				h.HitRate[i] = hits / total
			}
		}
		prev = cur
	}
}

// clusterOC sums the hosts' deltas per bin.
func (r *Result) clusterOC() {
	nb := len(r.Bins)
	r.OCHosts = make([]int, nb)
	for k := range r.OCSum {
		r.OCSum[k] = make(Series, nb)
		r.OCAvg[k] = nanSeries(nb)
	}
	for _, h := range r.Hosts {
		for i, g := range h.Bins {
			if math.IsNaN(h.OCDelta[0][i]) {
				continue
			}
			r.OCHosts[g]++
			for k := range r.OCSum {
				r.OCSum[k][g] += h.OCDelta[k][i]
			}
		}
	}
	r.TotalHits, r.TotalRequests, r.HitRate = nanSeries(nb), nanSeries(nb), nanSeries(nb)
	for g := 0; g < nb; g++ {
		n := r.OCHosts[g]
		if n == 0 {
			for k := range r.OCSum {
				r.OCSum[k][g] = math.NaN()
			}
			continue
		}
		var hits float64
		for k := range r.OCSum {
			r.OCAvg[k][g] = r.OCSum[k][g] / float64(n)
			if k != OCMiss {
				hits += r.OCSum[k][g]
			}
		}
		r.TotalHits[g] = hits
		r.TotalRequests[g] = hits + r.OCSum[OCMiss][g]
		if r.TotalRequests[g] > 0 {
			r.HitRate[g] = hits / r.TotalRequests[g]
		}
	}
}

func nanSeries(n int) Series {
	s := make(Series, n)
	for i := range s {
		s[i] = math.NaN()
	}
	return s
}
