package columnar

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"math/bits"
	"slices"
	"unsafe"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// maxNumDict is the most values a numeric column's dictionary holds in a
// row group; past it the column falls back to its plain encoding for the
// rest of the row group.
const maxNumDict = 8192

// columnChunk encodes one column of a row group: rows are appended in
// bulk from typed slices (never as parquet.Values), gathered into a
// pending page, and every pageRows rows the page is encoded with
// parquet-go's encoders, compressed and appended to the chunk's bytes.
// The chunk is written out when the row group is complete.
//
// Kinds of columns:
//   - INT64 and DOUBLE, required or optional, with any value encoding
//     parquet-go implements for them, or RLE_DICTIONARY: then the column
//     tries a dictionary in every row group and falls back to
//     DELTA_BINARY_PACKED (INT64) or BYTE_STREAM_SPLIT (DOUBLE) pages when
//     it grows past maxNumDict values or its first page shows it would not
//     pay;
//   - BYTE_ARRAY (UTF-8), required, dictionary-encoded, with a dictionary
//     that is either fixed (the host table: rows are indexes into it) or
//     built from the values of each row group.
type columnChunk struct {
	name     string
	kind     format.Type
	optional bool
	enc      encoding.Encoding // value encoding of the data pages
	fallback encoding.Encoding // numeric dictionary columns: when it is abandoned
	codec    *pageCodec

	// The pending page.
	rows   int
	nulls  int
	valid  []byte    // validity of the pending rows, if optional
	ints   []int64   // their non-null values
	floats []float64 // their non-null values
	idx    []int32   // their dictionary indexes

	// The dictionary of the row group of a BYTE_ARRAY column.
	fixed    bool             // set once with setDictionary; never reset
	dictMap  map[string]int32 // value -> index, for built dictionaries
	dictData []byte           // the values, concatenated
	dictOffs []uint32         // value i is dictData[dictOffs[i]:dictOffs[i+1]]
	byKey    []int32          // last index seen per key (host), -1 if none
	used     []bool           // fixed dictionary: entries used in the row group

	// The dictionary of the row group of a numeric column.
	numDict  bool    // the column tries dictionaries
	dictOn   bool    // the pending page is dictionary-encoded
	nums     numDict // the values' bits, in order of first sight
	last     uint64  // bits of the last value looked up
	lastIdx  int32   // its index, -1 if none
	dictMiss int     // row groups in a row whose dictionary was abandoned
	skipZstd int     // pages to store without trying the codec
	pageRows int     // the most rows of a page

	// The encoded row group.
	pages     pageBuf // data pages, headers included
	dictPage  []byte  // dictionary page, header included
	dictUsed  bool    // some data page refers to the dictionary
	encs      []format.Encoding
	values    int64 // rows, nulls included
	nullCount int64
	rawSize   int64 // pages and dictionary page, uncompressed
	hasStats  bool
	minI      int64
	maxI      int64
	minF      float64
	maxF      float64
}

// pageScratch holds the buffers that encode a page. Each worker goroutine
// has its own, shared by the columns it encodes.
type pageScratch struct {
	lv, ev, cv []byte // levels, encoded values, compressed values
	hb         []byte // the encoded page header
}

func newPageScratch() *pageScratch { return new(pageScratch) }

func newColumnChunk(name string, node parquet.Node, codec *pageCodec, pageRows int) (*columnChunk, error) {
	c := &columnChunk{
		name:     name,
		pageRows: pageRows,
		kind:     format.Type(node.Type().Kind()),
		optional: node.Optional(),
		enc:      node.Encoding(),
		codec:    codec,
		lastIdx:  -1,
	}
	if node.Repeated() {
		return nil, fmt.Errorf("column %s: repeated columns are not supported", name)
	}
	isDict := c.enc != nil && c.enc.Encoding() == format.RLEDictionary
	switch c.kind {
	case format.Int64, format.Double:
		switch {
		case c.enc == nil:
			c.enc = &parquet.Plain
		case isDict && c.kind == format.Int64:
			c.fallback = &parquet.DeltaBinaryPacked
		case isDict:
			// Doubles that do not repeat go out byte-stream-split: the
			// bytes of a value's same significance together, so zstd
			// finds the constant high bytes of counters and gauges (PLAIN
			// doubles of the same values barely compress).
			c.fallback = &parquet.ByteStreamSplit
		}
		if isDict {
			c.numDict, c.dictOn = true, true
		}
	case format.ByteArray:
		if c.optional || !isDict {
			return nil, fmt.Errorf("column %s: byte arrays must be required and dictionary-encoded", name)
		}
		c.dictMap = make(map[string]int32)
		c.dictOffs = []uint32{0}
	default:
		return nil, fmt.Errorf("column %s: unsupported type %s", name, c.kind)
	}
	return c, nil
}

