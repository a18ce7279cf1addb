package agg

import (
	"encoding/binary"
	"math"
	"slices"

	"github.com/resreport/resreport/columnar"
)

// Partial is the mergeable aggregate state of one parser goroutine. Add
// folds a batch into it column by column; Combine merges partials. It is
// not safe for concurrent use: each worker owns one.
type Partial struct {
	binner *Binner
	nHosts int
	words  int // words of a per-bin host bitset

	// cluster bins, in order of first sight
	binOf    binMap
	binStart []int64
	gauges   statVec  // bin × len(gaugeCols) + gauge
	hostBits []uint64 // words per bin: hosts with records in the bin

	// host-bins ("slots"), in order of first sight
	slotOf      []binMap // per host: its bins' slots
	slotHost    []int32
	slotBin     []int64
	slotSamples []int64
	slotTime    []sampleSpan // first/last sample and the longest gap inside
	hostStats   statVec      // slot × len(hostCols) + host metric
	oc          []ocLast     // indexed by slot

	pods map[int32][]string // per host: distinct worker ids (pod), at most maxPods

	runs    []run       // scratch: rows of a batch cut where host or bin changes
	targets []runTarget // scratch: per run, where its statistics go
	dense   []uint8     // scratch: per statCols entry, the density of the batch's column
}

// maxPods bounds the worker ids remembered per host.
const maxPods = 16

// runTarget is where a run's statistics are folded.
type runTarget struct {
	gb, hb *statBlock
	gi, hi int
}

// run is a range of batch rows with one host and one bin.
type run struct {
	start, end int
	bin        int32
	slot       int32
}

// sampleSpan is the time extent of a host's samples in one bin: the first
// and last timestamps and the longest gap between consecutive samples seen
// inside a run (rows of one shard are in file order, which is time order).
type sampleSpan struct {
	first, last int64
	gap, gapAt  int64 // longest gap and the timestamp where it starts
}

func (s *sampleSpan) add(ts []int64) {
	for i, t := range ts {
		if t < s.first {
			s.first = t
		}
		if t > s.last {
			s.last = t
		}
		if i > 0 {
			if g := t - ts[i-1]; g > s.gap {
				s.gap, s.gapAt = g, ts[i-1]
			}
		}
	}
}

func (s *sampleSpan) merge(o *sampleSpan) {
	s.first = min(s.first, o.first)
	s.last = max(s.last, o.last)
	if o.gap > s.gap {
		s.gap, s.gapAt = o.gap, o.gapAt
	}
}

// ocLast is the last OC_HIT_NUM sample of a host-bin by timestamp.
type ocLast struct {
	has  bool
	ts   int64
	pid  int64 // -1 when the sample has no PID
	vals [NumOC]int64
}

// newer reports whether a sample (ts, vals) replaces o as the last of its
// host-bin: a later timestamp, or the same timestamp and larger counters
// (counters only grow within a process), so the choice does not depend on
// the order in which shards are parsed.
func (o *ocLast) newer(ts int64, vals *[NumOC]int64) bool {
	if !o.has || ts > o.ts {
		return true
	}
	if ts < o.ts {
		return false
	}
	var a, b int64
	for k := range vals {
		a += vals[k]
		b += o.vals[k]
	}
	return a > b
}

// NewPartial returns an empty partial for the given host table size.
func NewPartial(b *Binner, nHosts int) *Partial {
	p := &Partial{
		binner: &Binner{interval: b.interval, start: 1},
		nHosts: nHosts,
		words:  (nHosts + 63) / 64,
		binOf:  newBinMap(b.interval),
		slotOf: make([]binMap, nHosts),
		pods:   make(map[int32][]string),

		gauges:    newStatVec(len(gaugeCols)),
		hostStats: newStatVec(len(hostCols)),
	}
	for h := range p.slotOf {
		p.slotOf[h] = newBinMap(b.interval)
	}
	return p
}

func (p *Partial) binIndex(start int64) int32 {
	if i, ok := p.binOf.get(start); ok {
		return i
	}
	i := int32(len(p.binStart))
	p.binOf.put(start, i)
	p.binStart = append(p.binStart, start)
	p.gauges.add()
	for w := 0; w < p.words; w++ {
		p.hostBits = append(p.hostBits, 0)
	}
	return i
}

func (p *Partial) slotIndex(host int32, bin int64) int32 {
	m := &p.slotOf[host]
	if i, ok := m.get(bin); ok {
		return i
	}
	i := int32(len(p.slotHost))
	m.put(bin, i)
	p.slotHost = append(p.slotHost, host)
	p.slotBin = append(p.slotBin, bin)
	p.slotSamples = append(p.slotSamples, 0)
	p.slotTime = append(p.slotTime, sampleSpan{first: math.MaxInt64, last: math.MinInt64})
	p.hostStats.add()
	p.oc = append(p.oc, ocLast{})
	return i
}

