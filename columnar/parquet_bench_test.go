package columnar

import (
	"syscall"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
	"github.com/parquet-go/parquet-go/encoding"
)

// batchBytes is the in-memory size of a batch's data: 8 bytes per value
// and validity bit of every numeric column, 4 per host index, the strings'
// bytes and offsets.
func batchBytes(b *Batch) int64 {
	n := int64(b.Len)
	size := n*4 + n*8 + 2*(n*8+n/8)
	for _, s := range b.strings() {
		size += int64(len(s.Data)) + 4*n
	}
	for range b.Cols {
		size += n*8 + n/8
	}
	return size
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchRows is the number of rows a benchmark operation writes.
const benchRows = 1 << 20

// benchmarkSamples writes a file of 1Mi realistic rows (8 hosts, runs of
// 8192 rows per host) per operation, to a counting io.Discard. The rows
// are generated afresh, batch by batch, outside the timer, so that no
// data repeats. Besides time, bytes (of batch data) and allocations it
// reports rows/s, the CPU seconds (all goroutines) per million rows spent
// in Write and Close, and the file's bytes per row.
func benchmarkSamples(b *testing.B, opts ...SamplesOption) {
	b.ReportAllocs()
	var out countWriter
	var cpu time.Duration
	var dataBytes int64
	batch := NewBatch()
	for i := range b.N {
		b.StopTimer()
		g := newSampleGen(uint64(i), 8, 8192, 0)
		b.StartTimer()
		w, err := NewSamplesWriter(&out, g.hosts, opts...)
		if err != nil {
			b.Fatal(err)
		}
		for range benchRows / BatchRows {
			b.StopTimer()
			batch.Reset()
			g.fill(batch, BatchRows)
			dataBytes += batchBytes(batch)
			b.StartTimer()
			c0 := cpuTime()
			if err := w.Write(batch); err != nil {
				b.Fatal(err)
			}
			cpu += cpuTime() - c0
		}
		c0 := cpuTime()
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - c0
	}
	rows := float64(benchRows) * float64(b.N)
	b.SetBytes(dataBytes / int64(b.N))
	b.ReportMetric(rows/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(cpu.Seconds()/rows*1e6, "cpu-s/Mrows")
	b.ReportMetric(float64(out.n)/rows, "file-B/row")
}

func BenchmarkSamplesWriter(b *testing.B) { benchmarkSamples(b) }

// BenchmarkSamplesWriterVariants compares settings that change only speed
// and size; the defaults are chosen from it.
func BenchmarkSamplesWriterVariants(b *testing.B) {
	enc := func(i, f encoding.Encoding) SamplesOption {
		e := defaultSamplesEncodings()
		e.Int, e.Float = i, f
		return withEncodings(e)
	}
	delta, dict := &parquet.DeltaBinaryPacked, &parquet.RLEDictionary
	for _, v := range []struct {
		name string
		opts []SamplesOption
	}{
		{"default", nil},
		{"int-plain-float-plain", []SamplesOption{enc(nil, nil)}},
		{"int-delta-float-plain", []SamplesOption{enc(delta, nil)}},
		{"int-delta-float-bss", []SamplesOption{enc(delta, &parquet.ByteStreamSplit)}},
		{"int-dict-float-dict", []SamplesOption{enc(dict, dict)}},
		{"page-4k", []SamplesOption{withPageRows(4096)}},
		{"page-64k", []SamplesOption{withPageRows(65536)}},
		{"zstd-default", []SamplesOption{WithZstdLevel(zstd.SpeedDefault)}},
		{"workers-1", []SamplesOption{WithWorkers(1)}},
	} {
		b.Run(v.name, func(b *testing.B) { benchmarkSamples(b, v.opts...) })
	}
}
