package columnar

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// DefaultPageRows is the default number of rows per data page.
const DefaultPageRows = 16384

const parquetMagic = "PAR1"

// createdBy is the footer's created_by: files so marked have zstd pages
// only (checkFooter).
const createdBy = "resreport"

// fileWriter writes a Parquet file of flat columns, row group by row
// group. It is the engine of SamplesWriter and TableWriter.
//
// It does not go through parquet-go's row or column writers: their
// per-value path (a parquet.Value per cell, definition levels appended one
// by one, level histograms) cost several times the encoding itself. It
// appends typed slices to a columnChunk per column, which encodes pages
// with parquet-go's encoders and zstd codec, and it lays out the file with
// parquet-go's thrift metadata types: magic, then per row group each
// column chunk (dictionary page, data pages v2), then the footer. The
// columns of a chunk of rows are encoded in parallel. Several row groups
// may be filled at once (SamplesWriter keeps one per time slice); each is
// written when flushed.
type fileWriter struct {
	out   io.Writer
	off   int64 // bytes written to out
	codec *pageCodec

	fields []parquet.Field
	dicts  map[int][]string // fixed dictionaries, by column
	schema []format.SchemaElement
	orders []format.ColumnOrder
	groups []format.RowGroup
	rgRows int // maximum rows per row group
	pgRows int // maximum rows per page
	total  int64

	blocks blockPool // page blocks of written row groups

	cur  *rowGroup   // the row group of writeRows
	free []*rowGroup // flushed, for reuse

	workers int
	scratch []*pageScratch // per worker

	ctx  context.Context // checked before every pass of the encoders
	meta []format.KeyValue
}

// rowGroup is a row group being filled: a chunk per column.
type rowGroup struct {
	cols    []*columnChunk
	rows    int     // rows appended
	pending int     // rows in the current pages
	errs    []error // per column, from the last parallel pass
}

type fileConfig struct {
	rowGroupRows int
	pageRows     int
	workers      int
	level        zstd.Level
	rawLiterals  bool            // zstd without entropy-coding literals (see pageCodec)
	ctx          context.Context // nil: never cancelled
	meta         []format.KeyValue
}

func newFileWriter(out io.Writer, schema *parquet.Schema, cfg fileConfig) (*fileWriter, error) {
	if cfg.rowGroupRows < 1 || cfg.pageRows < 1 {
		return nil, fmt.Errorf("row group rows %d and page rows %d must be positive", cfg.rowGroupRows, cfg.pageRows)
	}
	w := &fileWriter{
		out:     out,
		codec:   sharedPageCodec(cfg.level, !cfg.rawLiterals),
		dicts:   map[int][]string{},
		rgRows:  cfg.rowGroupRows,
		pgRows:  min(cfg.pageRows, cfg.rowGroupRows),
		workers: max(cfg.workers, 1),
		ctx:     cfg.ctx,
		meta:    cfg.meta,
	}
	if w.ctx == nil {
		w.ctx = context.Background()
	}
	w.fields = schema.Fields()
	w.schema = append(w.schema, format.SchemaElement{
		Name:        schema.Name(),
		NumChildren: thrift.New(int32(len(w.fields))),
	})
	for _, f := range w.fields {
		if !f.Leaf() {
			return nil, fmt.Errorf("column %s: nested columns are not supported", f.Name())
		}
		w.schema = append(w.schema, schemaElement(f))
		w.orders = append(w.orders, *f.Type().ColumnOrder())
	}
	for range w.workers {
		w.scratch = append(w.scratch, newPageScratch())
	}
	var err error
	w.cur, err = w.newRowGroup()
	return w, err
}

// setDictionary fixes the dictionary of BYTE_ARRAY column col for every
// row group (the host table).
func (w *fileWriter) setDictionary(col int, values []string) {
	w.dicts[col] = values
	w.cur.cols[col].setDictionary(values)
}

// newRowGroup returns an empty row group.
func (w *fileWriter) newRowGroup() (*rowGroup, error) {
	if n := len(w.free); n > 0 {
		g := w.free[n-1]
		w.free = w.free[:n-1]
		return g, nil
	}
	g := &rowGroup{errs: make([]error, len(w.fields))}
	for i, f := range w.fields {
		c, err := newColumnChunk(f.Name(), f, w.codec, w.pgRows)
		if err != nil {
			return nil, err
		}
		c.pages.pool = &w.blocks
		if d, ok := w.dicts[i]; ok {
			c.setDictionary(d)
		}
		g.cols = append(g.cols, c)
	}
	return g, nil
}

// schemaElement describes a leaf column in the footer, as parquet-go's
// writer does, except that a timestamp that is not adjusted to UTC gets no
// converted type: TIMESTAMP_MICROS means adjusted to UTC.
func schemaElement(f parquet.Field) format.SchemaElement {
	t := f.Type()
	e := format.SchemaElement{Name: f.Name()}
	e.Type.Set(*t.PhysicalType())
	if f.Optional() {
		e.RepetitionType.Set(format.Optional)
	} else {
		e.RepetitionType.Set(format.Required)
	}
	lt := t.LogicalType()
	if lt != nil {
		e.LogicalType = *lt
	}
	if ct := t.ConvertedType(); ct != nil {
		if ts, ok := logicalTimestamp(lt); !ok || ts.IsAdjustedToUTC {
			e.ConvertedType.Set(*ct)
		}
	}
	return e
}

