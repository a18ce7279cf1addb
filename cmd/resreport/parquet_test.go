package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

func readParquet(t *testing.T, path string) arrow.Table {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	rdr, err := file.NewParquetReader(f)
	if err != nil {
		t.Fatal(err)
	}
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: 1 << 16}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

func float64At(t *testing.T, tbl arrow.Table, name string, row int) (float64, bool) {
	t.Helper()
	idx := tbl.Schema().FieldIndices(name)
	if len(idx) != 1 {
		t.Fatalf("no column %q", name)
	}
	for _, ch := range tbl.Column(idx[0]).Data().Chunks() {
		if row < ch.Len() {
			if ch.IsNull(row) {
				return 0, false
			}
			if ic, ok := ch.(*array.Int64); ok {
				return float64(ic.Value(row)), true
			}
			return ch.(*array.Float64).Value(row), true
		}
		row -= ch.Len()
	}
	t.Fatalf("row out of range")
	return 0, false
}

// TestParquetOutputs reads the three files of --parquet-dir back with
// arrow-go: one sample row per kept record, and the bins tables equal the
// --json numbers.
func TestParquetOutputs(t *testing.T) {
	tmp := t.TempDir()
	pq, js := filepath.Join(tmp, "pq"), filepath.Join(tmp, "r.json")
	if code := runCLI(t, "report", filepath.Join(repoRoot, "testdata", "logs", "layout1"), "--parquet-dir", pq,
		"--json", js, "-o", filepath.Join(tmp, "r.html"), "--quiet", "--interval", "10m"); code != 0 {
		t.Fatalf("exit %d", code)
	}
	doc := readDoc(t, js)
	samples := readParquet(t, filepath.Join(pq, "samples.parquet"))
	if samples.NumRows() != doc.Summary.Records || samples.NumRows() == 0 {
		t.Fatalf("samples.parquet has %d rows, %d records kept", samples.NumRows(), doc.Summary.Records)
	}
	ts := samples.Schema().Field(samples.Schema().FieldIndices("ts")[0]).Type.(*arrow.TimestampType)
	if ts.Unit != arrow.Microsecond || ts.TimeZone != "" {
		t.Fatalf("ts is %v, want timestamp[us] without zone", ts)
	}
	bins := readParquet(t, filepath.Join(pq, "cluster_bins.parquet"))
	if int(bins.NumRows()) != len(doc.Bins) {
		t.Fatalf("cluster_bins.parquet %d rows, %d bins", bins.NumRows(), len(doc.Bins))
	}
	for i, b := range doc.Bins {
		for _, k := range []string{"mem_usage_avg", "cache_hit_rate", "tp_worker_oc_usage_max", "host_count"} {
			v, ok := float64At(t, bins, k, i)
			want, isNum := b[k].(float64)
			if ok != isNum || (ok && !numEqual(v, want)) {
				t.Fatalf("bin %d %s: parquet %v (%v), json %v", i, k, v, ok, b[k])
			}
		}
	}
	intCols := func(tbl arrow.Table, names ...string) {
		t.Helper()
		for _, n := range names {
			idx := tbl.Schema().FieldIndices(n)
			if len(idx) != 1 || tbl.Schema().Field(idx[0]).Type.ID() != arrow.INT64 {
				t.Errorf("column %s: want one INT64 column, got %v", n, idx)
			}
		}
	}
	intCols(bins, "host_count", "oc_hosts", "total_hits", "total_requests", "oc_mem_hit_sum", "oc_miss_sum")
	hostRows := 0
	for _, rows := range doc.Hosts {
		hostRows += len(rows)
	}
	hb := readParquet(t, filepath.Join(pq, "host_bins.parquet"))
	if int(hb.NumRows()) != hostRows {
		t.Fatalf("host_bins.parquet %d rows, %d host bins", hb.NumRows(), hostRows)
	}
	intCols(hb, "records", "oc_mem_hit_delta", "oc_miss_delta")
}

// TestConvertArrowStream converts logs to an Arrow IPC stream (to a file
// and to standard output), reads it back with arrow-go's ipc reader and
// compares every row with samples.parquet of the same logs (the two are in
// different row orders: the stream as read, the file time-sliced).
func TestConvertArrowStream(t *testing.T) {
	tmp := t.TempDir()
	logs := filepath.Join(repoRoot, "testdata", "logs", "layout1")
	stream := filepath.Join(tmp, "s.arrows")
	if code := runCLI(t, "convert", logs, "-q", "--format", "arrow", "-o", stream); code != 0 {
		t.Fatalf("convert --format arrow: exit %d", code)
	}
	if code := runCLI(t, "convert", logs, "-q", "--parquet-dir", filepath.Join(tmp, "pq")); code != 0 {
		t.Fatalf("convert: exit %d", code)
	}
	rowsOf := func(tbl arrow.Table) map[string]int {
		out := map[string]int{}
		for r := 0; r < int(tbl.NumRows()); r++ {
			var key []string
			for c := 0; c < int(tbl.NumCols()); c++ {
				key = append(key, fmt.Sprint(cellAt(tbl.Column(c), r)))
			}
			out[strings.Join(key, "|")]++
		}
		return out
	}
	f, err := os.Open(stream)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := ipc.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Release()
	if v, _ := rd.Schema().Metadata().GetValue("resreport.schema_version"); v != "2" {
		t.Errorf("stream metadata: schema_version %q", v)
	}
	var recs []arrow.RecordBatch
	for rd.Next() {
		r := rd.RecordBatch()
		r.Retain()
		recs = append(recs, r)
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	got := rowsOf(array.NewTableFromRecords(rd.Schema(), recs))
	want := rowsOf(readParquet(t, filepath.Join(tmp, "pq", "samples.parquet")))
	if len(got) == 0 || len(got) != len(want) {
		t.Fatalf("%d distinct rows in the stream, %d in samples.parquet", len(got), len(want))
	}
	for k, n := range want {
		if got[k] != n {
			t.Fatalf("row %s: %d in the stream, %d in samples.parquet", k, got[k], n)
		}
	}
}

// cellAt returns row r of a chunked column as a comparable value.
func cellAt(col *arrow.Column, r int) any {
	for _, ch := range col.Data().Chunks() {
		if r >= ch.Len() {
			r -= ch.Len()
			continue
		}
		if ch.IsNull(r) {
			return nil
		}
		switch a := ch.(type) {
		case *array.Dictionary:
			return a.Dictionary().(*array.String).Value(a.GetValueIndex(r))
		case *array.String:
			return a.Value(r)
		case *array.Int64:
			return a.Value(r)
		case *array.Float64:
			return a.Value(r)
		case *array.Timestamp:
			return int64(a.Value(r))
		}
		return fmt.Sprint(ch.ValueStr(r))
	}
	return nil
}
