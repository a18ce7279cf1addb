package columnar

import (
	"bytes"
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

// fileWriter writes a Parquet file of flat columns, row group by row
// group. It is the engine of SamplesWriter and WriteTable.
//
// It does not go through parquet-go's row or column writers: their
// per-value path (a parquet.Value per cell, definition levels appended one
// by one, level histograms) cost several times the encoding itself. It
// appends typed slices to a columnChunk per column, which encodes pages
// with parquet-go's encoders and zstd codec, and it lays out the file with
// parquet-go's thrift metadata types: magic, then per row group each
// column chunk (dictionary page, data pages v2), then the footer. The
// columns of a chunk of rows are encoded in parallel.
type fileWriter struct {
	out   io.Writer
	off   int64 // bytes written to out
	codec *zstd.Codec

	cols    []*columnChunk
	schema  []format.SchemaElement
	orders  []format.ColumnOrder
	groups  []format.RowGroup
	rgRows  int // maximum rows per row group
	pgRows  int // maximum rows per page
	rows    int // rows in the current row group
	pending int // rows in the current pages
	total   int64

	workers int
	scratch []*pageScratch // per worker
	errs    []error        // per column, from the last parallel pass
}

type fileConfig struct {
	rowGroupRows int
	pageRows     int
	workers      int
	level        zstd.Level
}

func newFileWriter(out io.Writer, schema *parquet.Schema, cfg fileConfig) (*fileWriter, error) {
	if cfg.rowGroupRows < 1 || cfg.pageRows < 1 {
		return nil, fmt.Errorf("row group rows %d and page rows %d must be positive", cfg.rowGroupRows, cfg.pageRows)
	}
	w := &fileWriter{
		out:     out,
		codec:   zstdCodec(cfg.level),
		rgRows:  cfg.rowGroupRows,
		pgRows:  min(cfg.pageRows, cfg.rowGroupRows),
		workers: max(cfg.workers, 1),
	}
	fields := schema.Fields()
	w.schema = append(w.schema, format.SchemaElement{
		Name:        schema.Name(),
		NumChildren: thrift.New(int32(len(fields))),
	})
	for _, f := range fields {
		if !f.Leaf() {
			return nil, fmt.Errorf("column %s: nested columns are not supported", f.Name())
		}
		c, err := newColumnChunk(f.Name(), f, w.codec)
		if err != nil {
			return nil, err
		}
		w.cols = append(w.cols, c)
		w.schema = append(w.schema, schemaElement(f))
		w.orders = append(w.orders, *f.Type().ColumnOrder())
	}
	w.errs = make([]error, len(w.cols))
	for range w.workers {
		w.scratch = append(w.scratch, newPageScratch())
	}
	return w, nil
}

// zstdCodecs holds one codec per level, shared by all files: a codec
// pools its encoders, which are costly to create.
var zstdCodecs sync.Map // zstd.Level -> *zstd.Codec

func zstdCodec(level zstd.Level) *zstd.Codec {
	c, _ := zstdCodecs.LoadOrStore(level, &zstd.Codec{Level: level})
	return c.(*zstd.Codec)
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

// writeRows appends n rows, obtained from fill, cutting pages and row
// groups as they fill up.
func (w *fileWriter) writeRows(n int, fill chunkFunc) error {
	for lo := 0; lo < n; {
		hi := min(n, lo+w.pgRows-w.pending, lo+w.rgRows-w.rows)
		full := w.pending+hi-lo == w.pgRows
		err := w.parallel(func(worker, col int) error {
			c := w.cols[col]
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
		w.rows += hi - lo
		w.pending = (w.pending + hi - lo) % w.pgRows
		w.total += int64(hi - lo)
		lo = hi
		if w.rows == w.rgRows {
			if err := w.writeRowGroup(); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeRowGroup encodes the last pages and the dictionaries of the row
// group in parallel, then writes its column chunks in order.
func (w *fileWriter) writeRowGroup() error {
	if err := w.parallel(func(worker, col int) error { return w.cols[col].finish(w.scratch[worker]) }); err != nil {
		return err
	}
	if err := w.start(); err != nil {
		return err
	}
	rg := format.RowGroup{
		NumRows:    int64(w.rows),
		FileOffset: w.off,
		Ordinal:    int16(len(w.groups)),
		Columns:    make([]format.ColumnChunk, len(w.cols)),
	}
	for i, c := range w.cols {
		rg.Columns[i] = c.metadata(w.off, format.Zstd)
		rg.TotalByteSize += c.rawSize
		rg.TotalCompressedSize += rg.Columns[i].MetaData.TotalCompressedSize
		if err := w.write(c.dictPage); err != nil {
			return err
		}
		if err := w.write(c.pages); err != nil {
			return err
		}
		c.reset()
	}
	w.groups = append(w.groups, rg)
	w.rows, w.pending = 0, 0
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

// close writes the last row group and the footer.
func (w *fileWriter) close() error {
	if w.rows > 0 {
		if err := w.writeRowGroup(); err != nil {
			return err
		}
	}
	if err := w.start(); err != nil {
		return err
	}
	md := format.FileMetaData{
		Version:      2,
		Schema:       w.schema,
		NumRows:      w.total,
		RowGroups:    w.groups,
		CreatedBy:    "resreport",
		ColumnOrders: w.orders,
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

// parallel calls f once for every column, on w.workers goroutines (the
// caller's, worker 0, among them), and returns the error of the first
// failing column.
func (w *fileWriter) parallel(f func(worker, col int) error) error {
	var next atomic.Int32
	n := int32(len(w.cols))
	work := func(worker int) {
		for {
			col := next.Add(1) - 1
			if col >= n {
				return
			}
			w.errs[col] = f(worker, int(col))
		}
	}
	var wg sync.WaitGroup
	for k := 1; k < w.workers; k++ {
		wg.Go(func() { work(k) })
	}
	work(0)
	wg.Wait()
	for col, err := range w.errs {
		if err != nil {
			clear(w.errs)
			return fmt.Errorf("column %s: %w", w.cols[col].name, err)
		}
	}
	return nil
}
