package columnar

import (
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
	ColPod     = "pod"
	ColTraceID = "trace_id"
	ColCluster = "cluster"
	ColPID     = "pid"
	ColTID     = "tid"
)

// NumHeaderCols is the number of columns before the metrics.
const NumHeaderCols = 8

// hostType is the Arrow type of the host column: dictionary-encoded
// strings whose dictionary is the run's host table.
var hostType = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}

// tsType is timestamp[us] without a zone: naive local time.
var tsType = &arrow.TimestampType{Unit: arrow.Microsecond}

// ArrowSchema is the Arrow schema of a batch: host, ts, level, pod,
// trace_id, cluster, pid, tid, then one nullable column per metric in
// catalogue order.
func ArrowSchema() *arrow.Schema {
	fields := []arrow.Field{
		{Name: ColHost, Type: hostType},
		{Name: ColTS, Type: tsType},
		{Name: ColLevel, Type: arrow.BinaryTypes.String},
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
}

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
// batch's own memory (no copy). It is valid only while the batch is: until
// the batch is released or reset; release the record before that.
func (b *Batch) Record(hosts *HostDict) arrow.RecordBatch {
	n := b.Len
	cols := make([]arrow.Array, 0, 8+len(b.Cols))
	idx := array.NewData(arrow.PrimitiveTypes.Int32, n,
		[]*memory.Buffer{nil, memory.NewBufferBytes(bytesOf(b.Host[:n]))}, nil, 0, 0)
	cols = append(cols, array.NewDictionaryArray(hostType, array.MakeFromData(idx), hosts.dict))
	idx.Release()
	cols = append(cols, fixed(tsType, n, nil, 0, bytesOf(b.TS[:n])))
	for _, s := range b.strings() {
		d := array.NewData(arrow.BinaryTypes.String, n,
			[]*memory.Buffer{nil, memory.NewBufferBytes(bytesOf(s.Offsets[:n+1])), memory.NewBufferBytes(s.Data)}, nil, 0, 0)
		cols = append(cols, array.MakeFromData(d))
		d.Release()
	}
	cols = append(cols, b.PID.arrow(n), b.TID.arrow(n))
	for i := range b.Cols {
		cols = append(cols, b.Cols[i].arrow(n))
	}
	rec := array.NewRecordBatch(ArrowSchema(), cols, int64(n))
	for _, c := range cols {
		c.Release()
	}
	return rec
}

// arrow views the first n rows of c as an Arrow array.
func (c *Column) arrow(n int) arrow.Array {
	nulls := c.NullCount(n)
	var valid []byte
	if nulls > 0 {
		valid = c.Valid[:(n+7)/8]
	}
	if c.Kind == Int {
		return fixed(arrow.PrimitiveTypes.Int64, n, valid, nulls, bytesOf(c.Ints[:n]))
	}
	return fixed(arrow.PrimitiveTypes.Float64, n, valid, nulls, bytesOf(c.Floats[:n]))
}

func fixed(t arrow.DataType, n int, valid []byte, nulls int, values []byte) arrow.Array {
	var vb *memory.Buffer
	if valid != nil {
		vb = memory.NewBufferBytes(valid)
	}
	d := array.NewData(t, n, []*memory.Buffer{vb, memory.NewBufferBytes(values)}, nil, nulls, 0)
	defer d.Release()
	return array.MakeFromData(d)
}
