package columnar

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// Samples files are read back column by column: each column chunk of a
// row group is walked page by page with parquet-go's page decoders
// (decompression, levels, PLAIN, DELTA_BINARY_PACKED, RLE_DICTIONARY),
// and a page's decoded values (or dictionary indexes) are copied, a run
// of rows at a time, straight into the slabs of a Batch: never a
// parquet.Value per cell.

// SampleSource says where the rows of a samples file go.
type SampleSource struct {
	Path string
	// Host is the host of every row for a file without a host column (a
	// host=… partition); ignored when the file has one.
	Host string
	// HostIndex maps a host name to its index in the run's host table.
	HostIndex func(name string) int32
	// Window keeps the rows in it; nil keeps all.
	Window *TimeWindow
}

// TimeWindow is the half-open range of timestamps Since <= ts < Until.
type TimeWindow struct{ Since, Until int64 }

// AllTime keeps every row.
var AllTime = TimeWindow{math.MinInt64, math.MaxInt64}

func (w *TimeWindow) keeps(ts int64) bool { return ts >= w.Since && ts < w.Until }

// ReadSamples reads a samples.parquet file written by SamplesWriter (or
// one of its partitions) back into batches and hands each full batch to
// emit; to keep one after emit returns, Retain it (or its Record). It
// returns the rows read and the rows kept. Columns the file has and this
// version does not know are ignored; known columns the file lacks are
// null (empty for strings).
func ReadSamples(src SampleSource, emit func(*Batch) error) (read, kept int64, err error) {
	sf, err := openSampleFile(src.Path)
	if err != nil {
		return 0, 0, err
	}
	defer sf.Close()
	win := AllTime
	if src.Window != nil {
		win = *src.Window
	}
	opts := groupOptions{window: win}
	if sf.host < 0 {
		if src.Host == "" {
			return 0, 0, fmt.Errorf("%s: no host column and no host=… partition", src.Path)
		}
		if opts.host = src.HostIndex(src.Host); opts.host < 0 {
			return 0, 0, fmt.Errorf("%s: host %q is not in the host table", src.Path, src.Host)
		}
	} else {
		opts.hostOf = func(name []byte) (int32, error) {
			if h := src.HostIndex(string(name)); h >= 0 {
				return h, nil
			}
			return 0, fmt.Errorf("host %q is not in the host table", name)
		}
	}
	var r groupReader
	defer r.drop()
	for g := range sf.pf.RowGroups() {
		opts.filter = true
		switch sf.tsBounds(g, &win) {
		case outside:
			read += sf.pf.RowGroups()[g].NumRows()
			continue
		case inside:
			opts.filter = false
		}
		n, k, err := r.read(sf, g, &opts, emit)
		read, kept = read+n, kept+k
		if err != nil {
			return read, kept, fmt.Errorf("%s: %w", src.Path, err)
		}
	}
	return read, kept, r.flush(emit)
}

// target is where a column of the file goes in a batch.
type target uint8

const (
	toTS     target = iota
	toHost          // Batch.Host, through the host table
	toString        // Batch.strings()[index]
	toNumber        // numberColumn(b, index)
)

// fileColumn is a column of a samples file that this version reads.
type fileColumn struct {
	name   string
	leaf   int // the column's index in the file
	target target
	index  int
	maxDef byte // 1 for an optional column
}

// numberColumn returns column k of b: PID, TID, then the metrics.
func numberColumn(b *Batch, k int) *Column {
	switch k {
	case 0:
		return &b.PID
	case 1:
		return &b.TID
	}
	return &b.Cols[k-2]
}

// sampleFile is an open samples file and the columns it has.
type sampleFile struct {
	path    string
	f       *os.File
	pf      *parquet.File
	cols    []fileColumn
	host    int   // leaf index of the host column, -1 if none
	ts      int   // leaf index of ts
	missing []int // strings (index into Batch.strings()) the file has no column for
}

