package columnar

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/parquet-go/parquet-go"
)

// TestTimeSlices writes three days of 8 hosts, host by host as a run reads
// them, in the time-sliced layout: every row is there, every row group
// holds one slice and a contiguous range of hosts, a one-hour filter on ts
// touches at most a quarter of the row groups, and the bytes do not depend
// on how the rows were grouped into calls.
func TestTimeSlices(t *testing.T) {
	const perHost = 3 * 8640 // three days of 10 s samples
	g := newSampleGen(3, 8, perHost, 0.05)
	bs := genBatches(g, 8*perHost)
	const width = 6 * 3600e6
	opts := []SamplesOption{WithTimeSlices(width), WithRowGroupRows(40000), withPageRows(3000)}
	var want []byte
	for k, chunk := range []int{1, 3, 16} {
		got := writeViewsPer(t, g.hosts, bs, chunk, opts...)
		if k == 0 {
			want = got
			continue
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%d batches per call: %d bytes differ from %d bytes", chunk, len(got), len(want))
		}
	}
	checkSliced(t, want, g.hosts, bs, width)
}

func checkSliced(t *testing.T, file []byte, hosts []string, bs []*Batch, width int64) {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	md := f.Metadata()
	total := int64(0)
	for _, b := range bs {
		total += int64(b.Len)
	}
	if md.NumRows != total {
		t.Fatalf("%d rows, want %d", md.NumRows, total)
	}
	var lo, hi int64 = 1 << 62, -1 << 62
	type span struct{ lo, hi int64 }
	var spans []span
	for i, rg := range md.RowGroups {
		ts := rg.Columns[1].MetaData.Statistics
		a, b := int64(binary.LittleEndian.Uint64(ts.MinValue)), int64(binary.LittleEndian.Uint64(ts.MaxValue))
		if FloorDiv(a, width) != FloorDiv(b, width) {
			t.Errorf("row group %d spans %d..%d: more than one slice", i, a, b)
		}
		spans = append(spans, span{a, b})
		lo, hi = min(lo, a), max(hi, b)
	}
	if len(spans) < 8 {
		t.Fatalf("only %d row groups", len(spans))
	}
	// a one-hour filter anywhere in the data touches few row groups
	worst := 0
	for at := lo; at < hi; at += 3600e6 / 4 {
		n := 0
		for _, s := range spans {
			if s.hi >= at && s.lo < at+3600e6 {
				n++
			}
		}
		worst = max(worst, n)
	}
	t.Logf("%d row groups; a one-hour filter touches at most %d", len(spans), worst)
	if worst*4 > len(spans) {
		t.Errorf("a one-hour filter touches %d of %d row groups", worst, len(spans))
	}
	// every row is there, once; within a row group hosts are in order
	index := map[string]int{}
	for i, h := range hosts {
		index[h] = i
	}
	seen := map[string]int{}
	for _, b := range bs {
		for i := range b.Len {
			seen[fmt.Sprint(b.Host[i], b.TS[i])]++
		}
	}
	rows := readTable(t, file)
	cur := newCursor(rows)
	r := 0
	for i, rg := range md.RowGroups {
		prev := -1
		for range rg.NumRows {
			h := index[cur.cell(t, 0, r).(string)]
			if h < prev {
				t.Fatalf("row group %d: host %d after host %d", i, h, prev)
			}
			prev = h
			k := fmt.Sprint(h, cur.cell(t, 1, r).(int64))
			if seen[k]--; seen[k] < 0 {
				t.Fatalf("row %s read twice", k)
			}
			r++
		}
	}
}

