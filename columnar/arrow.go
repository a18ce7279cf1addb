package columnar

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Names of the header columns of ArrowSchema and samples.parquet.
const (
	ColHost    = "host"
	ColTS      = "ts"
	ColLevel   = "level"
	ColSource  = "source"
	ColPod     = "pod"
	ColTraceID = "trace_id"
	ColCluster = "cluster"
	ColPID     = "pid"
	ColTID     = "tid"
)

// NumHeaderCols is the number of columns before the metrics: host, ts,
// the numStrings header strings, pid and tid.
const NumHeaderCols = 4 + numStrings

// The header strings: level, source, pod, trace_id, cluster, columns
// firstString.. of ArrowSchema.
const (
	numStrings  = 5
	firstString = 2
	colPID      = firstString + numStrings
	colTID      = colPID + 1
)

// hostType is the Arrow type of the host column: dictionary-encoded
// strings whose dictionary is the run's host table.
var hostType = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}

// tsType is timestamp[us] without a zone: naive local time.
var tsType = &arrow.TimestampType{Unit: arrow.Microsecond}

// ArrowSchema is the Arrow schema of a batch: host, ts, level, pod,
// trace_id, cluster, pid, tid, then one nullable column per metric in
// catalogue order. It is shared: do not change it.
func ArrowSchema() *arrow.Schema { return arrowSchema }

var arrowSchema = func() *arrow.Schema {
	fields := []arrow.Field{
		{Name: ColHost, Type: hostType},
		{Name: ColTS, Type: tsType},
		{Name: ColLevel, Type: arrow.BinaryTypes.String},
		{Name: ColSource, Type: arrow.BinaryTypes.String},
		{Name: ColPod, Type: arrow.BinaryTypes.String},
		{Name: ColTraceID, Type: arrow.BinaryTypes.String},
		{Name: ColCluster, Type: arrow.BinaryTypes.String},
		{Name: ColPID, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: ColTID, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}
	for _, m := range Metrics {
		t := arrow.DataType(arrow.PrimitiveTypes.Int64)
		if m.Kind == Float {
			t = arrow.PrimitiveTypes.Float64
		}
		fields = append(fields, arrow.Field{Name: m.Name, Type: t, Nullable: true})
	}
	return arrow.NewSchema(fields, nil)
}()

// HostDict is a run's host table as an Arrow dictionary, built once.
type HostDict struct {
	Names []string
	dict  arrow.Array
}

// NewHostDict builds the dictionary of host names.
func NewHostDict(names []string) *HostDict {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(names, nil)
	return &HostDict{Names: names, dict: b.NewArray()}
}

// Release frees the dictionary.
func (h *HostDict) Release() { h.dict.Release() }

// bytesOf views a slice of fixed-size values as bytes, without copying.
func bytesOf[T int32 | int64 | float64](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(s[0])))
}

// Record returns the batch as an Arrow record batch whose buffers are the
// batch's own memory (no copy). The buffers hold references to the batch:
// it goes back to the pool only when the record and every array taken
// from it are released, so the caller may release its own reference to
// the batch right after. The batch must not be changed while the record
// lives.
func (b *Batch) Record(hosts *HostDict) arrow.RecordBatch {
	n := b.Len
	cols := make([]arrow.Array, 0, NumHeaderCols+len(b.Cols))
	idx := b.data(arrow.PrimitiveTypes.Int32, n, nil, 0, bytesOf(b.Host[:n]))
	ind := array.MakeFromData(idx)
	cols = append(cols, array.NewDictionaryArray(hostType, ind, hosts.dict))
	ind.Release()
	idx.Release()
	cols = append(cols, b.fixed(tsType, n, nil, 0, bytesOf(b.TS[:n])))
	for _, s := range b.strings() {
		d := array.NewData(arrow.BinaryTypes.String, n,
			[]*memory.Buffer{nil, b.buffer(bytesOf(s.Offsets[:n+1])), b.buffer(s.Data)}, nil, 0, 0)
		d.Buffers()[1].Release() // NewData retained them
		d.Buffers()[2].Release()
		cols = append(cols, array.MakeFromData(d))
		d.Release()
	}
	cols = append(cols, b.arrow(&b.PID, n), b.arrow(&b.TID, n))
	for i := range b.Cols {
		cols = append(cols, b.arrow(&b.Cols[i], n))
	}
	rec := array.NewRecordBatch(arrowSchema, cols, int64(n))
	for _, c := range cols {
		c.Release()
	}
	return rec
}

