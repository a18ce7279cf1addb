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
	// of production, while parsing goes on (the Parquet samples writer); it
	// must not keep the batch after returning.
	Samples func(b *columnar.Batch) error
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

// batchQueue hands batches from the workers to one consumer goroutine, so
// that consuming (Parquet encoding) overlaps parsing. Its capacity bounds
// the batches in flight.
type batchQueue struct {
	ch   chan *columnar.Batch
	done chan struct{}
	stop chan struct{}
	once sync.Once
	err  error
}

func newBatchQueue(consume func(*columnar.Batch) error) *batchQueue {
	q := &batchQueue{ch: make(chan *columnar.Batch, 4), done: make(chan struct{}), stop: make(chan struct{})}
	go func() {
		defer close(q.done)
		for b := range q.ch {
			if q.err == nil {
				if err := consume(b); err != nil {
					q.err = err
					close(q.stop)
				}
			}
			b.Release()
		}
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
