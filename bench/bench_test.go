package bench

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/resreport/resreport/agg"
	"github.com/resreport/resreport/columnar"
	"github.com/resreport/resreport/scan"
)

// Headline benchmarks (bench/compare gates them): ParseLine22,
// ParseLine25, Kernels, ReportPlain, ReportGzip, ParquetWrite.

func benchParse(b *testing.B, groups int) {
	lines := Lines(2000, groups)
	var size int64
	for _, l := range lines {
		size += int64(len(l)) + 1
	}
	batch := columnar.NewBatch()
	p := scan.NewParser(scan.NoSince, scan.NoUntil)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range lines {
			if batch.Full() {
				batch.Reset()
			}
			p.Parse(l, batch, 0, false)
		}
	}
}

// BenchmarkParseLine22 parses 22-group lines (one core).
func BenchmarkParseLine22(b *testing.B) { benchParse(b, 22) }

// BenchmarkParseLine25 parses 25-group lines, the default generator's.
func BenchmarkParseLine25(b *testing.B) { benchParse(b, 25) }

// benchRows is the number of lines the Kernels and ParquetWrite
// benchmarks process per op, whatever the batch size.
const benchRows = 16384

// benchHosts is the number of hosts of the Kernels and ParquetWrite
// benchmarks' rows (host by host, a run of rows each).
const benchHosts = 16

// benchHostNames is the host table of the Kernels and ParquetWrite rows.
func benchHostNames() []string {
	names := make([]string, benchHosts)
	for i := range names {
		names[i] = fmt.Sprintf("10.0.0.%d", i+1)
	}
	return names
}

// parsedBatches parses n lines of benchHosts hosts into full batches.
func parsedBatches(n int) ([]*columnar.Batch, int64) {
	var out []*columnar.Batch
	var size int64
	p := scan.NewParser(scan.NoSince, scan.NoUntil)
	cur := columnar.NewBatch()
	lines, hosts := HostLines(n, benchHosts)
	for i, l := range lines {
		size += int64(len(l)) + 1
		p.Parse(l, cur, hosts[i], false)
		if cur.Full() {
			out = append(out, cur)
			cur = columnar.NewBatch()
		}
	}
	if cur.Len > 0 {
		out = append(out, cur)
	}
	return out, size
}

// BenchmarkKernels folds parsed batches into an aggregate partial (1-min bins).
func BenchmarkKernels(b *testing.B) {
	batches, size := parsedBatches(benchRows)
	dict := columnar.NewHostDict(benchHostNames())
	recs := make([]arrow.RecordBatch, len(batches))
	for i, batch := range batches {
		recs[i] = batch.Record(dict)
	}
	binner, _ := agg.NewBinner(60000)
	p := agg.NewPartial(binner)
	var v columnar.View
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, rec := range recs {
			if err := columnar.ViewOf(rec, &v); err != nil {
				b.Fatal(err)
			}
			p.Add(&v)
		}
	}
}

// BenchmarkParquetWrite encodes parsed batches into samples.parquet.
func BenchmarkParquetWrite(b *testing.B) {
	batches, size := parsedBatches(benchRows)
	dict := columnar.NewHostDict(benchHostNames())
	recs := make([]arrow.RecordBatch, len(batches))
	for i, batch := range batches {
		recs[i] = batch.Record(dict)
	}
	b.SetBytes(size)
	b.ReportAllocs()
	sw, err := columnar.NewSamplesWriter(io.Discard, benchHostNames(), columnar.WithTimeSlices(3600e6))
	if err != nil {
		b.Fatal(err)
	}
	// in chunks of SamplesChunkRows, as the report's samples queue hands them
	chunk := max(1, agg.SamplesChunkRows/columnar.BatchRows)
	for b.Loop() {
		for i := 0; i < len(recs); i += chunk {
			if err := sw.WriteRecords(recs[i:min(len(recs), i+chunk)]); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := sw.Close(); err != nil {
		b.Fatal(err)
	}
}

func benchReport(b *testing.B, gz bool, workers int) {
	ds, err := Get(gz)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(ds.Bytes)
	b.ReportAllocs()
	for b.Loop() {
		src := scan.NewLogSource(ds.Plan, scan.Options{Since: scan.NoSince, Until: scan.NoUntil})
		_, err := agg.Run(context.Background(), src, agg.RunOptions{IntervalMS: 60000, Workers: workers})
		if st := src.Stats(); err != nil || st.Total.Bytes != ds.Bytes {
			b.Fatalf("aggregate: %v (%d bytes of %d)", err, st.Total.Bytes, ds.Bytes)
		}
	}
}

// BenchmarkReportPlain scans and aggregates the plain data set with every core.
func BenchmarkReportPlain(b *testing.B) { benchReport(b, false, 0) }

// BenchmarkReportGzip is BenchmarkReportPlain on the gzip-rotated copy.
func BenchmarkReportGzip(b *testing.B) { benchReport(b, true, 0) }

// BenchmarkReportPlainWorkers1 is BenchmarkReportPlain on one worker: the
// ratio of the two is the scaling with cores.
func BenchmarkReportPlainWorkers1(b *testing.B) { benchReport(b, false, 1) }

// BenchmarkGunzip only decompresses (and reads) the gzip data set's files
// to nowhere with as many goroutines as cores: the floor that
// BenchmarkReportGzip is measured against.
func BenchmarkGunzip(b *testing.B) {
	ds, err := Get(true)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(ds.Bytes)
	b.ReportAllocs()
	for b.Loop() {
		n, err := Drain(ds.Plan, runtime.GOMAXPROCS(0))
		if err != nil || n != ds.Bytes {
			b.Fatalf("drain: %v (%d bytes of %d)", err, n, ds.Bytes)
		}
	}
}
