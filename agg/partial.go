package agg

import (
	"math"
	"slices"
	"sync"

	"github.com/resreport/resreport/columnar"
)

// Partial is the aggregate state of one unit of input: for each host and
// bin the unit has rows of (a "slot"), the number of samples, their time
// span, the count, sum, max and min of each host metric, and the span of
// its OC_HIT_NUM samples (ocSpan); for each bin, the count, sum, max and min of the
// other gauges over all the unit's hosts. Add folds a batch into it column
// by column; when the unit is done, its bins go to the cluster (see
// combiner.unitDone), and when all units of a host are done, the host's
// slots of every unit are combined (see combiner.finishHost). It is not
// safe for concurrent use.
type Partial struct {
	binner Binner

	hosts  []int32           // hosts with slots, in order of first sight
	slotOf map[int32]*binMap // per host: its bins' slots
	slots  map[int32][]int32 // per host: its slots in order of first sight

	slotHost    []int32
	slotBin     []int64
	slotSamples []int64
	slotTime    []sampleSpan
	stats       statVec    // slot × the host metrics (hostCols)
	oc          []ocSpan   // indexed by slot
	ocHeads     []ocSample // the arena of the spans' heads

	// The other gauges only the cluster keeps: per bin, all the unit's
	// hosts together (a unit of a samples file holds a run of hosts), so
	// they cost a partial per bin, not per host-bin.
	binOf    binMap
	binStart []int64
	binStats statVec // bin × the gauges after the host metrics in gaugeCols

	pods map[int32][]string // per host: distinct worker ids (pod), at most maxPods, in order of first sight

	runs       []run       // scratch: rows of a batch cut where host or bin changes
	targets    []runTarget // scratch: per run, where its host metrics' statistics go
	binTargets []runTarget // scratch: per run, where the other gauges' go
	dense      []uint8     // scratch: per gauge, the density of the batch's column
}

// binBlocks are the blocks of the partials' bin statistics, released once
// the cluster has them (see combiner.unitDone): a partial waits for its
// host's other units with its host-bins only.
var binBlocks sync.Pool

// maxPods bounds the worker ids remembered per host.
const maxPods = 16

// runTarget is where a run's statistics are folded.
type runTarget struct {
	b *statBlock
	i int
}

// run is a range of batch rows with one host and one bin.
type run struct {
	start, end int
	slot       int32
	bin        int32 // index into binStart
}

// sampleSpan is the time extent of a host's samples in one bin: the
// smallest and largest timestamps, the timestamps of the first and last
// sample in input order (file order, which is time order but for clock
// steps), and the longest gap between consecutive samples in that order.
// Spans of consecutive parts of the input merge exactly: the gap between
// them is the second's head minus the first's tail.
type sampleSpan struct {
	first, last int64 // min and max; first > last while empty
	head, tail  int64 // first and last in input order
	gap, gapAt  int64 // longest gap and the timestamp where it starts
}

func emptySpan() sampleSpan { return sampleSpan{first: math.MaxInt64, last: math.MinInt64} }

func (s *sampleSpan) empty() bool { return s.first > s.last }

// add extends the span by samples that follow it in input order.
func (s *sampleSpan) add(ts []int64) {
	for _, t := range ts {
		if s.empty() {
			s.head = t
		} else if g := t - s.tail; g > s.gap {
			s.gap, s.gapAt = g, s.tail
		}
		s.tail = t
		s.first, s.last = min(s.first, t), max(s.last, t)
	}
}

// merge extends the span by o, which follows it in input order.
func (s *sampleSpan) merge(o *sampleSpan) {
	switch {
	case o.empty():
		return
	case s.empty():
		*s = *o
		return
	}
	if g := o.head - s.tail; g > s.gap {
		s.gap, s.gapAt = g, s.tail
	}
	if o.gap > s.gap {
		s.gap, s.gapAt = o.gap, o.gapAt
	}
	s.tail = o.tail
	s.first, s.last = min(s.first, o.first), max(s.last, o.last)
}

// NewPartial returns an empty partial.
func NewPartial(b *Binner) *Partial {
	return &Partial{
		binner: Binner{interval: b.interval, start: 1},
		slotOf: map[int32]*binMap{},
		slots:  map[int32][]int32{},
		pods:   map[int32][]string{},
		stats:  newStatVec(len(hostCols)),

		binOf:    newBinMap(b.interval),
		binStats: statVec{width: len(gaugeCols) - len(hostCols), pool: &binBlocks},
	}
}

