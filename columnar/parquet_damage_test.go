package columnar

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	arrowpq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
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

// TestPageCRC checks that every page of a samples file (compressed and
// stored pages, dictionaries) and of a table file carries the CRC-32 of
// its bytes after the header.
func TestPageCRC(t *testing.T) {
	var files [][]byte
	for _, noisy := range []bool{false, true} {
		g := newSampleGen(3, 3, 40, 0.1)
		g.noisy = noisy
		files = append(files, writeSamples(t, g.hosts, genBatches(g, 3000), WithRowGroupRows(2000), withPageRows(700)))
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, testTable(true)); err != nil {
		t.Fatal(err)
	}
	files = append(files, buf.Bytes())
	for i, file := range files {
		kinds := map[format.PageType]int{}
		for _, p := range pageSpans(t, file) {
			kinds[p.header.Type]++
			if got, want := uint32(p.header.CRC), crc32.ChecksumIEEE(file[p.data:p.end]); got != want {
				t.Fatalf("file %d: row group %d column %d: page at %d has crc %08x, want %08x", i, p.group, p.column, p.hdr, got, want)
			}
		}
		if kinds[format.DataPageV2] == 0 || kinds[format.DictionaryPage] == 0 {
			t.Fatalf("file %d: pages %v, want data and dictionary pages", i, kinds)
		}
	}
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

// TestReadSamplesBitFlips flips one bit at a time at pseudo-random
// offsets of small files, one of compressed pages and one of stored ones,
// and reads each with ReadSamples and through a ParquetSource. A flip in
// a page's data (what its crc covers) must be an error that names the
// file and says the page is corrupted; a flip in a page header (not
// covered) an error naming the file or the same cells. Never a panic or
// changed numbers.
func TestReadSamplesBitFlips(t *testing.T) {
	for _, noisy := range []bool{false, true} {
		t.Run(fmt.Sprintf("noisy=%v", noisy), func(t *testing.T) {
			g := newSampleGen(6, 3, 40, 0.1)
			g.noisy = noisy
			file := writeSamples(t, g.hosts, genBatches(g, 2000), WithRowGroupRows(1000), withPageRows(400))
			var data, headers []int64 // offsets of every byte of either
			for _, p := range pageSpans(t, file) {
				for off := p.hdr; off < p.end; off++ {
					if off < p.data {
						headers = append(headers, off)
					} else {
						data = append(data, off)
					}
				}
			}
			path := filepath.Join(t.TempDir(), "samples.parquet")
			writeFile(t, path, file)
			want := sortedCells(t, path, g.hosts)
			rng := rand.New(rand.NewPCG(7, uint64(len(file))))
			flip := func(offsets []int64) (off int64, bit int) {
				off, bit = offsets[rng.IntN(len(offsets))], rng.IntN(8)
				bad := bytes.Clone(file)
				bad[off] ^= 1 << bit
				writeFile(t, path, bad)
				return off, bit
			}
			for range 150 {
				off, bit := flip(data)
				_, _, errDirect := ReadSamples(SampleSource{Path: path, HostIndex: func(string) int32 { return 0 }},
					func(*Batch) error { return nil })
				for i, err := range []error{errDirect, readFlipped(path)} {
					if err == nil || !strings.Contains(err.Error(), path) || !errors.Is(err, parquet.ErrCorrupted) {
						t.Fatalf("bit %d of byte %d, reader %d: %v, want a corrupted page of %s", bit, off, i, err, path)
					}
				}
			}
			for range 50 {
				off, bit := flip(headers)
				direct, errDirect := readDirect(path, g.hosts)
				units, errUnits := readUnitsOf(path)
				slices.Sort(direct)
				slices.Sort(units)
				for i, r := range []struct {
					cells []string
					err   error
				}{{direct, errDirect}, {units, errUnits}} {
					if r.err != nil && !strings.Contains(r.err.Error(), path) || r.err == nil && !slices.Equal(r.cells, want) {
						t.Fatalf("bit %d of header byte %d, reader %d: %v, or other cells", bit, off, i, r.err)
					}
				}
			}
		})
	}
}

// sortedCells returns the cells of a samples file, sorted.
func sortedCells(t *testing.T, path string, hosts []string) []string {
	t.Helper()
	cs, err := readDirect(path, hosts)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(cs)
	return cs
}

// readFlipped reads a samples file through a ParquetSource, as a run does.
func readFlipped(path string) error {
	src, err := NewParquetSource([]SamplesFile{{Path: path}}, math.MinInt64, math.MaxInt64)
	if err != nil {
		return err
	}
	defer src.Close()
	var rows atomic.Int64
	return readUnits(src, 1, &rows)
}

// TestReadSamplesWithoutCRC reads a samples file whose pages carry no crc
// (arrow-go's writer writes none, as resreport did before): it is read,
// every cell as written.
func TestReadSamplesWithoutCRC(t *testing.T) {
	g := newSampleGen(8, 3, 40, 0.1)
	bs := genBatches(g, 5000)
	want := batchCells(bs, g.hosts, AllTime)
	hosts := NewHostDict(g.hosts)
	defer hosts.Release()
	var buf bytes.Buffer
	w, err := pqarrow.NewFileWriter(ArrowSchema(), &buf, arrowpq.NewWriterProperties(arrowpq.WithMaxRowGroupLength(2000)),
		pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		rec := b.Record(hosts)
		err := w.Write(rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	spans := pageSpans(t, buf.Bytes())
	for _, p := range spans {
		if p.header.CRC != 0 {
			t.Fatalf("row group %d column %d: a page with a crc", p.group, p.column)
		}
	}
	path := filepath.Join(t.TempDir(), "samples.parquet")
	writeFile(t, path, buf.Bytes())
	got, err := readDirect(path, g.hosts)
	if err != nil {
		t.Fatal(err)
	}
	sameCells(t, got, want)
	if got, err = readUnitsOf(path); err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	slices.Sort(want)
	sameCells(t, got, want)
}

// withFooter returns file with its footer replaced by the one edit makes
// of it (the pages stay where they are).
func withFooter(t testing.TB, file []byte, edit func(*format.FileMetaData)) []byte {
	t.Helper()
	n := int(binary.LittleEndian.Uint32(file[len(file)-8:]))
	start := len(file) - 8 - n
	var md format.FileMetaData
	if err := thrift.Unmarshal(new(thrift.CompactProtocol), file[start:len(file)-8], &md); err != nil {
		t.Fatal(err)
	}
	edit(&md)
	footer, err := thrift.Marshal(new(thrift.CompactProtocol), &md)
	if err != nil {
		t.Fatal(err)
	}
	out := append(bytes.Clone(file[:start]), footer...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(footer)))
	return append(out, parquetMagic...)
}

// TestReadSamplesDamagedFooter: no checksum covers the footer, so the
// readers check what its chunks say against the schema: a column renamed
// in the schema (else read as null) or a chunk's codec other than zstd in
// a file resreport wrote (BROTLI here: LZ4_RAW, without the check, would
// have parquet-go's decoder exhaust memory) is an error naming the file.
// The footer rewritten unchanged reads.
func TestReadSamplesDamagedFooter(t *testing.T) {
	g := newSampleGen(9, 3, 40, 0.1)
	file := writeSamples(t, g.hosts, genBatches(g, 3000), WithRowGroupRows(1000), withPageRows(400))
	object := "object_count"
	cases := []struct {
		name string
		edit func(*format.FileMetaData)
		want string // "" for none
	}{
		{"unchanged", func(*format.FileMetaData) {}, ""},
		{"renamed", func(md *format.FileMetaData) {
			for i := range md.Schema {
				if md.Schema[i].Name == object {
					md.Schema[i].Name = "objecu_count"
				}
			}
		}, "in the schema and"},
		{"codec", func(md *format.FileMetaData) { md.RowGroups[1].Columns[20].MetaData.Codec = format.Brotli }, "codec BROTLI"},
	}
	for _, c := range cases {
		path := filepath.Join(t.TempDir(), "samples.parquet")
		writeFile(t, path, withFooter(t, file, c.edit))
		_, errDirect := readDirect(path, g.hosts)
		_, errUnits := readUnitsOf(path)
		for i, err := range []error{errDirect, errUnits} {
			if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path)) {
				t.Errorf("%s: reader %d: %v, want an error with %q", c.name, i, err, c.want)
			}
		}
	}
}
