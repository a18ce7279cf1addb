package columnar

import (
	"context"

	"fmt"
	"github.com/apache/arrow-go/v18/arrow"
	"maps"
	"slices"
	"sync"
)

// SamplesFile is one samples file to read back: DIR/samples.parquet of a
// run, or one file of a host=… partition (Host set).
type SamplesFile struct {
	Path string
	Host string // the partition's host; "" when the file has a host column
}

// ParquetSource reads samples files written by SamplesWriter back as a
// Source, so a report can be built from `resreport convert` outputs with
// the same pipeline as from logs. Each file is a unit holding the hosts of
// its host column (or of its partition); files are ordered by their first
// host, then path.
type ParquetSource struct {
	files       []SamplesFile
	hosts       []string
	dict        *HostDict
	index       map[string]int32
	units       []Unit
	since, till int64

	mu    sync.Mutex
	stats []FileRows // per file
}

// FileRows is the accounting of one samples file.
type FileRows struct {
	Read, Kept int64
	Err        error
}

// NewParquetSource plans the files: it reads each file's host column (or
// takes the partition's host) to build the host table. Rows are kept when
// since <= ts < until.
func NewParquetSource(files []SamplesFile, since, until int64) (*ParquetSource, error) {
	s := &ParquetSource{since: since, till: until, index: map[string]int32{}}
	fileHosts := make([][]string, len(files))
	set := map[string]bool{}
	for i, f := range files {
		hs := []string{f.Host}
		if f.Host == "" {
			var err error
			if hs, err = SampleHosts(f.Path); err != nil {
				return nil, err
			}
		}
		fileHosts[i] = hs
		for _, h := range hs {
			set[h] = true
		}
	}
	s.hosts = slices.Sorted(maps.Keys(set))
	s.dict = NewHostDict(s.hosts)
	for i, h := range s.hosts {
		s.index[h] = int32(i)
	}
	order := make([]int, len(files))
	for i := range order {
		order[i] = i
	}
	units := make([]Unit, len(files))
	for i, hs := range fileHosts {
		for _, h := range hs {
			units[i].Hosts = append(units[i].Hosts, s.index[h])
		}
		slices.Sort(units[i].Hosts)
	}
	first := func(i int) int32 {
		if len(units[i].Hosts) == 0 {
			return -1
		}
		return units[i].Hosts[0]
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if d := first(a) - first(b); d != 0 {
			return int(d)
		}
		return compareStrings(files[a].Path, files[b].Path)
	})
	for _, i := range order {
		s.files = append(s.files, files[i])
		s.units = append(s.units, units[i])
	}
	s.stats = make([]FileRows, len(s.files))
	return s, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Hosts returns the host table: every host of every file, sorted.
func (s *ParquetSource) Hosts() []string { return s.hosts }

// Units describes the files, in reading order.
func (s *ParquetSource) Units() []Unit { return s.units }

// Files returns the files in unit order.
func (s *ParquetSource) Files() []SamplesFile { return s.files }

// Stats returns the accounting per file, in unit order.
func (s *ParquetSource) Stats() []FileRows {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.stats)
}

// NewReader returns a reader; files are read whole, so it holds nothing.
func (s *ParquetSource) NewReader() UnitReader { return s }

// ReadUnit reads file i. A file that cannot be read is an error: unlike a
// log line, a damaged samples file is not a partial input to go on with.
func (s *ParquetSource) ReadUnit(ctx context.Context, i int, emit func(arrow.RecordBatch) error) error {
	f := s.files[i]
	read, kept, err := ReadSamples(SampleSource{
		Path: f.Path, Host: f.Host, HostIndex: func(h string) int32 { return s.index[h] },
		Window: &TimeWindow{s.since, s.till},
	}, func(b *Batch) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec := b.Record(s.dict)
		defer rec.Release()
		return emit(rec)
	})
	s.mu.Lock()
	s.stats[i] = FileRows{Read: read, Kept: kept, Err: err}
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("read %s: %w", f.Path, err)
	}
	return nil
}
