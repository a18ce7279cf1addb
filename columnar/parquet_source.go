package columnar

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/parquet-go/parquet-go"
	"golang.org/x/sync/errgroup"
)

// SamplesFile is one samples file to read back: DIR/samples.parquet of a
// run, or one file of a host=… partition (Host set).
type SamplesFile struct {
	Path string
	Host string // the partition's host; "" when the file has a host column
}

// ParquetSource reads samples files written by SamplesWriter back as a
// Source, so a report can be built from `resreport convert` outputs with
// the same pipeline as from logs. Its units are the files' row groups, so
// that all cores read one file. A unit holds the hosts its host column
// can have by its statistics: the entries of the row group's host
// dictionary between the column's min and max (the rows are sorted by
// host, so a row group covers a run of consecutive hosts), or the
// partition's host; units are ordered by their first host, then file, then
// row group. Row groups whose ts statistics lie outside the time window
// are not read at all; those inside it are read without a per-row filter.
type ParquetSource struct {
	files  []*sourceFile // in Files order
	hosts  []string
	dict   *HostDict
	index  map[string]int32
	units  []Unit
	groups []unitGroup // per unit
	window TimeWindow
	extent Extent
	unitEx []Extent // per unit
}

// Extent is what a source's statistics say of the rows to read, for
// planning a run's memory.
type Extent struct {
	First, Last int64 // smallest and largest timestamp, in the window
	UnitHosts   int   // the most hosts a unit holds
	Rows        int64 // rows to read (of the unit, in UnitExtents)
	Known       bool  // false when some row group to read has no ts statistics
}

// Extent returns the time span and the most hosts of a unit of the row
// groups to read, by their statistics.
func (s *ParquetSource) Extent() Extent { return s.extent }

// UnitExtents returns each unit's extent, aligned with Units: a unit's
// rows can make no more bins than it has rows, however wide its span (a
// clock before NTP).
func (s *ParquetSource) UnitExtents() []Extent { return s.unitEx }

// unitGroup is the row group a unit reads.
type unitGroup struct {
	file, group int
	slice       int64 // its time slice (groupPlan.slice)
	filter      bool  // the window cuts the row group: filter its rows
}

// sourceFile is a file of a ParquetSource: open while units of it are
// left, and its accounting.
type sourceFile struct {
	SamplesFile
	mu     sync.Mutex
	sf     *sampleFile
	left   int // units not done
	closed bool
	rows   FileRows
}

// FileRows is the accounting of one samples file.
type FileRows struct {
	Read, Kept int64
	Err        error
}

// groupPlan is what planning learnt of one row group.
type groupPlan struct {
	group  int
	rows   int64
	size   int64
	hosts  []string // sorted
	bounds bounds
	ts     Extent // of its ts statistics; Known false without them
	slice  int64  // the time slice it holds (see sliceOf)
}

