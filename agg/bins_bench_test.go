package agg

import (
	"bytes"
	"context"
	"fmt"
	"math"
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
