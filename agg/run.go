package agg

import (
	"context"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"golang.org/x/sync/errgroup"

	"github.com/resreport/resreport/columnar"
)

// RunOptions configure Run.
type RunOptions struct {
	IntervalMS int64
	Workers    int // goroutines reading units; <= 0 means GOMAXPROCS

	// Host, if set, is called once for every host with records with its
	// final result, as soon as the host's last unit is done: from the
	// worker goroutines, concurrently, in no set order. h is valid only
	// during the call (its memory is reused for later hosts: a caller
	// that keeps it keeps h.Clone()).
	Host func(h *HostResult) error

	// HostInOrder, if set, is called like Host but one call at a time, in
	// host-table order (the outputs with a row per host and bin). A host
	// finished before the ones ahead of it waits in memory; while more
	// than maxWaitingBins host-bins wait, the workers that finish later
	// hosts wait too.
	HostInOrder func(h *HostResult) error

	// KeepHosts makes Run keep every host's result in Result.Hosts, for
	// callers that want them all at the end (tests, small runs); a run of
	// hundreds of hosts streams them through Host instead.
	KeepHosts bool

	// Samples, if set, receives every record batch in unit order from
	// one goroutine, while reading goes on, several at a time:
	// SamplesChunkRows rows or more but at the end. It must Retain those
	// it keeps after returning.
	Samples func(recs []arrow.RecordBatch) error
}

