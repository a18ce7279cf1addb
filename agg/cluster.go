package agg

import (
	"math"
	"sort"
	"sync"

	"github.com/resreport/resreport/columnar"
)

// cluster accumulates the per-bin cluster statistics from the hosts'
// combined bins as hosts finish, in whatever order they finish: counts,
// maxima and minima do not depend on the order, and sums are exact
// (exactSum), so the result is the same for any number of workers.
type cluster struct {
	mu     sync.Mutex
	binOf  binMap
	start  []int64
	hosts  []int32 // per bin: hosts with records
	cnt    []int64 // bin × len(gaugeCols) + gauge
	sum    []exactSum
	max    []float64
	min    []float64
	ocSum  [][NumOC]exactSum // per bin: sum of the hosts' deltas
	ocHost []int32           // per bin: hosts with a delta
}

func newCluster(interval int64) *cluster { return &cluster{binOf: newBinMap(interval)} }

// bin returns the index of the bin starting at start, adding it if new.
func (c *cluster) bin(start int64) int {
	if i, ok := c.binOf.get(start); ok {
		return int(i)
	}
	i := len(c.start)
	c.binOf.put(start, int32(i))
	c.start = append(c.start, start)
	c.hosts = append(c.hosts, 0)
	c.ocSum = append(c.ocSum, [NumOC]exactSum{})
	c.ocHost = append(c.ocHost, 0)
	n := len(gaugeCols)
	c.cnt = append(c.cnt, make([]int64, n)...)
	c.sum = append(c.sum, make([]exactSum, n)...)
	for range n {
		c.max = append(c.max, math.Inf(-1))
		c.min = append(c.min, math.Inf(1))
	}
	return i
}

// addHost folds a finished host's bins and counter deltas in.
func (c *cluster) addHost(hb *hostBins, hr *HostResult) {
	n := len(gaugeCols)
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, start := range hb.start {
		g := c.bin(start)
		c.hosts[g]++
		blk, off := hb.stats.at(i, 0)
		for j := 0; j < n; j++ {
			cnt := blk.cnt[off+j]
			if cnt == 0 {
				continue
			}
			k := g*n + j
			c.cnt[k] += int64(cnt)
			c.sum[k].add(blk.sum[off+j])
			c.max[k] = max(c.max[k], blk.max[off+j])
			c.min[k] = min(c.min[k], blk.min[off+j])
		}
		if math.IsNaN(hr.OCDelta[0][i]) {
			continue
		}
		c.ocHost[g]++
		for k := range hr.OCDelta {
			c.ocSum[g][k].addInt(int64(hr.OCDelta[k][i]))
		}
	}
}

// result returns the cluster statistics, bins in time order.
func (c *cluster) result(interval int64) *Result {
	nb := len(c.start)
	order := make([]int, nb)
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return c.start[order[a]] < c.start[order[b]] })
	r := &Result{Interval: interval, Bins: make([]int64, nb), HostCount: make([]int, nb), OCHosts: make([]int, nb)}
	n := len(gaugeCols)
	r.Gauges = make([]MinMaxAvg, len(columnar.Metrics)) // empty for counters
	for _, m := range gaugeCols {
		r.Gauges[m] = MinMaxAvg{Avg: nanSeries(nb), Max: nanSeries(nb), Min: nanSeries(nb)}
	}
	for k := range r.OCSum {
		r.OCSum[k], r.OCAvg[k] = nanSeries(nb), nanSeries(nb)
	}
	r.TotalHits, r.TotalRequests, r.HitRate = nanSeries(nb), nanSeries(nb), nanSeries(nb)
	for g, l := range order {
		r.Bins[g] = c.start[l]
		r.HostCount[g] = int(c.hosts[l])
		for j, m := range gaugeCols {
			k := l*n + j
			if c.cnt[k] == 0 {
				continue
			}
			s := &r.Gauges[m]
			s.Avg[g] = c.sum[k].Float() / float64(c.cnt[k])
			s.Max[g], s.Min[g] = c.max[k], c.min[k]
		}
		c.ocResult(r, g, l)
	}
	return r
}

// ocResult sets bin g of r's counter series from bin l.
func (c *cluster) ocResult(r *Result, g, l int) {
	hosts := c.ocHost[l]
	r.OCHosts[g] = int(hosts)
	if hosts == 0 {
		return
	}
	var hits, total exactSum
	for k := range r.OCSum {
		s := &c.ocSum[l][k]
		r.OCSum[k][g] = s.Float()
		r.OCAvg[k][g] = r.OCSum[k][g] / float64(hosts)
		total.merge(s)
		if k != OCMiss {
			hits.merge(s)
		}
	}
	r.TotalHits[g], r.TotalRequests[g] = hits.Float(), total.Float()
	if r.TotalRequests[g] > 0 {
		r.HitRate[g] = r.TotalHits[g] / r.TotalRequests[g]
	}
}
