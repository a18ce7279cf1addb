package columnar

import (
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
)

// SamplesRowGroupRows bounds the rows of a samples.parquet row group, and
// so the memory the writer holds (compressed pages of one row group).
const SamplesRowGroupRows = 128 << 10

// zstdCodec is the compression of every file: zstd at its fastest level,
// which keeps most of the ratio at a fraction of the default's CPU.
var zstdCodec = &zstd.Codec{Level: zstd.SpeedFastest}

func optionalInt64() parquet.Node  { return parquet.Optional(parquet.Leaf(parquet.Int64Type)) }
func optionalDouble() parquet.Node { return parquet.Optional(parquet.Leaf(parquet.DoubleType)) }
func dictString() parquet.Node     { return parquet.Encoded(parquet.String(), &parquet.RLEDictionary) }

// naiveMicros is TIMESTAMP(MICROS, isAdjustedToUTC=false): naive local
// time, as in the logs.
func naiveMicros() parquet.Node { return parquet.TimestampAdjusted(parquet.Microsecond, false) }

// SamplesSchema is the Parquet schema of samples.parquet: one column per
// header field and per metric sub-field (parquet-go orders a group's
// columns by name).
func SamplesSchema() *parquet.Schema { return samplesSchema(true) }

// samplesSchema is SamplesSchema, without the host column for files
// partitioned by host (the partition path carries it).
func samplesSchema(withHost bool) *parquet.Schema {
	g := parquet.Group{
		"ts":    naiveMicros(),
		"level": dictString(), "pod": dictString(), "trace_id": dictString(), "cluster": dictString(),
		"pid": optionalInt64(), "tid": optionalInt64(),
	}
	if withHost {
		g["host"] = dictString()
	}
	for _, m := range Metrics {
		if m.Kind == Int {
			g[m.Name] = optionalInt64()
		} else {
			g[m.Name] = optionalDouble()
		}
	}
	return parquet.NewSchema("sample", g)
}

// SamplesWriter streams batches into samples.parquet. Columns are encoded
// in parallel; row groups are cut every SamplesRowGroupRows rows.
type SamplesWriter struct {
	w      *parquet.GenericWriter[any]
	hosts  [][]byte
	cols   []sampleCol // in the schema's column order
	rows   int         // rows in the current row group
	jobs   chan colJob
	wg     sync.WaitGroup
	errs   []error
	batch  *Batch
	lo, hi int // rows of batch being written
}

// sampleCol maps a Parquet column to where its values are in a batch.
type sampleCol struct {
	index int        // leaf column index
	fill  columnFill // how to read the batch
}

// columnFill appends the values of rows [lo, hi) of b for leaf column col.
type columnFill func(b *Batch, lo, hi int, vals []parquet.Value, col int, hosts [][]byte) []parquet.Value

type colJob struct {
	col  int
	done *sync.WaitGroup
}

// NewSamplesWriter returns a writer of samples.parquet to w for a run
// whose host table is hosts. With hosts nil the file has no host column
// (a file of a host=… partition).
func NewSamplesWriter(w io.Writer, hosts []string) (*SamplesWriter, error) {
	schema := samplesSchema(hosts != nil)
	sw := &SamplesWriter{
		w: parquet.NewGenericWriter[any](w, schema, parquet.Compression(zstdCodec),
			parquet.MaxRowsPerRowGroup(SamplesRowGroupRows), parquet.CreatedBy("resreport", "", "")),
	}
	for _, h := range hosts {
		sw.hosts = append(sw.hosts, []byte(h))
	}
	metric := map[string]int{}
	for i, m := range Metrics {
		metric[m.Name] = i
	}
	for i, path := range schema.Columns() {
		name := path[0]
		var fill columnFill
		switch name {
		case "host":
			fill = fillHost
		case "ts":
			fill = fillTS
		case "level":
			fill = fillStrings(func(b *Batch) *Strings { return &b.Level })
		case "pod":
			fill = fillStrings(func(b *Batch) *Strings { return &b.Pod })
		case "trace_id":
			fill = fillStrings(func(b *Batch) *Strings { return &b.TraceID })
		case "cluster":
			fill = fillStrings(func(b *Batch) *Strings { return &b.Cluster })
		case "pid":
			fill = fillColumn(func(b *Batch) *Column { return &b.PID })
		case "tid":
			fill = fillColumn(func(b *Batch) *Column { return &b.TID })
		default:
			m, ok := metric[name]
			if !ok {
				return nil, fmt.Errorf("samples schema: unknown column %q", name)
			}
			fill = fillColumn(func(b *Batch) *Column { return &b.Cols[m] })
		}
		sw.cols = append(sw.cols, sampleCol{index: i, fill: fill})
	}
	sw.start()
	return sw, nil
}

// start launches one encoder goroutine per CPU; each owns a scratch
// slice of values and takes whole columns.
func (sw *SamplesWriter) start() {
	sw.jobs = make(chan colJob)
	n := runtime.GOMAXPROCS(0)
	sw.errs = make([]error, len(sw.cols))
	for i := 0; i < n; i++ {
		sw.wg.Add(1)
		go func() {
			defer sw.wg.Done()
			vals := make([]parquet.Value, 0, BatchRows)
			for j := range sw.jobs {
				c := &sw.cols[j.col]
				vals = c.fill(sw.batch, sw.lo, sw.hi, vals[:0], c.index, sw.hosts)
				if _, err := sw.w.ColumnWriters()[c.index].WriteRowValues(vals); err != nil {
					sw.errs[j.col] = err
				}
				clear(vals) // drop references to the batch's bytes
				j.done.Done()
			}
		}()
	}
}

