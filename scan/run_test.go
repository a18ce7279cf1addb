package scan

import (
	"context"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/resreport/resreport/columnar"
)

// Sink consumes the batches of one worker in the tests.
type Sink interface {
	Consume(b *columnar.Batch) error
}

// Run reads every unit of plan's LogSource on opts.Workers goroutines,
// each handing its batches to its own sink, and returns the accounting:
// the tests' driver (agg.Run is the product's).
func Run(ctx context.Context, plan *Plan, opts Options, newSink func(worker int) Sink) (*Stats, error) {
	src := NewLogSource(plan, opts)
	workers := max(opts.Workers, 1)
	var next atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	for w := range workers {
		sink := newSink(w)
		g.Go(func() error {
			rd := src.NewReader()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(src.Units()) {
					return nil
				}
				if err := rd.ReadUnit(gctx, i, sink.Consume); err != nil {
					return err
				}
			}
		})
	}
	err := g.Wait()
	return src.Stats(), err
}