// Reset empties the partial for another unit, keeping its memory.
func (p *Partial) Reset() {
	for _, h := range p.hosts {
		delete(p.slotOf, h)
		delete(p.slots, h)
		delete(p.pods, h)
	}
	p.hosts = p.hosts[:0]
	p.slotHost, p.slotBin, p.slotSamples = p.slotHost[:0], p.slotBin[:0], p.slotSamples[:0]
	p.slotTime, p.oc, p.ocHeads = p.slotTime[:0], p.oc[:0], p.ocHeads[:0]
	p.stats.reset()
	p.binOf.reset()
	p.binStart = p.binStart[:0]
	p.binStats.reset()
	p.binner.start, p.binner.end = 1, 0
}

func (p *Partial) slotIndex(host int32, bin int64) int32 {
	m := p.slotOf[host]
	if m == nil {
		bm := newBinMap(p.binner.interval)
		m = &bm
		p.slotOf[host] = m
		p.hosts = append(p.hosts, host)
	}
	if i, ok := m.get(bin); ok {
		return i
	}
	i := int32(len(p.slotHost))
	m.put(bin, i)
	p.slots[host] = append(p.slots[host], i)
	p.slotHost = append(p.slotHost, host)
	p.slotBin = append(p.slotBin, bin)
	p.slotSamples = append(p.slotSamples, 0)
	p.slotTime = append(p.slotTime, emptySpan())
	p.stats.add()
	p.oc = append(p.oc, ocSpan{})
	return i
}

// binIndex returns the index of the bin starting at start, adding it if new.
func (p *Partial) binIndex(start int64) int32 {
	if i, ok := p.binOf.get(start); ok {
		return i
	}
	i := int32(len(p.binStart))
	p.binOf.put(start, i)
	p.binStart = append(p.binStart, start)
	p.binStats.add()
	return i
}

// cutRuns splits the batch's rows into runs of one host and one bin.
func (p *Partial) cutRuns(b *columnar.View) {
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
			p.runs = append(p.runs, run{start: i, end: j, slot: p.slotIndex(host, start), bin: p.binIndex(start)})
		}
		i = j
	}
}

// Add folds the rows of b, which follow the rows added before in input
// order, into the partial. It does not retain b.
func (p *Partial) Add(b *columnar.View) {
	if b.Len == 0 {
		return
	}
	p.cutRuns(b)
	for _, r := range p.runs {
		p.slotSamples[r.slot] += int64(r.end - r.start)
		p.slotTime[r.slot].add(b.TS[r.start:r.end])
	}
	// Column-major: each column is read once, front to back, run by run,
	// and each run's statistics are folded into its host-bin (found once
	// per run, in targets). A column without nulls in the batch (the usual
	// case) skips the per-run validity check, one without values (a group
	// the workers do not register) is skipped. On batches no longer in
	// cache this is ~1.4× the run-major order (BenchmarkKernels).
	p.dense = p.dense[:0]
	for _, m := range gaugeCols {
		p.dense = append(p.dense, density(&b.Cols[m], b.Len))
	}
	p.targets, p.binTargets = p.targets[:0], p.binTargets[:0]
	for _, r := range p.runs {
		blk, i := p.stats.at(int(r.slot), 0)
		p.targets = append(p.targets, runTarget{blk, i})
		blk, i = p.binStats.at(int(r.bin), 0)
		p.binTargets = append(p.binTargets, runTarget{blk, i})
	}
	for k, m := range gaugeCols {
		d := p.dense[k]
		if d == noneValid {
			continue
		}
		col := &b.Cols[m]
		targets, j := p.targets, k
		if k >= len(hostCols) {
			targets, j = p.binTargets, k-len(hostCols)
		}
		if d == allRowsValid {
			foldDenseRuns(col, p.runs, targets, j)
			continue
		}
		for ri, r := range p.runs {
			c, s, mx, mn := runStats(col, r.start, r.end)
			if c != 0 {
				t := &targets[ri]
				t.b.fold(t.i+j, int64(c), s, mx, mn)
			}
		}
	}
	p.addOC(b)
	p.addPods(b)
}

// addPods remembers the distinct worker ids of each host. Rows of a run
// almost always repeat the last id seen, which costs one comparison.
func (p *Partial) addPods(b *columnar.View) {
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

// addOC extends, per host-bin, the span of the samples whose five
// OC_HIT_NUM counters are all present.
func (p *Partial) addOC(b *columnar.View) {
	var cols [NumOC]*columnar.ColumnView
	for k, m := range ocCols {
		cols[k] = &b.Cols[m]
	}
	var s ocSample
	for _, r := range p.runs {
		span := &p.oc[r.slot]
	rows:
		for i := r.start; i < r.end; i++ {
			for k, c := range cols {
				if !c.IsValid(i) {
					continue rows
				}
				s.vals[k] = c.Ints[i]
			}
			s.ts, s.pid = b.TS[i], -1
			if b.PID.IsValid(i) {
				s.pid = b.PID.Ints[i]
			}
			span.add(&s, &p.ocHeads)
		}
	}
}
