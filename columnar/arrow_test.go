package columnar

import (
	"bytes"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// TestRecordZeroCopy checks the Arrow view of a batch: schema, values,
// nulls, and that it aliases the batch's memory.
func TestRecordZeroCopy(t *testing.T) {
	hosts := NewHostDict([]string{"10.0.0.1", "worker_1_2", "<img src=x>"})
	defer hosts.Release()
	b := testBatch(1000, 2)
	rec := b.Record(hosts)
	defer rec.Release()
	if !rec.Schema().Equal(ArrowSchema()) || rec.NumRows() != 1000 || int(rec.NumCols()) != NumHeaderCols+len(Metrics) {
		t.Fatalf("record %v rows %d cols %d", rec.Schema(), rec.NumRows(), rec.NumCols())
	}
	host := rec.Column(0).(*array.Dictionary)
	ts := rec.Column(1).(*array.Timestamp)
	pod := rec.Column(firstString + 2).(*array.String)
	tid := rec.Column(colTID).(*array.Int64)
	for i := 0; i < b.Len; i++ {
		if got := host.Dictionary().(*array.String).Value(host.GetValueIndex(i)); got != hosts.Names[b.Host[i]] {
			t.Fatalf("row %d host %q", i, got)
		}
		if int64(ts.Value(i)) != b.TS[i] || pod.Value(i) != string(b.Pod.Value(i)) || tid.IsValid(i) != b.TID.IsValid(i) {
			t.Fatalf("row %d differs", i)
		}
		for c := range b.Cols {
			a := rec.Column(NumHeaderCols + c)
			if a.IsValid(i) != b.Cols[c].IsValid(i) {
				t.Fatalf("row %d %s validity", i, Metrics[c].Name)
			}
			if !a.IsValid(i) {
				continue
			}
			switch v := a.(type) {
			case *array.Int64:
				if v.Value(i) != b.Cols[c].Ints[i] {
					t.Fatalf("row %d %s", i, Metrics[c].Name)
				}
			case *array.Float64:
				if v.Value(i) != b.Cols[c].Floats[i] {
					t.Fatalf("row %d %s", i, Metrics[c].Name)
				}
			}
		}
	}
	if ts.DataType().(*arrow.TimestampType).TimeZone != "" {
		t.Fatal("ts has a zone")
	}
	b.TS[0]++ // the record sees the batch's memory
	if int64(ts.Value(0)) != b.TS[0] {
		t.Fatal("Record copied the timestamps")
	}
}

// TestRecordMatchesParquet writes a batch to samples.parquet and reads it
// back with pqarrow: the same values as the batch's Arrow view.
func TestRecordMatchesParquet(t *testing.T) {
	names := []string{"a", "b", "c"}
	hosts := NewHostDict(names)
	defer hosts.Release()
	b := testBatch(777, 1)
	var buf bytes.Buffer
	sw, err := NewSamplesWriter(&buf, names)
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := sw.Close(); err != nil {
		t.Fatal(err)
	}
	tbl := readTable(t, buf.Bytes())
	rec := b.Record(hosts)
	defer rec.Release()
	for c, f := range rec.Schema().Fields() {
		if f.Name == "host" {
			continue
		}
		col := column(t, tbl, f.Name)
		for i := 0; i < b.Len; i += 13 {
			want, wok := valueAt(arrow.NewChunked(f.Type, []arrow.Array{rec.Column(c)}), i)
			got, gok := valueAt(col, i)
			if wok != gok || want != got {
				t.Fatalf("%s row %d: parquet %v (%v), record %v (%v)", f.Name, i, got, gok, want, wok)
			}
		}
	}
}

// TestRecordHoldsBatch checks that a batch outlives its record and the
// arrays taken from it, and is released only after the last of them.
func TestRecordHoldsBatch(t *testing.T) {
	hosts := NewHostDict([]string{"a", "b"})
	defer hosts.Release()
	b := testBatch(100, 2)
	b.Retain(1)
	rec := b.Record(hosts)
	col := rec.Column(9)
	col.Retain()
	b.Release() // the caller's reference: the record still holds the batch
	if b.refs.Load() == 0 || b.Len != 100 {
		t.Fatal("batch released while its record lives")
	}
	rec.Release()
	if b.refs.Load() == 0 || b.Len != 100 {
		t.Fatal("batch released while an array of its record lives")
	}
	col.Release()
	if b.refs.Load() != 0 || b.Len != 0 {
		t.Fatalf("batch not released after its record and arrays: %d refs", b.refs.Load())
	}
}