func openSampleFile(path string) (*sampleFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	sf, err := newSampleFile(path, f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return sf, nil
}

func newSampleFile(path string, f *os.File) (*sampleFile, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	pf, err := openFooter(f, st.Size())
	if err != nil {
		return nil, err
	}
	if err := checkFooter(pf); err != nil {
		return nil, err
	}
	sf := &sampleFile{path: path, f: f, pf: pf, host: -1, ts: -1}
	strs := map[string]int{ColLevel: 0, ColSource: 1, ColPod: 2, ColTraceID: 3, ColCluster: 4}
	seen := make([]bool, len(strs))
	schema := pf.Schema()
	for _, path := range schema.Columns() {
		leaf, _ := schema.Lookup(path...)
		if len(path) != 1 {
			continue // nested: not a column of ours
		}
		c := fileColumn{name: path[0], leaf: leaf.ColumnIndex}
		want := parquet.Int64
		switch name := path[0]; name {
		case ColHost:
			c.target, want, sf.host = toHost, parquet.ByteArray, c.leaf
		case ColTS:
			c.target, sf.ts = toTS, c.leaf
			if err := checkMicros(leaf.Node); err != nil {
				return nil, err
			}
		case ColLevel, ColSource, ColPod, ColTraceID, ColCluster:
			c.target, c.index, want = toString, strs[name], parquet.ByteArray
			seen[c.index] = true
		case ColPID, ColTID:
			c.target, c.index = toNumber, 0
			if name == ColTID {
				c.index = 1
			}
		default:
			m := MetricIndex(name)
			if m < 0 {
				continue // a column this version does not know: ignored
			}
			c.target, c.index = toNumber, m+2
			if Metrics[m].Kind == Float {
				want = parquet.Double
			}
		}
		if leaf.MaxRepetitionLevel > 0 {
			return nil, fmt.Errorf("column %s is repeated", c.name)
		}
		if k := leaf.Node.Type().Kind(); k != want {
			return nil, fmt.Errorf("column %s is %s, want %s", c.name, k, want)
		}
		c.maxDef = byte(leaf.MaxDefinitionLevel)
		sf.cols = append(sf.cols, c)
	}
	if sf.ts < 0 {
		return nil, errors.New("not a samples file: no ts column")
	}
	for i, ok := range seen {
		if !ok {
			sf.missing = append(sf.missing, i)
		}
	}
	return sf, nil
}

// checkFooter checks what the footer says of every column chunk against
// the schema, as no checksum covers the footer: a chunk names the column
// the schema has at its place, with its type (a flipped bit in a name
// would make a known column unknown, read as null), and in a file
// resreport wrote, its codec is zstd (a flip to LZ4_RAW sends
// parquet-go's LZ4 decoder, v0.32.0, doubling its buffer until memory
// runs out: a crash that no recover catches).
func checkFooter(pf *parquet.File) error {
	leaves := pf.Schema().Columns()
	types := make([]format.Type, len(leaves))
	for i, path := range leaves {
		leaf, _ := pf.Schema().Lookup(path...)
		types[i] = format.Type(leaf.Node.Type().Kind())
	}
	ours := pf.Metadata().CreatedBy == createdBy
	for g, rg := range pf.Metadata().RowGroups {
		if len(rg.Columns) != len(leaves) {
			return fmt.Errorf("footer: row group %d has %d columns, the schema %d", g, len(rg.Columns), len(leaves))
		}
		for i, cc := range rg.Columns {
			md := &cc.MetaData
			if !slices.Equal(md.PathInSchema, leaves[i]) || md.Type != types[i] {
				return fmt.Errorf("footer: row group %d: column %d is %q (%s) in the schema and %q (%s) in its chunk",
					g, i, leaves[i], types[i], md.PathInSchema, md.Type)
			}
			if ours && md.Codec != format.Zstd {
				return fmt.Errorf("footer: row group %d: column %s: codec %s in a file of %s, which writes zstd", g, leaves[i][0], md.Codec, createdBy)
			}
		}
	}
	return nil
}

// checkMicros accepts a ts column of microseconds: TIMESTAMP(MICROS) or
// a plain (signed) INT64.
func checkMicros(node parquet.Node) error {
	lt := node.Type().LogicalType()
	if lt == nil || lt.Value == nil {
		return nil
	}
	if it, ok := lt.Value.(*format.IntType); ok && it.BitWidth == 64 && it.IsSigned {
		return nil
	}
	ts, ok := lt.Value.(*format.TimestampType)
	if !ok {
		return fmt.Errorf("column ts is %s, want a timestamp", lt)
	}
	if _, ok := ts.Unit.Value.(*format.MicroSeconds); !ok {
		return fmt.Errorf("column ts is %s, want microseconds", ts)
	}
	return nil
}

func (sf *sampleFile) Close() error { return sf.f.Close() }

// bounds says how a row group's timestamps lie against a window.
type bounds uint8

const (
	straddles bounds = iota // or unknown
	inside
	outside
)

// tsBounds compares row group g's ts statistics with w.
func (sf *sampleFile) tsBounds(g int, w *TimeWindow) bounds {
	lo, hi, ok := chunkBounds(sf.pf.RowGroups()[g].ColumnChunks()[sf.ts])
	switch {
	case !ok:
		return straddles
	case hi.Int64() < w.Since || lo.Int64() >= w.Until:
		return outside
	case lo.Int64() >= w.Since && hi.Int64() < w.Until:
		return inside
	}
	return straddles
}

// tsExtent returns row group g's smallest and largest timestamps by its
// statistics.
func (sf *sampleFile) tsExtent(g int) Extent {
	lo, hi, ok := chunkBounds(sf.pf.RowGroups()[g].ColumnChunks()[sf.ts])
	if !ok {
		return Extent{}
	}
	return Extent{First: lo.Int64(), Last: hi.Int64(), Known: true}
}

// chunkBounds returns the min and max statistics of a column chunk, if
// it has them. Statistics parquet-go cannot parse (it panics on a min or
// max of the wrong length) count as none: the rows are then read and
// filtered one by one, with the same result.
func chunkBounds(cc parquet.ColumnChunk) (lo, hi parquet.Value, ok bool) {
	b, is := cc.(interface {
		Bounds() (parquet.Value, parquet.Value, bool)
	})
	if !is {
		return lo, hi, false
	}
	defer func() {
		if recover() != nil {
			lo, hi, ok = parquet.Value{}, parquet.Value{}, false
		}
	}()
	return b.Bounds()
}

// openFooter reads the footer of the Parquet file f of the given size.
func openFooter(f io.ReaderAt, size int64) (*parquet.File, error) {
	return guard(func() (*parquet.File, error) {
		return parquet.OpenFile(f, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	})
}

// guard calls read, a call into parquet-go's decoders, and returns a
// panic of theirs as an error. They trust some fields of the file
// (v0.32.0: a page header whose num_nulls exceeds its num_values sizes a
// buffer negatively), and a damaged file must be an error of the run, not
// a crash: a panic on a goroutine that reads ends the process before any
// deferred cleanup, leaving the outputs' temporary files behind. The
// recover is here, around the library's call, so that nothing else's
// panic is hidden.
func guard[T any](read func() (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("damaged file: parquet-go panicked decoding it: %v", r)
		}
	}()
	return read()
}

// groupOptions say how a row group's rows go into batches.
type groupOptions struct {
	window TimeWindow
	filter bool // rows may be outside the window
	// hostOf maps a host name of the host column to its index in the
	// host table; host is the host of every row of a file without one.
	hostOf func(name []byte) (int32, error)
	host   int32
}

// groupReader reads row groups into batches; it keeps its buffers from
// one row group to the next. A batch it fills may hold rows of several
// row groups, until flush.
type groupReader struct {
	cur  []colCursor
	ts   [BatchRows]int64
	keep []span // rows of the current slice that are kept
	b    *Batch // being filled, nil if none
}

// span is rows [lo, hi).
type span struct{ lo, hi int }

// read appends the rows of row group g of sf to batches, handing each
// full one to emit, and returns the rows read and kept.
func (r *groupReader) read(sf *sampleFile, g int, o *groupOptions, emit func(*Batch) error) (read, kept int64, err error) {
	rg := sf.pf.RowGroups()[g]
	r.cur = slices.Grow(r.cur[:0], len(sf.cols))[:len(sf.cols)]
	tsCur := -1
	for i := range sf.cols {
		c := &sf.cols[i]
		r.cur[i].reset(c, sf, g)
		if c.target == toTS {
			tsCur = i
		}
	}
	defer func() {
		for i := range r.cur {
			r.cur[i].close()
		}
	}()
	n := rg.NumRows()
	for read < n {
		if r.b == nil {
			r.b = GetBatch()
			r.b.Retain(1)
		}
		m := int(min(n-read, int64(BatchRows-r.b.Len)))
		k, err := r.slice(sf, tsCur, m, o)
		if err != nil {
			return read, kept, fmt.Errorf("row group %d: %w", g, err)
		}
		read, kept = read+int64(m), kept+int64(k)
		if r.b.Full() {
			if err := r.emit(emit); err != nil {
				return read, kept, err
			}
		}
	}
	for i := range r.cur {
		if err := r.cur[i].end(); err != nil {
			return read, kept, fmt.Errorf("row group %d: column %s: %w", g, r.cur[i].col.name, err)
		}
	}
	return read, kept, nil
}

// slice reads the next m rows of every column into r.b (which has room
// for them), keeping those in the window, and returns how many it kept.
// After an error the batch is as before.
func (r *groupReader) slice(sf *sampleFile, tsCur, m int, o *groupOptions) (kept int, err error) {
	b := r.b
	defer func() {
		if err != nil {
			for i := b.Len; i < b.Len+m; i++ {
				b.ClearRow(i) // the rows of the columns done: a pooled batch is clean past Len
			}
		}
	}()
	ts := &r.cur[tsCur]
	if err := ts.rows(m, func(at, k int) error { return ts.putWords(r.ts[:], nil, at, k) }); err != nil {
		return 0, fmt.Errorf("column ts: %w", err)
	}
	r.keep = append(r.keep[:0], span{0, m})
	if o.filter {
		r.keep = keptSpans(r.keep[:0], r.ts[:m], &o.window)
	}
	at := b.Len
	for _, s := range r.keep {
		copy(b.TS[at:], r.ts[s.lo:s.hi])
		at += s.hi - s.lo
	}
	kept = at - b.Len
	for i := range r.cur {
		if i == tsCur {
			continue
		}
		c := &r.cur[i]
		if err := r.spans(c, b, m, o); err != nil {
			return 0, fmt.Errorf("column %s: %w", c.col.name, err)
		}
	}
	for _, k := range sf.missing {
		s := b.strings()[k]
		for range kept {
			s.Offsets = append(s.Offsets, int32(len(s.Data)))
		}
	}
	if sf.host < 0 {
		h := b.Host[b.Len : b.Len+kept]
		for i := range h {
			h[i] = o.host
		}
	}
	b.Len += kept
	return kept, nil
}

// spans copies the kept rows among the next m of column c to b, from
// row b.Len on, and skips the others.
func (r *groupReader) spans(c *colCursor, b *Batch, m int, o *groupOptions) error {
	at, pos := b.Len, 0
	for _, s := range r.keep {
		if err := c.skip(s.lo - pos); err != nil {
			return err
		}
		if err := c.copyTo(b, at, s.hi-s.lo, o.hostOf); err != nil {
			return err
		}
		at, pos = at+s.hi-s.lo, s.hi
	}
	return c.skip(m - pos)
}

// keptSpans appends the runs of rows of ts in w to dst.
func keptSpans(dst []span, ts []int64, w *TimeWindow) []span {
	for i := 0; i < len(ts); {
		for i < len(ts) && !w.keeps(ts[i]) {
			i++
		}
		j := i
		for j < len(ts) && w.keeps(ts[j]) {
			j++
		}
		if j > i {
			dst = append(dst, span{i, j})
		}
		i = j
	}
	return dst
}

func (r *groupReader) emit(emit func(*Batch) error) error {
	b := r.b
	r.b = nil
	defer b.Release() // emit may have kept it: a fresh batch follows
	return emit(b)
}

// flush hands the batch being filled, if it holds rows, to emit.
func (r *groupReader) flush(emit func(*Batch) error) error {
	if r.b == nil || r.b.Len == 0 {
		return nil
	}
	return r.emit(emit)
}

// drop releases the batch being filled, if any.
func (r *groupReader) drop() {
	if r.b != nil {
		r.b.Release()
		r.b = nil
	}
}

// SampleHosts returns the distinct values of a samples file's host
// column (nil for a file without one), in order of appearance.
func SampleHosts(path string) ([]string, error) {
	sf, err := openSampleFile(path)
	if err != nil {
		return nil, err
	}
	defer sf.Close()
	if sf.host < 0 {
		return nil, nil
	}
	seen := map[string]bool{}
	var out []string
	for g := range sf.pf.RowGroups() {
		hs, err := sf.scanHosts(g)
		if err != nil {
			return nil, err
		}
		for _, h := range hs {
			if !seen[h] {
				seen[h] = true
				out = append(out, h)
			}
		}
	}
	return out, nil
}

// scanHosts reads the host column of row group g and returns its
// distinct values, in order of appearance.
func (sf *sampleFile) scanHosts(g int) ([]string, error) {
	i := slices.IndexFunc(sf.cols, func(c fileColumn) bool { return c.target == toHost })
	rg := sf.pf.RowGroups()[g]
	var c colCursor
	c.reset(&sf.cols[i], sf, g)
	defer c.close()
	var names []string
	index := map[string]int32{}
	record := func(name []byte) (int32, error) {
		h, ok := index[string(name)]
		if !ok {
			h = int32(len(names))
			index[string(name)] = h
			names = append(names, string(name))
		}
		return h, nil
	}
	var scratch [BatchRows]int32
	for left := rg.NumRows(); left > 0; {
		m := int(min(left, BatchRows))
		if err := c.rows(m, func(at, k int) error { return c.putHosts(scratch[:], at, k, record) }); err != nil {
			return nil, fmt.Errorf("%s: row group %d: column host: %w", sf.path, g, err)
		}
		left -= int64(m)
	}
	if err := c.end(); err != nil {
		return nil, fmt.Errorf("%s: row group %d: column host: %w", sf.path, g, err)
	}
	return names, nil
}

// colCursor walks the pages of one column chunk, row by row in runs.
type colCursor struct {
	col     *fileColumn
	pages   parquet.Pages
	page    parquet.Page
	read    int    // data pages read
	hasDict bool   // the chunk starts with a dictionary page
	n       int    // rows of the page
	pos     int    // next row of the page
	vpos    int    // next value of the page (a null has none)
	defs    []byte // definition levels if the page has nulls, else nil

	// The page's values: dictionary indexes, or else words (int64 or
	// float64 bits) or byte arrays.
	idx   []int32
	words []int64
	data  []byte
	offs  []uint32

	// The chunk's dictionary.
	dict   parquet.Dictionary
	dwords []int64
	ddata  []byte
	doffs  []uint32
	hosts  []int32 // host column: host of each entry, -1 until looked up

	last     []byte // host column, plain pages: the last name and its host
	lastHost int32
}

// reset starts on column col of row group g of sf.
func (c *colCursor) reset(col *fileColumn, sf *sampleFile, g int) {
	*c = colCursor{
		col:      col,
		pages:    sf.pf.RowGroups()[g].ColumnChunks()[col.leaf].Pages(),
		hasDict:  sf.pf.Metadata().RowGroups[g].Columns[col.leaf].MetaData.DictionaryPageOffset != 0,
		hosts:    c.hosts[:0],
		last:     c.last[:0],
		lastHost: -1,
	}
}

func (c *colCursor) close() {
	if c.page != nil {
		parquet.Release(c.page)
		c.page = nil
	}
	if c.pages != nil {
		c.pages.Close()
		c.pages = nil
	}
}

// rows hands the next m rows to put, at most a page at a time: put(at,
// k) must take rows at..at+k-1 of the m, advancing the cursor by k.
func (c *colCursor) rows(m int, put func(at, k int) error) error {
	for at := 0; at < m; {
		if c.pos == c.n {
			if err := c.next(); err != nil {
				return err
			}
		}
		k := min(m-at, c.n-c.pos)
		if err := put(at, k); err != nil {
			return err
		}
		at += k
	}
	return nil
}

// next moves to the next page that has rows.
func (c *colCursor) next() error {
	for {
		if c.page != nil {
			parquet.Release(c.page)
			c.page = nil
		}
		p, err := c.readPage()
		if errors.Is(err, io.EOF) {
			return errors.New("fewer rows than its row group")
		}
		if err != nil {
			return err
		}
		c.page = p
		if err := c.load(p); err != nil {
			return fmt.Errorf("page %d: %w", c.read-1, err)
		}
		if c.n > 0 {
			return nil
		}
	}
}

// readPage reads the next data page (parquet-go reads the dictionary page
// with the first); an error says which page.
func (c *colCursor) readPage() (parquet.Page, error) {
	p, err := guard(c.pages.ReadPage)
	switch {
	case err == nil:
		c.read++
		return p, nil
	case errors.Is(err, io.EOF):
		return nil, err
	case c.read == 0 && c.hasDict:
		return nil, fmt.Errorf("dictionary page or page 0: %w", err)
	}
	return nil, fmt.Errorf("page %d: %w", c.read, err)
}

// load takes the values of page p.
func (c *colCursor) load(p parquet.Page) error {
	c.n, c.pos, c.vpos, c.defs = int(p.NumRows()), 0, 0, nil
	values := c.n
	if c.col.maxDef > 0 {
		if nulls := int(p.NumNulls()); nulls > 0 {
			c.defs = p.DefinitionLevels()
			values -= nulls
		}
	}
	if c.defs != nil && len(c.defs) != c.n {
		return fmt.Errorf("page of %d rows has %d definition levels", c.n, len(c.defs))
	}
	data := p.Data()
	have := 0
	if d := p.Dictionary(); d != nil {
		if d != c.dict {
			c.setDictionary(d)
		}
		c.idx = data.Int32()
		have = len(c.idx)
	} else {
		c.idx = nil
		if c.col.target == toHost || c.col.target == toString {
			c.data, c.offs = data.ByteArray()
			have = max(len(c.offs)-1, 0)
		} else {
			raw, _ := data.Data()
			c.words = bytesAs[int64](raw)
			have = len(c.words)
		}
	}
	if have != values {
		return fmt.Errorf("page of %d rows has %d values, want %d", c.n, have, values)
	}
	return nil
}

func (c *colCursor) setDictionary(d parquet.Dictionary) {
	c.dict = d
	data := d.Page().Data()
	switch c.col.target {
	case toHost, toString:
		c.ddata, c.doffs = data.ByteArray()
		if c.col.target == toHost {
			n := max(len(c.doffs)-1, 0)
			c.hosts = slices.Grow(c.hosts[:0], n)[:n]
			for i := range c.hosts {
				c.hosts[i] = -1
			}
		}
	default:
		raw, _ := data.Data()
		c.dwords = bytesAs[int64](raw)
	}
}

func errIndex(x int32, n int) error {
	return fmt.Errorf("dictionary index %d out of a dictionary of %d values", x, n)
}

// copyTo copies the next m rows to b, from row at on.
func (c *colCursor) copyTo(b *Batch, at, m int, hostOf func([]byte) (int32, error)) error {
	switch c.col.target {
	case toHost:
		return c.rows(m, func(j, k int) error { return c.putHosts(b.Host, at+j, k, hostOf) })
	case toString:
		s := b.strings()[c.col.index]
		return c.rows(m, func(_, k int) error { return c.putStrings(s, k) })
	case toNumber:
		col := numberColumn(b, c.col.index)
		w := col.Ints
		if col.Kind == Float {
			w = bytesAs[int64](bytesOf(col.Floats))
		}
		return c.rows(m, func(j, k int) error { return c.putWords(w, col.Valid, at+j, k) })
	}
	return nil // ts is read on its own, first
}

// skip moves past the next m rows.
func (c *colCursor) skip(m int) error {
	return c.rows(m, func(_, k int) error {
		if c.defs == nil {
			c.vpos += k
		} else {
			for _, l := range c.defs[c.pos : c.pos+k] {
				if l == c.col.maxDef {
					c.vpos++
				}
			}
		}
		c.pos += k
		return nil
	})
}

// putWords copies the next k rows of the page, int64 or float64 bits, to
// dst[at:] and marks those with a value in valid (nil: the column is
// required, a null is an error).
func (c *colCursor) putWords(dst []int64, valid []byte, at, k int) error {
	out := dst[at : at+k]
	if c.defs == nil {
		if c.idx == nil {
			copy(out, c.words[c.vpos:c.vpos+k])
		} else if err := gather(out, c.idx[c.vpos:c.vpos+k], c.dwords); err != nil {
			return err
		}
		if valid != nil {
			setBits(valid, at, k)
		}
		c.vpos += k
		c.pos += k
		return nil
	}
	if valid == nil {
		return errors.New("null in a required column")
	}
	for j, l := range c.defs[c.pos : c.pos+k] {
		if l != c.col.maxDef {
			continue
		}
		v := int64(0)
		if c.idx == nil {
			v = c.words[c.vpos]
		} else if x := c.idx[c.vpos]; uint(x) < uint(len(c.dwords)) {
			v = c.dwords[x]
		} else {
			return errIndex(x, len(c.dwords))
		}
		out[j] = v
		valid[(at+j)>>3] |= 1 << (uint(at+j) & 7)
		c.vpos++
	}
	c.pos += k
	return nil
}

// gather sets out[j] = dict[idx[j]].
func gather(out []int64, idx []int32, dict []int64) error {
	for j, x := range idx {
		if uint(x) >= uint(len(dict)) {
			return errIndex(x, len(dict))
		}
		out[j] = dict[x]
	}
	return nil
}

// setBits sets bits from..from+n-1 of bitmap bm.
func setBits(bm []byte, from, n int) {
	i, end := from, from+n
	for ; i < end && i&7 != 0; i++ {
		bm[i>>3] |= 1 << (uint(i) & 7)
	}
	for ; i+8 <= end; i += 8 {
		bm[i>>3] = 0xff
	}
	for ; i < end; i++ {
		bm[i>>3] |= 1 << (uint(i) & 7)
	}
}

// putStrings appends the next k rows to s; a null is an empty string.
func (c *colCursor) putStrings(s *Strings, k int) error {
	for j := range k {
		if c.defs != nil && c.defs[c.pos+j] != c.col.maxDef {
			s.Offsets = append(s.Offsets, int32(len(s.Data)))
			continue
		}
		v, err := c.value(c.vpos)
		if err != nil {
			return err
		}
		s.Append(v)
		c.vpos++
	}
	c.pos += k
	return nil
}

// value returns byte array value i of the page.
func (c *colCursor) value(i int) ([]byte, error) {
	if c.idx == nil {
		return c.data[c.offs[i]:c.offs[i+1]], nil
	}
	x := c.idx[i]
	if uint(x) >= uint(len(c.doffs)-1) {
		return nil, errIndex(x, len(c.doffs)-1)
	}
	return c.ddata[c.doffs[x]:c.doffs[x+1]], nil
}

// putHosts stores the host indexes of the next k rows at dst[at:],
// mapping each distinct name once with hostOf.
func (c *colCursor) putHosts(dst []int32, at, k int, hostOf func([]byte) (int32, error)) error {
	if c.defs != nil {
		return errors.New("null host")
	}
	out := dst[at : at+k]
	if c.idx != nil {
		for j, x := range c.idx[c.vpos : c.vpos+k] {
			if uint(x) >= uint(len(c.hosts)) {
				return errIndex(x, len(c.hosts))
			}
			h := c.hosts[x]
			if h < 0 {
				var err error
				if h, err = hostOf(c.ddata[c.doffs[x]:c.doffs[x+1]]); err != nil {
					return err
				}
				c.hosts[x] = h
			}
			out[j] = h
		}
	} else {
		for j := range out {
			v := c.data[c.offs[c.vpos+j]:c.offs[c.vpos+j+1]]
			if c.lastHost < 0 || !bytes.Equal(v, c.last) {
				h, err := hostOf(v)
				if err != nil {
					return err
				}
				c.last, c.lastHost = append(c.last[:0], v...), h
			}
			out[j] = c.lastHost
		}
	}
	c.vpos += k
	c.pos += k
	return nil
}

// end checks that the column chunk has no rows left.
func (c *colCursor) end() error {
	if c.pos < c.n {
		return errors.New("more rows than its row group")
	}
	for {
		p, err := c.readPage()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		n := p.NumRows()
		parquet.Release(p)
		if n > 0 {
			return errors.New("more rows than its row group")
		}
	}
}

// MetadataHost is the footer key that holds the full host name of a file
// without a host column (a host=… partition, whose directory name may be
// shortened to fit the file system).
const MetadataHost = "resreport.host"

// ReadMetadata returns the value of key in the footer of the Parquet file
// at path.
func ReadMetadata(path, key string) (string, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", false, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", false, err
	}
	pf, err := openFooter(f, st.Size())
	if err != nil {
		return "", false, fmt.Errorf("%s: %w", path, err)
	}
	v, ok := pf.Lookup(key)
	return v, ok, nil
}
