package columnar

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/parquet-go/parquet-go"
	"golang.org/x/sync/errgroup"
)

// cells returns every cell of row i of b as text, the host by name: the
// simple model the readers are checked against.
func cells(b *Batch, i int, hosts []string) string {
	s := append(make([]byte, 0, 1500), hosts[b.Host[i]]...)
	s = append(s, '|')
	s = strconv.AppendInt(s, b.TS[i], 10)
	for _, str := range []*Strings{&b.Level, &b.Pod, &b.TraceID, &b.Cluster} {
		s = strconv.AppendQuote(append(s, '|'), string(str.Value(i)))
	}
	for k := range 2 + len(b.Cols) {
		c := &b.PID
		switch {
		case k == 1:
			c = &b.TID
		case k > 1:
			c = &b.Cols[k-2]
		}
		s = append(s, '|')
		switch {
		case !c.IsValid(i):
			s = append(s, "null"...)
		case c.Kind == Int:
			s = strconv.AppendInt(s, c.Ints[i], 10)
		default:
			s = strconv.AppendUint(append(s, "0x"...), math.Float64bits(c.Floats[i]), 16)
		}
	}
	return string(s)
}

// batchCells returns the cells of the rows of bs whose ts w keeps.
func batchCells(bs []*Batch, hosts []string, w TimeWindow) []string {
	var out []string
	for _, b := range bs {
		for i := range b.Len {
			if ts := b.TS[i]; ts >= w.Since && ts < w.Until { // not w.keeps: the model stands alone
				out = append(out, cells(b, i, hosts))
			}
		}
	}
	return out
}

// checkBatch checks the shape of a batch a reader emitted.
func checkBatch(t testing.TB, b *Batch) {
	t.Helper()
	if b.Len == 0 || b.Len > BatchRows {
		t.Fatalf("batch of %d rows", b.Len)
	}
	for k, s := range b.strings() {
		if len(s.Offsets) != b.Len+1 {
			t.Fatalf("string column %d: %d offsets for %d rows", k, len(s.Offsets), b.Len)
		}
	}
}

// writeViews writes bs with WriteViews, a few batches a call, as a run
// does (Write does not lay out time slices).
func writeViews(t testing.TB, hosts []string, bs []*Batch, opts ...SamplesOption) []byte {
	return writeViewsPer(t, hosts, bs, 3, opts...)
}