// Run reads every unit of src on o.Workers goroutines, in unit order, and
// aggregates the rows: each unit is folded into a Partial of its own; when
// the last unit of a host is done, the host's partials are combined into
// its HostResult, which is handed to o.Host and o.HostInOrder and folded
// into the cluster statistics, and the partials are dropped. So memory
// holds the hosts being read, not all hosts × bins. An error from a
// callback or the source, or a cancelled context, stops the run.
func Run(ctx context.Context, src columnar.Source, o RunOptions) (*Result, error) {
	binner, err := NewBinner(o.IntervalMS)
	if err != nil {
		return nil, err
	}
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	units := src.Units()
	c := newCombiner(binner, src.Hosts(), units, &o)
	g, gctx := errgroup.WithContext(ctx)
	var samples *orderedBatches
	if o.Samples != nil {
		samples = newOrderedBatches(gctx, o.Samples)
	}
	if o.HostInOrder != nil {
		c.seq = newSequencer(gctx, len(src.Hosts()), o.HostInOrder, c.putHostState)
		c.seq.skip(c.hostsWithoutUnits())
	}
	var next atomic.Int64
	for range workers {
		g.Go(func() error {
			rd := src.NewReader()
			var view columnar.View
			for {
				i := int(next.Add(1) - 1)
				if i >= len(units) {
					return nil
				}
				p := c.getPartial()
				emit := func(rec arrow.RecordBatch) error {
					if err := columnar.ViewOf(rec, &view); err != nil {
						return err
					}
					p.Add(&view)
					if samples != nil {
						return samples.put(i, rec)
					}
					return nil
				}
				if err := rd.ReadUnit(gctx, i, emit); err != nil {
					return err
				}
				if samples != nil {
					samples.done(i)
				}
				if err := c.unitDone(i, p); err != nil {
					return err
				}
			}
		})
	}
	err = g.Wait()
	if samples != nil {
		if serr := samples.close(); err == nil {
			err = serr
		}
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	r := c.cluster.result(binner.interval)
	r.Hosts = c.kept(r)
	return r, nil
}

// combiner tracks the units of each host and combines a host when its
// last unit is done.
type combiner struct {
	binner   *Binner
	hosts    []string
	units    []columnar.Unit
	opts     *RunOptions
	cluster  *cluster
	seq      *sequencer
	pool     sync.Pool // *Partial
	hostPool sync.Pool // *hostState, of hosts handed on and done with

	mu      sync.Mutex
	pending []int32          // per host: units not done
	parts   [][]unitPart     // per host: partials of its done units
	refs    map[*Partial]int // hosts still to combine from each partial
	keep    []HostResult     // with KeepHosts
	keepIdx map[int32]int
}

type unitPart struct {
	unit int
	p    *Partial
}

func newCombiner(b *Binner, hosts []string, units []columnar.Unit, o *RunOptions) *combiner {
	c := &combiner{binner: b, hosts: hosts, units: units, opts: o, cluster: newCluster(b.interval),
		pending: make([]int32, len(hosts)), parts: make([][]unitPart, len(hosts)), refs: map[*Partial]int{}}
	for _, u := range units {
		for _, h := range u.Hosts {
			c.pending[h]++
		}
	}
	return c
}

// hostsWithoutUnits lists the hosts no unit can hold rows of.
func (c *combiner) hostsWithoutUnits() []int32 {
	var out []int32
	for h, n := range c.pending {
		if n == 0 {
			out = append(out, int32(h))
		}
	}
	return out
}

func (c *combiner) getPartial() *Partial {
	if p, ok := c.pool.Get().(*Partial); ok {
		return p
	}
	return NewPartial(c.binner)
}

// unitDone records unit i's partial and combines the hosts it finished.
func (c *combiner) unitDone(i int, p *Partial) error {
	c.cluster.addBins(p)
	p.binStats.release()
	var finished []int32
	c.mu.Lock()
	n := 0
	for _, h := range c.units[i].Hosts {
		if len(p.slots[h]) > 0 {
			c.parts[h] = append(c.parts[h], unitPart{i, p})
			n++
		}
		if c.pending[h]--; c.pending[h] == 0 {
			finished = append(finished, h)
		}
	}
	if n > 0 {
		c.refs[p] = n
	}
	c.mu.Unlock()
	if n == 0 {
		c.release(p)
	}
	for _, h := range finished {
		if err := c.finishHost(h); err != nil {
			return err
		}
	}
	return nil
}

// release returns a partial to the pool.
func (c *combiner) release(p *Partial) {
	p.Reset()
	c.pool.Put(p)
}

// finishHost combines host h, hands its result on and drops its partials.
func (c *combiner) finishHost(h int32) error {
	c.mu.Lock()
	ups := c.parts[h]
	c.parts[h] = nil
	c.mu.Unlock()
	sort.Slice(ups, func(a, b int) bool {
		sa, sb := c.units[ups[a].unit].Seq, c.units[ups[b].unit].Seq
		return sa < sb || sa == sb && ups[a].unit < ups[b].unit
	})
	parts := make([]*Partial, len(ups))
	for k, up := range ups {
		parts[k] = up.p
	}
	var st *hostState
	var hr *HostResult
	if len(parts) > 0 {
		st = c.getHostState()
		combineHost(h, parts, &st.hb)
		st.hb.result(c.hosts[h], h, &st.hr)
		hr = &st.hr
		c.cluster.addHost(&st.hb, hr)
	}
	c.mu.Lock()
	var free []*Partial
	for _, p := range parts {
		if c.refs[p]--; c.refs[p] == 0 {
			delete(c.refs, p)
			free = append(free, p)
		}
	}
	if hr != nil && c.opts.KeepHosts {
		c.keep = append(c.keep, *hr)
	}
	c.mu.Unlock()
	for _, p := range free {
		c.release(p)
	}
	if hr != nil && c.opts.Host != nil {
		if err := c.opts.Host(hr); err != nil {
			return err
		}
	}
	if c.seq != nil {
		return c.seq.put(h, st)
	}
	c.putHostState(st)
	return nil
}

// hostState is the memory of one host's combination and result, reused
// for later hosts once the result has been handed on: at fine bins a
// host's series are a megabyte or more, and allocating (and clearing)
// them per host was a tenth of the run.
type hostState struct {
	hb hostBins
	hr HostResult
}

func (c *combiner) getHostState() *hostState {
	if st, ok := c.hostPool.Get().(*hostState); ok {
		return st
	}
	return &hostState{hb: hostBins{merged: newStatVec(len(hostCols))}}
}

// putHostState recycles st (nil: none) unless the run keeps results.
func (c *combiner) putHostState(st *hostState) {
	if st != nil && !c.opts.KeepHosts {
		c.hostPool.Put(st)
	}
}

// kept returns the hosts kept with KeepHosts, by name, with Bins set to
// their indices in r.Bins.
func (c *combiner) kept(r *Result) []HostResult {
	hs := c.keep
	sort.Slice(hs, func(a, b int) bool { return hs[a].Name < hs[b].Name })
	for i := range hs {
		h := &hs[i]
		h.Bins = make([]int, len(h.Start))
		for j, s := range h.Start {
			h.Bins[j], _ = slices.BinarySearch(r.Bins, s)
		}
	}
	return hs
}

// maxWaitingBins bounds the host-bins of finished hosts waiting for
// HostInOrder (about 1 KB each).
const maxWaitingBins = 200_000

// sequencer hands host results to a callback in host-table order.
type sequencer struct {
	mu      sync.Mutex
	cond    *sync.Cond
	ctx     context.Context
	next    int32                // the next host to hand on
	waiting map[int32]*hostState // finished hosts after next; nil: no records
	bins    int                  // host-bins waiting
	busy    bool                 // a goroutine is handing hosts on
	emit    func(*HostResult) error
	release func(*hostState) // after emit
	err     error
	n       int32
}

func newSequencer(ctx context.Context, hosts int, emit func(*HostResult) error, release func(*hostState)) *sequencer {
	s := &sequencer{ctx: ctx, waiting: map[int32]*hostState{}, emit: emit, release: release, n: int32(hosts)}
	s.cond = sync.NewCond(&s.mu)
	context.AfterFunc(ctx, func() {
		s.mu.Lock()
		s.cond.Broadcast()
		s.mu.Unlock()
	})
	return s
}

// skip marks hosts that will never be put.
func (s *sequencer) skip(hosts []int32) {
	for _, h := range hosts {
		if err := s.put(h, nil); err != nil {
			return
		}
	}
}

// put hands on host h's result (nil for a host without records) when
// every host before it has been, else keeps it; it waits while too many
// host-bins are kept, unless h is the next host. A result handed on is
// released.
func (s *sequencer) put(h int32, st *hostState) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for h != s.next && s.bins > maxWaitingBins && s.err == nil && s.ctx.Err() == nil {
		s.cond.Wait()
	}
	if s.err == nil {
		s.err = s.ctx.Err()
	}
	if s.err != nil {
		return s.err
	}
	s.waiting[h] = st
	if st != nil {
		s.bins += len(st.hr.Start)
	}
	if s.busy {
		return nil
	}
	s.busy = true
	for s.err == nil {
		r, ok := s.waiting[s.next]
		if !ok {
			break
		}
		delete(s.waiting, s.next)
		s.next++
		if r == nil {
			continue
		}
		s.bins -= len(r.hr.Start)
		s.mu.Unlock()
		err := s.emit(&r.hr)
		if err != nil {
			err = fmt.Errorf("host %s: %w", r.hr.Name, err)
		}
		s.release(r)
		s.mu.Lock()
		if err != nil {
			s.err = err
		}
		s.cond.Broadcast()
	}
	s.busy = false
	return s.err
}

