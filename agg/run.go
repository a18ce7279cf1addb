package agg

import (
	"context"
	"sync"

	"github.com/resreport/resreport/columnar"
	"github.com/resreport/resreport/scan"
)

// RunOptions configure Aggregate.
type RunOptions struct {
	Scan       scan.Options
	IntervalMS int64

	// Samples, if set, receives every batch from one goroutine, in order
	// of production, while parsing goes on (the Parquet samples writer):
	// several at a time, SamplesChunkRows rows or more but at the end. It
	// must not keep the batches after returning.
	Samples func(bs []*columnar.Batch) error
}

// Aggregate parses the files of plan with scan.Run, one Partial per
// worker, and merges the partials into the result.
func Aggregate(ctx context.Context, plan *scan.Plan, o RunOptions) (*Result, *scan.Stats, error) {
	binner, err := NewBinner(o.IntervalMS)
	if err != nil {
		return nil, nil, err
	}
	var samples *batchQueue
	if o.Samples != nil {
		samples = newBatchQueue(o.Samples)
	}
	var partials []*Partial
	var mu sync.Mutex
	stats, err := scan.Run(ctx, plan, o.Scan, func(int) scan.Sink {
		p := NewPartial(binner, len(plan.Hosts))
		mu.Lock()
		partials = append(partials, p)
		mu.Unlock()
		return &sink{partial: p, samples: samples}
	})
	if samples != nil {
		if qerr := samples.close(); err == nil {
			err = qerr
		}
	}
	if err != nil {
		return nil, stats, err
	}
	return Combine(partials, plan.Hosts), stats, nil
}

// sink feeds one worker's batches to its partial and to the samples queue.
type sink struct {
	partial *Partial
	samples *batchQueue
}

func (s *sink) Consume(b *columnar.Batch) error {
	s.partial.Add(b)
	if s.samples != nil {
		return s.samples.put(b)
	}
	return nil
}

// SamplesChunkRows is the number of rows the Samples consumer gets at a
// time: with fewer, the Parquet encoders' start and join per pass show.
const SamplesChunkRows = 4096

// batchQueue hands batches from the workers to one consumer goroutine, so
// that consuming (Parquet encoding) overlaps parsing. It gathers
// SamplesChunkRows rows before each call; with its channel's capacity that
// bounds the batches in flight.
type batchQueue struct {
	ch   chan *columnar.Batch
	done chan struct{}
	stop chan struct{}
	once sync.Once
	err  error
}

func newBatchQueue(consume func([]*columnar.Batch) error) *batchQueue {
	q := &batchQueue{ch: make(chan *columnar.Batch, 4), done: make(chan struct{}), stop: make(chan struct{})}
	go func() {
		defer close(q.done)
		var bs []*columnar.Batch
		rows := 0
		flush := func() {
			if q.err == nil && len(bs) > 0 {
				if err := consume(bs); err != nil {
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
			if rows += b.Len; rows >= SamplesChunkRows {
				flush()
			}
		}
		flush()
	}()
	return q
}

func (q *batchQueue) put(b *columnar.Batch) error {
	b.Retain(1)
	select {
	case q.ch <- b:
		return nil
	case <-q.stop:
		b.Release()
		return q.failed()
	}
}

// failed returns the consumer's error once it has stopped.
func (q *batchQueue) failed() error {
	q.once.Do(func() { close(q.ch) })
	<-q.done
	return q.err
}

func (q *batchQueue) close() error { return q.failed() }