// writeViewsPer writes bs with WriteViews, per batches a call.
func writeViewsPer(t testing.TB, hosts []string, bs []*Batch, per int, opts ...SamplesOption) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewSamplesWriter(&buf, hosts, opts...)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(bs); i += per {
		var vs []View
		for _, b := range bs[i:min(i+per, len(bs))] {
			var v View
			b.View(&v)
			vs = append(vs, v)
		}
		if err := w.WriteViews(vs); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// readAll reads a file with ReadSamples and returns the cells of its rows.
func readAll(t *testing.T, path, host string, hosts []string, w *TimeWindow) (cs []string, read, kept int64) {
	t.Helper()
	index := map[string]int32{}
	for i, h := range hosts {
		index[h] = int32(i)
	}
	read, kept, err := ReadSamples(SampleSource{Path: path, Host: host, Window: w,
		HostIndex: func(h string) int32 {
			if i, ok := index[h]; ok {
				return i
			}
			return -1
		}}, func(b *Batch) error {
		checkBatch(t, b)
		for i := range b.Len {
			cs = append(cs, cells(b, i, hosts))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return cs, read, kept
}

func sameCells(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("row %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
}

// TestReadSamplesEveryCell writes samples with nulls, hosts of all four
// worker versions (21, 22, 24 and 25 groups), many row groups and pages
// whose boundaries fall anywhere in a batch, values that overflow the
// numeric dictionaries (a chunk of dictionary pages, then plain ones) and
// the time-sliced layout, and checks every cell read back, with and
// without a time window.
func TestReadSamplesEveryCell(t *testing.T) {
	cases := []struct {
		name   string
		noisy  bool
		rows   int
		sorted bool // the layout changes the row order
		opts   []SamplesOption
	}{
		{"pages", false, 20000, false, []SamplesOption{WithRowGroupRows(3000), withPageRows(700)}},
		{"noisy", true, 20000, false, []SamplesOption{WithRowGroupRows(20000), withPageRows(1500)}},
		{"default", false, 5000, false, nil},
		{"sliced", false, 30000, true, []SamplesOption{WithTimeSlices(3600e6), WithRowGroupRows(4000), withPageRows(500)}},
	}
	for k, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			runLen := 37 // hosts interleaved
			if c.sorted {
				runLen = c.rows / 7 // host by host, as a run writes them
			}
			g := newSampleGen(uint64(k), 7, runLen, 0.1)
			g.noisy = c.noisy
			bs := genBatches(g, c.rows)
			path := filepath.Join(t.TempDir(), "samples.parquet")
			writeFile(t, path, writeViews(t, g.hosts, bs, c.opts...))
			// a window from one row's ts to another's: the edges are exact
			from, to := bs[len(bs)/3], bs[len(bs)/2]
			for _, w := range []TimeWindow{AllTime, {from.TS[from.Len/2], to.TS[to.Len/3]}} {
				want := batchCells(bs, g.hosts, w)
				got, read, kept := readAll(t, path, "", g.hosts, &w)
				if read != int64(c.rows) || kept != int64(len(want)) {
					t.Fatalf("read %d kept %d, want %d and %d", read, kept, c.rows, len(want))
				}
				if c.sorted {
					slices.Sort(got)
					slices.Sort(want)
				}
				sameCells(t, got, want)
			}
		})
	}
}

// TestReadSamplesForeignFile reads a file written by parquet-go's own
// writer, not ours: columns in another order, data pages v1, a plain host
// column, an optional string with nulls, a column this version does not
// know, and most known columns missing (read as null, or empty strings).
func TestReadSamplesForeignFile(t *testing.T) {
	g := newSampleGen(5, 5, 11, 0.1)
	bs := genBatches(g, 7000)
	ratio := MustMetric("shm_share_mem_ratio")
	object := MustMetric("object_count")
	schema := parquet.NewSchema("foreign", parquet.Group{
		ColHost:              parquet.String(),
		ColTS:                parquet.Timestamp(parquet.Microsecond),
		ColPod:               parquet.Optional(parquet.String()),
		ColLevel:             parquet.String(),
		ColPID:               parquet.Optional(parquet.Leaf(parquet.Int64Type)),
		"zz_unknown":         parquet.Optional(parquet.Leaf(parquet.DoubleType)),
		Metrics[ratio].Name:  parquet.Optional(parquet.Leaf(parquet.DoubleType)),
		Metrics[object].Name: parquet.Optional(parquet.Encoded(parquet.Leaf(parquet.Int64Type), &parquet.RLEDictionary)),
	})
	path := filepath.Join(t.TempDir(), "foreign.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewWriter(f, schema, parquet.DataPageVersion(1), parquet.PageBufferSize(2048), parquet.MaxRowsPerRowGroup(2500))
	var want []string
	for _, b := range bs {
		exp := NewBatch()
		var rows []parquet.Row
		for i := range b.Len {
			var row parquet.Row
			for col, p := range schema.Columns() {
				opt := func(ok bool, v parquet.Value) parquet.Value {
					if !ok {
						return parquet.NullValue().Level(0, 0, col)
					}
					return v.Level(0, 1, col)
				}
				var v parquet.Value
				switch p[0] {
				case ColHost:
					v = parquet.ByteArrayValue([]byte(g.hosts[b.Host[i]])).Level(0, 0, col)
				case ColTS:
					v = parquet.Int64Value(b.TS[i]).Level(0, 0, col)
				case ColPod:
					v = opt(i%5 != 0, parquet.ByteArrayValue(b.Pod.Value(i)))
				case ColLevel:
					v = parquet.ByteArrayValue(b.Level.Value(i)).Level(0, 0, col)
				case ColPID:
					v = opt(b.PID.IsValid(i), parquet.Int64Value(b.PID.Ints[i]))
				case "zz_unknown":
					v = opt(i%2 == 0, parquet.DoubleValue(float64(i)))
				case Metrics[ratio].Name:
					v = opt(b.Cols[ratio].IsValid(i), parquet.DoubleValue(b.Cols[ratio].Floats[i]))
				case Metrics[object].Name:
					v = opt(b.Cols[object].IsValid(i), parquet.Int64Value(b.Cols[object].Ints[i]))
				}
				row = append(row, v)
			}
			rows = append(rows, row)
			exp.Host[i], exp.TS[i] = b.Host[i], b.TS[i]
			exp.Level.Append(b.Level.Value(i))
			if i%5 != 0 {
				exp.Pod.Append(b.Pod.Value(i))
			} else {
				exp.Pod.Append(nil)
			}
			exp.TraceID.Append(nil)
			exp.Cluster.Append(nil)
			if b.PID.IsValid(i) {
				exp.PID.SetInt(i, b.PID.Ints[i])
			}
			if b.Cols[ratio].IsValid(i) {
				exp.Cols[ratio].SetFloat(i, b.Cols[ratio].Floats[i])
			}
			if b.Cols[object].IsValid(i) {
				exp.Cols[object].SetInt(i, b.Cols[object].Ints[i])
			}
			exp.Len++
		}
		if _, err := w.WriteRows(rows); err != nil {
			t.Fatal(err)
		}
		want = append(want, batchCells([]*Batch{exp}, g.hosts, AllTime)...)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	got, read, kept := readAll(t, path, "", g.hosts, nil)
	if read != 7000 || kept != 7000 {
		t.Fatalf("read %d kept %d", read, kept)
	}
	sameCells(t, got, want)

	src, err := NewParquetSource([]SamplesFile{{Path: path}}, math.MinInt64, math.MaxInt64)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	got = readSource(t, src, 1)
	slices.Sort(got)
	slices.Sort(want)
	sameCells(t, got, want)
}

// TestReadSamplesBadFiles: a file that is not a samples file, or whose
// columns have the wrong types, is an error that names the file and the
// column, not a crash or a silent loss.
func TestReadSamplesBadFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, group parquet.Group, row func(col int, name string) parquet.Value) string {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		schema := parquet.NewSchema(name, group)
		w := parquet.NewWriter(f, schema)
		var r parquet.Row
		for col, p := range schema.Columns() {
			r = append(r, row(col, p[0]))
		}
		if _, err := w.WriteRows([]parquet.Row{r}); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		f.Close()
		return path
	}
	val := func(col int, name string) parquet.Value {
		switch name {
		case ColHost:
			return parquet.ByteArrayValue([]byte("h")).Level(0, 0, col)
		case ColPID:
			return parquet.DoubleValue(1).Level(0, 0, col)
		}
		return parquet.Int64Value(1).Level(0, 0, col)
	}
	i64 := parquet.Leaf(parquet.Int64Type)
	noTS := write("nots.parquet", parquet.Group{ColHost: parquet.String(), "x": i64}, val)
	badPID := write("badpid.parquet", parquet.Group{ColHost: parquet.String(), ColTS: i64, ColPID: parquet.Leaf(parquet.DoubleType)}, val)
	millis := write("millis.parquet", parquet.Group{ColHost: parquet.String(), ColTS: parquet.Timestamp(parquet.Millisecond)}, val)
	hostless := write("hostless.parquet", parquet.Group{ColTS: i64}, val)
	truncated := filepath.Join(dir, "truncated.parquet")
	data, _ := os.ReadFile(hostless)
	writeFile(t, truncated, data[:len(data)-9])
	cases := []struct {
		path, host, want string
	}{
		{noTS, "", "no ts column"},
		{badPID, "", "column pid is DOUBLE, want INT64"},
		{millis, "", "want microseconds"},
		{hostless, "", "no host column and no host=… partition"},
		{truncated, "h", "truncated.parquet"},
		{filepath.Join(dir, "absent.parquet"), "h", "absent.parquet"},
	}
	for _, c := range cases {
		_, _, err := ReadSamples(SampleSource{Path: c.path, Host: c.host, HostIndex: func(string) int32 { return 0 }},
			func(*Batch) error { return nil })
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), filepath.Base(c.path)) {
			t.Errorf("ReadSamples(%s): %v, want an error with %q", filepath.Base(c.path), err, c.want)
		}
		_, err = NewParquetSource([]SamplesFile{{Path: c.path, Host: c.host}}, math.MinInt64, math.MaxInt64)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewParquetSource(%s): %v, want an error with %q", filepath.Base(c.path), err, c.want)
		}
	}
	// the file's hosts must be in the host table; an error from emit
	// stops the read and is returned
	g := newSampleGen(1, 3, 5, 0)
	good := filepath.Join(dir, "good.parquet")
	writeFile(t, good, writeSamples(t, g.hosts, genBatches(g, 3000)))
	_, _, err := ReadSamples(SampleSource{Path: good, HostIndex: func(string) int32 { return -1 }}, func(*Batch) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "not in the host table") {
		t.Errorf("a host outside the host table: %v", err)
	}
	n := 0
	_, _, err = ReadSamples(SampleSource{Path: good, HostIndex: func(string) int32 { return 0 }}, func(*Batch) error {
		n++
		return io.ErrClosedPipe
	})
	if !errors.Is(err, io.ErrClosedPipe) || n != 1 {
		t.Errorf("emit failing: %v after %d batches", err, n)
	}
}

