package columnar

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// roundTrip writes bs, reads the file back with pqarrow and compares every
// cell, then does the same with parquet-go's reader, and checks the
// column chunk statistics against the data. It returns the file.
func roundTrip(t *testing.T, hosts []string, bs []*Batch, opts ...SamplesOption) []byte {
	t.Helper()
	data := writeSamples(t, hosts, bs, opts...)
	tbl := readTable(t, data)
	checkSamplesSchema(t, tbl.Schema())
	cur := newCursor(tbl)
	r := 0
	for _, b := range bs {
		for i := range b.Len {
			for col := range int(tbl.NumCols()) {
				if got, want := cur.cell(t, col, r), batchCell(b, hosts, col, i); got != want {
					t.Fatalf("pqarrow: row %d column %s: got %#v, want %#v", r, tbl.Schema().Field(col).Name, got, want)
				}
			}
			r++
		}
	}
	if int64(r) != tbl.NumRows() {
		t.Fatalf("pqarrow read %d rows, want %d", tbl.NumRows(), r)
	}
	checkWithParquetGo(t, data, hosts, bs)
	checkStatistics(t, data, hosts, bs)
	return data
}

// rowsOf lists (batch, row) pairs in file order.
func rowsOf(bs []*Batch) (out [][2]int) {
	for bi, b := range bs {
		for i := range b.Len {
			out = append(out, [2]int{bi, i})
		}
	}
	return out
}

// checkWithParquetGo reads every column chunk with parquet-go and
// compares the values.
func checkWithParquetGo(t *testing.T, data []byte, hosts []string, bs []*Batch) {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("parquet-go: open: %v", err)
	}
	got, want := f.Schema().Fields(), samplesSchema(defaultSamplesEncodings(), true).Fields()
	if len(got) != len(want) {
		t.Fatalf("parquet-go: %d columns, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Name() != w.Name() || g.Optional() != w.Optional() || g.Type().Kind() != w.Type().Kind() ||
			logicalType(g.Type()) != logicalType(w.Type()) {
			t.Errorf("parquet-go: column %d is %s %v %v, want %s %v %v", i,
				g.Name(), g.Optional(), g.Type(), w.Name(), w.Optional(), w.Type())
		}
	}
	rows := rowsOf(bs)
	if f.NumRows() != int64(len(rows)) {
		t.Fatalf("parquet-go: %d rows, want %d", f.NumRows(), len(rows))
	}
	base := 0
	buf := make([]parquet.Value, 1000)
	for _, rg := range f.RowGroups() {
		for col, chunk := range rg.ColumnChunks() {
			rd := parquet.NewColumnChunkValueReader(chunk)
			r := base
			for {
				n, err := rd.ReadValues(buf)
				for _, v := range buf[:n] {
					at := rows[r]
					want := batchCell(bs[at[0]], hosts, col, at[1])
					var got any
					switch {
					case v.IsNull():
					case v.Kind() == parquet.ByteArray:
						got = string(v.ByteArray())
					case v.Kind() == parquet.Int64:
						got = v.Int64()
					case v.Kind() == parquet.Double:
						got = v.Double()
					}
					if got != want {
						t.Fatalf("parquet-go: row %d column %d: got %#v, want %#v", r, col, got, want)
					}
					r++
				}
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("parquet-go: column %d: %v", col, err)
				}
			}
			rd.Close()
			if r != base+int(rg.NumRows()) {
				t.Fatalf("parquet-go: column %d has %d values in a row group of %d", col, r-base, rg.NumRows())
			}
		}
		base += int(rg.NumRows())
	}
}

// checkStatistics checks each column chunk's null count and bounds, as
// arrow-go reads them, against the rows of its row group.
func checkStatistics(t *testing.T, data []byte, hosts []string, bs []*Batch) {
	t.Helper()
	md := openParquet(t, data).ParquetReader().MetaData()
	rows := rowsOf(bs)
	base := 0
	for g := range md.NumRowGroups() {
		rg := md.RowGroup(g)
		n := int(rg.NumRows())
		for col := range rg.NumColumns() {
			cc, err := rg.ColumnChunk(col)
			if err != nil {
				t.Fatal(err)
			}
			st, err := cc.Statistics()
			if err != nil || st == nil {
				t.Fatalf("row group %d column %d: no statistics (%v)", g, col, err)
			}
			var nulls int64
			var lo, hi any
			for _, at := range rows[base : base+n] {
				v := batchCell(bs[at[0]], hosts, col, at[1])
				if v == nil {
					nulls++
					continue
				}
				if lo == nil || less(v, lo) {
					lo = v
				}
				if hi == nil || less(hi, v) {
					hi = v
				}
			}
			if st.NullCount() != nulls {
				t.Errorf("row group %d column %d: null count %d, want %d", g, col, st.NullCount(), nulls)
			}
			if lo == nil {
				if st.HasMinMax() {
					t.Errorf("row group %d column %d: bounds on a column of nulls", g, col)
				}
				continue
			}
			if !st.HasMinMax() {
				t.Errorf("row group %d column %d: no bounds", g, col)
				continue
			}
			gotLo, gotHi := statBounds(t, st)
			if gotLo != lo && !(lo == 0.0 && gotLo == 0.0) || gotHi != hi {
				t.Errorf("row group %d column %d: bounds %v..%v, want %v..%v", g, col, gotLo, gotHi, lo, hi)
			}
		}
		base += n
	}
}