// setDictionary fixes the dictionary of a BYTE_ARRAY column to values, for
// good: rows are then appended as indexes with appendIndexes.
func (c *columnChunk) setDictionary(values []string) {
	c.fixed = true
	c.dictMap = nil
	c.dictData = c.dictData[:0]
	c.dictOffs = c.dictOffs[:1]
	for _, v := range values {
		c.dictData = append(c.dictData, v...)
		c.dictOffs = append(c.dictOffs, uint32(len(c.dictData)))
	}
	c.used = make([]bool, len(values))
}

// appendInts appends rows off..off+n-1 of vals. valid is their validity
// bitmap, nil when none of them is null.
func (c *columnChunk) appendInts(vals []int64, valid []byte, off, n int) {
	from := len(c.ints)
	c.ints = appendNums(c, c.ints, vals, valid, off, n)
	if c.dictOn {
		c.lookupNums(c.ints[from:])
	}
}

// appendFloats is appendInts for DOUBLE columns.
func (c *columnChunk) appendFloats(vals []float64, valid []byte, off, n int) {
	from := len(c.floats)
	c.floats = appendNums(c, c.floats, vals, valid, off, n)
	if c.dictOn {
		c.lookupNums(unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(c.floats[from:]))), len(c.floats)-from))
	}
}

// appendNums appends the valid values of rows off..off+n-1 of vals to dst
// and their validity to c.
func appendNums[T int64 | float64](c *columnChunk, dst, vals []T, valid []byte, off, n int) []T {
	dst = reserve(dst, n, c.pageRows)
	if c.optional {
		c.valid = reserve(c.valid, (c.rows+n+7)/8-len(c.valid), (c.pageRows+7)/8)
	}
	if !c.optional {
		dst = append(dst, vals[off:off+n]...)
	} else if valid == nil {
		c.valid = appendOnes(c.valid, c.rows, n)
		dst = append(dst, vals[off:off+n]...)
	} else {
		var nulls int
		c.valid = appendBits(c.valid, c.rows, valid, off, n)
		dst, nulls = gatherValid(dst, vals, valid, off, n)
		c.nulls += nulls
	}
	c.rows += n
	return dst
}

// reserve returns s with room for n more elements. A slice that must grow
// doubles, from room for minReserve elements, up to a page (page
// elements) at once: growing pending pages by doubling from nothing, for
// every column of every open row group, cost ~0.1 s of a 20-host run in
// growslice (measured; row groups are reused, so they grow once), and a
// page at once made each open row group of one row hold ~250 KB (rows
// scattered over thousands of time slices took gigabytes).
func reserve[T any](s []T, n, page int) []T {
	if n <= cap(s)-len(s) {
		return s
	}
	size := max(len(s)+n, min(page, max(2*cap(s), minReserve)))
	out := make([]T, len(s), size)
	copy(out, s)
	return out
}

// minReserve is the room a pending page's values get first.
const minReserve = 64

// lookupNums appends the dictionary indexes of vals (bits of int64 or
// float64 values), adding new values to the dictionary. When it is full
// the column falls back to its plain encoding for the rest of the row
// group.
func (c *columnChunk) lookupNums(vals []int64) {
	last, lastIdx := c.last, c.lastIdx
	c.idx = reserve(c.idx, len(vals), c.pageRows)
	for _, v := range vals {
		if uint64(v) != last || lastIdx < 0 {
			k, ok := c.nums.index(v)
			if !ok || c.values == 0 && 4*c.nums.len() > c.pageRows {
				// full, or the first page cannot pass dictPays
				c.abandonDict()
				return
			}
			last, lastIdx = uint64(v), k
		}
		c.idx = append(c.idx, lastIdx)
	}
	c.last, c.lastIdx = last, lastIdx
}

