package main

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/resreport/resreport/agg"
)

// repoRoot is the repository root, relative to this package.
const repoRoot = "../.."

// golden is a file written by testdata/golden/mkgolden.py: the reference
// script's compute_cluster_stats and compute_per_host_stats on a fixture.
type golden struct {
	LogDir     string                      `json:"log_dir"`
	IntervalMS int64                       `json:"interval_ms"`
	Since      string                      `json:"since"`
	Until      string                      `json:"until"`
	Bins       []map[string]any            `json:"bins"`
	Hosts      map[string][]map[string]any `json:"hosts"`
}

// ourJSON is the part of our --json document compared with a golden.
type ourJSON struct {
	Bins  []map[string]any            `json:"bins"`
	Hosts map[string][]map[string]any `json:"hosts"`
}

// runJSON runs the pipeline as `report --json` does (its outputs and
// per-host consumers) and decodes the document.
func runJSON(t *testing.T, logDir string, intervalMS int64, since, until string, workers int) (*outcome, *ourJSON) {
	t.Helper()
	s, u, err := parseRange(since, until)
	if err != nil {
		t.Fatal(err)
	}
	j := &job{LogDir: logDir, Pattern: "resource", Since: s, Until: u,
		SinceText: since, UntilText: until, IntervalMS: intervalMS, Workers: workers}
	o, path, _ := runToJSON(t, j)
	var doc ourJSON
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return o, &doc
}

// runToJSON runs job j with a --json output, as the CLI does, and returns
// the outcome, the document's path and every host's result, by name.
func runToJSON(t *testing.T, j *job) (*outcome, string, []agg.HostResult) {
	t.Helper()
	var mu sync.Mutex
	var kept []agg.HostResult
	j.OnHost = func(h *agg.HostResult) error {
		mu.Lock()
		defer mu.Unlock()
		kept = append(kept, *h)
		return nil
	}
	plan, err := discover(j)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "r.json")
	out, err := openOutputs(context.Background(), outputSpec{JSON: path}, plan.Hosts, 0)
	if err != nil {
		t.Fatal(err)
	}
	j.PerHost = newPerHost(agg.DefaultThresholds(), j.IntervalMS, false)
	j.InOrder = out.hostInOrder()
	o, err := runPlan(context.Background(), j, plan)
	if err != nil {
		out.abort()
		t.Fatal(err)
	}
	if err := out.finish(o.Result, o.Summary, o.Hosts.findings.Finish(o.Result, o.Hosts.last), nil); err != nil {
		t.Fatal(err)
	}
	sort.Slice(kept, func(a, b int) bool { return kept[a].Name < kept[b].Name })
	return o, path, kept
}

// TestGolden compares every number of --json with the reference script's
// on the fixtures (all layouts, plain, gzip and mixed rotation; intervals
// 1 s, 1 min, 10 min, 1 h; with and without --since/--until). Where the
// reference writes -1 (no data), or 0 for a statistic over no values, we
// write null: that and nothing else may differ.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(repoRoot, "testdata", "golden", "*.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 32 {
		t.Fatalf("found %d golden files, want at least 32 (4 fixtures × 4 intervals × 2 ranges)", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			fh, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			defer fh.Close()
			zr, err := gzip.NewReader(fh)
			if err != nil {
				t.Fatal(err)
			}
			var g golden
			if err := json.NewDecoder(zr).Decode(&g); err != nil {
				t.Fatal(err)
			}
			for _, workers := range []int{1, 2} {
				_, ours := runJSON(t, filepath.Join(repoRoot, g.LogDir), g.IntervalMS, g.Since, g.Until, workers)
				compareBins(t, "bins", ours.Bins, g.Bins)
				if len(ours.Hosts) != len(g.Hosts) {
					t.Fatalf("%d hosts, reference %d", len(ours.Hosts), len(g.Hosts))
				}
				for h, ref := range g.Hosts {
					compareBins(t, "host "+h, ours.Hosts[h], ref)
				}
			}
		})
	}
}

func compareBins(t *testing.T, what string, ours, ref []map[string]any) {
	t.Helper()
	if len(ours) != len(ref) {
		t.Fatalf("%s: %d bins, reference %d", what, len(ours), len(ref))
	}
	for i := range ref {
		for k, rv := range ref[i] {
			ov, ok := ours[i][k]
			if !ok {
				t.Fatalf("%s[%d]: key %q missing", what, i, k)
			}
			if !sameValue(ov, rv) {
				t.Fatalf("%s[%d] (%v) %s = %v, reference %v", what, i, ref[i]["time"], k, ov, rv)
			}
		}
	}
}

func sameValue(ours, ref any) bool {
	switch r := ref.(type) {
	case string:
		return ours == r
	case float64:
		if ours == nil {
			return r == 0 || r == -1
		}
		o, ok := ours.(float64)
		return ok && math.Abs(o-r) <= 1e-9*math.Max(1, math.Abs(r))
	}
	return false
}

// TestAccounting checks that every line of every fixture is accounted for.
func TestAccounting(t *testing.T) {
	for _, fx := range []string{"layout1", "layout2", "layout3", "v21"} {
		o, _ := runJSON(t, filepath.Join(repoRoot, "testdata", "logs", fx), 60000, "", "", 2)
		s := o.Summary
		if s.LinesRead == 0 || s.LinesRead != s.Records+s.OutsideRange+s.SkippedTotal {
			t.Errorf("%s: lines %d != records %d + outside %d + skipped %d", fx, s.LinesRead, s.Records, s.OutsideRange, s.SkippedTotal)
		}
		for _, f := range s.PerFile {
			if f.LinesRead != f.Records+f.OutsideRange+f.SkippedTotal || f.Error != "" {
				t.Errorf("%s: file %+v", fx, f)
			}
		}
		if s.SkippedTotal != 0 {
			t.Errorf("%s: clean fixture has %d skipped lines: %v", fx, s.SkippedTotal, s.Skipped)
		}
	}
}
