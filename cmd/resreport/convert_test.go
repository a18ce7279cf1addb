package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/resreport/resreport/bench/loggen"
)

// TestFromParquetMatchesReport converts two halves of a data set (one
// Hive-partitioned, one not), rebuilds the report from both, and checks
// that every number equals a report over all of the logs.
func TestFromParquetMatchesReport(t *testing.T) {
	tmp := t.TempDir()
	all := filepath.Join(tmp, "all")
	o := loggen.Options{Hosts: 4, LinesPerHost: 400, Start: time.Date(2026, 5, 6, 23, 30, 0, 0, time.UTC), Period: 5 * time.Second,
		Gzip: true, RotateLines: 150, Groups: []int{21, 22, 24, 25}, Seed: 3,
		HostNames: func(i int) string { return []string{"10.0.0.1", "10.0.0.2", "worker_1_2", "10.0.0.4"}[i] }}
	if _, err := loggen.Generate(all, o); err != nil {
		t.Fatal(err)
	}
	halves := []string{filepath.Join(tmp, "rack1"), filepath.Join(tmp, "rack2")}
	for i := 0; i < o.Hosts; i++ {
		name := o.HostDirName(i)
		copyTree(t, filepath.Join(all, name), filepath.Join(halves[i%2], name))
	}
	window := []string{"--since", "2026-05-06T23:35:00", "--until", "2026-05-07T00:00:30", "--interval", "60000", "--quiet"}
	direct := filepath.Join(tmp, "direct.json")
	if code := runCLI(t, append([]string{"report", all, "--json", direct, "-o", filepath.Join(tmp, "d.html")}, window...)...); code != 0 {
		t.Fatalf("report: exit %d", code)
	}
	if code := runCLI(t, "convert", halves[0], "--parquet-dir", filepath.Join(tmp, "pq1"), "--partition", "--quiet"); code != 0 {
		t.Fatalf("convert --partition: exit %d", code)
	}
	if code := runCLI(t, "convert", halves[1], "--parquet-dir", filepath.Join(tmp, "pq2"), "--quiet"); code != 0 {
		t.Fatalf("convert: exit %d", code)
	}
	parts, _ := filepath.Glob(filepath.Join(tmp, "pq1", "date=*", "host=*", "part-00000.parquet"))
	if len(parts) != 4 { // 2 hosts × 2 dates
		t.Fatalf("partitions %v", parts)
	}
	merged := filepath.Join(tmp, "merged.json")
	args := append([]string{"report", "--from-parquet", filepath.Join(tmp, "pq1"), "--from-parquet", filepath.Join(tmp, "pq2"),
		"--json", merged, "-o", filepath.Join(tmp, "m.html")}, window...)
	if code := runCLI(t, args...); code != 0 {
		t.Fatalf("report --from-parquet: exit %d", code)
	}
	a, b := readDoc(t, direct), readDoc(t, merged)
	if len(a.Bins) == 0 || len(a.Bins) != len(b.Bins) || len(a.Hosts) != len(b.Hosts) {
		t.Fatalf("bins %d vs %d, hosts %d vs %d", len(a.Bins), len(b.Bins), len(a.Hosts), len(b.Hosts))
	}
	for i := range a.Bins {
		for k, v := range a.Bins[i] {
			if !numEqual(b.Bins[i][k], v) {
				t.Fatalf("bin %v %s = %v from parquet, %v from logs", a.Bins[i]["time"], k, b.Bins[i][k], v)
			}
		}
	}
	for h, rows := range a.Hosts {
		for i := range rows {
			for k, v := range rows[i] {
				if !numEqual(b.Hosts[h][i][k], v) {
					t.Fatalf("host %s bin %v %s = %v from parquet, %v from logs", h, rows[i]["time"], k, b.Hosts[h][i][k], v)
				}
			}
		}
	}
	if a.Summary.Records != b.Summary.Records {
		t.Fatalf("records %d vs %d", a.Summary.Records, b.Summary.Records)
	}
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPartitionValue(t *testing.T) {
	for _, s := range []string{"10.0.0.1", "worker_1_2", "<img src=x onerror=alert(1)>", "a=b/c%d", "ünï"} {
		e := partitionValue(s)
		if strings.ContainsAny(e, "=/<> %") && !strings.Contains(e, "%") {
			t.Errorf("%q escaped as %q", s, e)
		}
		if strings.ContainsAny(e, "=/<> ") {
			t.Errorf("%q escaped as %q keeps a special character", s, e)
		}
		if got := unescapePartition(e); got != s {
			t.Errorf("round trip of %q: %q", s, got)
		}
	}
}
