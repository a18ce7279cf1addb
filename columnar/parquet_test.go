package columnar

import (
	"bytes"
	"io"
	"math"
	"os"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet/file"

	"github.com/resreport/resreport/output"
)

// testBatch builds a batch of n rows with nulls, several hosts and
// non-ASCII strings.
func testBatch(n, seed int) *Batch {
	b := NewBatch()
	for i := 0; i < n; i++ {
		b.Host[i] = int32((i + seed) % 3)
		b.TS[i] = int64(1_778_025_600_000_000 + (seed*BatchRows+i)*5_000_123)
		b.Level.Append([]byte("I"))
		b.Source.Append([]byte("res_metric_collector.cpp:114"))
		b.Pod.Append([]byte("pod-é-" + string(rune('a'+i%5))))
		b.TraceID.Append([]byte("trace"))
		b.Cluster.Append([]byte("model_kvcache_record"))
		b.PID.SetInt(i, int64(9+i%2))
		if i%7 != 0 {
			b.TID.SetInt(i, int64(177+i))
		}
		for c := range b.Cols {
			if (i+c)%11 == 0 {
				continue // null
			}
			if b.Cols[c].Kind == Int {
				b.Cols[c].SetInt(i, int64(i*c+seed))
			} else {
				b.Cols[c].SetFloat(i, float64(i%1000)/1000+float64(c))
			}
		}
		b.Len++
	}
	return b
}

func column(t *testing.T, tbl arrow.Table, name string) *arrow.Chunked {
	t.Helper()
	idx := tbl.Schema().FieldIndices(name)
	if len(idx) != 1 {
		t.Fatalf("column %q: %v", name, idx)
	}
	return tbl.Column(idx[0]).Data()
}

// valueAt returns row r of a chunked column as (value, valid).
func valueAt(c *arrow.Chunked, r int) (any, bool) {
	for _, ch := range c.Chunks() {
		if r < ch.Len() {
			if ch.IsNull(r) {
				return nil, false
			}
			switch a := ch.(type) {
			case *array.Int64:
				return a.Value(r), true
			case *array.Float64:
				return a.Value(r), true
			case *array.String:
				return a.Value(r), true
			case *array.Timestamp:
				return int64(a.Value(r)), true
			case *array.Dictionary:
				return a.Dictionary().(*array.String).Value(a.GetValueIndex(r)), true
			}
			return nil, false
		}
		r -= ch.Len()
	}
	return nil, false
}

