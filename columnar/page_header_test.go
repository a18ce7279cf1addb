package columnar

import (
	"bytes"
	"math"
	"testing"

	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// TestPageHeaderBytes checks the hand-encoded page headers against
// parquet-go's thrift encoder.
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
	vals := []int32{0, 1, 2, 63, 64, 127, 128, 4096, 1 << 20, math.MaxInt32}
	for i, a := range vals {
		b, c := vals[(i+3)%len(vals)], vals[(i+7)%len(vals)]
		for _, enc := range []format.Encoding{format.Plain, format.RLEDictionary, format.DeltaBinaryPacked, format.ByteStreamSplit} {
			for _, comp := range []bool{false, true} {
				want := encode(&format.PageHeader{
					Type: format.DataPageV2, UncompressedPageSize: a, CompressedPageSize: b,
					DataPageHeaderV2: thrift.New(format.DataPageHeaderV2{
						NumValues: c, NumNulls: b, NumRows: a, Encoding: enc,
						DefinitionLevelsByteLength: c, IsCompressed: thrift.New(comp),
					}),
				})
				h := dataPageV2Header{uncompressed: a, compressed: b, values: c, nulls: b, rows: a, encoding: enc, defLen: c, isCompressed: comp}
				if got := appendDataPageV2Header(nil, &h); !bytes.Equal(got, want) {
					t.Fatalf("data page %+v: got %x, want %x", h, got, want)
				}
			}
		}
		want := encode(&format.PageHeader{
			Type: format.DictionaryPage, UncompressedPageSize: a, CompressedPageSize: b,
			DictionaryPageHeader: thrift.New(format.DictionaryPageHeader{NumValues: c, Encoding: format.Plain}),
		})
		if got := appendDictPageHeader(nil, a, b, c); !bytes.Equal(got, want) {
			t.Fatalf("dictionary page %d %d %d: got %x, want %x", a, b, c, got, want)
		}
	}
}