// BenchmarkReadSamples reads a time-sliced samples file of 256Ki rows (16
// hosts, written host by host as a run does, with the slice width a run
// chooses) through a ParquetSource, handing every record to ViewOf as
// agg.Run does: its row groups on one goroutine, then on GOMAXPROCS. The
// bytes are the file's.
func BenchmarkReadSamples(b *testing.B) {
	const hosts, perHost = 16, 16384
	path := filepath.Join(b.TempDir(), "samples.parquet")
	g := newSampleGen(1, hosts, perHost, 0)
	span := int64(perHost) * 10e6
	var buf bytes.Buffer
	w, err := NewSamplesWriter(&buf, g.hosts, WithTimeSlices(SliceWidth(span, hosts*perHost)))
	if err != nil {
		b.Fatal(err)
	}
	batch := NewBatch()
	for range hosts * perHost / BatchRows {
		g.fill(batch, BatchRows)
		var v View
		batch.View(&v)
		if err := w.WriteViews([]View{v}); err != nil {
			b.Fatal(err)
		}
		batch.Reset()
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	writeFile(b, path, buf.Bytes())
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.SetBytes(int64(buf.Len()))
			b.ReportAllocs()
			var rows atomic.Int64
			for b.Loop() {
				src, err := NewParquetSource([]SamplesFile{{Path: path}}, math.MinInt64, math.MaxInt64)
				if err != nil {
					b.Fatal(err)
				}
				if err := readUnits(src, workers, &rows); err != nil {
					b.Fatal(err)
				}
				src.Close()
			}
			b.ReportMetric(float64(rows.Load())/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// readUnits reads every unit of src on workers goroutines, counting rows.
func readUnits(src Source, workers int, rows *atomic.Int64) error {
	var next atomic.Int64
	var g errgroup.Group
	for range workers {
		g.Go(func() error {
			rd := src.NewReader()
			var v View
			for {
				i := int(next.Add(1) - 1)
				if i >= len(src.Units()) {
					return nil
				}
				err := rd.ReadUnit(context.Background(), i, func(rec arrow.RecordBatch) error {
					rows.Add(rec.NumRows())
					return ViewOf(rec, &v)
				})
				if err != nil {
					return err
				}
			}
		})
	}
	return g.Wait()
}

// TestReadSamplesCorruptPage: a damaged page (its header, or its
// compressed values) in the middle of a row group is an error naming the
// row group and the column, the read stops there, and the batch being
// filled goes back to the pool clean.
func TestReadSamplesCorruptPage(t *testing.T) {
	g := newSampleGen(2, 3, 50, 0)
	bs := genBatches(g, 9000)
	data := writeSamples(t, g.hosts, bs, WithRowGroupRows(3000), withPageRows(1000))
	pf, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	col := NumHeaderCols + 40
	md := pf.Metadata().RowGroups[1].Columns[col].MetaData
	off := md.DataPageOffset + 40 // in the first page's compressed values
	hdr := bytes.Clone(data)
	for i := range 8 {
		hdr[md.DataPageOffset+int64(i)] = 0xff
	}
	body := bytes.Clone(data)
	for i := range 8 {
		body[off+int64(i)] ^= 0x5a
	}
	for name, file := range map[string][]byte{"header": hdr, "body": body} {
		path := filepath.Join(t.TempDir(), name+".parquet")
		writeFile(t, path, file)
		rows := 0
		_, _, err := ReadSamples(SampleSource{Path: path, HostIndex: func(string) int32 { return 0 }}, func(b *Batch) error {
			rows += b.Len
			return nil
		})
		want := fmt.Sprintf("row group 1: column %s", Metrics[col-NumHeaderCols].Name)
		if err == nil || !strings.Contains(err.Error(), want) || rows > 3000+BatchRows {
			t.Fatalf("%s: %v after %d rows, want an error with %q", name, err, rows, want)
		}
		b := GetBatch()
		for k := range 2 + len(b.Cols) {
			if c := numberColumn(b, k); c.NullCount(BatchRows) != BatchRows {
				t.Fatalf("a pooled batch has values in column %d", k)
			}
		}
		for _, s := range b.strings() {
			if len(s.Offsets) != 1 || len(s.Data) != 0 {
				t.Fatal("a pooled batch has strings")
			}
		}
		batchPool.Put(b)
	}
}