// buffer wraps memory of the batch as an Arrow buffer that holds a
// reference to the batch until it is released.
func (b *Batch) buffer(p []byte) *memory.Buffer {
	b.Retain(1)
	return memory.NewBufferWithAllocator(p, (*batchMemory)(b))
}

// batchMemory is the memory.Allocator of a batch's buffers: freeing one
// drops its reference to the batch; it allocates nothing.
type batchMemory Batch

func (m *batchMemory) Free([]byte) { (*Batch)(m).Release() }

func (m *batchMemory) Allocate(int) []byte { panic("columnar: a batch's Arrow buffers cannot grow") }

func (m *batchMemory) Reallocate(int, []byte) []byte {
	panic("columnar: a batch's Arrow buffers cannot grow")
}

// arrow views the first n rows of c as an Arrow array.
func (b *Batch) arrow(c *Column, n int) arrow.Array {
	nulls := c.NullCount(n)
	var valid []byte
	if nulls > 0 {
		valid = c.Valid[:(n+7)/8]
	}
	if c.Kind == Int {
		return b.fixed(arrow.PrimitiveTypes.Int64, n, valid, nulls, bytesOf(c.Ints[:n]))
	}
	return b.fixed(arrow.PrimitiveTypes.Float64, n, valid, nulls, bytesOf(c.Floats[:n]))
}

func (b *Batch) fixed(t arrow.DataType, n int, valid []byte, nulls int, values []byte) arrow.Array {
	d := b.data(t, n, valid, nulls, values)
	defer d.Release()
	return array.MakeFromData(d)
}

// data is the ArrayData of a fixed-width column of the batch.
func (b *Batch) data(t arrow.DataType, n int, valid []byte, nulls int, values []byte) arrow.ArrayData {
	var vb *memory.Buffer
	if valid != nil {
		vb = b.buffer(valid)
	}
	d := array.NewData(t, n, []*memory.Buffer{vb, b.buffer(values)}, nil, nulls, 0)
	for _, buf := range d.Buffers() {
		if buf != nil {
			buf.Release() // NewData retained them
		}
	}
	return d
}

// View is a record batch of ArrowSchema read as the typed slices its
// arrays are over (no copy): what the kernels and encoders loop over.
type View struct {
	Len  int
	Host []int32 // the host dictionary's indexes
	TS   []int64

	Level, Source, Pod, TraceID, Cluster StringsView
	PID, TID                             ColumnView
	Cols                                 []ColumnView // one per entry of Metrics
}

// ColumnView is a nullable numeric column of a View: Ints or Floats by
// the metric's Kind, and the validity bitmap (nil when there is no null).
type ColumnView struct {
	Ints   []int64
	Floats []float64
	Valid  []byte
	Nulls  int
}

// IsValid reports whether row i has a value.
func (c *ColumnView) IsValid(i int) bool {
	return c.Valid == nil || c.Valid[i>>3]&(1<<(uint(i)&7)) != 0
}

func (v *View) strings() [numStrings]*StringsView {
	return [numStrings]*StringsView{&v.Level, &v.Source, &v.Pod, &v.TraceID, &v.Cluster}
}

// View fills v with the batch's own columns (the same slices a Record
// of the batch is over), without going through Arrow arrays.
func (b *Batch) View(v *View) {
	n := b.Len
	v.Len, v.Host, v.TS = n, b.Host[:n], b.TS[:n]
	for k, s := range b.strings() {
		v.strings()[k].Offsets, v.strings()[k].Data = s.Offsets[:n+1], s.Data
	}
	v.PID, v.TID = b.PID.view(n), b.TID.view(n)
	if len(v.Cols) != len(b.Cols) {
		v.Cols = make([]ColumnView, len(b.Cols))
	}
	for i := range b.Cols {
		v.Cols[i] = b.Cols[i].view(n)
	}
}

