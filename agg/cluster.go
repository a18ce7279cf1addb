package agg

import (
	"math"
	"math/big"
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
	hosts  []int32           // per bin: hosts with records
	cells  [][]cell          // blocks of clusterBlock bins × len(gaugeCols) gauges
	over   map[int]*big.Int  // sums (by cell number) that outgrew 128 bits
	ocSum  [][NumOC]exactSum // per bin: sum of the hosts' deltas
	ocHost []int32           // per bin: hosts with a delta
}

// cell is one gauge of one bin; a bin's cells are next to each other, as
// a host's bin is folded in gauge by gauge.
type cell struct {
	cnt      int64
	sum      fixed128 // exact; see over
	max, min float64
}

// clusterBlock is the number of bins per block of cells.
const clusterBlock = 64

// row returns the cells of bin g, and the number of its first.
func (c *cluster) row(g int) ([]cell, int) {
	n := len(gaugeCols)
	i := (g % clusterBlock) * n
	return c.cells[g/clusterBlock][i : i+n], g * n
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
	if i%clusterBlock == 0 {
		blk := make([]cell, clusterBlock*len(gaugeCols))
		for k := range blk {
			blk[k].max, blk[k].min = math.Inf(-1), math.Inf(1)
		}
		c.cells = append(c.cells, blk)
	}
	return i
}

// addHost folds a finished host's bins and counter deltas in.
func (c *cluster) addHost(hb *hostBins, hr *HostResult) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, start := range hb.start {
		g := c.bin(start)
		c.hosts[g]++
		blk, off := hb.stats[i].b, hb.stats[i].off
		row, k0 := c.row(g)
		for j := range row {
			x := &blk.el[off+j]
			if x.cnt == 0 {
				continue
			}
			e := &row[j]
			e.cnt += x.cnt
			e.max, e.min = max(e.max, x.max), min(e.min, x.min)
			if t, ok := fixedTerm(x.sum); ok && c.over == nil && e.sum.add(t) {
				continue
			}
			c.addBig(e, k0+j, x.sum)
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

// addBig adds x to the sum of cell e (number k) past 128 bits, or once
// some sum has outgrown them (then every add checks the map).
func (c *cluster) addBig(e *cell, k int, x float64) {
	if c.over == nil {
		c.over = map[int]*big.Int{}
	}
	b := c.over[k]
	if b == nil {
		if t, ok := fixedTerm(x); ok && e.sum.add(t) {
			return
		}
		b = e.sum.bigInt()
		c.over[k] = b
	}
	b.Add(b, bigTerm(x))
}

// sumOf returns the sum of cell e (number k), rounded to float64.
func (c *cluster) sumOf(e *cell, k int) float64 {
	if b := c.over[k]; b != nil {
		return bigFloat(b)
	}
	return e.sum.float()
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
		row, k0 := c.row(l)
		for j, m := range gaugeCols {
			e := &row[j]
			if e.cnt == 0 {
				continue
			}
			s := &r.Gauges[m]
			s.Avg[g] = c.sumOf(e, k0+j) / float64(e.cnt)
			s.Max[g], s.Min[g] = e.max, e.min
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