// NewParquetSource plans the files, in parallel: it reads each file's
// footer and, for every row group, the host column's statistics and
// dictionary (or takes the partition's host) to build the host table and
// the units. Rows are kept when since <= ts < until. Close the source
// when done with it.
func NewParquetSource(files []SamplesFile, since, until int64) (*ParquetSource, error) {
	s := &ParquetSource{window: TimeWindow{since, until}, index: map[string]int32{}}
	plans := make([][]groupPlan, len(files))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, f := range files {
		g.Go(func() (err error) {
			plans[i], err = planFile(f, &s.window)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for _, p := range plans {
		for _, gp := range p {
			for _, h := range gp.hosts {
				set[h] = true
			}
		}
	}
	s.hosts = slices.Sorted(maps.Keys(set))
	s.dict = NewHostDict(s.hosts)
	for i, h := range s.hosts {
		s.index[h] = int32(i)
	}
	s.plan(files, plans)
	return s, nil
}

// plan orders the files and the units.
func (s *ParquetSource) plan(files []SamplesFile, plans [][]groupPlan) {
	first := make([]int32, len(files)) // smallest host of each file, -1 if none
	for i, p := range plans {
		first[i] = -1
		for _, gp := range p {
			if h := s.index[gp.hosts[0]]; first[i] < 0 || h < first[i] {
				first[i] = h
			}
		}
	}
	order := make([]int, len(files))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(first[a], first[b]), cmp.Compare(files[a].Path, files[b].Path))
	})
	for k, i := range order {
		f := &sourceFile{SamplesFile: files[i]}
		s.files = append(s.files, f)
		for _, gp := range plans[i] {
			if gp.bounds == outside {
				f.rows.Read += gp.rows // never read: all outside the window
				continue
			}
			u := Unit{Size: gp.size}
			for _, h := range gp.hosts {
				u.Hosts = append(u.Hosts, s.index[h])
			}
			ex := s.clip(gp.ts, len(u.Hosts), gp.rows)
			s.extend(ex, len(s.units) == 0)
			s.unitEx = append(s.unitEx, ex)
			s.units = append(s.units, u)
			s.groups = append(s.groups, unitGroup{file: k, group: gp.group, slice: gp.slice, filter: gp.bounds != inside})
			f.left++
		}
	}
	// input order (Unit.Seq): files in order, then row groups by time
	// slice; reading order: by first host, then the same
	perm := make([]int, len(s.units))
	for i := range perm {
		perm[i] = i
	}
	slices.SortStableFunc(perm, func(a, b int) int {
		ga, gb := s.groups[a], s.groups[b]
		return cmp.Or(cmp.Compare(ga.file, gb.file), cmp.Compare(ga.slice, gb.slice), cmp.Compare(ga.group, gb.group))
	})
	seq := make([]int, len(perm))
	for r, i := range perm {
		seq[i] = r
	}
	slices.SortStableFunc(perm, func(a, b int) int {
		ga, gb := s.groups[a], s.groups[b]
		return cmp.Or(cmp.Compare(s.units[a].Hosts[0], s.units[b].Hosts[0]),
			cmp.Compare(ga.file, gb.file), cmp.Compare(ga.slice, gb.slice), cmp.Compare(ga.group, gb.group))
	})
	units, groups, ex := make([]Unit, len(perm)), make([]unitGroup, len(perm)), make([]Extent, len(perm))
	for k, i := range perm {
		units[k], groups[k], ex[k] = s.units[i], s.groups[i], s.unitEx[i]
		units[k].Seq = seq[i]
	}
	s.units, s.groups, s.unitEx = units, groups, ex
}

// clip is a row group's extent in the window.
func (s *ParquetSource) clip(ts Extent, hosts int, rows int64) Extent {
	return Extent{First: max(ts.First, s.window.Since), Last: min(ts.Last, s.window.Until-1), UnitHosts: hosts, Rows: rows, Known: ts.Known}
}

// extend widens the source's extent by a row group's, ex (first: the
// first row group to read).
func (s *ParquetSource) extend(ex Extent, first bool) {
	e := &s.extent
	if first {
		*e = Extent{First: ex.First, Last: ex.Last, Known: true}
	}
	e.First, e.Last = min(e.First, ex.First), max(e.Last, ex.Last)
	e.UnitHosts = max(e.UnitHosts, ex.UnitHosts)
	e.Rows += ex.Rows
	e.Known = e.Known && ex.Known
}

// sliceOf is the time slice of a row group with timestamps ts in a file
// of slices width µs wide: the number of the slice of its first, or 0
// when either is unknown. A samples file's row groups are written as they
// fill, not in time order, and a host's rows of one bin may lie in two
// slices: read in file order, the later slice could come first, and a
// bin's samples would not be in input order (its longest gap, First and
// Last are of the input order).
func sliceOf(ts Extent, width int64) int64 {
	if !ts.Known || width <= 0 {
		return 0
	}
	return FloorDiv(ts.First, width)
}