// view returns the first n rows of c as a ColumnView.
func (c *Column) view(n int) ColumnView {
	cv := ColumnView{Nulls: c.NullCount(n)}
	if cv.Nulls > 0 {
		cv.Valid = c.Valid
	}
	if c.Kind == Int {
		cv.Ints = c.Ints[:n]
	} else {
		cv.Floats = c.Floats[:n]
	}
	return cv
}

// StringsView is a utf8 column of a View: row i is
// Data[Offsets[i]:Offsets[i+1]].
type StringsView struct {
	Offsets []int32
	Data    []byte
}

// Value returns row i.
func (s *StringsView) Value(i int) []byte { return s.Data[s.Offsets[i]:s.Offsets[i+1]] }

// ViewOf fills v with the columns of rec, which must have ArrowSchema's
// columns (a record of Batch.Record, or one read back with that schema).
// v keeps rec's buffers, not rec: it is valid while rec is.
func ViewOf(rec arrow.RecordBatch, v *View) error {
	if int(rec.NumCols()) != NumHeaderCols+len(Metrics) {
		return fmt.Errorf("record has %d columns, want %d", rec.NumCols(), NumHeaderCols+len(Metrics))
	}
	v.Len = int(rec.NumRows())
	ok := true
	if d, is := rec.Column(0).(*array.Dictionary); is {
		ind, is := d.Indices().(*array.Int32)
		ok = is
		if is {
			v.Host = ind.Int32Values()
		}
	} else {
		ok = false
	}
	if ts, is := rec.Column(1).(*array.Timestamp); is {
		v.TS = bytesAs[int64](ts.Data().Buffers()[1].Bytes())[ts.Data().Offset():][:v.Len]
	} else {
		ok = false
	}
	for k, s := range v.strings() {
		a, is := rec.Column(firstString + k).(*array.String)
		if !is {
			ok = false
			break
		}
		s.Offsets, s.Data = a.ValueOffsets(), nil // offsets into the whole data buffer
		if d := a.Data().Buffers()[2]; d != nil {
			s.Data = d.Bytes()
		}
	}
	if !ok {
		return errors.New("record does not have the samples schema")
	}
	if len(v.Cols) != len(Metrics) {
		v.Cols = make([]ColumnView, len(Metrics))
	}
	if err := viewColumn(rec.Column(colPID), Int, &v.PID); err != nil {
		return fmt.Errorf("pid: %w", err)
	}
	if err := viewColumn(rec.Column(colTID), Int, &v.TID); err != nil {
		return fmt.Errorf("tid: %w", err)
	}
	for i, m := range Metrics {
		if err := viewColumn(rec.Column(NumHeaderCols+i), m.Kind, &v.Cols[i]); err != nil {
			return fmt.Errorf("%s: %w", m.Name, err)
		}
	}
	return nil
}

func viewColumn(a arrow.Array, k Kind, c *ColumnView) error {
	*c = ColumnView{Nulls: a.NullN()}
	switch x := a.(type) {
	case *array.Int64:
		if k != Int {
			return errors.New("int64 where a double is expected")
		}
		c.Ints = x.Int64Values()
	case *array.Float64:
		if k != Float {
			return errors.New("double where an int64 is expected")
		}
		c.Floats = x.Float64Values()
	default:
		return fmt.Errorf("unexpected type %s", a.DataType())
	}
	if c.Nulls > 0 {
		c.Valid = validity(a)
	}
	return nil
}

// validity returns a's validity bitmap starting at its first row.
func validity(a arrow.Array) []byte {
	bm, off := a.NullBitmapBytes(), a.Data().Offset()
	if off%8 == 0 {
		return bm[off/8:]
	}
	out := make([]byte, (a.Len()+7)/8)
	for i := range a.Len() {
		if a.IsValid(i) {
			out[i>>3] |= 1 << (uint(i) & 7)
		}
	}
	return out
}

// bytesAs views bytes as a slice of fixed-size values, without copying.
func bytesAs[T int32 | int64 | float64](b []byte) []T {
	var z T
	n := len(b) / int(unsafe.Sizeof(z))
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), n)
}
