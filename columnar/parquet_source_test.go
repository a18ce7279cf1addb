package columnar

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

// readSource reads every unit of src on workers goroutines, each with its
// own reader, and returns the cells of the rows. It checks that every row
// of a unit is of one of the unit's hosts.
func readSource(t *testing.T, src *ParquetSource, workers int) []string {
	t.Helper()
	hosts, units := src.Hosts(), src.Units()
	per := make([][]string, len(units))
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Go(func() {
			rd := src.NewReader()
			var v View
			for {
				i := int(next.Add(1) - 1)
				if i >= len(units) {
					return
				}
				err := rd.ReadUnit(context.Background(), i, func(rec arrow.RecordBatch) error {
					if err := ViewOf(rec, &v); err != nil {
						return err
					}
					b := viewBatch(&v)
					defer b.Release()
					for r := range b.Len {
						if _, ok := slices.BinarySearch(units[i].Hosts, b.Host[r]); !ok {
							return fmt.Errorf("unit %d: host %s not in the unit's hosts %v", i, hosts[b.Host[r]], units[i].Hosts)
						}
						per[i] = append(per[i], cells(b, r, hosts))
					}
					return nil
				})
				if err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var out []string
	for _, cs := range per {
		out = append(out, cs...)
	}
	return out
}

// viewBatch copies a view into a batch, for cells.
func viewBatch(v *View) *Batch {
	b := GetBatch()
	b.Retain(1)
	for i := range v.Len {
		appendRow(b, v, i)
	}
	return b
}

// appendRow appends row i of v to b.
func appendRow(b *Batch, v *View, i int) {
	r := b.Len
	b.Host[r], b.TS[r] = v.Host[i], v.TS[i]
	for k, s := range v.strings() {
		b.strings()[k].Append(s.Value(i))
	}
	for k := range 2 + len(b.Cols) {
		c, cv := numberColumn(b, k), &v.PID
		switch {
		case k == 1:
			cv = &v.TID
		case k > 1:
			cv = &v.Cols[k-2]
		}
		switch {
		case !cv.IsValid(i):
		case c.Kind == Int:
			c.SetInt(r, cv.Ints[i])
		default:
			c.SetFloat(r, cv.Floats[i])
		}
	}
	b.Len++
}

// TestParquetSourceEveryCell reads, as one source, a time-sliced samples
// file of 12 hosts in chunks of a few hosts and a Hive-partitioned set of
// 5 more (files without a host column, split by date), with and without
// a time window, on several goroutines: every cell is read back once,
// every row within its unit's hosts; units are row groups ordered by
// first host, and those of the sliced file hold exactly the hosts of
// their row group (the host table is sorted, every host has rows).
func TestParquetSourceEveryCell(t *testing.T) {
	dir := t.TempDir()
	g := newSampleGen(7, 12, 1440*2, 0.08) // host by host, as a run writes them
	slices.Sort(g.hosts)                   // host index order = name order, as a run's host table
	bs := genBatches(g, 12*1440*2)
	sliced := filepath.Join(dir, "run", "samples.parquet")
	writeFile(t, sliced, writeViews(t, g.hosts, bs, WithTimeSlices(2*3600e6), WithRowGroupRows(3000), withPageRows(1000)))
	files := []SamplesFile{{Path: sliced}}

	p := newSampleGen(8, 5, 200, 0.08)
	for h := range p.hosts {
		p.hosts[h] = fmt.Sprintf("part-%d", h) // not among the sliced file's hosts
	}
	pbs := genBatches(p, 5*200*4)
	mid := pbs[len(pbs)/2].TS[0]
	for h, name := range p.hosts {
		for d, keep := range []func(int64) bool{func(ts int64) bool { return ts < mid }, func(ts int64) bool { return ts >= mid }} {
			path := filepath.Join(dir, "parts", fmt.Sprintf("date=%d", d), "host="+name, "part-00000.parquet")
			writeFile(t, path, writePartition(t, pbs, int32(h), keep))
			files = append(files, SamplesFile{Path: path, Host: name})
		}
	}
	hosts := append(slices.Clone(g.hosts), p.hosts...)
	slices.Sort(hosts)

	first, last := bs[0].TS[0], bs[len(bs)-1].TS[bs[len(bs)-1].Len-1]
	for _, w := range []TimeWindow{AllTime, {first + (last-first)/3, first + (last-first)*3/5}} {
		src, err := NewParquetSource(files, w.Since, w.Until)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(src.Hosts(), hosts) {
			t.Fatalf("hosts %v, want %v", src.Hosts(), hosts)
		}
		checkUnits(t, src, sliced, bs, g.hosts, w)
		want := append(batchCells(bs, g.hosts, w), batchCells(pbs, p.hosts, w)...)
		got := readSource(t, src, 3)
		slices.Sort(got)
		slices.Sort(want)
		sameCells(t, got, want)
		var read, kept int64
		for _, r := range src.Stats() {
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			read, kept = read+r.Read, kept+r.Kept
		}
		if total := int64(12*1440*2 + 5*200*4); read != total || kept != int64(len(want)) {
			t.Fatalf("read %d kept %d, want %d and %d", read, kept, total, len(want))
		}
		if err := src.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// checkUnits checks the units' order, and that those of the sliced file
// are its row groups in the window, with exactly their hosts.
func checkUnits(t *testing.T, src *ParquetSource, sliced string, bs []*Batch, hosts []string, w TimeWindow) {
	t.Helper()
	units := src.Units()
	for i := 1; i < len(units); i++ {
		if units[i].Hosts[0] < units[i-1].Hosts[0] {
			t.Fatalf("unit %d starts at host %d, after unit %d at %d", i, units[i].Hosts[0], i-1, units[i-1].Hosts[0])
		}
	}
	sf, err := openSampleFile(sliced)
	if err != nil {
		t.Fatal(err)
	}
	defer sf.Close()
	var want [][]int32 // per row group in the window: its hosts, in the source's table
	for g := range sf.pf.RowGroups() {
		if sf.tsBounds(g, &w) == outside {
			continue
		}
		names, err := sf.scanHosts(g)
		if err != nil {
			t.Fatal(err)
		}
		var hs []int32
		for _, n := range names {
			hs = append(hs, int32(slices.Index(src.Hosts(), n)))
		}
		slices.Sort(hs)
		want = append(want, hs)
	}
	var got [][]int32
	for i, u := range units {
		if src.files[src.groups[i].file].Path == sliced {
			got = append(got, u.Hosts)
		}
	}
	if len(want) < 4 || len(got) != len(want) {
		t.Fatalf("%d units of the sliced file, want %d (>= 4)", len(got), len(want))
	}
	slices.SortStableFunc(want, func(a, b []int32) int { return int(a[0] - b[0]) })
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Fatalf("unit %d of the sliced file: hosts %v, want %v", i, got[i], want[i])
		}
	}
}

// writePartition writes the rows of host h that keep selects as a file
// without a host column.
func writePartition(t *testing.T, bs []*Batch, h int32, keep func(int64) bool) []byte {
	t.Helper()
	var part []*Batch
	for _, b := range bs {
		o := NewBatch()
		var v View
		b.View(&v)
		for i := range b.Len {
			if b.Host[i] == h && keep(b.TS[i]) {
				appendRow(o, &v, i)
			}
		}
		if o.Len > 0 {
			part = append(part, o)
		}
	}
	return writeSamples(t, nil, part)
}

// TestParquetSourcePrunes: row groups wholly outside the window are not
// units (their rows count as read), those wholly inside are read without
// a filter, those across its edges are filtered.
func TestParquetSourcePrunes(t *testing.T) {
	g := newSampleGen(9, 4, 2000, 0)
	bs := genBatches(g, 4*2000)
	path := filepath.Join(t.TempDir(), "samples.parquet")
	writeFile(t, path, writeViews(t, g.hosts, bs, WithTimeSlices(3600e6), WithRowGroupRows(2000)))
	sf, err := openSampleFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lo, hi []int64 // per row group (one per hour slice, in time order)
	for _, rg := range sf.pf.RowGroups() {
		a, b, _ := chunkBounds(rg.ColumnChunks()[sf.ts])
		lo, hi = append(lo, a.Int64()), append(hi, b.Int64())
	}
	sf.Close()
	if len(lo) < 6 {
		t.Fatalf("%d row groups", len(lo))
	}
	// Windows with exact edges: from the first ts of row group 2 to the
	// last of 4 (4 straddles by one row), from the last ts of 1 to the
	// first of 5 (1 straddles by one row, 5 is outside).
	for _, c := range []struct {
		w                 TimeWindow
		units, unfiltered int
	}{
		{TimeWindow{lo[2], hi[4]}, 3, 2},
		{TimeWindow{hi[1], lo[5]}, 4, 3},
	} {
		src, err := NewParquetSource([]SamplesFile{{Path: path}}, c.w.Since, c.w.Until)
		if err != nil {
			t.Fatal(err)
		}
		unfiltered := 0
		for _, u := range src.groups {
			if !u.filter {
				unfiltered++
			}
		}
		if len(src.Units()) != c.units || unfiltered != c.unfiltered {
			t.Fatalf("%+v: %d row groups read, %d without a filter; want %d and %d", c.w, len(src.Units()), unfiltered, c.units, c.unfiltered)
		}
		got := readSource(t, src, 2)
		want := batchCells(bs, g.hosts, c.w)
		slices.Sort(got)
		slices.Sort(want)
		sameCells(t, got, want)
		if r := src.Stats()[0]; r.Read != 4*2000 || r.Kept != int64(len(want)) {
			t.Fatalf("read %d kept %d", r.Read, r.Kept)
		}
		src.Close()
	}
}
