package columnar

import (
	"bytes"
	"context"
	"errors"
	"github.com/apache/arrow-go/v18/arrow"
	"math"
	"strings"
	"testing"
)

// genBatches returns batches of the given sizes filled by g; a size over
// BatchRows becomes full batches and one with the rest.
func genBatches(g *sampleGen, sizes ...int) []*Batch {
	var bs []*Batch
	for _, n := range sizes {
		for n > 0 {
			b := NewBatch()
			g.fill(b, min(n, BatchRows))
			n -= b.Len
			bs = append(bs, b)
		}
	}
	return bs
}

func writeSamples(t testing.TB, hosts []string, bs []*Batch, opts ...SamplesOption) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewSamplesWriter(&buf, hosts, opts...)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		if err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSamplesWriterRoundTrip(t *testing.T) {
	g := newSampleGen(1, 7, 3, 0.05)
	// Partial batches and a small row group limit: row groups are cut
	// inside batches.
	bs := genBatches(g, BatchRows, 1000, 3, BatchRows, 2500)
	const rgRows = 3000
	data := writeSamples(t, g.hosts, bs, WithRowGroupRows(rgRows))

	fr := openParquet(t, data)
	total := 0
	for _, b := range bs {
		total += b.Len
	}
	checkRowGroups(t, fr, (total+rgRows-1)/rgRows, rgRows)
	tbl := readTable(t, data)
	checkSamplesSchema(t, tbl.Schema())
	if tbl.NumRows() != int64(total) {
		t.Fatalf("read %d rows, want %d", tbl.NumRows(), total)
	}
	cur := newCursor(tbl)
	nulls := make([]int, tbl.NumCols())
	r := 0
	for _, b := range bs {
		for i := range b.Len {
			for col := range int(tbl.NumCols()) {
				want := batchCell(b, g.hosts, col, i)
				got := cur.cell(t, col, r)
				if got != want {
					t.Fatalf("row %d column %s: got %#v, want %#v", r, tbl.Schema().Field(col).Name, got, want)
				}
				if want == nil {
					nulls[col]++
				}
			}
			r++
		}
	}
	// The data must exercise what it claims to: nulls in every nullable
	// column, non-ASCII strings.
	for col := colPID; col < len(nulls); col++ {
		if nulls[col] == 0 {
			t.Errorf("column %s has no nulls in the test data", tbl.Schema().Field(col).Name)
		}
	}
	if !strings.ContainsRune(strings.Join(g.hosts, ""), 'ü') {
		t.Error("test data has no non-ASCII host")
	}
}

