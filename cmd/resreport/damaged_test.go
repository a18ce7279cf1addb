package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"

	"github.com/resreport/resreport/bench/loggen"
)

// TestDamagedSamplesFile: report --from-parquet over a damaged
// samples.parquet (a bit flipped in a page, found by its crc, or a page
// header that made parquet-go's decoder panic on a reading goroutine)
// exits 1 with an error naming the file, the row group and the column,
// leaves the previous outputs byte-identical and leaves no temporary or
// lock file.
func TestDamagedSamplesFile(t *testing.T) {
	tmp := t.TempDir()
	logs, pq := filepath.Join(tmp, "logs"), filepath.Join(tmp, "pq")
	if _, err := loggen.Generate(logs, loggen.Options{Hosts: 3, LinesPerHost: 2000, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	if code := runCLI(t, "convert", logs, "--parquet-dir", pq, "--quiet"); code != 0 {
		t.Fatalf("convert: exit %d", code)
	}
	samples := filepath.Join(pq, "samples.parquet")
	good, err := os.ReadFile(samples)
	must(t, err)
	out := filepath.Join(tmp, "out")
	if code := runCLI(t, append([]string{"report", "--from-parquet", pq, "--quiet"}, fullOutputs(out)...)...); code != 0 {
		t.Fatalf("good run: exit %d", code)
	}
	before := snapshot(t, out)
	cases := map[string][]byte{"num_nulls > num_values": nullsPastValues(t, good), "a bit of page data": flipPageData(t, good)}
	for name, bad := range cases {
		must(t, os.WriteFile(samples, bad, 0o644))
		fresh := filepath.Join(tmp, "fresh-"+strings.ReplaceAll(name, " ", ""))
		for _, dir := range []string{out, fresh} {
			code, stderr := runCLIErr(t, append([]string{"report", "--from-parquet", pq, "--quiet"}, fullOutputs(dir)...)...)
			for _, want := range []string{samples, "row group ", "column "} {
				if code != 1 || !strings.Contains(stderr, want) {
					t.Fatalf("%s: exit %d, %q, want exit 1 and %q", name, code, stderr, want)
				}
			}
			noWorkFiles(t, dir)
			noWorkFiles(t, filepath.Join(dir, "pq"))
		}
		sameSnapshot(t, before, snapshot(t, out))
	}
}

// nullsPastValues returns file with the header of the first
// DELTA_BINARY_PACKED data page whose num_nulls can be set past its
// num_values in place (the header keeps its length) so changed.
func nullsPastValues(t *testing.T, file []byte) []byte {
	t.Helper()
	pf, err := parquet.OpenFile(bytes.NewReader(file), int64(len(file)))
	must(t, err)
	for _, rg := range pf.Metadata().RowGroups {
		for _, cc := range rg.Columns {
			off := cc.MetaData.DataPageOffset
			r := bytes.NewReader(file[off:])
			var h format.PageHeader
			must(t, thrift.NewDecoder(new(thrift.CompactProtocol).NewReader(r)).Decode(&h))
			v2 := &h.DataPageHeaderV2
			if !v2.Valid || v2.V.Encoding != format.DeltaBinaryPacked {
				continue
			}
			n := int64(len(file)-r.Len()) - off
			v2.V.NumNulls = v2.V.NumValues + 64
			var buf bytes.Buffer
			must(t, thrift.NewEncoder(new(thrift.CompactProtocol).NewWriter(&buf)).Encode(&h))
			if int64(buf.Len()) == n {
				out := bytes.Clone(file)
				copy(out[off:], buf.Bytes())
				return out
			}
		}
	}
	t.Fatal("no DELTA_BINARY_PACKED page whose num_nulls can be changed in place")
	return nil
}

// flipPageData returns file with a bit flipped in the last byte of the
// first chunk of the 20th column: the end of its last page's data.
func flipPageData(t *testing.T, file []byte) []byte {
	t.Helper()
	pf, err := parquet.OpenFile(bytes.NewReader(file), int64(len(file)))
	must(t, err)
	md := pf.Metadata().RowGroups[0].Columns[20].MetaData
	off := md.DataPageOffset
	if md.DictionaryPageOffset != 0 {
		off = md.DictionaryPageOffset
	}
	out := bytes.Clone(file)
	out[off+md.TotalCompressedSize-1] ^= 0x10
	return out
}
