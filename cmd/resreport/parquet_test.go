package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
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