// cutRuns splits the batch's rows into runs of one host and one bin.
func (p *Partial) cutRuns(b *columnar.Batch) {
	p.runs = p.runs[:0]
	n := b.Len
	for i := 0; i < n; {
		host := b.Host[i]
		start := p.binner.Bin(b.TS[i])
		end := p.binner.end
		j := i + 1
		for j < n && b.Host[j] == host && b.TS[j] >= start && b.TS[j] < end {
			j++
		}
		// merge with the previous run when it is the same host-bin
		if k := len(p.runs) - 1; k >= 0 && p.slotHost[p.runs[k].slot] == host && p.slotBin[p.runs[k].slot] == start && p.runs[k].end == i {
			p.runs[k].end = j
		} else {
			p.runs = append(p.runs, run{start: i, end: j, bin: p.binIndex(start), slot: p.slotIndex(host, start)})
		}
		i = j
	}
}

// Add folds the rows of b into the partial. It does not retain b.
func (p *Partial) Add(b *columnar.Batch) {
	if b.Len == 0 {
		return
	}
	p.cutRuns(b)
	for _, r := range p.runs {
		host := p.slotHost[r.slot]
		p.hostBits[int(r.bin)*p.words+int(host>>6)] |= 1 << (uint(host) & 63)
		p.slotSamples[r.slot] += int64(r.end - r.start)
		p.slotTime[r.slot].add(b.TS[r.start:r.end])
	}
	// Column-major: each column is read once, front to back, run by run,
	// and each run's statistics are folded into its bin's and its
	// host-bin's slots (found once per run, in targets); a metric that is
	// both a gauge and a host metric is summarised once. A column without
	// nulls in the batch (the usual case) skips the per-run validity
	// check, one without values (a group the workers do not register) is
	// skipped. On batches no longer in cache this is ~1.4× the run-major
	// order (BenchmarkKernels); on batches just parsed they are even.
	p.dense = p.dense[:0]
	for _, a := range statCols {
		p.dense = append(p.dense, density(b.Cols[a.col].Valid, b.Len))
	}
	p.targets = p.targets[:0]
	for _, r := range p.runs {
		gb, gi := p.gauges.at(int(r.bin), 0)
		hb, hi := p.hostStats.at(int(r.slot), 0)
		p.targets = append(p.targets, runTarget{gb, hb, gi, hi})
	}
	for k, a := range statCols {
		d := p.dense[k]
		if d == noneValid {
			continue
		}
		col := &b.Cols[a.col]
		for ri, r := range p.runs {
			c, s, mx, mn := runStats(col, r.start, r.end, d == allRowsValid)
			if c == 0 {
				continue
			}
			t := &p.targets[ri]
			if a.gauge >= 0 {
				t.gb.fold(t.gi+int(a.gauge), c, s, mx, mn)
			}
			if a.host >= 0 {
				t.hb.fold(t.hi+int(a.host), c, s, mx, mn)
			}
		}
	}
	p.addOC(b)
	p.addPods(b)
}

// addPods remembers the distinct worker ids of each host. Rows of a run
// almost always repeat the last id seen, which costs one comparison.
func (p *Partial) addPods(b *columnar.Batch) {
	for _, r := range p.runs {
		host := p.slotHost[r.slot]
		pods := p.pods[host]
		for i := r.start; i < r.end; i++ {
			v := b.Pod.Value(i)
			if n := len(pods); n > 0 && pods[n-1] == string(v) {
				continue
			}
			if !slices.Contains(pods, string(v)) && len(pods) < maxPods {
				pods = append(pods, string(v))
			}
		}
		p.pods[host] = pods
	}
}

// runStats returns count, sum, max and min of the valid values of rows
// [start, end) of col; dense says that col has no null in the batch.
func runStats(col *columnar.Column, start, end int, dense bool) (cnt int32, sum, mx, mn float64) {
	if !dense && !allValid(col.Valid, start, end) {
		if col.Kind == columnar.Int {
			return runStatsSparse(col.Ints, col.Valid, start, end)
		}
		return runStatsSparse(col.Floats, col.Valid, start, end)
	}
	if col.Kind == columnar.Int {
		return runStatsInts(col.Ints[start:end])
	}
	return runStatsFloats(col.Floats[start:end])
}