// abandonDict stops the dictionary of a numeric column for the rest of
// the row group: the pending page and those after it are plain.
func (c *columnChunk) abandonDict() {
	c.dictOn = false
	c.idx = c.idx[:0]
	c.lastIdx = -1
}

// dictPays reports whether a numeric dictionary is worth keeping after its
// first page: values repeat enough (a quarter or fewer distinct) that
// indexes beat the plain encoding. Ratios printed with three decimals
// pass; counters and rates with more digits do not, and would otherwise
// be looked up value by value until the dictionary is full.
func (c *columnChunk) dictPays() bool { return c.nums.len()*4 <= c.rows }

// appendFloatsFinite appends vals to an optional DOUBLE column; NaN and
// ±Inf are null.
func (c *columnChunk) appendFloatsFinite(vals []float64) {
	from := len(c.floats)
	c.floats = appendFinite(c, c.floats, vals)
	if c.dictOn {
		c.lookupNums(unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(c.floats[from:]))), len(c.floats)-from))
	}
}

// appendIntsFromFloats appends vals, whole numbers, to an optional INT64
// column; NaN and ±Inf are null.
func (c *columnChunk) appendIntsFromFloats(vals []float64) {
	from := len(c.ints)
	c.ints = appendFinite(c, c.ints, vals)
	if c.dictOn {
		c.lookupNums(c.ints[from:])
	}
}

// appendFinite appends the finite values of vals, converted, to dst and
// the validity of all to c. Whole bytes of the bitmap are built 8 values
// at a time (value by value, markValid was ~0.03 s of a 20-host run).
func appendFinite[T int64 | float64](c *columnChunk, dst []T, vals []float64) []T {
	dst = reserve(dst, len(vals), c.pageRows)
	c.valid = reserve(c.valid, (c.rows+len(vals)+7)/8-len(c.valid), (c.pageRows+7)/8)
	i := 0
	for ; i < len(vals) && c.rows&7 != 0; i++ { // up to a byte of the bitmap
		dst = appendOneFinite(c, dst, vals[i])
	}
	for ; i+8 <= len(vals); i += 8 {
		g := vals[i : i+8 : i+8]
		var b byte
		for k, v := range g {
			if v-v == 0 {
				b |= 1 << k
			}
		}
		c.valid = append(c.valid, b)
		c.rows += 8
		if b == 0xFF {
			for _, v := range g {
				dst = append(dst, T(v))
			}
			continue
		}
		c.nulls += 8 - bits.OnesCount8(b)
		for ; b != 0; b &= b - 1 {
			dst = append(dst, T(g[bits.TrailingZeros8(b)]))
		}
	}
	for _, v := range vals[i:] {
		dst = appendOneFinite(c, dst, v)
	}
	return dst
}

// appendOneFinite is appendFinite for one value.
func appendOneFinite[T int64 | float64](c *columnChunk, dst []T, v float64) []T {
	if c.markValid(v-v == 0) { // false for NaN and ±Inf
		dst = append(dst, T(v))
	}
	return dst
}

// markValid appends one row's validity to an optional column and reports it.
func (c *columnChunk) markValid(ok bool) bool {
	if c.rows>>3 == len(c.valid) {
		c.valid = append(c.valid, 0)
	}
	if ok {
		c.valid[c.rows>>3] |= 1 << (uint(c.rows) & 7)
	} else {
		c.nulls++
	}
	c.rows++
	return ok
}

// appendIndexes appends rows off..off+n-1 of idx, indexes into the fixed
// dictionary, after checking them.
func (c *columnChunk) appendIndexes(idx []int32, off, n int) error {
	idx = idx[off : off+n]
	for i, k := range idx {
		if uint(k) >= uint(len(c.used)) {
			return fmt.Errorf("row %d: index %d outside the dictionary of %d values", off+i, k, len(c.used))
		}
		c.used[k] = true
	}
	c.idx = append(reserve(c.idx, len(idx), c.pageRows), idx...)
	c.rows += len(idx)
	return nil
}

