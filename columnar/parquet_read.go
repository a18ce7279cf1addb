package columnar

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/parquet-go/parquet-go"
)

// SampleSource says where the rows of a samples file go.
type SampleSource struct {
	Path string
	// Host is the host of every row for a file without a host column (a
	// host=… partition); ignored when the file has one.
	Host string
	// HostIndex maps a host name to its index in the run's host table.
	HostIndex func(name string) int32
	// Keep filters rows by timestamp; nil keeps all.
	Keep func(ts int64) bool
}

// ReadSamples reads a samples.parquet file written by SamplesWriter (or
// one of its partitions) back into batches and hands each full batch to
// emit; to keep one after emit returns, Retain it (or its Record). It
// returns the rows read and the rows kept.
func ReadSamples(src SampleSource, emit func(*Batch) error) (read, kept int64, err error) {
	f, err := os.Open(src.Path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, 0, err
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w", src.Path, err)
	}
	schema := pf.Schema()
	setters, hasHost, err := sampleSetters(schema)
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w", src.Path, err)
	}
	if !hasHost && src.Host == "" {
		return 0, 0, fmt.Errorf("%s: no host column and no host=… partition", src.Path)
	}
	r := parquet.NewGenericReader[any](f, schema)
	defer r.Close()

	b := GetBatch()
	b.Retain(1)
	defer func() { b.Release() }()
	rows := make([]parquet.Row, 256)
	var lastHost []byte
	lastIdx := int32(-1)
	if !hasHost {
		lastIdx = src.HostIndex(src.Host)
	}
	for {
		n, rerr := r.ReadRows(rows)
		for _, row := range rows[:n] {
			read++
			i := b.Len
			ts := int64(0)
			for _, v := range row {
				switch set := setters[v.Column()]; set.kind {
				case setTS:
					ts = v.Int64()
				case setHost:
					if hb := v.ByteArray(); lastIdx < 0 || !bytes.Equal(hb, lastHost) {
						lastHost = append(lastHost[:0], hb...)
						lastIdx = src.HostIndex(string(hb))
					}
				case setString:
					set.str(b).Append(v.ByteArray())
				case setInt:
					if !v.IsNull() {
						set.col(b).SetInt(i, v.Int64())
					}
				case setFloat:
					if !v.IsNull() {
						set.col(b).SetFloat(i, v.Double())
					}
				}
			}
			if src.Keep != nil && !src.Keep(ts) {
				b.ClearRow(i)
				continue
			}
			b.TS[i], b.Host[i] = ts, lastIdx
			b.Len++
			kept++
			if b.Full() {
				if err := emit(b); err != nil {
					return read, kept, err
				}
				b.Release() // a fresh batch: emit may have kept this one
				b = GetBatch()
				b.Retain(1)
			}
		}
		if rerr != nil {
			if errors.Is(rerr, io.EOF) {
				break
			}
			return read, kept, fmt.Errorf("%s: %w", src.Path, rerr)
		}
	}
	if b.Len > 0 {
		if err := emit(b); err != nil {
			return read, kept, err
		}
	}
	return read, kept, nil
}

type setKind uint8

const (
	setSkip setKind = iota
	setTS
	setHost
	setString
	setInt
	setFloat
)

type setter struct {
	kind setKind
	str  func(*Batch) *Strings
	col  func(*Batch) *Column
}

// sampleSetters maps the file's leaf columns to batch columns.
func sampleSetters(schema *parquet.Schema) ([]setter, bool, error) {
	metric := map[string]int{}
	for i, m := range Metrics {
		metric[m.Name] = i
	}
	var out []setter
	hasHost, hasTS := false, false
	for _, path := range schema.Columns() {
		var s setter
		switch name := path[0]; name {
		case "host":
			s.kind, hasHost = setHost, true
		case "ts":
			s.kind, hasTS = setTS, true
		case "level":
			s = setter{kind: setString, str: func(b *Batch) *Strings { return &b.Level }}
		case "pod":
			s = setter{kind: setString, str: func(b *Batch) *Strings { return &b.Pod }}
		case "trace_id":
			s = setter{kind: setString, str: func(b *Batch) *Strings { return &b.TraceID }}
		case "cluster":
			s = setter{kind: setString, str: func(b *Batch) *Strings { return &b.Cluster }}
		case "pid":
			s = setter{kind: setInt, col: func(b *Batch) *Column { return &b.PID }}
		case "tid":
			s = setter{kind: setInt, col: func(b *Batch) *Column { return &b.TID }}
		default:
			m, ok := metric[name]
			if !ok {
				break // a column this version does not know: ignored
			}
			s = setter{kind: setInt, col: func(b *Batch) *Column { return &b.Cols[m] }}
			if Metrics[m].Kind == Float {
				s.kind = setFloat
			}
		}
		out = append(out, s)
	}
	if !hasTS {
		return nil, false, errors.New("not a samples file: no ts column")
	}
	return out, hasHost, nil
}

// SampleHosts returns the distinct values of a samples file's host
// column (nil for a file without one).
func SampleHosts(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	col := -1
	for i, p := range pf.Schema().Columns() {
		if p[0] == "host" {
			col = i
		}
	}
	if col < 0 {
		return nil, nil
	}
	seen := map[string]bool{}
	var out []string
	vals := make([]parquet.Value, 1024)
	for _, rg := range pf.RowGroups() {
		pages := rg.ColumnChunks()[col].Pages()
		for {
			p, err := pages.ReadPage()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				pages.Close()
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			vr := p.Values()
			for {
				n, err := vr.ReadValues(vals)
				for _, v := range vals[:n] {
					if h := string(v.ByteArray()); !seen[h] {
						seen[h] = true
						out = append(out, h)
					}
				}
				if errors.Is(err, io.EOF) || n == 0 {
					break
				}
				if err != nil {
					pages.Close()
					return nil, fmt.Errorf("%s: %w", path, err)
				}
			}
			parquet.Release(p)
		}
		pages.Close()
	}
	return out, nil
}
