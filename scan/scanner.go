package scan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/resreport/resreport/columnar"
)

// Sink consumes the batches of one worker. The batch is the sink's only
// while Consume runs: to keep it longer, call b.Retain(1) and b.Release()
// when done. An error stops the run.
type Sink interface {
	Consume(b *columnar.Batch) error
}

// Options configure Run.
type Options struct {
	Workers   int   // parser goroutines; <= 0 means GOMAXPROCS
	Since     int64 // inclusive, microseconds; NoSince for none
	Until     int64 // exclusive; NoUntil for none
	ShardSize int64 // plain files larger than this are split; <= 0: 16 MiB

	// Progress, if set, is advanced by the bytes read from disk
	// (compressed bytes for .gz files); the total is the sum of File.Size.
	Progress *atomic.Int64
}

// Counts is the accounting of lines: Lines == Kept + OutOfRange + the sum
// of Skipped.
type Counts struct {
	Bytes      int64 // bytes of text read (after decompression)
	Lines      int64
	Kept       int64
	OutOfRange int64
	Skipped    [NumReasons]int64
	BadValues  int64 // values of kept lines stored as null
}

// SkippedTotal returns the number of skipped lines.
func (c *Counts) SkippedTotal() int64 {
	var n int64
	for _, v := range c.Skipped {
		n += v
	}
	return n
}

func (c *Counts) add(o *Counts) {
	c.Bytes += o.Bytes
	c.Lines += o.Lines
	c.Kept += o.Kept
	c.OutOfRange += o.OutOfRange
	for i := range c.Skipped {
		c.Skipped[i] += o.Skipped[i]
	}
	c.BadValues += o.BadValues
}

// FileStats is the accounting of one file; Err is set when the file could
// not be read, or only in part (what was read is still counted).
type FileStats struct {
	Counts
	Err error
}

// Stats is the outcome of Run.
type Stats struct {
	Files       []FileStats // aligned with Plan.Files
	Total       Counts
	First, Last int64 // earliest and latest kept timestamp (valid when Total.Kept > 0)
}

// Run parses every file of plan with opts.Workers goroutines and hands
// full batches to the worker's sink (newSink(i) for worker i). Plain files
// are cut into byte ranges at line boundaries, gzip files are one stream
// each; work is handed out largest first. A file that cannot be read is
// recorded in its FileStats and the run goes on; a sink error or a
// cancelled context stops it.
func Run(ctx context.Context, plan *Plan, opts Options, newSink func(worker int) Sink) (*Stats, error) {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	shard := opts.ShardSize
	if shard <= 0 {
		shard = 16 << 20
	}
	units := cutUnits(plan, shard)
	st := &Stats{Files: make([]FileStats, len(plan.Files)), First: math.MaxInt64, Last: math.MinInt64}
	var mu sync.Mutex // guards st

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan unit)
	go func() {
		defer close(work)
		for _, u := range units {
			select {
			case work <- u:
			case <-ctx.Done():
				return
			}
		}
	}()

	var wg sync.WaitGroup
	errs := make([]error, workers)
	for i := 0; i < workers; i++ {
		w := &worker{plan: plan, opts: &opts, sink: newSink(i), parser: NewParser(opts.Since, opts.Until),
			first: math.MaxInt64, last: math.MinInt64}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for u := range work {
				c, ferr, err := w.run(ctx, u)
				mu.Lock()
				fs := &st.Files[u.file]
				fs.add(&c)
				if ferr != nil && fs.Err == nil {
					fs.Err = ferr
				}
				mu.Unlock()
				if err != nil {
					errs[i] = err
					cancel()
					break
				}
			}
			if errs[i] == nil {
				errs[i] = w.flush()
			}
			mu.Lock()
			st.First = min(st.First, w.first)
			st.Last = max(st.Last, w.last)
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	for i := range st.Files {
		st.Total.add(&st.Files[i].Counts)
	}
	if err := errors.Join(errs...); err != nil {
		return st, err
	}
	if err := ctx.Err(); err != nil {
		return st, err
	}
	return st, nil
}

