package scan

import (
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/resreport/resreport/columnar"
)

// Options configure a LogSource.
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

	// FirstSkipped is the line number (from 1) of the first line skipped
	// for each reason, 0 for none: in the file for FileStats, in the range
	// for the counts of one byte range; not kept in Stats.Total.
	FirstSkipped [NumReasons]int64
	// FirstBadValue is the line number, numbered as FirstSkipped, of the
	// first kept line with a bad value (0 for none), and BadField the
	// field of its first bad value (FieldName).
	FirstBadValue int64
	BadField      int
}

// skip counts the current line (the Lines-th) as skipped for r.
func (c *Counts) skip(r Reason) {
	c.Skipped[r]++
	if c.FirstSkipped[r] == 0 {
		c.FirstSkipped[r] = c.Lines
	}
}

// SkippedTotal returns the number of skipped lines.
func (c *Counts) SkippedTotal() int64 {
	var n int64
	for _, v := range c.Skipped {
		n += v
	}
	return n
}

// add adds the counts of o but the line numbers (see lineNumbers).
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

// LogSource reads the files of a plan: a columnar.Source whose units are
// byte ranges of plain files (cut at line boundaries) and whole gzip files
// (a gzip stream cannot be entered in the middle), host by host and, within
// a host, in file order. A file that cannot be read is recorded in its
// FileStats and the run goes on.
type LogSource struct {
	plan  *Plan
	opts  Options
	units []unit
	desc  []columnar.Unit
	dict  *columnar.HostDict

	mu    sync.Mutex // guards stats, lines and errs
	stats Stats
	lines *lineNumbers
	errs  []*fileError // per file, nil until a unit of it fails
}

// NewLogSource returns the source of plan's files.
func NewLogSource(plan *Plan, opts Options) *LogSource {
	shard := opts.ShardSize
	if shard <= 0 {
		shard = 16 << 20
	}
	s := &LogSource{plan: plan, opts: opts, units: cutUnits(plan, shard), dict: columnar.NewHostDict(plan.Hosts)}
	for _, u := range s.units {
		f := &plan.Files[u.file]
		size := u.end - u.start
		if f.Gzip {
			size = f.Size
		}
		s.desc = append(s.desc, columnar.Unit{Hosts: []int32{f.Host}, Size: size})
	}
	s.stats = Stats{Files: make([]FileStats, len(plan.Files)), First: math.MaxInt64, Last: math.MinInt64}
	s.lines = newLineNumbers(len(plan.Files), s.units)
	s.errs = make([]*fileError, len(plan.Files))
	return s
}

// Hosts returns the plan's host table.
func (s *LogSource) Hosts() []string { return s.plan.Hosts }

// Units describes the units, in plan order.
func (s *LogSource) Units() []columnar.Unit { return s.desc }

// NewReader returns a parser for one goroutine.
func (s *LogSource) NewReader() columnar.UnitReader {
	return &worker{src: s, plan: s.plan, opts: &s.opts, parser: NewParser(s.opts.Since, s.opts.Until)}
}

// Stats returns the accounting of the units read so far (all of them
// once a run is over). The caller must not change it.
func (s *LogSource) Stats() *Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Total = Counts{}
	for i := range st.Files {
		st.Total.add(&st.Files[i].Counts)
	}
	return &st
}

// record adds unit u's accounting to its file's.
func (s *LogSource) record(u unit, c *Counts, lost *lostRange, first, last int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fs := &s.stats.Files[u.file]
	fs.add(c)
	s.lines.done(u, c, fs)
	if lost != nil {
		if s.errs[u.file] == nil {
			s.errs[u.file] = &fileError{}
		}
		s.errs[u.file].add(lost)
		fs.Err = s.errs[u.file]
	}
	s.stats.First = min(s.stats.First, first)
	s.stats.Last = max(s.stats.Last, last)
}

// cutUnits splits the plan into units: files in plan order (by host, then
// path: rotated files by their stamp, then the live one), plain files
// larger than shard in ranges.
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
	return units
}

// lineNumbers turns the first skipped line of each reason and the first
// line with a bad value, numbered within each byte range of a file, into
// line numbers in the file once all its ranges are done: the ranges before
// a range hold exactly the lines before its first line.
type lineNumbers struct {
	left   []int           // per file, ranges not yet done
	ranges [][]rangeCounts // per file, the ranges done
}

type rangeCounts struct {
	start, lines int64
	first        [NumReasons]int64
	firstBad     int64
	badField     int
}

func newLineNumbers(files int, units []unit) *lineNumbers {
	n := &lineNumbers{left: make([]int, files), ranges: make([][]rangeCounts, files)}
	for _, u := range units {
		n.left[u.file]++
	}
	return n
}