// logicalType describes t's logical type, if not a plain INT(64, signed):
// parquet-go gives INT64 columns that logical type.
func logicalType(t parquet.Type) string {
	lt := t.LogicalType()
	if lt == nil {
		return ""
	}
	if it, ok := lt.Value.(*format.IntType); ok && it.BitWidth == 64 && it.IsSigned {
		return ""
	}
	return lt.String()
}

func less(a, b any) bool {
	switch a := a.(type) {
	case string:
		return a < b.(string)
	case int64:
		return a < b.(int64)
	case float64:
		return a < b.(float64)
	}
	panic("unexpected type")
}

func statBounds(t *testing.T, st metadata.TypedStatistics) (any, any) {
	lo, hi := st.EncodeMin(), st.EncodeMax()
	switch st.Type() {
	case 6: // BYTE_ARRAY
		return string(lo), string(hi)
	case 2: // INT64
		return int64(binary.LittleEndian.Uint64(lo)), int64(binary.LittleEndian.Uint64(hi))
	case 5: // DOUBLE
		return math.Float64frombits(binary.LittleEndian.Uint64(lo)), math.Float64frombits(binary.LittleEndian.Uint64(hi))
	}
	t.Fatalf("statistics of type %v", st.Type())
	return nil, nil
}

func TestSamplesWriterFormat(t *testing.T) {
	g := newSampleGen(11, 5, 7, 0.03)
	bs := genBatches(g, BatchRows, 100, BatchRows, 1)
	roundTrip(t, g.hosts, bs, WithRowGroupRows(5000), withPageRows(1000))
}

// TestSamplesWriterDictionaryFallback writes values that overflow the
// numeric dictionaries in the middle of a page and of a row group, and
// every encoding variant.
func TestSamplesWriterDictionaryFallback(t *testing.T) {
	g := newSampleGen(12, 3, 50, 0.02)
	quiet := genBatches(g, 3000) // values that repeat: the first page keeps the dictionary
	g.noisy = true
	bs := append(quiet, genBatches(g, 3*4096)...)
	data := roundTrip(t, g.hosts, bs, WithRowGroupRows(3*4096), withPageRows(3000))
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	md := f.Metadata()
	col := MetricIndex("shm_share_mem_ratio") + NumHeaderCols
	// Noisy from the start (the second row group): the first page shows the
	// dictionary would not pay, and it is not kept at all.
	if enc := md.RowGroups[1].Columns[col].MetaData.Encoding; containsEnc(enc, format.RLEDictionary) {
		t.Errorf("a float column of values that do not repeat keeps a dictionary: %v", enc)
	}
	cm := md.RowGroups[0].Columns[col].MetaData
	if !containsEnc(cm.Encoding, format.RLEDictionary) || !containsEnc(cm.Encoding, format.ByteStreamSplit) {
		t.Errorf("a float column that overflows its dictionary has encodings %v", cm.Encoding)
	}
	// The dictionary page stops at maxNumDict values; the data pages
	// after it are BYTE_STREAM_SPLIT.
	hdr, _ := pageHeader(t, data[cm.DictionaryPageOffset:])
	if n := hdr.DictionaryPageHeader.V.NumValues; hdr.Type != format.DictionaryPage || n != maxNumDict {
		t.Errorf("dictionary page: type %v with %d values, want %d", hdr.Type, n, maxNumDict)
	}
	splitPages := 0
	for off := cm.DataPageOffset; off < cm.DictionaryPageOffset+cm.TotalCompressedSize; {
		h, n := pageHeader(t, data[off:])
		if h.DataPageHeaderV2.V.Encoding == format.ByteStreamSplit {
			splitPages++
		}
		off += int64(n) + int64(h.CompressedPageSize)
	}
	if splitPages == 0 {
		t.Error("no BYTE_STREAM_SPLIT data page after the dictionary overflowed")
	}
	for _, e := range []samplesEncodings{
		{Int: &parquet.RLEDictionary, Float: &parquet.RLEDictionary, Strings: &parquet.RLEDictionary},
		{Int: &parquet.Plain, Float: &parquet.ByteStreamSplit, TS: &parquet.Plain, Strings: &parquet.RLEDictionary},
	} {
		roundTrip(t, g.hosts, bs, withEncodings(e), withPageRows(5000))
	}
}

// pageHeader decodes the page header at the start of b and returns it
// with its length.
func pageHeader(t *testing.T, b []byte) (format.PageHeader, int) {
	t.Helper()
	r := bytes.NewReader(b)
	var h format.PageHeader
	if err := thrift.NewDecoder(new(thrift.CompactProtocol).NewReader(r)).Decode(&h); err != nil {
		t.Fatal(err)
	}
	return h, len(b) - r.Len()
}

func containsEnc(encs []format.Encoding, e format.Encoding) bool {
	for _, x := range encs {
		if x == e {
			return true
		}
	}
	return false
}