func TestSamplesParquetRoundTrip(t *testing.T) {
	hosts := []string{"10.0.0.1", "worker_1_2", "<img src=x>"}
	var buf bytes.Buffer
	sw, err := NewSamplesWriter(&buf, hosts)
	if err != nil {
		t.Fatal(err)
	}
	var batches []*Batch
	total := 0
	for k := 0; total < SamplesRowGroupRows+3*BatchRows; k++ { // more than one row group
		n := BatchRows
		if k%4 == 3 {
			n = 1000
		}
		b := testBatch(n, k)
		batches = append(batches, b)
		total += n
		if err := sw.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Close(); err != nil {
		t.Fatal(err)
	}
	rdr, err := file.NewParquetReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if rdr.NumRowGroups() < 2 {
		t.Fatalf("%d row groups, want row groups bounded by %d rows", rdr.NumRowGroups(), SamplesRowGroupRows)
	}
	tbl := readTable(t, buf.Bytes())
	if int(tbl.NumRows()) != total {
		t.Fatalf("%d rows, want %d", tbl.NumRows(), total)
	}
	ts := tbl.Schema().Field(tbl.Schema().FieldIndices("ts")[0]).Type.(*arrow.TimestampType)
	if ts.Unit != arrow.Microsecond || ts.TimeZone != "" {
		t.Fatalf("ts type %v, want timestamp[us] without zone", ts)
	}
	check := func(name string, r int, want any, valid bool) {
		t.Helper()
		got, ok := valueAt(column(t, tbl, name), r)
		if ok != valid || (valid && got != want) {
			t.Fatalf("row %d %s = %v (%v), want %v (%v)", r, name, got, ok, want, valid)
		}
	}
	r := 0
	for _, b := range batches {
		for i := 0; i < b.Len; i += 97 {
			check("host", r+i, hosts[b.Host[i]], true)
			check("ts", r+i, b.TS[i], true)
			check("pod", r+i, string(b.Pod.Value(i)), true)
			check("tid", r+i, b.TID.Ints[i], b.TID.IsValid(i))
			for c := range b.Cols {
				col := &b.Cols[c]
				var want any
				if col.Kind == Int {
					want = col.Ints[i]
				} else {
					want = col.Floats[i]
				}
				check(Metrics[c].Name, r+i, want, col.IsValid(i))
			}
		}
		r += b.Len
	}
}

func TestTableParquetRoundTrip(t *testing.T) {
	tb := &Table{Time: []int64{1, 2, 3}, Host: []string{"a", "b", "a"}, Cols: []TableCol{
		{Name: "x_avg", Values: []float64{1.5, math.NaN(), 3}, Valid: []bool{true, false, true}},
		{Name: "host_count", Values: []float64{1, 2, 3}, Valid: []bool{true, true, true}},
	}}
	var buf bytes.Buffer
	if err := WriteTable(&buf, tb); err != nil {
		t.Fatal(err)
	}
	tbl := readTable(t, buf.Bytes())
	if tbl.NumRows() != 3 {
		t.Fatalf("rows %d", tbl.NumRows())
	}
	if v, ok := valueAt(column(t, tbl, "x_avg"), 1); ok {
		t.Fatalf("null written as %v", v)
	}
	if v, _ := valueAt(column(t, tbl, "host"), 1); v != "b" {
		t.Fatalf("host %v", v)
	}
	if v, _ := valueAt(column(t, tbl, "time"), 2); v != int64(3) {
		t.Fatalf("time %v", v)
	}
}

func TestReadSamplesRoundTrip(t *testing.T) {
	hosts := []string{"10.0.0.1", "worker_1_2", "<img src=x>"}
	dir := t.TempDir()
	path := dir + "/samples.parquet"
	var batches []*Batch
	err := output.WriteFileAtomic(path, func(w io.Writer) error {
		sw, err := NewSamplesWriter(w, hosts)
		if err != nil {
			return err
		}
		for k := 0; k < 3; k++ {
			b := testBatch(BatchRows-k*100, k)
			batches = append(batches, b)
			if err := sw.Write(b); err != nil {
				return err
			}
		}
		return sw.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := SampleHosts(path)
	if err != nil || len(got) != 3 {
		t.Fatalf("SampleHosts = %v, %v", got, err)
	}
	index := map[string]int32{}
	for i, h := range hosts {
		index[h] = int32(i)
	}
	cut := batches[1].TS[10]
	var rows []struct {
		host int32
		ts   int64
		pod  string
		tid  int64
		tidV bool
		col  [2]float64
		colV [2]bool
	}
	read, kept, err := ReadSamples(SampleSource{Path: path, HostIndex: func(h string) int32 { return index[h] },
		Window: &TimeWindow{Since: math.MinInt64, Until: cut}}, func(b *Batch) error {
		for i := 0; i < b.Len; i++ {
			rows = append(rows, struct {
				host int32
				ts   int64
				pod  string
				tid  int64
				tidV bool
				col  [2]float64
				colV [2]bool
			}{b.Host[i], b.TS[i], string(b.Pod.Value(i)), b.TID.Ints[i], b.TID.IsValid(i),
				[2]float64{b.Cols[0].Float(i), b.Cols[3].Float(i)}, [2]bool{b.Cols[0].IsValid(i), b.Cols[3].IsValid(i)}})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := int64(batches[0].Len + 10)
	if read != int64(batches[0].Len+batches[1].Len+batches[2].Len) || kept != want || int64(len(rows)) != want {
		t.Fatalf("read %d kept %d rows %d, want kept %d", read, kept, len(rows), want)
	}
	for i, r := range rows {
		b, j := batches[0], i
		if i >= batches[0].Len {
			b, j = batches[1], i-batches[0].Len
		}
		if r.host != b.Host[j] || r.ts != b.TS[j] || r.pod != string(b.Pod.Value(j)) || r.tidV != b.TID.IsValid(j) ||
			(r.tidV && r.tid != b.TID.Ints[j]) || r.colV[0] != b.Cols[0].IsValid(j) || r.colV[1] != b.Cols[3].IsValid(j) ||
			(r.colV[0] && r.col[0] != b.Cols[0].Float(j)) || (r.colV[1] && r.col[1] != b.Cols[3].Float(j)) {
			t.Fatalf("row %d differs: %+v", i, r)
		}
	}
}

// TestSamplesHostlessWriteRows writes row ranges of batches to a file
// without a host column (a host=… partition) and reads them back.
func TestSamplesHostlessWriteRows(t *testing.T) {
	path := t.TempDir() + "/part.parquet"
	b := testBatch(BatchRows, 7)
	ranges := [][2]int{{0, 10}, {10, 10}, {100, BatchRows / 2}, {BatchRows - 96, BatchRows}}
	err := output.WriteFileAtomic(path, func(w io.Writer) error {
		sw, err := NewSamplesWriter(w, nil)
		if err != nil {
			return err
		}
		for _, r := range ranges {
			var v View
			b.View(&v)
			if err := sw.WriteRows(&v, r[0], r[1]); err != nil {
				return err
			}
		}
		return sw.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tbl := readTable(t, data)
	if tbl.Schema().HasField(ColHost) || tbl.Schema().Field(0).Name != ColTS {
		t.Fatalf("schema of a hostless file: %v", tbl.Schema())
	}
	var want []int
	for _, r := range ranges {
		for i := r[0]; i < r[1]; i++ {
			want = append(want, i)
		}
	}
	var got []int
	_, _, err = ReadSamples(SampleSource{Path: path, Host: "h", HostIndex: func(string) int32 { return 5 }}, func(o *Batch) error {
		for i := 0; i < o.Len; i++ {
			j := want[len(got)]
			if o.Host[i] != 5 || o.TS[i] != b.TS[j] || string(o.Pod.Value(i)) != string(b.Pod.Value(j)) ||
				o.Cols[3].IsValid(i) != b.Cols[3].IsValid(j) || (o.Cols[3].IsValid(i) && o.Cols[3].Float(i) != b.Cols[3].Float(j)) {
				t.Fatalf("row %d (batch row %d) differs", len(got), j)
			}
			got = append(got, j)
		}
		return nil
	})
	if err != nil || len(got) != len(want) {
		t.Fatalf("read %d rows, want %d (%v)", len(got), len(want), err)
	}
}