func logicalTimestamp(lt *format.LogicalType) (*format.TimestampType, bool) {
	if lt == nil {
		return nil, false
	}
	ts, ok := lt.Value.(*format.TimestampType)
	return ts, ok
}

// chunkFunc appends rows lo..hi-1 of the source to column col.
type chunkFunc func(c *columnChunk, col, lo, hi int) error

// writeRows appends n rows, obtained from fill, to the current row group,
// cutting pages and row groups as they fill up.
func (w *fileWriter) writeRows(n int, fill chunkFunc) error {
	for lo := 0; lo < n; {
		hi := min(n, lo+w.rgRows-w.cur.rows)
		err := w.appendRows(w.cur, hi-lo, func(c *columnChunk, col, a, b int) error { return fill(c, col, lo+a, lo+b) })
		if err != nil {
			return err
		}
		lo = hi
		if w.cur.rows == w.rgRows {
			if err := w.flush(w.cur); err != nil { // empties w.cur for the next row group
				return err
			}
		}
	}
	return nil
}

// appendRows appends n rows, obtained from fill, to row group g, cutting
// pages as they fill up (never the row group).
func (w *fileWriter) appendRows(g *rowGroup, n int, fill chunkFunc) error {
	for lo := 0; lo < n; {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		hi := min(n, lo+w.pgRows-g.pending)
		full := g.pending+hi-lo == w.pgRows
		err := w.parallel(g, func(worker, col int) error {
			c := g.cols[col]
			if err := fill(c, col, lo, hi); err != nil {
				return err
			}
			if full {
				return c.flushPage(w.scratch[worker])
			}
			return nil
		})
		if err != nil {
			return err
		}
		g.rows += hi - lo
		g.pending = (g.pending + hi - lo) % w.pgRows
		w.total += int64(hi - lo)
		lo = hi
	}
	return nil
}

// flush encodes the last pages and the dictionaries of row group g in
// parallel, writes its column chunks in order and keeps g for reuse. An
// empty row group is not written.
func (w *fileWriter) flush(g *rowGroup) error {
	if g.rows == 0 {
		return nil
	}
	if err := w.ctx.Err(); err != nil {
		return err
	}
	if err := w.parallel(g, func(worker, col int) error { return g.cols[col].finish(w.scratch[worker]) }); err != nil {
		return err
	}
	if err := w.start(); err != nil {
		return err
	}
	rg := format.RowGroup{
		NumRows:    int64(g.rows),
		FileOffset: w.off,
		Ordinal:    int16(len(w.groups)),
		Columns:    make([]format.ColumnChunk, len(g.cols)),
	}
	for i, c := range g.cols {
		rg.Columns[i] = c.metadata(w.off, format.Zstd)
		rg.TotalByteSize += c.rawSize
		rg.TotalCompressedSize += rg.Columns[i].MetaData.TotalCompressedSize
		if err := w.write(c.dictPage); err != nil {
			return err
		}
		if err := c.pages.writeTo(w.write); err != nil {
			return err
		}
		c.reset()
	}
	w.groups = append(w.groups, rg)
	g.rows, g.pending = 0, 0
	if g != w.cur {
		w.free = append(w.free, g)
	}
	return nil
}

// start writes the leading magic bytes, once.
func (w *fileWriter) start() error {
	if w.off > 0 {
		return nil
	}
	return w.write([]byte(parquetMagic))
}

func (w *fileWriter) write(b []byte) error {
	n, err := w.out.Write(b)
	w.off += int64(n)
	if err != nil {
		return fmt.Errorf("writing at offset %d: %w", w.off, err)
	}
	return nil
}

// close writes the current row group and the footer; row groups filled
// with appendRows must have been flushed.
func (w *fileWriter) close() error {
	if err := w.flush(w.cur); err != nil {
		return err
	}
	if err := w.start(); err != nil {
		return err
	}
	md := format.FileMetaData{
		Version:          2,
		Schema:           w.schema,
		NumRows:          w.total,
		RowGroups:        w.groups,
		CreatedBy:        createdBy,
		ColumnOrders:     w.orders,
		KeyValueMetadata: w.meta,
	}
	var buf bytes.Buffer
	if err := thrift.NewEncoder(new(thrift.CompactProtocol).NewWriter(&buf)).Encode(&md); err != nil {
		return fmt.Errorf("encoding footer: %w", err)
	}
	buf.Write(binary.LittleEndian.AppendUint32(nil, uint32(buf.Len())))
	buf.WriteString(parquetMagic)
	if err := w.write(buf.Bytes()); err != nil {
		return fmt.Errorf("footer: %w", err)
	}
	return nil
}

// parallel calls f once for every column of g, on w.workers goroutines
// (the caller's, worker 0, among them), and returns the error of the
// first failing column.
func (w *fileWriter) parallel(g *rowGroup, f func(worker, col int) error) error {
	var next atomic.Int32
	n := int32(len(g.cols))
	work := func(worker int) {
		for {
			col := next.Add(1) - 1
			if col >= n {
				return
			}
			g.errs[col] = f(worker, int(col))
		}
	}
	var wg sync.WaitGroup
	for k := 1; k < w.workers; k++ {
		wg.Go(func() { work(k) })
	}
	work(0)
	wg.Wait()
	for col, err := range g.errs {
		if err != nil {
			clear(g.errs)
			return fmt.Errorf("column %s: %w", g.cols[col].name, err)
		}
	}
	return nil
}
