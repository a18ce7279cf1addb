package columnar

import (
	"context"
	"errors"

	"fmt"
	"github.com/apache/arrow-go/v18/arrow"
	"io"
	"runtime"

	"github.com/parquet-go/parquet-go/compress/zstd"
	"github.com/parquet-go/parquet-go/format"
)

// SamplesRowGroupRows is the default number of rows per row group of the
// Parquet files (128 full batches). A row group's compressed pages stay in
// memory until it is complete, so this bounds the writers' memory.
const SamplesRowGroupRows = 128 << 10

// SamplesOption configures a SamplesWriter.
type SamplesOption func(*samplesConfig)

type samplesConfig struct {
	file  fileConfig
	enc   samplesEncodings
	slice int64

	chunkBytes, checkRows int // see SamplesWriter.checkMemory
}

// WithRowGroupRows sets the maximum number of rows per row group
// (default SamplesRowGroupRows).
func WithRowGroupRows(n int) SamplesOption {
	return func(c *samplesConfig) { c.file.rowGroupRows = n }
}

// WithWorkers sets how many goroutines encode and compress the columns of
// each batch (default GOMAXPROCS). Write returns only when they are done.
func WithWorkers(n int) SamplesOption {
	return func(c *samplesConfig) { c.file.workers = n }
}

// WithZstdLevel sets the zstd compression level (default zstd.SpeedFastest).
func WithZstdLevel(l zstd.Level) SamplesOption {
	return func(c *samplesConfig) { c.file.level = l }
}

// WithContext stops the writer once ctx is done: every later write or
// Close returns ctx's error, checked before each pass of the encoders.
func WithContext(ctx context.Context) SamplesOption {
	return func(c *samplesConfig) { c.file.ctx = ctx }
}

// WithMetadata adds a key-value pair to the file's footer metadata (the
// full host name of a host=… partition, see MetadataHost).
func WithMetadata(key, value string) SamplesOption {
	return func(c *samplesConfig) { c.file.meta = append(c.file.meta, format.KeyValue{Key: key, Value: value}) }
}

// slicedPageRows is the page size when slicing: up to ~16 row groups are
// filled at once, each with a pending page per column.
const slicedPageRows = 4096

// WithTimeSlices lays the rows out for time filters: every row group holds
// the rows of one time slice of width microseconds (aligned to
// 1970-01-01T00:00, so to midnight when the width divides a day) for a
// run of consecutive hosts, sorted by host; see SamplesWriter.
func WithTimeSlices(width int64) SamplesOption {
	return func(c *samplesConfig) { c.slice = width }
}

// withChunkLimits sets the pages at which a chunk ends (at a host
// boundary, or within a host) and how often (in rows) that is checked
// within a host (for tests: the defaults need a host of hundreds of
// thousands of rows).
func withChunkLimits(bytes, rows int) SamplesOption {
	return func(c *samplesConfig) { c.chunkBytes, c.checkRows = bytes, rows }
}

// withPageRows sets the maximum number of rows per data page (for
// benchmarks).
func withPageRows(n int) SamplesOption {
	return func(c *samplesConfig) { c.file.pageRows = n }
}

// withEncodings overrides the value encodings (for benchmarks).
func withEncodings(e samplesEncodings) SamplesOption {
	return func(c *samplesConfig) { c.enc = e }
}

func defaultFileConfig() fileConfig {
	return fileConfig{
		rowGroupRows: SamplesRowGroupRows,
		pageRows:     DefaultPageRows,
		workers:      runtime.GOMAXPROCS(0),
		level:        zstd.SpeedFastest,
	}
}

// SamplesWriter streams batches to a samples.parquet file whose columns
// are those of ArrowSchema, in the same order: host as a dictionary-encoded
// string, ts as TIMESTAMP(MICROS, isAdjustedToUTC=false), the header
// strings (dictionary-encoded), then optional int64 pid, tid and metric
// columns (double for Float metrics). Write and Close are called from one
// goroutine; within a Write the columns are encoded and compressed in
// parallel.
type SamplesWriter struct {
	fw   *fileWriter
	skip int // 1 when the file has no host column: file column i is ArrowSchema column i+1

	// With time slices (width > 0): the row groups of the current chunk
	// of hosts, one per slice, and the rows not yet appended to them.
	width   int64
	open    map[int64]*rowGroup
	segs    map[int64][]segment
	newSegs int   // slices in segs not in open
	host    int32 // of the last row taken; -1 before the first
	strays  int   // rows that went to a row group of several slices

	// The pages at which the chunk ends (maxChunkBytes), and within a
	// host (see sliced) how often that is checked and the rows to the
	// next check.
	chunkBytes, checkRows, toCheck int

	err    error // sticky: the first failure
	closed bool
}

// segment is rows [lo, hi) of a view.
type segment struct {
	v      *View
	lo, hi int
}

