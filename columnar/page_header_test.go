package columnar

import (
	"bytes"
	"math"
	"testing"

	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// TestPageHeaderBytes checks the hand-encoded page headers against
// parquet-go's thrift encoder, and that a crc of 0, which that encoder
// leaves out, is written and decodes.
func TestPageHeaderBytes(t *testing.T) {
	var hdr bytes.Buffer
	henc := thrift.NewEncoder(new(thrift.CompactProtocol).NewWriter(&hdr))
	encode := func(p *format.PageHeader) []byte {
		t.Helper()
		hdr.Reset()
		if err := henc.Encode(p); err != nil {
			t.Fatal(err)
		}
		return hdr.Bytes()
	}
	decode := func(b []byte) *format.PageHeader {
		t.Helper()
		var p format.PageHeader
		if err := thrift.NewDecoder(new(thrift.CompactProtocol).NewReader(bytes.NewReader(b))).Decode(&p); err != nil {
			t.Fatal(err)
		}
		return &p
	}
	vals := []int32{0, 1, 2, 63, 64, 127, 128, 4096, 1 << 20, math.MaxInt32}
	crcs := []uint32{1, 0x7fffffff, 0x80000000, 0xffffffff, 0xcbf43926}
	for i, a := range vals {
		b, c := vals[(i+3)%len(vals)], vals[(i+7)%len(vals)]
		crc := crcs[i%len(crcs)]
		for _, enc := range []format.Encoding{format.Plain, format.RLEDictionary, format.DeltaBinaryPacked, format.ByteStreamSplit} {
			for _, comp := range []bool{false, true} {
				want := encode(&format.PageHeader{
					Type: format.DataPageV2, UncompressedPageSize: a, CompressedPageSize: b, CRC: int32(crc),
					DataPageHeaderV2: thrift.New(format.DataPageHeaderV2{
						NumValues: c, NumNulls: b, NumRows: a, Encoding: enc,
						DefinitionLevelsByteLength: c, IsCompressed: thrift.New(comp),
					}),
				})
				h := dataPageV2Header{uncompressed: a, compressed: b, crc: crc, values: c, nulls: b, rows: a, encoding: enc, defLen: c, isCompressed: comp}
				if got := appendDataPageV2Header(nil, &h); !bytes.Equal(got, want) {
					t.Fatalf("data page %+v: got %x, want %x", h, got, want)
				}
				h.crc = 0
				p := decode(appendDataPageV2Header(nil, &h))
				if p.CRC != 0 || p.CompressedPageSize != b || !p.DataPageHeaderV2.Valid || p.DataPageHeaderV2.V.NumNulls != b {
					t.Fatalf("data page %+v with crc 0 decodes as %+v", h, p)
				}
			}
		}
		want := encode(&format.PageHeader{
			Type: format.DictionaryPage, UncompressedPageSize: a, CompressedPageSize: b, CRC: int32(crc),
			DictionaryPageHeader: thrift.New(format.DictionaryPageHeader{NumValues: c, Encoding: format.Plain}),
		})
		if got := appendDictPageHeader(nil, a, b, c, crc); !bytes.Equal(got, want) {
			t.Fatalf("dictionary page %d %d %d %x: got %x, want %x", a, b, c, crc, got, want)
		}
		p := decode(appendDictPageHeader(nil, a, b, c, 0))
		if p.CRC != 0 || p.CompressedPageSize != b || !p.DictionaryPageHeader.Valid || p.DictionaryPageHeader.V.NumValues != c {
			t.Fatalf("dictionary page %d %d %d with crc 0 decodes as %+v", a, b, c, p)
		}
	}
}