// TestTimeSlicesWriteRows writes the same rows through Write and WriteRows
// (ranges of batches) as through WriteViews: the same bytes.
func TestTimeSlicesWriteRows(t *testing.T) {
	g := newSampleGen(4, 3, 2000, 0.05)
	bs := genBatches(g, 6000)
	opts := []SamplesOption{WithTimeSlices(3600e6), WithRowGroupRows(5000)}
	write := func(f func(w *SamplesWriter) error) []byte {
		var buf bytes.Buffer
		w, err := NewSamplesWriter(&buf, g.hosts, opts...)
		if err != nil {
			t.Fatal(err)
		}
		if err := f(w); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	want := write(func(w *SamplesWriter) error {
		vs := make([]View, len(bs))
		for i, b := range bs {
			b.View(&vs[i])
		}
		return w.WriteViews(vs)
	})
	byBatch := write(func(w *SamplesWriter) error {
		for _, b := range bs {
			if err := w.Write(b); err != nil {
				return err
			}
		}
		return nil
	})
	byRange := write(func(w *SamplesWriter) error {
		for _, b := range bs {
			var v View
			b.View(&v)
			for lo := 0; lo < v.Len; lo += 300 {
				if err := w.WriteRows(&v, lo, min(v.Len, lo+300)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if !bytes.Equal(byBatch, want) || !bytes.Equal(byRange, want) {
		t.Fatalf("Write and WriteRows give other bytes than WriteViews (%d, %d, %d)", len(byBatch), len(byRange), len(want))
	}
}

// TestTimeSlicesLargeHost writes one host of two days in 6-hour slices
// with a chunk's pages bounded at 256 KiB (of ~1.2 MB in all), checked
// every 1,024 rows: chunks end within the host, the open row groups'
// pages stay near the bound, the layout stays one slice and a host range
// per row group, and the bytes do not depend on how the batches are
// handed over.
func TestTimeSlicesLargeHost(t *testing.T) {
	const rows = 2 * 8640
	g := newSampleGen(11, 1, rows, 0.05)
	bs := genBatches(g, rows)
	const width = 6 * 3600e6
	opts := []SamplesOption{WithTimeSlices(width), WithRowGroupRows(40000), withPageRows(512), withChunkLimits(256<<10, 1024)}
	var buf bytes.Buffer
	w, err := NewSamplesWriter(&buf, g.hosts, opts...)
	if err != nil {
		t.Fatal(err)
	}
	most := 0
	for _, b := range bs {
		if err := w.Write(b); err != nil {
			t.Fatal(err)
		}
		_, n := w.openSize()
		most = max(most, n)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if most > 512<<10 {
		t.Errorf("open row groups held %d bytes of pages, want about 256 KiB", most)
	}
	if got := writeViewsPer(t, g.hosts, bs, 5, opts...); !bytes.Equal(got, buf.Bytes()) {
		t.Fatal("5 batches per call: other bytes than one per call")
	}
	checkSliced(t, buf.Bytes(), g.hosts, bs, width)
	f, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(f.Metadata().RowGroups); n <= 9 {
		t.Errorf("%d row groups for 9 slices: no chunk ended within the host", n)
	}
}

// TestTimeSlicesScattered writes one host whose rows are scattered over
// ten years against 1-minute slices (a width chosen from a host's first
// and last rows, the rest of whose clock jumps): a chunk keeps at most
// maxOpenSlices row groups open (each row would open one: ~130 KB each),
// the rows past them go to one row group of several slices, every row is
// there once, and the bytes do not depend on how the batches are handed
// over.
func TestTimeSlicesScattered(t *testing.T) {
	const rows = 3000
	g := newSampleGen(5, 1, rows, 0.05)
	bs := genBatches(g, rows)
	rng := rand.New(rand.NewPCG(5, 5))
	seen := map[int64]int{}
	for _, b := range bs {
		for i := range b.Len {
			b.TS[i] = 1.7e15 + rng.Int64N(10*365*86400e6)
			seen[b.TS[i]]++
		}
	}
	const width = 60e6
	opts := []SamplesOption{WithTimeSlices(width)}
	var buf bytes.Buffer
	w, err := NewSamplesWriter(&buf, g.hosts, opts...)
	if err != nil {
		t.Fatal(err)
	}
	most, room := 0, 0
	for _, b := range bs {
		if err := w.Write(b); err != nil {
			t.Fatal(err)
		}
		most = max(most, len(w.open)+w.newSegs)
		room = 0
		for _, g := range w.open {
			for _, c := range g.cols {
				room += 8*(cap(c.ints)+cap(c.floats)) + 4*cap(c.idx) + cap(c.valid)
			}
		}
	}
	if rows <= 2*maxOpenSlices {
		t.Fatalf("%d rows do not test a bound of %d slices", rows, maxOpenSlices)
	}
	if most > maxOpenSlices+1 {
		t.Errorf("%d row groups open, want at most %d", most, maxOpenSlices+1)
	}
	// the pending pages of a row group of a few rows: room for a few
	// values per column, not a page (~3 MB for 4,096 rows)
	if per := room / max(len(w.open), 1); per > 128<<10 {
		t.Errorf("an open row group's pending values hold %d bytes", per)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := writeViewsPer(t, g.hosts, bs, 3, opts...); !bytes.Equal(got, buf.Bytes()) {
		t.Fatal("3 batches per call: other bytes than one per call")
	}
	f, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	wide := 0
	for _, rg := range f.Metadata().RowGroups {
		ts := rg.Columns[1].MetaData.Statistics
		a, b := int64(binary.LittleEndian.Uint64(ts.MinValue)), int64(binary.LittleEndian.Uint64(ts.MaxValue))
		if FloorDiv(a, width) != FloorDiv(b, width) {
			wide++
		}
	}
	if n := w.StrayRows(); n != rows-maxOpenSlices {
		t.Errorf("%d stray rows, want %d", n, rows-maxOpenSlices)
	}
	if n := len(f.Metadata().RowGroups); wide != 1 || n != maxOpenSlices+1 {
		t.Errorf("%d row groups, %d of several slices; want %d and 1", n, wide, maxOpenSlices+1)
	}
	if n := f.Metadata().NumRows; n != rows {
		t.Fatalf("%d rows, want %d", n, rows)
	}
	tbl := readTable(t, buf.Bytes())
	rd := array.NewTableReader(tbl, 0)
	defer rd.Release()
	for rd.Next() {
		for _, v := range rd.RecordBatch().Column(1).(*array.Timestamp).Values() {
			if seen[int64(v)]--; seen[int64(v)] < 0 {
				t.Fatalf("timestamp %d read back more often than written", v)
			}
		}
	}
	missing := 0
	for _, n := range seen {
		missing += n
	}
	if missing != 0 {
		t.Fatalf("%d rows missing", missing)
	}
}