// planFile reads what planning needs of one file's row groups.
func planFile(f SamplesFile, w *TimeWindow) ([]groupPlan, error) {
	sf, err := openSampleFile(f.Path)
	if err != nil {
		return nil, err
	}
	defer sf.Close()
	if sf.host < 0 && f.Host == "" {
		return nil, fmt.Errorf("%s: no host column and no host=… partition", f.Path)
	}
	md := sf.pf.Metadata()
	width := int64(0) // of the file's time slices, in µs; 0 when unknown
	if v, ok := sf.pf.Lookup(MetadataSliceMS); ok {
		if ms, err := strconv.ParseInt(v, 10, 64); err == nil && ms > 0 {
			width = ms * 1000
		}
	}
	var out []groupPlan
	for g, rg := range sf.pf.RowGroups() {
		if rg.NumRows() == 0 {
			continue
		}
		p := groupPlan{group: g, rows: rg.NumRows(), bounds: sf.tsBounds(g, w), ts: sf.tsExtent(g)}
		p.slice = sliceOf(p.ts, width)
		for _, c := range md.RowGroups[g].Columns {
			p.size += c.MetaData.TotalCompressedSize
		}
		if sf.host < 0 {
			p.hosts = []string{f.Host}
		} else if p.hosts, err = sf.groupHosts(g); err != nil {
			return nil, err
		}
		if len(p.hosts) == 0 {
			return nil, fmt.Errorf("%s: row group %d: %d rows and no host", f.Path, g, p.rows)
		}
		out = append(out, p)
	}
	return out, nil
}

// groupHosts returns the hosts row group g can hold, sorted: the entries
// of its host dictionary between the host column's min and max, or, when
// the chunk lacks statistics or a dictionary, the column's distinct
// values.
func (sf *sampleFile) groupHosts(g int) ([]string, error) {
	cc := sf.pf.RowGroups()[g].ColumnChunks()[sf.host]
	lo, hi, ok := chunkBounds(cc)
	if ok && bytes.Equal(lo.ByteArray(), hi.ByteArray()) {
		return []string{string(lo.ByteArray())}, nil
	}
	if ok {
		names, found, err := dictionaryRange(cc, lo.ByteArray(), hi.ByteArray())
		if err != nil {
			return nil, fmt.Errorf("%s: row group %d: host dictionary: %w", sf.path, g, err)
		}
		if found {
			return names, nil
		}
	}
	names, err := sf.scanHosts(g)
	slices.Sort(names)
	return names, err
}

// dictionaryRange returns the entries of the dictionary of column chunk
// cc between lo and hi, sorted, and whether the chunk has a dictionary.
// It reads the first data page for it, not just the dictionary page:
// parquet-go checks a page's crc when reading the pages in order, not
// through ReadDictionary.
func dictionaryRange(cc parquet.ColumnChunk, lo, hi []byte) ([]string, bool, error) {
	pages := cc.Pages()
	defer pages.Close()
	p, err := guard(pages.ReadPage)
	if errors.Is(err, io.EOF) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer parquet.Release(p)
	d := p.Dictionary()
	if d == nil {
		return nil, false, nil
	}
	vals := d.Page().Data()
	data, offs := vals.ByteArray()
	var out []string
	for i := 0; i+1 < len(offs); i++ {
		if v := data[offs[i]:offs[i+1]]; bytes.Compare(v, lo) >= 0 && bytes.Compare(v, hi) <= 0 {
			out = append(out, string(v))
		}
	}
	slices.Sort(out)
	return slices.Compact(out), true, nil
}

// Hosts returns the host table: every host of every file, sorted.
func (s *ParquetSource) Hosts() []string { return s.hosts }

// Units describes the row groups, in reading order.
func (s *ParquetSource) Units() []Unit { return s.units }