// appendStrings appends rows off..off+n-1 of s. keys, if not nil, are a
// small integer per row (the host) under which the last value is
// remembered, so that values constant per key skip the hash lookup.
func (c *columnChunk) appendStrings(s *StringsView, keys []int32, off, n int) {
	o := s.Offsets[off : off+n+1]
	c.idx = reserve(c.idx, n, c.pageRows)
	for i := range n {
		v := s.Data[o[i]:o[i+1]]
		key := int32(-1)
		if keys != nil {
			key = keys[off+i]
		}
		c.idx = append(c.idx, c.lookup(v, key))
	}
	c.rows += n
}

// appendStringValues appends vals, remembering the last value under key 0.
func (c *columnChunk) appendStringValues(vals []string) {
	c.idx = reserve(c.idx, len(vals), c.pageRows)
	for _, v := range vals {
		c.idx = append(c.idx, c.lookup([]byte(v), 0))
	}
	c.rows += len(vals)
}

// lookup returns the dictionary index of v, adding it if it is new.
func (c *columnChunk) lookup(v []byte, key int32) int32 {
	if key >= 0 {
		if int(key) >= len(c.byKey) {
			for int(key) >= len(c.byKey) {
				c.byKey = append(c.byKey, -1)
			}
		} else if k := c.byKey[key]; k >= 0 && bytes.Equal(v, c.dictData[c.dictOffs[k]:c.dictOffs[k+1]]) {
			return k
		}
	}
	k, ok := c.dictMap[string(v)]
	if !ok {
		k = int32(len(c.dictOffs) - 1)
		c.dictMap[string(v)] = k
		c.dictData = append(c.dictData, v...)
		c.dictOffs = append(c.dictOffs, uint32(len(c.dictData)))
	}
	if key >= 0 {
		c.byKey[key] = k
	}
	return k
}

// flushPage encodes the pending rows as a data page (v2): definition
// levels, uncompressed, then the values, compressed unless that does not
// make them smaller.
func (c *columnChunk) flushPage(s *pageScratch) error {
	if c.rows == 0 {
		return nil
	}
	s.lv = s.lv[:0]
	if c.optional {
		s.lv = appendLevels(s.lv, c.valid, c.rows)
	}
	enc := c.enc
	var err error
	if c.numDict && c.dictOn && c.values == 0 && !c.dictPays() {
		c.abandonDict()
	}
	switch {
	case c.kind == format.ByteArray || c.dictOn:
		enc = &parquet.RLEDictionary
		s.ev, err = parquet.RLEDictionary.EncodeInt32(s.ev, c.idx)
		c.dictUsed = true
	case c.numDict:
		enc = c.fallback
	}
	switch c.kind {
	case format.Int64:
		if enc.Encoding() != format.RLEDictionary {
			s.ev, err = enc.EncodeInt64(s.ev, c.ints)
		}
		c.intStats()
	case format.Double:
		if enc.Encoding() != format.RLEDictionary {
			s.ev, err = enc.EncodeDouble(s.ev, c.floats)
		}
		c.floatStats()
	}
	if err != nil {
		return fmt.Errorf("encoding page: %w", err)
	}
	body, compressed, err := c.compress(s, s.ev)
	if err != nil {
		return err
	}
	s.hb = appendDataPageV2Header(s.hb[:0], &dataPageV2Header{
		uncompressed: int32(len(s.lv) + len(s.ev)),
		compressed:   int32(len(s.lv) + len(body)),
		crc:          crc32.Update(crc32.ChecksumIEEE(s.lv), crc32.IEEETable, body),
		values:       int32(c.rows),
		nulls:        int32(c.nulls),
		rows:         int32(c.rows),
		encoding:     enc.Encoding(),
		defLen:       int32(len(s.lv)),
		isCompressed: compressed,
	})
	if !slices.Contains(c.encs, enc.Encoding()) {
		c.encs = append(c.encs, enc.Encoding())
	}
	c.pages.append(s.hb, s.lv, body)
	c.rawSize += int64(len(s.hb) + len(s.lv) + len(s.ev))
	c.values += int64(c.rows)
	c.nullCount += int64(c.nulls)

	c.rows, c.nulls = 0, 0
	clear(c.valid)
	c.valid = c.valid[:0]
	c.ints, c.floats, c.idx = c.ints[:0], c.floats[:0], c.idx[:0]
	return nil
}