// Write appends the rows of b. It does not keep b.
func (sw *SamplesWriter) Write(b *Batch) error { return sw.WriteRows(b, 0, b.Len) }

// WriteRows appends rows [lo, hi) of b. It does not keep b.
func (sw *SamplesWriter) WriteRows(b *Batch, lo, hi int) error {
	if hi <= lo {
		return nil
	}
	if sw.rows+hi-lo > SamplesRowGroupRows {
		if err := sw.w.Flush(); err != nil {
			return fmt.Errorf("samples.parquet: %w", err)
		}
		sw.rows = 0
	}
	sw.batch, sw.lo, sw.hi = b, lo, hi
	var done sync.WaitGroup
	done.Add(len(sw.cols))
	for i := range sw.cols {
		sw.jobs <- colJob{col: i, done: &done}
	}
	done.Wait()
	sw.batch = nil
	for _, err := range sw.errs {
		if err != nil {
			return fmt.Errorf("samples.parquet: %w", err)
		}
	}
	sw.rows += hi - lo
	return nil
}

// Close writes the last row group and the footer.
func (sw *SamplesWriter) Close() error {
	close(sw.jobs)
	sw.wg.Wait()
	if err := sw.w.Close(); err != nil {
		return fmt.Errorf("samples.parquet: %w", err)
	}
	return nil
}

func fillHost(b *Batch, lo, hi int, vals []parquet.Value, col int, hosts [][]byte) []parquet.Value {
	for i := lo; i < hi; i++ {
		vals = append(vals, parquet.ByteArrayValue(hosts[b.Host[i]]).Level(0, 0, col))
	}
	return vals
}

func fillTS(b *Batch, lo, hi int, vals []parquet.Value, col int, _ [][]byte) []parquet.Value {
	for i := lo; i < hi; i++ {
		vals = append(vals, parquet.Int64Value(b.TS[i]).Level(0, 0, col))
	}
	return vals
}

func fillStrings(get func(*Batch) *Strings) columnFill {
	return func(b *Batch, lo, hi int, vals []parquet.Value, col int, _ [][]byte) []parquet.Value {
		s := get(b)
		for i := lo; i < hi; i++ {
			vals = append(vals, parquet.ByteArrayValue(s.Value(i)).Level(0, 0, col))
		}
		return vals
	}
}

func fillColumn(get func(*Batch) *Column) columnFill {
	return func(b *Batch, lo, hi int, vals []parquet.Value, col int, _ [][]byte) []parquet.Value {
		c := get(b)
		null := parquet.NullValue().Level(0, 0, col)
		if c.Kind == Int {
			for i := lo; i < hi; i++ {
				if c.IsValid(i) {
					vals = append(vals, parquet.Int64Value(c.Ints[i]).Level(0, 1, col))
				} else {
					vals = append(vals, null)
				}
			}
			return vals
		}
		for i := lo; i < hi; i++ {
			if c.IsValid(i) {
				vals = append(vals, parquet.DoubleValue(c.Floats[i]).Level(0, 1, col))
			} else {
				vals = append(vals, null)
			}
		}
		return vals
	}
}

// WriteTable writes a result table (cluster_bins.parquet,
// host_bins.parquet): time, host when the table has one, then each column
// as an optional double.
func WriteTable(w io.Writer, t *Table) error {
	g := parquet.Group{"time": naiveMicros()}
	if t.Host != nil {
		g["host"] = dictString()
	}
	for _, c := range t.Cols {
		if _, dup := g[c.Name]; dup {
			return fmt.Errorf("table: duplicate column %q", c.Name)
		}
		g[c.Name] = optionalDouble()
	}
	schema := parquet.NewSchema("bin", g)
	pw := parquet.NewGenericWriter[any](w, schema, parquet.Compression(zstdCodec), parquet.MaxRowsPerRowGroup(SamplesRowGroupRows))
	byName := map[string]*TableCol{}
	for i := range t.Cols {
		byName[t.Cols[i].Name] = &t.Cols[i]
	}
	n := t.Rows()
	vals := make([]parquet.Value, 0, n)
	for start := 0; start < n; start += SamplesRowGroupRows {
		end := min(start+SamplesRowGroupRows, n)
		for i, path := range schema.Columns() {
			vals = vals[:0]
			switch name := path[0]; name {
			case "time":
				for r := start; r < end; r++ {
					vals = append(vals, parquet.Int64Value(t.Time[r]).Level(0, 0, i))
				}
			case "host":
				for r := start; r < end; r++ {
					vals = append(vals, parquet.ByteArrayValue([]byte(t.Host[r])).Level(0, 0, i))
				}
			default:
				c := byName[name]
				for r := start; r < end; r++ {
					if c.Valid[r] {
						vals = append(vals, parquet.DoubleValue(c.Values[r]).Level(0, 1, i))
					} else {
						vals = append(vals, parquet.NullValue().Level(0, 0, i))
					}
				}
			}
			if _, err := pw.ColumnWriters()[i].WriteRowValues(vals); err != nil {
				return fmt.Errorf("write table: %w", err)
			}
		}
		if err := pw.Flush(); err != nil {
			return fmt.Errorf("write table: %w", err)
		}
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}
