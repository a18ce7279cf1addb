package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/resreport/resreport/scan"
)

// silenceLine is a clean 22-group line of the emitter at ts.
func silenceLine(ts int64) string {
	return time.UnixMicro(ts).UTC().Format("2006-01-02T15:04:05.000000") +
		" | I | res_metric_collector.cpp:114 | searchgenrecallkvworker-24-00001 | 9:177 | 0b6c0e8e-6f1a-4c1e-9d55-2f0c5b7e3a21 | model_kvcache_record" +
		" | 32212254720/34359738368/107374182400/0.300/0/0 | 0/0/0/0 | 12 | 183422 | 32212254720 | 30/32/64/0/0.031 | 16/16/32/0/0.000" +
		" | 8/8/16/0/0.000 | 8/8/16/0/0.000 | 0/0/0 | 1.000 |  | 0/0/0/0/0 |  |  |  |  |  |  | 0/0/0/0 |  | 1520/0/0/311/42 |"
}

// TestSilenceAcrossBoundaries plants a silence in one host's samples (one
// a second) where the pipeline cuts its input: between rows 1023 and 1024
// (two batches of one range), at a scan range boundary, between two files.
// The host-bin's longest gap (HostResult.Gap, the input of host_silent)
// must be the silence, and reading files out of time order must not make
// one up.
func TestSilenceAcrossBoundaries(t *testing.T) {
	start := time.Date(2026, 5, 6, 10, 0, 0, 0, time.UTC).UnixMicro()
	const silence = 31e6
	lines := func(n, silentAfter int) []string {
		var out []string
		for i := 0; i < n; i++ {
			ts := start + int64(i)*1e6
			if silentAfter >= 0 && i > silentAfter {
				ts += silence - 1e6
			}
			out = append(out, silenceLine(ts)+"\n")
		}
		return out
	}
	lineLen := int64(len(silenceLine(start)) + 1)
	join := func(ls []string) string { return strings.Join(ls, "") }
	all := lines(2000, 1023)
	quiet := lines(900, -1)
	for _, c := range []struct {
		name      string
		files     map[string]string
		shard     int64
		workers   int
		gap, at   int64
		gapReason string
	}{
		{name: "batch", files: map[string]string{"resource.log": join(all)}, workers: 1,
			gap: silence, at: start + 1023e6},
		{name: "range", files: map[string]string{"resource.log": join(all)}, shard: 1024 * lineLen, workers: 2,
			gap: silence, at: start + 1023e6},
		{name: "range-1-worker", files: map[string]string{"resource.log": join(all)}, shard: 1024 * lineLen, workers: 1,
			gap: silence, at: start + 1023e6},
		{name: "file", files: map[string]string{"resource.20260506100000.log.gz": join(all[:1024]), "resource.log": join(all[1024:])}, workers: 2,
			gap: silence, at: start + 1023e6},
		// units are read largest first: one worker reads the first and
		// the last file, then the middle one
		{name: "files-out-of-order", files: map[string]string{"resource.20260506100000.log": join(quiet[:400]),
			"resource.20260506100640.log": join(quiet[400:500]), "resource.log": join(quiet[500:])}, workers: 1,
			gap: 1e6, at: start},
		{name: "ranges-out-of-order", files: map[string]string{"resource.log": join(quiet)}, shard: 300 * lineLen, workers: 2,
			gap: 1e6, at: start},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "logs")
			dir := filepath.Join(root, "10.0.0.1", "logs")
			must(t, os.MkdirAll(dir, 0o755))
			for name, text := range c.files {
				data := []byte(text)
				if strings.HasSuffix(name, ".gz") {
					data = gzipBytes(t, data)
				}
				must(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
			}
			_, _, hs := runToJSON(t, &job{LogDir: root, Pattern: "resource", Since: scan.NoSince, Until: scan.NoUntil,
				IntervalMS: 3600000, Workers: c.workers, ShardSize: c.shard})
			if len(hs) != 1 || len(hs[0].Gap) != 1 {
				t.Fatalf("want one host with one bin, got %d hosts", len(hs))
			}
			h := hs[0]
			if got := fmt.Sprint(h.Gap[0], h.GapAt[0]); got != fmt.Sprint(c.gap, c.at) {
				t.Errorf("longest gap %d µs at %d, want %d µs at %d", h.Gap[0], h.GapAt[0], c.gap, c.at)
			}
		})
	}
}

func gzipBytes(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	must(t, zw.Close())
	return b.Bytes()
}
