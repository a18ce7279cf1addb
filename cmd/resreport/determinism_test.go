package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/resreport/resreport/bench/loggen"
)

// TestSameBytes runs the same report with 1, 2 and 4 workers, twice with
// 2, on data with rotated gzip files and files larger than one range: the
// HTML, the JSON and the three Parquet files are the same bytes every time.
func TestSameBytes(t *testing.T) {
	tmp := t.TempDir()
	logs := filepath.Join(tmp, "logs")
	o := loggen.Options{Hosts: 5, LinesPerHost: 3000, Start: time.Date(2026, 5, 6, 20, 0, 0, 0, time.UTC), Period: 7 * time.Second,
		Gzip: true, RotateLines: 1100, Groups: []int{22, 24, 25}, Seed: 9}
	if _, err := loggen.Generate(logs, o); err != nil {
		t.Fatal(err)
	}
	sameBytes(t, filepath.Join(tmp, "run"), []string{"report", logs, "--interval", "1m"}, []string{"1", "2", "4", "2"},
		"r.html", "r.json", "pq/samples.parquet", "pq/cluster_bins.parquet", "pq/host_bins.parquet")
}

// sameBytes runs args with each of workers (the first must be "1"),
// writing -o, --json and --parquet-dir under dir, and checks that the
// outputs named are the same bytes in every run.
func sameBytes(t *testing.T, dir string, args, workers []string, outputs ...string) {
	t.Helper()
	var first [][]byte
	for k, w := range workers {
		out := filepath.Join(dir, w, string(rune('a'+k)))
		if code := runCLI(t, append(slices.Clone(args), "-q", "--workers", w,
			"-o", filepath.Join(out, "r.html"), "--json", filepath.Join(out, "r.json"), "--parquet-dir", filepath.Join(out, "pq"))...); code != 0 {
			t.Fatalf("workers %s: exit %d", w, code)
		}
		for i, name := range outputs {
			b, err := os.ReadFile(filepath.Join(out, name))
			if err != nil {
				t.Fatal(err)
			}
			if k == 0 {
				first = append(first, b)
			} else if !bytes.Equal(b, first[i]) {
				t.Errorf("workers %s: %s differs from the 1-worker run (%d vs %d bytes)", w, name, len(b), len(first[i]))
			}
		}
	}
}

// TestSameBytesFromParquet reports from a samples file whose row groups
// hold many hosts each (units whose gauges that no host keeps are folded
// per bin, see agg.TestClusterBinsOrderFree) with 1, 2 and 4 workers: the
// same bytes.
func TestSameBytesFromParquet(t *testing.T) {
	tmp := t.TempDir()
	logs := filepath.Join(tmp, "logs")
	o := loggen.Options{Hosts: 40, LinesPerHost: 2000, Start: time.Date(2026, 5, 6, 20, 0, 0, 0, time.UTC), Period: 30 * time.Second,
		Groups: []int{22, 25}, Seed: 5, Realistic: true, Noise: loggen.Noise{SuccessDips: 0.005, QueueBlips: 0.02}}
	if _, err := loggen.Generate(logs, o); err != nil {
		t.Fatal(err)
	}
	pq := filepath.Join(tmp, "pq")
	if code := runCLI(t, "convert", logs, "-q", "--parquet-dir", pq); code != 0 {
		t.Fatalf("convert: exit %d", code)
	}
	if n := multiHostGroups(t, filepath.Join(pq, "samples.parquet")); n < 4 {
		t.Fatalf("%d row groups hold several hosts: the test needs units of many hosts, several per bin", n)
	}
	sameBytes(t, filepath.Join(tmp, "run"), []string{"report", "--from-parquet", pq, "--interval", "5m"}, []string{"1", "2", "4"},
		"r.html", "r.json", "pq/cluster_bins.parquet", "pq/host_bins.parquet")
}