// TestSamplesWriterDefaultRowGroups streams more rows than fit one default
// row group through one reused batch, then reads the file back row group
// by row group against a regenerated stream.
func TestSamplesWriterDefaultRowGroups(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 300k rows")
	}
	const total = 2*SamplesRowGroupRows + 5*BatchRows/2
	const seed, nhosts = 2, 5
	stream := func(each func(b *Batch)) {
		g := newSampleGen(seed, nhosts, 5000, 0.01)
		b := NewBatch()
		for left := total; left > 0; left -= b.Len {
			b.Reset()
			g.fill(b, min(left, BatchRows-7)) // batches that do not divide row groups
			each(b)
		}
	}
	hosts := newSampleGen(seed, nhosts, 5000, 0.01).hosts
	var buf bytes.Buffer
	w, err := NewSamplesWriter(&buf, hosts)
	if err != nil {
		t.Fatal(err)
	}
	stream(func(b *Batch) {
		if err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.Rows() != total {
		t.Errorf("Rows() = %d, want %d", w.Rows(), total)
	}

	fr := openParquet(t, buf.Bytes())
	checkRowGroups(t, fr, 3, SamplesRowGroupRows)
	if n := fr.ParquetReader().NumRows(); n != total {
		t.Fatalf("file has %d rows, want %d", n, total)
	}
	allCols := make([]int, NumHeaderCols+len(Metrics))
	for i := range allCols {
		allCols[i] = i
	}
	rg, rgBase := -1, 0
	var cur *cursor
	var rgRows int
	r := 0
	stream(func(b *Batch) {
		for i := range b.Len {
			if rg < 0 || r-rgBase == rgRows {
				if rg >= 0 {
					rgBase += rgRows
				}
				rg++
				tbl, err := fr.ReadRowGroups(context.Background(), allCols, []int{rg})
				if err != nil {
					t.Fatalf("read row group %d: %v", rg, err)
				}
				t.Cleanup(tbl.Release)
				if rg == 0 {
					checkSamplesSchema(t, tbl.Schema())
				}
				cur, rgRows = newCursor(tbl), int(tbl.NumRows())
			}
			for col := range NumHeaderCols + len(Metrics) {
				if got, want := cur.cell(t, col, r-rgBase), batchCell(b, hosts, col, i); got != want {
					t.Fatalf("row %d column %d: got %#v, want %#v", r, col, got, want)
				}
			}
			r++
		}
	})
}

func TestSamplesWriterEmpty(t *testing.T) {
	data := writeSamples(t, []string{"a"}, nil)
	tbl := readTable(t, data)
	checkSamplesSchema(t, tbl.Schema())
	if tbl.NumRows() != 0 {
		t.Errorf("read %d rows from an empty file", tbl.NumRows())
	}
}

func TestSamplesWriterBadHost(t *testing.T) {
	g := newSampleGen(3, 4, 1, 0)
	bs := genBatches(g, 10)
	var buf bytes.Buffer
	w, err := NewSamplesWriter(&buf, g.hosts[:2]) // hosts 2 and 3 unknown
	if err != nil {
		t.Fatal(err)
	}
	err = w.Write(bs[0])
	if err == nil || !strings.Contains(err.Error(), "row 2: index 2 outside") {
		t.Fatalf("Write with an unknown host index: %v", err)
	}
	if err2 := w.Close(); err2 != err {
		t.Errorf("Close after a failed Write: %v, want %v", err2, err)
	}
}

type failWriter struct{ n int }

var errDiskFull = errors.New("no space left on device")

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n < len(p) {
		n := f.n
		f.n = 0
		return n, errDiskFull
	}
	f.n -= len(p)
	return len(p), nil
}

func TestSamplesWriterOutputError(t *testing.T) {
	g := newSampleGen(4, 3, 100, 0)
	bs := genBatches(g, BatchRows, BatchRows)
	w, err := NewSamplesWriter(&failWriter{n: 1000}, g.hosts, WithRowGroupRows(BatchRows))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		if err = w.Write(b); err != nil {
			break
		}
	}
	if err == nil {
		err = w.Close()
	}
	if !errors.Is(err, errDiskFull) {
		t.Fatalf("got %v, want the output's error", err)
	}
}

func testTable(withHosts bool) *Table {
	t := &Table{}
	hosts := []string{"kvhost-001", "节点-2-ü", ""}
	for i := range 10000 {
		t.Time = append(t.Time, 1_778_106_600_000_000+int64(i/3)*60_000_000)
		if withHosts {
			t.Host = append(t.Host, hosts[i%3])
		}
	}
	for c, name := range []string{"shm_memory_usage_mean", "etcd_queue_usage_max", "all_null", "no_nulls"} {
		col := TableCol{Name: name, Values: make([]float64, len(t.Time)), Valid: make([]bool, len(t.Time))}
		for i := range col.Values {
			col.Values[i] = float64(i*(c+1)) / 1000
			col.Valid[i] = name == "no_nulls" || (name != "all_null" && i%7 != 3)
		}
		if name == "no_nulls" {
			col.Values[5] = math.Inf(1)
			col.Valid = nil
		}
		t.Cols = append(t.Cols, col)
	}
	return t
}

