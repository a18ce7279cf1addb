package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/resreport/resreport/bench/loggen"
	"github.com/resreport/resreport/scan"
)

// DataSet is a generated data set on disk, shared by the benchmarks of a
// run and kept between runs under the system's temporary directory.
type DataSet struct {
	Dir   string
	Plan  *scan.Plan
	Bytes int64 // text bytes (uncompressed)
}

// LinesPerHost is the size of the on-disk data sets: 20 hosts × this many
// records (about 680 bytes each). RESREPORT_BENCH_LINES overrides the
// default of 5,000 (≈ 68 MB); 50,000 gives the issue's ≈ 680 MB set.
func LinesPerHost() int {
	if n, err := strconv.Atoi(os.Getenv("RESREPORT_BENCH_LINES")); err == nil && n > 0 {
		return n
	}
	return 5000
}

var (
	setsMu sync.Mutex
	sets   = map[string]*DataSet{}
)

// Get returns the data set of 20 hosts × LinesPerHost records, plain or
// with gzip-rotated files, generating it on first use.
func Get(gz bool) (*DataSet, error) {
	lines := LinesPerHost()
	o := benchOptions(20, lines)
	o.Gzip = gz
	if gz {
		o.RotateLines = lines / 4
	}
	key := fmt.Sprintf("resreport-bench-h20-l%d-gz%v-v2", lines, gz)
	setsMu.Lock()
	defer setsMu.Unlock()
	if ds, ok := sets[key]; ok {
		return ds, nil
	}
	dir := filepath.Join(os.TempDir(), key)
	done := filepath.Join(dir, ".complete")
	if _, err := os.Stat(done); err != nil {
		os.RemoveAll(dir)
		if _, err := loggen.Generate(dir, o); err != nil {
			return nil, err
		}
		if err := os.WriteFile(done, nil, 0o644); err != nil {
			return nil, err
		}
	}
	plan, err := scan.Discover(dir, "resource")
	if err != nil {
		return nil, err
	}
	n, err := textBytes(plan)
	if err != nil {
		return nil, err
	}
	ds := &DataSet{Dir: dir, Plan: plan, Bytes: n}
	sets[key] = ds
	return ds, nil
}

// textBytes counts the uncompressed bytes of a plan with a scan whose
// time filter keeps no record.
func textBytes(plan *scan.Plan) (int64, error) {
	src := scan.NewLogSource(plan, scan.Options{Since: scan.NoUntil - 1, Until: scan.NoUntil})
	rd := src.NewReader()
	for i := range src.Units() {
		if err := rd.ReadUnit(context.Background(), i, func(arrow.RecordBatch) error { return nil }); err != nil {
			return 0, err
		}
	}
	return src.Stats().Total.Bytes, nil
}

// benchOptions is the benchmarks' data: production-like values
// (loggen.Options.Realistic: large growing counters, moving gauges,
// 4-decimal rates), ordinary noise, and the worker versions of a cluster
// being upgraded (groups a host's version lacks are empty).
func benchOptions(hosts, lines int) loggen.Options {
	return loggen.Options{Hosts: hosts, LinesPerHost: lines, Seed: 1, Groups: []int{25, 25, 24, 22}, Realistic: true,
		Noise: loggen.Noise{SuccessDips: 0.005, QueueBlips: 0.02}}
}

// Lines returns n generated lines of one worker version, in memory.
func Lines(n, groups int) [][]byte {
	o := benchOptions(1, n)
	o.Groups, o.Seed = []int{groups}, 2
	g := loggen.NewHost(&o, 0)
	out := make([][]byte, 0, n)
	for len(out) < n {
		l, _ := g.AppendLine(nil)
		out = append(out, l[:len(l)-1]) // without '\n'
	}
	return out
}

// HostLines returns n generated lines of hosts hosts, host by host (as a
// run reads them), each line with its host's index.
func HostLines(n, hosts int) ([][]byte, []int32) {
	o := benchOptions(hosts, n/hosts+1)
	var out [][]byte
	var idx []int32
	for h := 0; h < hosts && len(out) < n; h++ {
		g := loggen.NewHost(&o, h)
		for i := 0; i < n/hosts && len(out) < n; i++ {
			l, _ := g.AppendLine(nil)
			out = append(out, l[:len(l)-1])
			idx = append(idx, int32(h))
		}
	}
	return out, idx
}
