package agg

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/resreport/resreport/bench/loggen"
	"github.com/resreport/resreport/columnar"
	"github.com/resreport/resreport/scan"
)

// benchHostUnits parses hosts × rows lines of the project's generator
// (the scale benchmark's data: a sample every 10 s), one unit per host.
func benchHostUnits(hosts, rows int) ([]string, [][]*columnar.Batch) {
	o := loggen.Options{Hosts: hosts, LinesPerHost: rows, Period: 10 * time.Second, Seed: 1}
	names := make([]string, hosts)
	units := make([][]*columnar.Batch, hosts)
	p := scan.NewParser(math.MinInt64, math.MaxInt64)
	var line []byte
	for h := range hosts {
		names[h] = o.HostDirName(h)
		g := loggen.NewHost(&o, h)
		b := columnar.NewBatch()
		for range rows {
			var ok bool
			if line, ok = g.AppendLine(line[:0]); !ok {
				continue
			}
			if b.Full() {
				units[h] = append(units[h], b)
				b = columnar.NewBatch()
			}
			p.Parse(bytes.TrimSuffix(line, []byte("\n")), b, int32(h), true)
		}
		units[h] = append(units[h], b)
	}
	return names, units
}

// BenchmarkRunBins runs the aggregation (kernels, host results, cluster
// bins, findings) on 16 hosts × a day of 10 s samples at 1-hour and
// 1-minute bins, on one worker: the difference is the cost of the bins.
func BenchmarkRunBins(b *testing.B) {
	names, units := benchHostUnits(16, 8640)
	for _, iv := range []int64{3_600_000, 60_000} {
		b.Run(fmt.Sprintf("interval-%dms", iv), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				fs := NewFindingSet(DefaultThresholds(), iv*1000)
				src := newMemSource(names, units)
				_, err := Run(context.Background(), src, RunOptions{IntervalMS: iv, Workers: 1,
					Host: func(h *HostResult) error { fs.AddHost(h); return nil }})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkClusterFold folds a unit's day of 1-minute bins of the 59
// gauges only the cluster keeps (36 whole-number sums, 23 fractional, as
// the columns are) into cluster cells: the per-cell cost of the exact
// cluster sums, which at 300 hosts is most of what the cluster bins add
// to a 1-minute run (README, Performance).
func BenchmarkClusterFold(b *testing.B) {
	const rows, w = 1440, 59
	r := rand.New(rand.NewPCG(1, 2))
	cells := make([]cell, rows*w)
	for i := range cells {
		cells[i].max, cells[i].min = math.Inf(-1), math.Inf(1)
	}
	xs := make([]statElem, rows*w)
	for i := range xs {
		v := r.Float64() * 1000
		if i%w < 36 {
			v = math.Round(v * 1e6)
		}
		xs[i] = statElem{sum: v * 6, max: v + 1, min: v - 1, cnt: 6}
	}
	b.ReportAllocs()
	for b.Loop() {
		for k := 0; k < rows; k++ {
			if foldShort(cells[k*w:(k+1)*w], xs[k*w:(k+1)*w]) != w {
				b.Fatal("a sum left the fast path")
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(rows*w), "ns/cell")
}
