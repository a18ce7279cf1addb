package columnar

import (
	"bytes"
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// This file reads Parquet files back with arrow-go's pqarrow, an
// implementation independent of the writer's. It is imported by tests
// only: pqarrow would add tens of megabytes to the binary.

// openParquet opens a Parquet file held in memory with pqarrow.
func openParquet(t testing.TB, data []byte) *pqarrow.FileReader {
	t.Helper()
	rdr, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("open parquet: %v", err)
	}
	t.Cleanup(func() { rdr.Close() })
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: 8192}, memory.DefaultAllocator)
	if err != nil {
		t.Fatalf("pqarrow reader: %v", err)
	}
	return fr
}

// readTable reads a whole Parquet file held in memory with pqarrow.
func readTable(t testing.TB, data []byte) arrow.Table {
	t.Helper()
	tbl, err := openParquet(t, data).ReadTable(context.Background())
	if err != nil {
		t.Fatalf("read table: %v", err)
	}
	t.Cleanup(tbl.Release)
	return tbl
}

// arrowCell returns element i of arr as nil (null), string, int64 (also
// for timestamps) or float64. Dictionary arrays give their string values.
func arrowCell(t testing.TB, arr arrow.Array, i int) any {
	if arr.IsNull(i) {
		return nil
	}
	switch a := arr.(type) {
	case *array.Dictionary:
		return arrowCell(t, a.Dictionary(), a.GetValueIndex(i))
	case *array.String:
		return a.Value(i)
	case *array.Int64:
		return a.Value(i)
	case *array.Float64:
		return a.Value(i)
	case *array.Timestamp:
		return int64(a.Value(i))
	}
	t.Fatalf("unexpected array type %s", arr.DataType())
	return nil
}

// batchCell returns row r of column col of b, numbered as in ArrowSchema,
// in the form of arrowCell.
func batchCell(b *Batch, hosts []string, col, r int) any {
	switch col {
	case 0:
		return hosts[b.Host[r]]
	case 1:
		return b.TS[r]
	case 2, 3, 4, 5, 6:
		return string(b.strings()[col-firstString].Value(r))
	}
	c := &b.PID
	switch {
	case col == colTID:
		c = &b.TID
	case col > colTID:
		c = &b.Cols[col-NumHeaderCols]
	}
	if !c.IsValid(r) {
		return nil
	}
	if c.Kind == Int {
		return c.Ints[r]
	}
	return c.Floats[r]
}

// cursor walks the rows of a chunked table in order.
type cursor struct {
	cols  [][]arrow.Array
	chunk []int // current chunk per column
	base  []int // row number of the chunk's first element
}

func newCursor(tbl arrow.Table) *cursor {
	n := int(tbl.NumCols())
	c := &cursor{cols: make([][]arrow.Array, n), chunk: make([]int, n), base: make([]int, n)}
	for i := range n {
		c.cols[i] = tbl.Column(i).Data().Chunks()
	}
	return c
}

// cell returns row r of column col; r must not decrease between calls for
// the same column.
func (c *cursor) cell(t testing.TB, col, r int) any {
	chunks := c.cols[col]
	for r-c.base[col] >= chunks[c.chunk[col]].Len() {
		c.base[col] += chunks[c.chunk[col]].Len()
		c.chunk[col]++
	}
	return arrowCell(t, chunks[c.chunk[col]], r-c.base[col])
}

// checkSamplesSchema checks that a samples file read by pqarrow has the
// columns of ArrowSchema: same names in the same order, ts as
// timestamp[us] with no time zone, host as strings.
func checkSamplesSchema(t testing.TB, got *arrow.Schema) {
	t.Helper()
	want := ArrowSchema()
	if got.NumFields() != want.NumFields() {
		t.Fatalf("read %d columns, want %d", got.NumFields(), want.NumFields())
	}
	for i := range want.NumFields() {
		g, w := got.Field(i), want.Field(i)
		if g.Name != w.Name {
			t.Fatalf("column %d is %q, want %q", i, g.Name, w.Name)
		}
		switch i {
		case 0:
			if dt, ok := g.Type.(*arrow.DictionaryType); ok {
				if !arrow.TypeEqual(dt.ValueType, arrow.BinaryTypes.String) {
					t.Errorf("host: dictionary of %s, want of utf8", dt.ValueType)
				}
			} else if !arrow.TypeEqual(g.Type, arrow.BinaryTypes.String) {
				t.Errorf("host: type %s, want utf8 or dictionary<utf8>", g.Type)
			}
		case 1:
			checkTimestampField(t, g.Type)
		default:
			if !arrow.TypeEqual(g.Type, w.Type) {
				t.Errorf("%s: type %s, want %s", g.Name, g.Type, w.Type)
			}
			if i >= colPID && !g.Nullable {
				t.Errorf("%s: not nullable", g.Name)
			}
		}
	}
}

// checkRowGroups checks that the file has want row groups of at most max
// rows each, and returns their sizes.
func checkRowGroups(t testing.TB, fr *pqarrow.FileReader, want int, max int64) {
	t.Helper()
	md := fr.ParquetReader().MetaData()
	if got := md.NumRowGroups(); got != want {
		t.Errorf("%d row groups, want %d", got, want)
	}
	for i := range md.NumRowGroups() {
		if n := md.RowGroup(i).NumRows(); n > max || n == 0 {
			t.Errorf("row group %d has %d rows, want 1..%d", i, n, max)
		}
	}
}

// checkTimestampField checks that dt is timestamp[us] with no time zone.
func checkTimestampField(t testing.TB, dt arrow.DataType) {
	t.Helper()
	ts, ok := dt.(*arrow.TimestampType)
	if !ok || ts.Unit != arrow.Microsecond || ts.TimeZone != "" {
		t.Errorf("time column: type %s (%#v), want timestamp[us] with no time zone", dt, dt)
	}
}