// SamplesChunkRows is the number of rows the Samples consumer gets at a
// time: with fewer, the Parquet encoders' start and join per pass show.
const SamplesChunkRows = 4096

// samplesChunkBatches bounds the batches per call of the Samples
// consumer too: a batch holds a full batch's memory however few its rows
// (units of a few lines, tiny files), and gathering SamplesChunkRows rows
// of those held ~2,000 batches (1.6 GB in a model test of 2-line units).
const samplesChunkBatches = 2 * SamplesChunkRows / columnar.BatchRows

// maxHeldRows bounds the rows of later units held back while an earlier
// unit is still being read (about 1 KB a row), each batch counted as at
// least BatchRows rows (see heldRows).
const maxHeldRows = 64 * columnar.BatchRows

// heldRows is what holding b counts against maxHeldRows: its rows, but at
// least a full batch's, which is what its memory is.
func heldRows(b arrow.RecordBatch) int { return max(int(b.NumRows()), columnar.BatchRows) }

// orderedBatches hands the batches of the units to one consumer goroutine
// in unit order, so that consuming (Parquet encoding) overlaps reading and
// the output does not depend on which worker read which unit. Batches of
// a unit ahead of the one being passed on are held (retained) until their
// turn; while more than maxHeldRows are held, their producers wait.
type orderedBatches struct {
	mu       sync.Mutex
	cond     *sync.Cond
	ctx      context.Context
	next     int // the unit being passed on
	held     map[int][]arrow.RecordBatch
	finished map[int]bool // units ahead of next that are done
	rows     int

	ch     chan arrow.RecordBatch
	stop   chan struct{} // closed when the consumer failed
	exited chan struct{}
	err    error // the consumer's
	once   sync.Once
}

