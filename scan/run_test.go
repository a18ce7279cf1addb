package scan

import (
	"context"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"golang.org/x/sync/errgroup"

	"github.com/resreport/resreport/columnar"
)

// Sink consumes the batches of one worker in the tests, as views of the
// record batches the source emits.
type Sink interface {
	Consume(v *columnar.View) error
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
			var v columnar.View
			consume := func(rec arrow.RecordBatch) error {
				if err := columnar.ViewOf(rec, &v); err != nil {
					return err
				}
				return sink.Consume(&v)
			}
			for {
				i := int(next.Add(1) - 1)
				if i >= len(src.Units()) {
					return nil
				}
				if err := rd.ReadUnit(gctx, i, consume); err != nil {
					return err
				}
			}
		})
	}
	err := g.Wait()
	return src.Stats(), err
}