// Files returns the files, ordered by their first host, then path.
func (s *ParquetSource) Files() []SamplesFile {
	out := make([]SamplesFile, len(s.files))
	for i, f := range s.files {
		out[i] = f.SamplesFile
	}
	return out
}

// Stats returns the accounting per file, in Files order. The rows of row
// groups outside the time window count as read (and not kept).
func (s *ParquetSource) Stats() []FileRows {
	out := make([]FileRows, len(s.files))
	for i, f := range s.files {
		f.mu.Lock()
		out[i] = f.rows
		f.mu.Unlock()
	}
	return out
}

// Close closes the files still open (after a run that stopped early).
func (s *ParquetSource) Close() error {
	var errs []error
	for _, f := range s.files {
		f.mu.Lock()
		if f.sf != nil {
			errs = append(errs, f.sf.Close())
			f.sf = nil
		}
		f.closed = true
		f.mu.Unlock()
	}
	s.dict.Release()
	return errors.Join(errs...)
}

// acquire returns the open file, opening it for its first unit.
func (f *sourceFile) acquire() (*sampleFile, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sf == nil {
		if f.closed {
			return nil, errors.New("source closed")
		}
		sf, err := openSampleFile(f.Path)
		if err != nil {
			return nil, err
		}
		f.sf = sf
	}
	return f.sf, nil
}

// done accounts for one unit, closing the file after its last.
func (f *sourceFile) done(read, kept int64, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rows.Read += read
	f.rows.Kept += kept
	if err != nil && f.rows.Err == nil {
		f.rows.Err = err
	}
	if f.left--; f.left == 0 && f.sf != nil {
		f.sf.Close()
		f.sf = nil
	}
}

// NewReader returns a reader with its own decoding buffers.
func (s *ParquetSource) NewReader() UnitReader { return &parquetReader{s: s} }

// parquetReader reads units of a ParquetSource on one goroutine.
type parquetReader struct {
	s *ParquetSource
	g groupReader
}

// ReadUnit reads the row group of unit i. A row group that cannot be read
// is an error: unlike a log line, a damaged samples file is not a partial
// input to go on with.
func (r *parquetReader) ReadUnit(ctx context.Context, i int, emit func(arrow.RecordBatch) error) error {
	f := r.s.files[r.s.groups[i].file]
	read, kept, err := r.read(ctx, i, f, emit)
	f.done(read, kept, err)
	if err != nil {
		return fmt.Errorf("read %s: %w", f.Path, err)
	}
	return nil
}

func (r *parquetReader) read(ctx context.Context, i int, f *sourceFile, emit func(arrow.RecordBatch) error) (read, kept int64, err error) {
	if err := ctx.Err(); err != nil {
		return 0, 0, err
	}
	s, u := r.s, r.s.groups[i]
	sf, err := f.acquire()
	if err != nil {
		return 0, 0, err
	}
	if u.group >= len(sf.pf.RowGroups()) {
		return 0, 0, fmt.Errorf("row group %d: the file changed since it was planned", u.group)
	}
	opts := groupOptions{window: s.window, filter: u.filter}
	hosts := s.units[i].Hosts
	switch {
	case sf.host >= 0:
		opts.hostOf = func(name []byte) (int32, error) {
			h, ok := s.index[string(name)]
			if _, in := slices.BinarySearch(hosts, h); !ok || !in {
				return 0, fmt.Errorf("row group %d: host %q outside the hosts of its statistics", u.group, name)
			}
			return h, nil
		}
	case f.Host != "":
		opts.host = s.index[f.Host]
	default:
		return 0, 0, errors.New("no host column and no host=… partition")
	}
	out := func(b *Batch) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec := b.Record(s.dict)
		defer rec.Release()
		return emit(rec)
	}
	defer r.g.drop()
	if read, kept, err = r.g.read(sf, u.group, &opts, out); err != nil {
		return read, kept, err
	}
	return read, kept, r.g.flush(out)
}