// compress returns data compressed, or data itself when compressing does
// not make it smaller by a tenth. Encoded values that compress no better
// than that (delta-encoded counters that grow by random amounts, say) are
// not offered to the codec again for the next skipPages pages of the
// column: zstd spends most of its time on them for nothing.
func (c *columnChunk) compress(s *pageScratch, data []byte) ([]byte, bool, error) {
	if len(data) == 0 {
		return data, false, nil
	}
	if c.skipZstd > 0 {
		c.skipZstd--
		return data, false, nil
	}
	var err error
	s.cv, err = c.codec.Encode(s.cv, data)
	if err != nil {
		return nil, false, fmt.Errorf("compressing page: %w", err)
	}
	if len(s.cv)*10 > len(data)*9 {
		c.skipZstd = skipPages
		if len(s.cv) >= len(data) {
			return data, false, nil
		}
	}
	return s.cv, true, nil
}

// skipPages is how many pages a column stores uncompressed after one that
// zstd could not make smaller by a tenth.
const skipPages = 8

func (c *columnChunk) intStats() {
	if len(c.ints) == 0 {
		return
	}
	lo, hi := minMax(c.ints)
	if !c.hasStats {
		c.minI, c.maxI, c.hasStats = lo, hi, true
		return
	}
	c.minI, c.maxI = min(c.minI, lo), max(c.maxI, hi)
}