func TestWriteTable(t *testing.T) {
	for _, withHosts := range []bool{true, false} {
		tab := testTable(withHosts)
		var buf bytes.Buffer
		if err := WriteTable(&buf, tab); err != nil {
			t.Fatal(err)
		}
		tbl := readTable(t, buf.Bytes())
		if tbl.NumRows() != int64(tab.Rows()) {
			t.Fatalf("read %d rows, want %d", tbl.NumRows(), tab.Rows())
		}
		names := []string{"time"}
		if withHosts {
			names = append(names, "host")
		}
		for _, c := range tab.Cols {
			names = append(names, c.Name)
		}
		sch := tbl.Schema()
		if sch.NumFields() != len(names) {
			t.Fatalf("read %d columns, want %d", sch.NumFields(), len(names))
		}
		for i, n := range names {
			if sch.Field(i).Name != n {
				t.Errorf("column %d is %q, want %q", i, sch.Field(i).Name, n)
			}
		}
		checkTimestampField(t, sch.Field(0).Type)
		cur := newCursor(tbl)
		first := len(names) - len(tab.Cols)
		for r := range tab.Rows() {
			if got := cur.cell(t, 0, r); got != tab.Time[r] {
				t.Fatalf("row %d time: got %v, want %v", r, got, tab.Time[r])
			}
			if withHosts {
				if got := cur.cell(t, 1, r); got != tab.Host[r] {
					t.Fatalf("row %d host: got %v, want %q", r, got, tab.Host[r])
				}
			}
			for c := range tab.Cols {
				col := &tab.Cols[c]
				var want any = col.Values[r]
				if (col.Valid != nil && !col.Valid[r]) || math.IsInf(col.Values[r], 0) {
					want = nil // NaN and ±Inf are null
				}
				if got := cur.cell(t, first+c, r); got != want {
					t.Fatalf("row %d %s: got %v, want %v", r, col.Name, got, want)
				}
			}
		}
	}
}

func TestWriteTableBadShape(t *testing.T) {
	tab := testTable(true)
	tab.Cols[1].Values = tab.Cols[1].Values[:10]
	if err := WriteTable(&bytes.Buffer{}, tab); err == nil || !strings.Contains(err.Error(), "etcd_queue_usage_max") {
		t.Errorf("short column: %v", err)
	}
	tab = testTable(false)
	tab.Cols[1].Name = "time"
	if err := WriteTable(&bytes.Buffer{}, tab); err == nil {
		t.Error("column named time: no error")
	}
}

// TestSamplesWriteBatches writes the same batches one by one and in
// groups of uneven sizes (groups crossing pages and row groups, empty
// batches among them): the files are the same bytes.
func TestSamplesWriteBatches(t *testing.T) {
	g := newSampleGen(5, 4, 3, 0.1)
	g.noisy = true
	bs := genBatches(g, 3*BatchRows+17, 0, 5, 2*BatchRows)
	bs = append(bs[:2], append([]*Batch{NewBatch()}, bs[2:]...)...) // an empty batch
	opts := []SamplesOption{WithRowGroupRows(2*BatchRows + 100), withPageRows(700)}
	want := writeSamples(t, g.hosts, bs, opts...)
	dict := NewHostDict(g.hosts)
	recs := make([]arrow.RecordBatch, len(bs))
	for i, b := range bs {
		b.Retain(1) // the test's own reference: the records do not recycle the batches
		recs[i] = b.Record(dict)
	}
	for _, sizes := range [][]int{{len(bs)}, {1, 3, 2, len(bs)}, {4, 1, len(bs)}} {
		var buf bytes.Buffer
		w, err := NewSamplesWriter(&buf, g.hosts, opts...)
		if err != nil {
			t.Fatal(err)
		}
		for i, k := 0, 0; i < len(bs); k++ {
			j := min(len(bs), i+sizes[k%len(sizes)])
			if err := w.WriteRecords(recs[i:j]); err != nil {
				t.Fatal(err)
			}
			i = j
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Fatalf("groups %v: %d bytes differ from %d bytes written batch by batch", sizes, buf.Len(), len(want))
		}
	}
}
