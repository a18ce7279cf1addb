package columnar

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// pageSpan is where a page lies in a file: its header from hdr, its data
// (what the header's crc covers) from data to end.
type pageSpan struct {
	group, column  int
	hdr, data, end int64
	header         format.PageHeader
}

// pageSpans walks the pages of every column chunk of a Parquet file.
func pageSpans(t testing.TB, file []byte) []pageSpan {
	t.Helper()
	pf, err := parquet.OpenFile(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	var out []pageSpan
	for g, rg := range pf.Metadata().RowGroups {
		for c, cc := range rg.Columns {
			md := cc.MetaData
			off := md.DataPageOffset
			if md.DictionaryPageOffset != 0 {
				off = md.DictionaryPageOffset
			}
			end := off + md.TotalCompressedSize
			for off < end {
				p := pageSpan{group: g, column: c, hdr: off}
				r := bytes.NewReader(file[off:end])
				if err := thrift.NewDecoder(new(thrift.CompactProtocol).NewReader(r)).Decode(&p.header); err != nil {
					t.Fatalf("row group %d column %d: page header at %d: %v", g, c, off, err)
				}
				p.data = end - int64(r.Len())
				p.end = p.data + int64(p.header.CompressedPageSize)
				out = append(out, p)
				off = p.end
			}
		}
	}
	return out
}

// withHeader returns file with the header of page p replaced by h, which
// must encode to as many bytes (so that no offset moves), and whether it
// does.
func withHeader(file []byte, p pageSpan, h *format.PageHeader) ([]byte, bool) {
	var buf bytes.Buffer
	if err := thrift.NewEncoder(new(thrift.CompactProtocol).NewWriter(&buf)).Encode(h); err != nil {
		panic(err)
	}
	if int64(buf.Len()) != p.data-p.hdr {
		return nil, false
	}
	out := bytes.Clone(file)
	copy(out[p.hdr:], buf.Bytes())
	return out, true
}

// readDirect reads a samples file with ReadSamples and returns the cells
// of its rows.
func readDirect(path string, hosts []string) (out []string, err error) {
	index := map[string]int32{}
	for i, h := range hosts {
		index[h] = int32(i)
	}
	_, _, err = ReadSamples(SampleSource{Path: path, HostIndex: func(h string) int32 {
		if i, ok := index[h]; ok {
			return i
		}
		return -1
	}}, func(b *Batch) error {
		for i := range b.Len {
			out = append(out, cells(b, i, hosts))
		}
		return nil
	})
	return out, err
}

// readUnitsOf reads a samples file through a ParquetSource, its units in
// order on one goroutine, as a run does, and returns the cells of its rows.
func readUnitsOf(path string) (out []string, err error) {
	src, err := NewParquetSource([]SamplesFile{{Path: path}}, math.MinInt64, math.MaxInt64)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	rd := src.NewReader()
	var v View
	for i := range src.Units() {
		err := rd.ReadUnit(context.Background(), i, func(rec arrow.RecordBatch) error {
			if err := ViewOf(rec, &v); err != nil {
				return err
			}
			b := viewBatch(&v)
			defer b.Release()
			for r := range b.Len {
				out = append(out, cells(b, r, src.Hosts()))
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// TestReadSamplesDecoderPanic: a page header whose num_nulls exceeds its
// num_values makes parquet-go's decoder panic (a negative buffer size);
// ReadSamples and a ParquetSource return an error that names the file,
// the row group, the column and the page instead.
func TestReadSamplesDecoderPanic(t *testing.T) {
	g := newSampleGen(4, 3, 40, 0.1)
	bs := genBatches(g, 6000)
	file := writeSamples(t, g.hosts, bs, WithRowGroupRows(3000), withPageRows(1000))
	var bad []byte
	var at pageSpan
	for _, p := range pageSpans(t, file) {
		v2 := p.header.DataPageHeaderV2
		if p.group != 1 || !v2.Valid || v2.V.Encoding != format.DeltaBinaryPacked {
			continue
		}
		h := p.header
		h.DataPageHeaderV2.V.NumNulls = v2.V.NumValues + 64
		var ok bool
		if bad, ok = withHeader(file, p, &h); ok {
			at = p
			break
		}
	}
	if bad == nil {
		t.Fatal("no DELTA_BINARY_PACKED page whose num_nulls can be changed in place")
	}
	path := filepath.Join(t.TempDir(), "samples.parquet")
	writeFile(t, path, bad)
	col := fileColumnName(t, file, at.column)
	_, errDirect := readDirect(path, g.hosts)
	_, errUnits := readUnitsOf(path)
	for i, err := range []error{errDirect, errUnits} {
		for _, want := range []string{path, "row group 1", "column " + col, "page ", "panicked"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("reader %d: got %v, want an error with %q", i, err, want)
			}
		}
	}
}

// fileColumnName returns the name of leaf column c of a Parquet file.
func fileColumnName(t testing.TB, file []byte, c int) string {
	t.Helper()
	pf, err := parquet.OpenFile(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(pf.Schema().Columns()[c][0])
}