// done records the counts c of unit u; after the file's last unit it sets
// fs.FirstSkipped, fs.FirstBadValue and fs.BadField.
func (n *lineNumbers) done(u unit, c *Counts, fs *FileStats) {
	rs := append(n.ranges[u.file], rangeCounts{start: u.start, lines: c.Lines, first: c.FirstSkipped,
		firstBad: c.FirstBadValue, badField: c.BadField})
	n.ranges[u.file] = rs
	if n.left[u.file]--; n.left[u.file] > 0 {
		return
	}
	sort.Slice(rs, func(a, b int) bool { return rs[a].start < rs[b].start })
	var before int64
	for _, r := range rs {
		for reason, first := range r.first {
			if first > 0 && fs.FirstSkipped[reason] == 0 {
				fs.FirstSkipped[reason] = before + first
			}
		}
		if r.firstBad > 0 && fs.FirstBadValue == 0 {
			fs.FirstBadValue, fs.BadField = before+r.firstBad, r.badField
		}
		before += r.lines
	}
	n.ranges[u.file] = nil
}

// worker is one parser goroutine's state.
type worker struct {
	src    *LogSource
	plan   *Plan
	opts   *Options
	parser *Parser
	lr     lineReader
	batch  *columnar.Batch
	emitFn func(arrow.RecordBatch) error

	first, last int64
}

// ReadUnit parses unit i, handing each full batch, and the last one, to emit.
func (w *worker) ReadUnit(ctx context.Context, i int, emit func(arrow.RecordBatch) error) error {
	u := w.src.units[i]
	w.emitFn, w.first, w.last = emit, math.MaxInt64, math.MinInt64
	c, lost, err := w.run(ctx, u)
	if lost != nil && err == nil {
		if env := environmentErr(lost.err); env != nil {
			err = env // not the file's fault: the run stops
		}
	}
	if err == nil {
		err = w.emit()
	} else if w.batch != nil {
		w.batch.Release() // rows of a unit that did not finish
		w.batch = nil
	}
	w.src.record(u, &c, lost, w.first, w.last)
	return err
}

// emit hands the current batch to emitFn as a record batch, which holds
// the batch until the last consumer releases it.
func (w *worker) emit() error {
	b := w.batch
	w.batch = nil
	if b == nil {
		return nil
	}
	if b.Len == 0 {
		b.Release()
		return nil
	}
	rec := b.Record(w.src.dict)
	b.Release()
	defer rec.Release()
	return w.emitFn(rec)
}

// run parses one unit. lost is a problem with the file (recorded, the
// run goes on); err stops the run.
func (w *worker) run(ctx context.Context, u unit) (c Counts, lost *lostRange, err error) {
	f := &w.plan.Files[u.file]
	var progress func(off int64) // reports plain-file progress up to a range offset
	fh, err := openChecked(f)
	if err != nil {
		return c, &lostRange{err: err, from: u.start, to: u.end}, nil
	}
	defer fh.Close()
	var src io.Reader
	skipFirst := false
	base := int64(0) // file offset of the range's stream
	if f.Gzip {
		gz := newGzipStream(fh, f.Path, w.opts.Progress)
		defer gz.Close()
		src = gz
	} else {
		base = u.start
		if base > 0 {
			base-- // start on the byte before: a line starts at u.start iff it is '\n'
			skipFirst = true
		}
		src = io.NewSectionReader(fh, base, u.size-base)
		u.start -= base // offsets below are relative to base
		u.end -= base
		if p := w.opts.Progress; p != nil {
			reported := u.start
			defer func() { p.Add(u.end - reported) }()
			progress = func(off int64) { p.Add(off - reported); reported = off }
		}
	}
	w.lr.reset(src)
	// unread is what is lost of the range when the file ended early: from
	// the first byte not read (not before the range's own) to its end
	unread := func(err error) *lostRange {
		if err == nil {
			return nil
		}
		return &lostRange{err: err, from: base + max(u.start, w.lr.consumed()), to: base + u.end}
	}
	if skipFirst && !w.lr.discardLine(u.end) {
		// inside one line from start to end (no line of its own), or the
		// file shrank below the range since it was cut
		return c, unread(checkShrunk(fh, f, base+u.end)), nil
	}
	w.parser.StartFile(learnStyle(&w.lr))
	bad0 := w.parser.BadValues
	host := f.Host
	rangeDone := f.Gzip // a plain range ended at its end, not at an early EOF
	for n := 1; ; n++ {
		from := w.lr.consumed()
		l, ok := w.lr.next()
		if !ok {
			break
		}
		if !f.Gzip && l.Start >= u.end {
			rangeDone = true
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
		c.Bytes += w.lr.consumed() - from // the whole line and its '\n', if any
		if l.TooLong {
			c.skip(ReasonTooLong)
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
			if c.FirstBadValue == 0 && w.parser.BadValues != bad0 {
				c.FirstBadValue, c.BadField = c.Lines, w.parser.BadField
			}
			if w.batch.Full() {
				if err := w.emit(); err != nil {
					return c, nil, err
				}
			}
		case OutOfRange:
			c.OutOfRange++
		default:
			c.skip(reason)
		}
	}
	c.BadValues = w.parser.BadValues - bad0
	switch {
	case w.lr.err != nil && f.Gzip: // it names the compressed offset
		return c, &lostRange{err: w.lr.err}, nil
	case w.lr.err != nil:
		return c, unread(fmt.Errorf("read %s at byte %d: %w", f.Path, base+w.lr.consumed(), w.lr.err)), nil
	case !rangeDone:
		return c, unread(checkShrunk(fh, f, base+u.end)), nil
	}
	return c, nil, nil
}
