package columnar

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/parquet-go/parquet-go"
)

// Column names of the Parquet files written from a Table.
const (
	TableColTime = "time"
	TableColHost = "host"
)

// TableColumn names one value column of a table file and its type: INT64
// for counts, sums of integers and counter deltas, DOUBLE otherwise.
type TableColumn struct {
	Name string
	Int  bool
}

// tableSchema is the Parquet schema of a table file: time as
// TIMESTAMP(MICROS, isAdjustedToUTC=false), host as a dictionary-encoded
// string when withHost, then one optional int64 or double per column.
func tableSchema(withHost bool, cols []TableColumn) *parquet.Schema {
	var s schemaBuilder
	s.add(TableColTime, parquet.Encoded(timestampNode(), &parquet.DeltaBinaryPacked))
	if withHost {
		s.add(TableColHost, dictString())
	}
	for _, c := range cols {
		if c.Int {
			s.add(c.Name, parquet.Optional(parquet.Encoded(parquet.Leaf(parquet.Int64Type), &parquet.DeltaBinaryPacked)))
		} else {
			s.add(c.Name, parquet.Optional(parquet.Leaf(parquet.DoubleType)))
		}
	}
	return s.schema("table")
}

// TableWriter streams a table file (cluster_bins.parquet,
// host_bins.parquet) row block by row block, so a table of hosts × bins
// rows is never held whole: zstd-compressed, in row groups of at most
// SamplesRowGroupRows rows. Write and Close are called from one goroutine.
type TableWriter struct {
	fw       *fileWriter
	withHost bool
	cols     []TableColumn
	ints     []int64 // scratch for Int columns
	err      error
	closed   bool
}

// NewTableWriter starts a table file on w. hosts, when not nil, is the
// host column's dictionary, which WriteRows's host indexes index; nil
// makes a file without a host column. meta goes into the footer.
func NewTableWriter(w io.Writer, hosts []string, cols []TableColumn, meta map[string]string) (*TableWriter, error) {
	seen := map[string]bool{TableColTime: true, TableColHost: hosts != nil}
	for _, c := range cols {
		if c.Name == "" || seen[c.Name] {
			return nil, fmt.Errorf("parquet table: column name %q is empty or repeated", c.Name)
		}
		seen[c.Name] = true
	}
	cfg := defaultFileConfig()
	cfg.meta = keyValues(meta)
	fw, err := newFileWriter(w, tableSchema(hosts != nil, cols), cfg)
	if err != nil {
		return nil, fmt.Errorf("parquet table: %w", err)
	}
	if hosts != nil {
		fw.setDictionary(1, hosts)
	}
	return &TableWriter{fw: fw, withHost: hosts != nil, cols: cols}, nil
}

// WriteRows appends len(time) rows: their times, their hosts (indexes
// into the dictionary; ignored without a host column) and for each column
// its values, NaN or ±Inf for null. It keeps no reference to its
// arguments. After an error every later call returns it.
func (t *TableWriter) WriteRows(time []int64, hosts []int32, vals [][]float64) error {
	if t.err != nil {
		return t.err
	}
	if t.closed {
		return errors.New("parquet table: write after close")
	}
	n := len(time)
	if err := t.check(n, hosts, vals); err != nil {
		return err
	}
	first := 1
	if t.withHost {
		first = 2
	}
	err := t.fw.writeRows(n, func(c *columnChunk, col, lo, hi int) error {
		switch {
		case col == 0:
			c.appendInts(time, nil, lo, hi-lo)
		case col < first:
			return c.appendIndexes(hosts, lo, hi-lo)
		default:
			v := vals[col-first][lo:hi]
			if t.cols[col-first].Int {
				c.appendIntsFromFloats(v)
			} else {
				c.appendFloatsFinite(v)
			}
		}
		return nil
	})
	if err != nil {
		t.err = fmt.Errorf("parquet table: %w", err)
	}
	return t.err
}

func (t *TableWriter) check(n int, hosts []int32, vals [][]float64) error {
	if t.withHost && len(hosts) != n {
		return fmt.Errorf("parquet table: %d host indexes for %d rows", len(hosts), n)
	}
	if len(vals) != len(t.cols) {
		return fmt.Errorf("parquet table: %d columns, the file has %d", len(vals), len(t.cols))
	}
	for i, v := range vals {
		if len(v) != n {
			return fmt.Errorf("parquet table: column %s has %d values for %d rows", t.cols[i].Name, len(v), n)
		}
	}
	return nil
}

// Close writes the last row group and the footer. It does not close the
// underlying writer.
func (t *TableWriter) Close() error {
	if t.closed {
		return t.err
	}
	t.closed = true
	if t.err != nil {
		return t.err
	}
	if err := t.fw.close(); err != nil {
		t.err = fmt.Errorf("parquet table: %w", err)
	}
	return t.err
}

// WriteTable writes t, held in memory, as a table file (see
// NewTableWriter); its host dictionary is the distinct hosts, sorted.
func WriteTable(w io.Writer, t *Table) error { return WriteTableContext(context.Background(), w, t) }

// WriteTableContext is WriteTable stopped by ctx (checked before each
// pass of the encoders, a page of rows).
func WriteTableContext(ctx context.Context, w io.Writer, t *Table) error {
	if err := checkTable(t); err != nil {
		return fmt.Errorf("parquet table: %w", err)
	}
	var hosts []string
	var idx []int32
	if t.Host != nil {
		hosts = slices.Compact(slices.Sorted(slices.Values(t.Host)))
		idx = make([]int32, len(t.Host))
		for i, h := range t.Host {
			k, _ := slices.BinarySearch(hosts, h)
			idx[i] = int32(k)
		}
		if hosts == nil {
			hosts = []string{}
		}
	}
	cols := make([]TableColumn, len(t.Cols))
	vals := make([][]float64, len(t.Cols))
	for i, c := range t.Cols {
		cols[i] = TableColumn{Name: c.Name, Int: c.Int}
		vals[i] = c.Values
		if c.Valid != nil {
			vals[i] = slices.Clone(c.Values)
			for r, ok := range c.Valid {
				if !ok {
					vals[i][r] = math.NaN()
				}
			}
		}
	}
	tw, err := NewTableWriter(w, hosts, cols, t.Meta)
	if err != nil {
		return err
	}
	tw.fw.ctx = ctx
	if err := tw.WriteRows(t.Time, idx, vals); err != nil {
		return err
	}
	return tw.Close()
}

// checkTable reports a table whose columns are not all as long as Time or
// whose column names clash.
func checkTable(t *Table) error {
	n := len(t.Time)
	seen := map[string]bool{TableColTime: true}
	if t.Host != nil {
		seen[TableColHost] = true
		if len(t.Host) != n {
			return fmt.Errorf("host column has %d rows, time has %d", len(t.Host), n)
		}
	}
	for _, c := range t.Cols {
		if c.Name == "" || seen[c.Name] {
			return fmt.Errorf("column name %q is empty or repeated", c.Name)
		}
		seen[c.Name] = true
		if len(c.Values) != n || (c.Valid != nil && len(c.Valid) != n) {
			return fmt.Errorf("column %s has %d values and %d validity flags, time has %d rows",
				c.Name, len(c.Values), len(c.Valid), n)
		}
	}
	return nil
}