func (c *columnChunk) floatStats() {
	if len(c.floats) == 0 {
		return
	}
	lo, hi := minMax(c.floats)
	if lo != lo || hi != hi { // a NaN: not ordered, left out of the bounds
		lo, hi = math.Inf(1), math.Inf(-1)
		for _, v := range c.floats {
			if v == v {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
		if lo > hi {
			return // only NaNs
		}
	}
	if !c.hasStats {
		c.minF, c.maxF, c.hasStats = lo, hi, true
		return
	}
	c.minF, c.maxF = min(c.minF, lo), max(c.maxF, hi)
}

// minMax returns the smallest and largest of vs (not empty), with two
// accumulators each to halve the dependency chains; for floats, NaN when
// one is NaN.
func minMax[T int64 | float64](vs []T) (T, T) {
	lo0, hi0 := vs[0], vs[0]
	lo1, hi1 := lo0, hi0
	i := 1
	for ; i+2 <= len(vs); i += 2 {
		a, b := vs[i], vs[i+1]
		lo0, hi0 = min(lo0, a), max(hi0, a)
		lo1, hi1 = min(lo1, b), max(hi1, b)
	}
	if i < len(vs) {
		lo0, hi0 = min(lo0, vs[i]), max(hi0, vs[i])
	}
	return min(lo0, lo1), max(hi0, hi1)
}

// finish encodes the last page and the dictionary page of the row group.
func (c *columnChunk) finish(s *pageScratch) error {
	if err := c.flushPage(s); err != nil {
		return err
	}
	if !c.dictUsed {
		return nil
	}
	var err error
	var n int
	if c.kind == format.ByteArray {
		s.ev, err = parquet.Plain.EncodeByteArray(s.ev, c.dictData, c.dictOffs)
		n = len(c.dictOffs) - 1
	} else {
		// PLAIN doubles are their bits, little-endian, as PLAIN int64s.
		s.ev, err = parquet.Plain.EncodeInt64(s.ev, c.nums.vals)
		n = c.nums.len()
	}
	if err != nil {
		return fmt.Errorf("encoding dictionary: %w", err)
	}
	// A dictionary page has no flag saying whether it is compressed: it
	// always is, with the chunk's codec.
	if s.cv, err = c.codec.Encode(s.cv, s.ev); err != nil {
		return fmt.Errorf("compressing dictionary: %w", err)
	}
	s.hb = appendDictPageHeader(s.hb[:0], int32(len(s.ev)), int32(len(s.cv)), int32(n), crc32.ChecksumIEEE(s.cv))
	c.dictPage = append(c.dictPage[:0], s.hb...)
	c.dictPage = append(c.dictPage, s.cv...)
	c.rawSize += int64(len(s.hb) + len(s.ev))
	return nil
}

// metadata returns the chunk's metadata, for a chunk written at offset
// off (its dictionary page first, then its data pages).
func (c *columnChunk) metadata(off int64, codec format.CompressionCodec) format.ColumnChunk {
	md := format.ColumnMetaData{
		Type:                  c.kind,
		PathInSchema:          thrift.Slice[string]{c.name},
		Codec:                 codec,
		NumValues:             c.values,
		TotalUncompressedSize: c.rawSize,
		TotalCompressedSize:   int64(len(c.dictPage) + c.pages.len()),
		DataPageOffset:        off,
		Statistics:            c.statistics(),
	}
	encs := slices.Clone(c.encs)
	if c.optional {
		encs = append(encs, format.RLE)
	}
	if c.dictUsed {
		encs = append(encs, format.Plain)
		md.DictionaryPageOffset = off
		md.DataPageOffset = off + int64(len(c.dictPage))
	}
	slices.Sort(encs)
	md.Encoding = slices.Compact(encs)
	return format.ColumnChunk{FileOffset: off, MetaData: md}
}

// statistics returns the null count and, when there are values, the
// bounds of the chunk, encoded as PLAIN values.
func (c *columnChunk) statistics() format.Statistics {
	st := format.Statistics{NullCount: c.nullCount}
	switch c.kind {
	case format.Int64:
		if c.hasStats {
			st.MinValue = binary.LittleEndian.AppendUint64(nil, uint64(c.minI))
			st.MaxValue = binary.LittleEndian.AppendUint64(nil, uint64(c.maxI))
		}
	case format.Double:
		if c.hasStats {
			lo, hi := c.minF, c.maxF
			// The format asks for -0 as a minimum zero and +0 as a maximum.
			if lo == 0 {
				lo = math.Copysign(0, -1)
			}
			if hi == 0 {
				hi = 0
			}
			st.MinValue = binary.LittleEndian.AppendUint64(nil, math.Float64bits(lo))
			st.MaxValue = binary.LittleEndian.AppendUint64(nil, math.Float64bits(hi))
		}
	case format.ByteArray:
		var lo, hi []byte
		for i := range len(c.dictOffs) - 1 {
			if c.fixed && !c.used[i] {
				continue
			}
			v := c.dictData[c.dictOffs[i]:c.dictOffs[i+1]]
			if lo == nil || bytes.Compare(v, lo) < 0 {
				lo = v
			}
			if hi == nil || bytes.Compare(v, hi) > 0 {
				hi = v
			}
		}
		if lo != nil {
			st.MinValue = append([]byte{}, lo...)
			st.MaxValue = append([]byte{}, hi...)
		}
	}
	return st
}

// reset empties the chunk for the next row group.
func (c *columnChunk) reset() {
	used := c.dictUsed
	c.pages.reset()
	c.dictPage = c.dictPage[:0]
	c.dictUsed = false
	c.encs = c.encs[:0]
	c.values, c.nullCount, c.rawSize = 0, 0, 0
	c.hasStats = false
	switch {
	case c.numDict:
		// A column whose dictionary did not pay skips it for a while: its
		// values are of a kind (counters, fine rates) that does not repeat;
		// it tries again every eighth row group.
		if used {
			c.dictMiss = 0
		} else {
			c.dictMiss++
		}
		c.dictOn = c.dictMiss%8 == 0
		c.nums.reset()
		c.lastIdx = -1
	case c.fixed:
		clear(c.used)
	case c.kind == format.ByteArray:
		clear(c.dictMap)
		c.dictData, c.dictOffs = c.dictData[:0], c.dictOffs[:1]
		for i := range c.byKey {
			c.byKey[i] = -1
		}
	}
}