func newOrderedBatches(ctx context.Context, consume func([]arrow.RecordBatch) error) *orderedBatches {
	q := &orderedBatches{ctx: ctx, held: map[int][]arrow.RecordBatch{}, finished: map[int]bool{},
		ch: make(chan arrow.RecordBatch, 8), stop: make(chan struct{}), exited: make(chan struct{})}
	q.cond = sync.NewCond(&q.mu)
	context.AfterFunc(ctx, func() {
		q.mu.Lock()
		q.cond.Broadcast()
		q.mu.Unlock()
	})
	go q.consume(consume)
	return q
}

// consume gathers SamplesChunkRows rows per call of f.
func (q *orderedBatches) consume(f func([]arrow.RecordBatch) error) {
	defer close(q.exited)
	var bs []arrow.RecordBatch
	rows := 0
	flush := func() {
		if q.err == nil && len(bs) > 0 {
			if err := f(bs); err != nil {
				q.err = err
				close(q.stop)
			}
		}
		for _, b := range bs {
			b.Release()
		}
		clear(bs)
		bs, rows = bs[:0], 0
	}
	for b := range q.ch {
		bs = append(bs, b)
		if rows += int(b.NumRows()); rows >= SamplesChunkRows || len(bs) >= samplesChunkBatches {
			flush()
		}
	}
	flush()
}

// send passes b (retained) to the consumer; q.mu is held.
func (q *orderedBatches) send(b arrow.RecordBatch) error {
	select {
	case q.ch <- b:
		return nil
	case <-q.stop:
		b.Release()
		return q.err
	case <-q.ctx.Done():
		b.Release()
		return q.ctx.Err()
	}
}

// put passes on or holds a batch of unit i.
func (q *orderedBatches) put(i int, b arrow.RecordBatch) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i != q.next && q.rows > maxHeldRows && q.ctx.Err() == nil {
		q.cond.Wait()
	}
	if err := q.ctx.Err(); err != nil {
		return err
	}
	b.Retain()
	if i == q.next {
		return q.send(b)
	}
	q.held[i] = append(q.held[i], b)
	q.rows += heldRows(b)
	return nil
}

// done records that unit i has no more batches.
func (q *orderedBatches) done(i int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.finished[i] = true
	for q.finished[q.next] {
		delete(q.finished, q.next)
		q.next++
		for _, b := range q.held[q.next] {
			q.rows -= heldRows(b)
			if q.send(b) != nil {
				break
			}
		}
		delete(q.held, q.next)
		q.cond.Broadcast()
	}
}

// close waits for the consumer and returns its error.
func (q *orderedBatches) close() error {
	q.once.Do(func() { close(q.ch) })
	<-q.exited
	q.mu.Lock()
	for _, bs := range q.held {
		for _, b := range bs {
			b.Release()
		}
	}
	q.held = nil
	q.mu.Unlock()
	return q.err
}

// FromBatches aggregates batches held in memory, each inner slice one unit
// (in input order), keeping every host's result in Result.Hosts: for tests
// and small in-process uses.
func FromBatches(intervalMS int64, hosts []string, units [][]*columnar.Batch) (*Result, error) {
	return Run(context.Background(), newMemSource(hosts, units), RunOptions{IntervalMS: intervalMS, Workers: 1, KeepHosts: true})
}

// memSource is a Source over batches in memory.
type memSource struct {
	hosts []string
	dict  *columnar.HostDict
	data  [][]*columnar.Batch
	units []columnar.Unit
}

func newMemSource(hosts []string, data [][]*columnar.Batch) *memSource {
	s := &memSource{hosts: hosts, data: data, dict: columnar.NewHostDict(hosts)}
	for _, bs := range data {
		set := map[int32]bool{}
		for _, b := range bs {
			b.Retain(1) // the caller's: never recycled by the records' release
			for _, h := range b.Host[:b.Len] {
				set[h] = true
			}
		}
		s.units = append(s.units, columnar.Unit{Hosts: slices.Sorted(maps.Keys(set))})
	}
	return s
}

func (s *memSource) Hosts() []string                { return s.hosts }
func (s *memSource) Units() []columnar.Unit         { return s.units }
func (s *memSource) NewReader() columnar.UnitReader { return s }

func (s *memSource) ReadUnit(ctx context.Context, i int, emit func(arrow.RecordBatch) error) error {
	for _, b := range s.data[i] {
		rec := b.Record(s.dict)
		err := emit(rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
	return ctx.Err()
}