// runStatsFloats is runStats over values that are all valid, with two
// accumulators to halve the dependency chains (min and max compile to
// branch-free instructions; comparisons would mispredict on noisy data).
func runStatsFloats(vs []float64) (cnt int32, sum, mx, mn float64) {
	lo0, hi0 := vs[0], vs[0]
	lo1, hi1 := lo0, hi0
	var s0, s1 float64
	i := 0
	for ; i+2 <= len(vs); i += 2 {
		a, b := vs[i], vs[i+1]
		lo0, hi0, s0 = min(lo0, a), max(hi0, a), s0+a
		lo1, hi1, s1 = min(lo1, b), max(hi1, b), s1+b
	}
	if i < len(vs) {
		a := vs[i]
		lo0, hi0, s0 = min(lo0, a), max(hi0, a), s0+a
	}
	return int32(len(vs)), s0 + s1, max(hi0, hi1), min(lo0, lo1)
}

// intSumLimit bounds the magnitudes whose sum over a batch (at most
// BatchRows values) cannot overflow int64.
const intSumLimit = 1 << 50

// runStatsInts is runStats over integers that are all valid: the sum is
// taken exactly in int64 when no value is near overflow, in float64
// otherwise.
func runStatsInts(vs []int64) (cnt int32, sum, mx, mn float64) {
	lo, hi := vs[0], vs[0]
	var s int64
	for _, v := range vs {
		lo, hi, s = min(lo, v), max(hi, v), s+v
	}
	if lo > -intSumLimit && hi < intSumLimit {
		return int32(len(vs)), float64(s), float64(hi), float64(lo)
	}
	for _, v := range vs {
		sum += float64(v)
	}
	return int32(len(vs)), sum, float64(hi), float64(lo)
}

// runStatsSparse is runStats over rows some of which are null.
func runStatsSparse[T int64 | float64](vals []T, valid []byte, start, end int) (cnt int32, sum, mx, mn float64) {
	var lo, hi T
	first := true
	for i := start; i < end; i++ {
		if valid[i>>3]&(1<<(uint(i)&7)) == 0 {
			continue
		}
		v := vals[i]
		if first {
			lo, hi, first = v, v, false
		} else if v < lo {
			lo = v
		} else if v > hi {
			hi = v
		}
		sum += float64(v)
		cnt++
	}
	return cnt, sum, float64(hi), float64(lo)
}

// Densities of a column in a batch.
const (
	someValid    = iota // some rows have values, some are null
	allRowsValid        // no null
	noneValid           // only nulls
)

// density classifies the first n rows of a validity bitmap.
func density(valid []byte, n int) uint8 {
	if n == 0 {
		return noneValid
	}
	if allValid(valid, 0, n) {
		return allRowsValid
	}
	i := 0
	for ; i+64 <= n; i += 64 {
		if binary.LittleEndian.Uint64(valid[i>>3:]) != 0 {
			return someValid
		}
	}
	for ; i < n; i++ {
		if valid[i>>3]&(1<<(uint(i)&7)) != 0 {
			return someValid
		}
	}
	return noneValid
}

// allValid reports whether rows [start, end) (end > start) are all valid,
// a byte of the bitmap at a time where it can.
func allValid(valid []byte, start, end int) bool {
	i := start
	for ; i < end && i&7 != 0; i++ {
		if valid[i>>3]&(1<<(uint(i)&7)) == 0 {
			return false
		}
	}
	for ; i+64 <= end && i&63 == 0; i += 64 {
		if binary.LittleEndian.Uint64(valid[i>>3:]) != math.MaxUint64 {
			return false
		}
	}
	for ; i+8 <= end; i += 8 {
		if valid[i>>3] != 0xff {
			return false
		}
	}
	for ; i < end; i++ {
		if valid[i>>3]&(1<<(uint(i)&7)) == 0 {
			return false
		}
	}
	return true
}

// addOC keeps, per host-bin, the last sample whose five OC_HIT_NUM
// counters are all present.
func (p *Partial) addOC(b *columnar.Batch) {
	var cols [NumOC]*columnar.Column
	for k, m := range ocCols {
		cols[k] = &b.Cols[m]
	}
	var vals [NumOC]int64
	for _, r := range p.runs {
		last := &p.oc[r.slot]
	rows:
		for i := r.start; i < r.end; i++ {
			for k, c := range cols {
				if !c.IsValid(i) {
					continue rows
				}
				vals[k] = c.Ints[i]
			}
			ts := b.TS[i]
			if last.newer(ts, &vals) {
				last.has, last.ts, last.vals = true, ts, vals
				last.pid = -1
				if b.PID.IsValid(i) {
					last.pid = b.PID.Ints[i]
				}
			}
		}
	}
}