// NewSamplesWriter starts a samples file on w. hosts is the run's host
// table, which Batch.Host indexes; it is the host column's dictionary.
// With hosts nil the file has no host column (a file of a host=…
// partition).
func NewSamplesWriter(w io.Writer, hosts []string, opts ...SamplesOption) (*SamplesWriter, error) {
	cfg := samplesConfig{file: defaultFileConfig(), enc: defaultSamplesEncodings(), chunkBytes: maxChunkBytes, checkRows: checkRows}
	cfg.file.rawLiterals = true
	cfg.file.pageRows = 0
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.file.pageRows == 0 {
		cfg.file.pageRows = DefaultPageRows
		if cfg.slice > 0 {
			cfg.file.pageRows = slicedPageRows
		}
	}
	fw, err := newFileWriter(w, samplesSchema(cfg.enc, hosts != nil), cfg.file)
	if err != nil {
		return nil, fmt.Errorf("parquet samples writer: %w", err)
	}
	sw := &SamplesWriter{fw: fw, skip: 1, width: cfg.slice, host: -1, open: map[int64]*rowGroup{},
		chunkBytes: cfg.chunkBytes, checkRows: cfg.checkRows, toCheck: cfg.checkRows}
	if hosts != nil {
		fw.setDictionary(0, hosts)
		sw.skip = 0
	}
	return sw, nil
}

// Rows returns the number of rows written so far.
func (w *SamplesWriter) Rows() int64 { return w.fw.total }

// Write appends the rows of b. It copies or encodes what it needs before
// it returns and keeps no reference to b. After an error the writer is
// unusable: every later call returns the same error.
func (w *SamplesWriter) Write(b *Batch) error {
	var v View
	b.View(&v)
	return w.WriteRows(&v, 0, v.Len)
}

// WriteRecords appends the rows of every record batch of recs (of
// ArrowSchema), in order, as Write does, in one pass of the column
// encoders: a pass has a fixed cost (the encoding goroutines are started
// and joined), so several small batches are cheaper written together.
func (w *SamplesWriter) WriteRecords(recs []arrow.RecordBatch) error {
	vs := make([]View, len(recs))
	for i, r := range recs {
		if err := ViewOf(r, &vs[i]); err != nil {
			return fmt.Errorf("parquet samples writer: %w", err)
		}
	}
	return w.WriteViews(vs)
}

// WriteViews is WriteRecords for views.
func (w *SamplesWriter) WriteViews(vs []View) error {
	if w.width > 0 {
		segs := make([]segment, len(vs))
		for i := range vs {
			segs[i] = segment{&vs[i], 0, vs[i].Len}
		}
		return w.sliced(segs)
	}
	total := 0
	for i := range vs {
		total += vs[i].Len
	}
	return w.writeRows(total, func(c *columnChunk, col, lo, hi int) error {
		start := 0 // first row of v among the rows of vs
		for i := range vs {
			v := &vs[i]
			end := start + v.Len
			if end > lo && start < hi {
				if err := appendSamples(c, v, col+w.skip, max(lo, start)-start, min(hi, end)-start); err != nil {
					return err
				}
			}
			if start = end; start >= hi {
				break
			}
		}
		return nil
	})
}

// WriteRows appends rows [from, to) of v, as Write does.
func (w *SamplesWriter) WriteRows(v *View, from, to int) error {
	if w.width > 0 {
		return w.sliced([]segment{{v, from, to}})
	}
	return w.writeRows(to-from, func(c *columnChunk, col, lo, hi int) error {
		return appendSamples(c, v, col+w.skip, from+lo, from+hi)
	})
}

// writeRows appends n rows taken by fill, keeping the writer's sticky
// error.
func (w *SamplesWriter) writeRows(n int, fill chunkFunc) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errors.New("parquet samples writer: write after close")
	}
	if n <= 0 {
		return nil
	}
	if err := w.fw.writeRows(n, fill); err != nil {
		w.err = fmt.Errorf("parquet samples writer: %w", err)
	}
	return w.err
}

// Close writes the last row group and the file footer. It does not close
// the underlying io.Writer.
func (w *SamplesWriter) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	if w.width > 0 {
		err := w.appendSegments()
		if err == nil {
			err = w.endChunk()
		}
		if err != nil {
			return w.fail(err)
		}
	}
	if err := w.fw.close(); err != nil {
		w.err = fmt.Errorf("parquet samples writer: %w", err)
	}
	return w.err
}

// appendSamples appends rows lo..hi-1 of column col of v (numbered as in
// ArrowSchema) to c.
func appendSamples(c *columnChunk, v *View, col, lo, hi int) error {
	n := hi - lo
	switch col {
	case 0:
		return c.appendIndexes(v.Host, lo, n)
	case 1:
		c.appendInts(v.TS, nil, lo, n)
	case 2, 3, 4, 5, 6:
		c.appendStrings(v.strings()[col-firstString], v.Host, lo, n)
	case colPID:
		c.appendInts(v.PID.Ints, v.PID.Valid, lo, n)
	case colTID:
		c.appendInts(v.TID.Ints, v.TID.Valid, lo, n)
	default:
		m := &v.Cols[col-NumHeaderCols]
		if Metrics[col-NumHeaderCols].Kind == Int {
			c.appendInts(m.Ints, m.Valid, lo, n)
		} else {
			c.appendFloats(m.Floats, m.Valid, lo, n)
		}
	}
	return nil
}