// cutUnits splits the plan into units, largest first.
func cutUnits(plan *Plan, shard int64) []unit {
	var units []unit
	for i, f := range plan.Files {
		if f.Gzip || f.Size <= shard {
			units = append(units, unit{file: i, start: 0, end: f.Size, size: f.Size})
			continue
		}
		for off := int64(0); off < f.Size; off += shard {
			units = append(units, unit{file: i, start: off, end: min(off+shard, f.Size), size: f.Size})
		}
	}
	sort.SliceStable(units, func(a, b int) bool {
		return units[a].end-units[a].start > units[b].end-units[b].start
	})
	return units
}

// worker is one parser goroutine's state.
type worker struct {
	plan   *Plan
	opts   *Options
	sink   Sink
	parser *Parser
	lr     lineReader
	batch  *columnar.Batch

	first, last int64
}

// emit hands the current batch to the sink.
func (w *worker) emit() error {
	b := w.batch
	w.batch = nil
	if b == nil {
		return nil
	}
	defer b.Release()
	if b.Len == 0 {
		return nil
	}
	return w.sink.Consume(b)
}

func (w *worker) flush() error { return w.emit() }

// run parses one unit. ferr is a problem with the file (recorded, the run
// goes on); err stops the run.
func (w *worker) run(ctx context.Context, u unit) (c Counts, ferr, err error) {
	f := &w.plan.Files[u.file]
	var progress func(off int64) // reports plain-file progress up to a range offset
	fh, err := os.Open(f.Path)
	if err != nil {
		return c, fmt.Errorf("open %s: %w", f.Path, err), nil
	}
	defer fh.Close()
	var src io.Reader
	skipFirst := false
	if f.Gzip {
		gz := newGzipStream(fh, f.Path, w.opts.Progress)
		defer gz.Close()
		src = gz
	} else {
		from := u.start
		if from > 0 {
			from-- // start on the byte before: a line starts at u.start iff it is '\n'
			skipFirst = true
		}
		src = io.NewSectionReader(fh, from, u.size-from)
		u.start -= from // offsets below are relative to from
		u.end -= from
		if p := w.opts.Progress; p != nil {
			reported := u.start
			defer func() { p.Add(u.end - reported) }()
			progress = func(off int64) { p.Add(off - reported); reported = off }
		}
	}
	w.lr.reset(src)
	if skipFirst {
		if _, ok := w.lr.next(); !ok {
			return c, nil, nil
		}
	}
	bad0 := w.parser.BadValues
	host := f.Host
	for n := 1; ; n++ {
		l, ok := w.lr.next()
		if !ok {
			break
		}
		if !f.Gzip && l.Start >= u.end {
			break
		}
		if n&1023 == 0 {
			if ctx.Err() != nil {
				return c, nil, ctx.Err()
			}
			if progress != nil {
				progress(min(l.Start, u.end))
			}
		}
		c.Lines++
		c.Bytes += int64(len(l.Text)) + 1
		if l.TooLong {
			c.Skipped[ReasonTooLong]++
			continue
		}
		if w.batch == nil {
			w.batch = columnar.GetBatch()
			w.batch.Retain(1)
		}
		out, reason := w.parser.Parse(l.Text, w.batch, host, !l.Terminated)
		switch out {
		case Kept:
			ts := w.batch.TS[w.batch.Len-1]
			w.first = min(w.first, ts)
			w.last = max(w.last, ts)
			c.Kept++
			if w.batch.Full() {
				if err := w.emit(); err != nil {
					return c, nil, err
				}
			}
		case OutOfRange:
			c.OutOfRange++
		default:
			c.Skipped[reason]++
		}
	}
	c.BadValues = w.parser.BadValues - bad0
	if w.lr.err != nil {
		return c, w.lr.err, nil
	}
	return c, nil, nil
}
