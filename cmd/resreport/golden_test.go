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
	"github.com/resreport/resreport/bench/loggen"
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

	// The keys of each bin (and host-bin) that are statistics over no
	// present value: every sample had the field empty, or no OC_HIT_NUM
	// delta was between two samples that carried the counters.
	BinsAbsent  [][]string            `json:"bins_absent"`
	HostsAbsent map[string][][]string `json:"hosts_absent"`
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
	kept := keepHosts(j)
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
	return o, path, kept()
}

// keepHosts makes j keep a copy of every host's result; the function
// returned gives them, by name, once the run is over.
func keepHosts(j *job) func() []agg.HostResult {
	var mu sync.Mutex
	var kept []agg.HostResult
	j.OnHost = func(h *agg.HostResult) error {
		mu.Lock()
		defer mu.Unlock()
		kept = append(kept, h.Clone()) // h is reused after the call
		return nil
	}
	return func() []agg.HostResult {
		sort.Slice(kept, func(a, b int) bool { return kept[a].Name < kept[b].Name })
		return kept
	}
}

// readJSON decodes the document at path, without its findings.
func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc, "findings")
	return doc
}

// TestGolden compares every number of --json with the reference script's
// on the fixtures (all layouts, plain, gzip and mixed rotation, lines with
// and without the trailing " |"; intervals 1 s, 1 min, 10 min, 1 h; with
// and without --since/--until). We write null exactly where the reference
// writes -1 (no data) or 0 for a statistic over no present value (the
// golden files list those keys); every other number must be equal.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(repoRoot, "testdata", "golden", "*.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if want := len(loggen.Fixtures()) * 4 * 2; len(files) != want {
		t.Fatalf("found %d golden files, want %d (fixtures × 4 intervals × 2 ranges): run testdata/golden/mkgolden.py", len(files), want)
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
			if len(g.BinsAbsent) != len(g.Bins) || len(g.HostsAbsent) != len(g.Hosts) {
				t.Fatal("golden file without the absent keys: run testdata/golden/mkgolden.py")
			}
			for _, workers := range []int{1, 2} {
				_, ours := runJSON(t, filepath.Join(repoRoot, g.LogDir), g.IntervalMS, g.Since, g.Until, workers)
				compareBins(t, "bins", ours.Bins, g.Bins, g.BinsAbsent)
				if len(ours.Hosts) != len(g.Hosts) {
					t.Fatalf("%d hosts, reference %d", len(ours.Hosts), len(g.Hosts))
				}
				for h, ref := range g.Hosts {
					compareBins(t, "host "+h, ours.Hosts[h], ref, g.HostsAbsent[h])
				}
			}
		})
	}
}

func compareBins(t *testing.T, what string, ours, ref []map[string]any, absent [][]string) {
	t.Helper()
	if len(ours) != len(ref) || len(absent) != len(ref) {
		t.Fatalf("%s: %d bins, reference %d (absent keys of %d)", what, len(ours), len(ref), len(absent))
	}
	for i := range ref {
		none := map[string]bool{}
		for _, k := range absent[i] {
			none[k] = true
		}
		for k, rv := range ref[i] {
			ov, ok := ours[i][k]
			if !ok {
				t.Fatalf("%s[%d]: key %q missing", what, i, k)
			}
			if err := sameValue(ov, rv, none[k]); err != "" {
				t.Fatalf("%s[%d] (%v) %s = %v, reference %v: %s", what, i, ref[i]["time"], k, ov, rv, err)
			}
		}
	}
}

// sameValue compares one of our values with the reference's; absent says
// the reference's is a statistic over no present value. It returns what is
// wrong, or "".
func sameValue(ours, ref any, absent bool) string {
	switch r := ref.(type) {
	case string:
		if ours != r {
			return "differs"
		}
		return ""
	case float64:
		switch {
		case absent && r != 0 && r != -1:
			return "the reference has a value over no present value (mkgolden.py is wrong)"
		case absent || r == -1:
			if ours != nil {
				return "want null: no data"
			}
			return ""
		case ours == nil:
			return "null where the reference has data"
		}
		if o, ok := ours.(float64); !ok || math.Abs(o-r) > 1e-9*math.Max(1, math.Abs(r)) {
			return "differs"
		}
		return ""
	}
	return "unexpected type in the golden file"
}

// TestAccounting checks that every line of every fixture is accounted for.
func TestAccounting(t *testing.T) {
	for _, fx := range loggen.Fixtures() {
		o, _ := runJSON(t, filepath.Join(repoRoot, "testdata", "logs", fx.Name), 60000, "", "", 2)
		s := o.Summary
		if s.LinesRead == 0 || s.LinesRead != s.Records+s.OutsideRange+s.SkippedTotal {
			t.Errorf("%s: lines %d != records %d + outside %d + skipped %d", fx.Name, s.LinesRead, s.Records, s.OutsideRange, s.SkippedTotal)
		}
		for _, f := range s.PerFile {
			if f.LinesRead != f.Records+f.OutsideRange+f.SkippedTotal || f.Error != "" {
				t.Errorf("%s: file %+v", fx.Name, f)
			}
		}
		if s.SkippedTotal != 0 {
			t.Errorf("%s: clean fixture has %d skipped lines: %v", fx.Name, s.SkippedTotal, s.Skipped)
		}
	}
}
