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

// cell is one gauge of one bin. A block holds the host metrics' cells of
// its bins, bin by bin, then the other gauges' (hosts fold in the first,
// units the second: each walks cells next to each other).
type cell struct {
	cnt      int64
	sum      fixed128 // exact; see over
	max, min float64
}

// clusterBlock is the number of bins per block of cells.
const clusterBlock = 64

// rows returns the cells of bin g, the host metrics' and the other
// gauges', and the number of its first (cells are numbered bin by bin in
// gaugeCols order).
func (c *cluster) rows(g int) (host, other []cell, k0 int) {
	nh, no := len(hostCols), len(gaugeCols)-len(hostCols)
	blk, r := c.cells[g/clusterBlock], g%clusterBlock
	o := clusterBlock*nh + r*no
	return blk[r*nh : r*nh+nh], blk[o : o+no], g * len(gaugeCols)
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

// addHost folds a finished host's bins (its host metrics: the other
// gauges come per unit, addBins) and counter deltas in.
func (c *cluster) addHost(hb *hostBins, hr *HostResult) {
	c.mu.Lock()
	defer c.mu.Unlock()
	nh := len(hostCols)
	for i, start := range hb.start {
		g := c.bin(start)
		c.hosts[g]++
		blk, off := hb.stats[i].b, hb.stats[i].off
		row, _, k0 := c.rows(g)
		c.fold(row, k0, blk.el[off:off+nh])
		if math.IsNaN(hr.OCDelta[0][i]) {
			continue
		}
		c.ocHost[g]++
		for k := range hr.OCDelta {
			c.ocSum[g][k].addInt(int64(hr.OCDelta[k][i]))
		}
	}
}

// addBins folds in the gauges after the host metrics, per bin, of a unit's
// partial.
func (c *cluster) addBins(p *Partial) {
	c.mu.Lock()
	defer c.mu.Unlock()
	nh, n := len(hostCols), len(gaugeCols)
	for i, start := range p.binStart {
		_, row, k0 := c.rows(c.bin(start))
		blk, off := p.binStats.at(i, 0)
		c.fold(row, k0+nh, blk.el[off:off+n-nh])
	}
}

// fold adds statistics xs to cells row, numbered from k0: foldShort takes
// the cells it can, the rest (a sum out of its range, or a cell's sum
// outgrowing 128 bits, or any cell once one has) go one by one through
// foldCell.
func (c *cluster) fold(row []cell, k0 int, xs []statElem) {
	xs = xs[:len(row)]
	for j := 0; j < len(row); j++ {
		if c.over == nil {
			if j += foldShort(row[j:], xs[j:]); j == len(row) {
				return
			}
		}
		c.foldCell(&row[j], k0+j, &xs[j])
	}
}

// foldShort folds xs into row up to the first cell whose sum it does not
// take or would overflow, and returns the number of cells it went past
// (that cell is left as it was). It takes sums of 2^-59 ≤ |x| < 2^56,
// whole or not, where x × 2^fracBits is the 53-bit mantissa shifted left
// by 1 to 63 bits (the same bits as fixedTerm), and zero. A loop without
// calls: with the general path's calls inside, the compiler kept four
// values on the stack every cell, and the fold was ~63 instructions a
// cell, a fifth of what 1-minute bins cost over 1-hour bins at 60 hosts
// (fixedTerm's code cannot be inlined here: over the budget).
func foldShort(row []cell, xs []statElem) int {
	xs = xs[:len(row)]
	for j := range row {
		x, e := &xs[j], &row[j]
		if x.cnt == 0 {
			continue
		}
		b := math.Float64bits(x.sum)
		if shift := uint(b>>52&0x7ff) - (1075 - fracBits); shift-1 < 63 { // wraps below
			// the magnitude, negated (^v + 1, m all ones) when negative,
			// the carry into the top word when the bottom is 0
			mant := b&(1<<52-1) | 1<<52
			m := int64(b) >> 63
			t := fixed128{int64(mant>>(-shift&63)) ^ m, mant<<(shift&63) ^ uint64(m) - uint64(m)}
			if t.lo == 0 {
				t.hi -= m
			}
			if !e.sum.add(t) {
				return j
			}
		} else if b<<1 != 0 { // not ±0 (whose term is 0)
			return j
		}
		e.cnt += x.cnt
		foldMaxMin(e, x)
	}
	return len(row)
}

// foldCell adds statistics x to cell e (number k), its sum past 128 bits
// when need be.
func (c *cluster) foldCell(e *cell, k int, x *statElem) {
	if x.cnt == 0 {
		return
	}
	e.cnt += x.cnt
	foldMaxMin(e, x)
	if t, ok := fixedTerm(x.sum); ok && c.over == nil && e.sum.add(t) {
		return
	}
	c.addBig(e, k, x.sum)
}

// foldMaxMin folds x's max and min into e with the builtins' results
// (NaN, ±0), called only when the new value is not plainly inside: after
// the first hosts it almost never is, a branch predicted right.
func foldMaxMin(e *cell, x *statElem) {
	if !(x.max < e.max) {
		e.max = max(e.max, x.max)
	}
	if !(x.min > e.min) {
		e.min = min(e.min, x.min)
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
		host, other, k0 := c.rows(l)
		for j := range host {
			c.gaugeResult(r, g, j, &host[j], k0+j)
		}
		for j := range other {
			c.gaugeResult(r, g, len(host)+j, &other[j], k0+len(host)+j)
		}
		c.ocResult(r, g, l)
	}
	return r
}

// gaugeResult sets bin g of r's series of gauge j (of gaugeCols) from its
// cell e, number k.
func (c *cluster) gaugeResult(r *Result, g, j int, e *cell, k int) {
	if e.cnt == 0 {
		return
	}
	s := &r.Gauges[gaugeCols[j]]
	s.Avg[g] = c.sumOf(e, k) / float64(e.cnt)
	s.Max[g], s.Min[g] = e.max, e.min
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
