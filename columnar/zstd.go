package columnar

import (
	"sync"

	kzstd "github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go/compress/zstd"
)

// pageCodec compresses pages with klauspost's zstd encoder, as
// parquet-go's zstd.Codec does (one goroutine per encoder, no frame
// checksum, empty input as an empty frame), and optionally without
// entropy-coding the literals. The page header's crc covers the page as
// written (page_header.go); zstd's checksum would cost as much again (~0.6%
// of the writer, profiled), 4 bytes a page, and cover compressed pages only.
// parquet-go's codec cannot leave the literals raw: the samples file's
// pages are byte-stream-split doubles whose constant high bytes zstd finds
// as matches and whose low bytes are noise, and delta-packed integers of
// little redundancy; Huffman-coding their literals took ~60% of the
// codec's time on r20 for ~0.8% of the file (measured on its pages).
type pageCodec struct {
	level    zstd.Level
	literals bool // entropy-code the literals
	pool     sync.Pool
}

// codecKey selects a shared pageCodec.
type codecKey struct {
	level    zstd.Level
	literals bool
}

// pageCodecs holds one codec per configuration, shared by all files: a
// codec pools its encoders, which are costly to create.
var pageCodecs sync.Map // codecKey -> *pageCodec

func sharedPageCodec(level zstd.Level, literals bool) *pageCodec {
	c, _ := pageCodecs.LoadOrStore(codecKey{level, literals}, &pageCodec{level: level, literals: literals})
	return c.(*pageCodec)
}

// Encode appends the zstd frame of src to dst[:0].
func (c *pageCodec) Encode(dst, src []byte) ([]byte, error) {
	e, _ := c.pool.Get().(*kzstd.Encoder)
	if e == nil {
		var err error
		e, err = kzstd.NewWriter(nil,
			kzstd.WithEncoderConcurrency(1),
			kzstd.WithEncoderLevel(c.level),
			kzstd.WithZeroFrames(true),
			kzstd.WithEncoderCRC(false),
			kzstd.WithNoEntropyCompression(!c.literals),
		)
		if err != nil {
			return dst, err
		}
	}
	dst = e.EncodeAll(src, dst[:0])
	c.pool.Put(e)
	return dst, nil
}