// multiHostGroups counts the row groups of a samples file whose host
// column's statistics span more than one host.
func multiHostGroups(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	col, ok := f.Schema().Lookup("host")
	if !ok {
		t.Fatal("no host column")
	}
	n := 0
	for _, rg := range f.Metadata().RowGroups {
		st := rg.Columns[col.ColumnIndex].MetaData.Statistics
		if !bytes.Equal(st.MinValue, st.MaxValue) {
			n++
		}
	}
	return n
}

// TestSamplesPruneByTime checks that the samples file of a multi-day run
// has row groups of bounded time spans: a one-hour filter on ts touches at
// most a quarter of them.
func TestSamplesPruneByTime(t *testing.T) {
	tmp := t.TempDir()
	logs := filepath.Join(tmp, "logs")
	o := loggen.Options{Hosts: 6, LinesPerHost: 3 * 2880, Start: time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC), Period: 30 * time.Second, Seed: 4}
	if _, err := loggen.Generate(logs, o); err != nil {
		t.Fatal(err)
	}
	pq := filepath.Join(tmp, "pq")
	if code := runCLI(t, "convert", logs, "-q", "--parquet-dir", pq); code != 0 {
		t.Fatalf("exit %d", code)
	}
	data, err := os.ReadFile(filepath.Join(pq, "samples.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	type span struct{ lo, hi int64 }
	var spans []span
	lo, hi := int64(1<<62), int64(-1<<62)
	for _, rg := range f.Metadata().RowGroups {
		st := rg.Columns[1].MetaData.Statistics
		s := span{int64(binary.LittleEndian.Uint64(st.MinValue)), int64(binary.LittleEndian.Uint64(st.MaxValue))}
		spans = append(spans, s)
		lo, hi = min(lo, s.lo), max(hi, s.hi)
	}
	worst := 0
	for at := lo; at < hi; at += 15 * 60e6 {
		n := 0
		for _, s := range spans {
			if s.hi >= at && s.lo < at+3600e6 {
				n++
			}
		}
		worst = max(worst, n)
	}
	t.Logf("%d row groups over %.1f days; a one-hour filter touches at most %d", len(spans), float64(hi-lo)/86400e6, worst)
	if len(spans) < 4 || worst*4 > len(spans) {
		t.Fatalf("%d row groups, a one-hour filter touches %d: want at most a quarter", len(spans), worst)
	}
}

// TestParquetMetadata checks the footer metadata of every Parquet file of
// a report: tool and schema version, bin width, time range and input, so
// that files of different runs (1-minute and 10-minute bins) can be told
// apart; samples.parquet also names its time slice.
func TestParquetMetadata(t *testing.T) {
	tmp := t.TempDir()
	logs := filepath.Join(repoRoot, "testdata", "logs", "layout1")
	pq := filepath.Join(tmp, "pq")
	if code := runCLI(t, "report", logs, "-q", "--interval", "10m", "--since", "2026-05-06T23:45:00",
		"-o", filepath.Join(tmp, "r.html"), "--parquet-dir", pq); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, name := range []string{"samples.parquet", "cluster_bins.parquet", "host_bins.parquet"} {
		data, err := os.ReadFile(filepath.Join(pq, name))
		if err != nil {
			t.Fatal(err)
		}
		f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, kv := range f.Metadata().KeyValueMetadata {
			got[kv.Key] = kv.Value
		}
		want := map[string]string{
			"resreport.schema_version": "2", "resreport.interval_ms": "600000",
			"resreport.since": "2026-05-06T23:45:00", "resreport.until": "", "resreport.log_dir": logs,
		}
		if name == "samples.parquet" {
			want["resreport.row_group_slice_ms"] = got["resreport.row_group_slice_ms"]
			if v := got["resreport.row_group_slice_ms"]; v == "" || v == "0" {
				t.Errorf("%s: no time slice in the metadata", name)
			}
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s = %q, want %q", name, k, got[k], v)
			}
		}
		if got["resreport.version"] == "" {
			t.Errorf("%s: no resreport.version", name)
		}
	}
}
