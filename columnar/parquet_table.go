package columnar

import (
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go"
)

// Column names of the Parquet files written from a Table.
const (
	TableColTime = "time"
	TableColHost = "host"
)

// tableSchema is the Parquet schema of t: time as TIMESTAMP(MICROS,
// isAdjustedToUTC=false), host as a dictionary-encoded string when t has
// hosts, then one optional double per value column.
func tableSchema(t *Table) *parquet.Schema {
	var s schemaBuilder
	s.add(TableColTime, parquet.Encoded(timestampNode(), &parquet.DeltaBinaryPacked))
	if t.Host != nil {
		s.add(TableColHost, dictString())
	}
	for _, c := range t.Cols {
		s.add(c.Name, parquet.Optional(parquet.Leaf(parquet.DoubleType)))
	}
	return s.schema("table")
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

// WriteTable writes t as a Parquet file to w (see tableSchema), zstd
// compressed, in row groups of at most SamplesRowGroupRows rows. A value
// column with a nil Valid has no nulls.
func WriteTable(w io.Writer, t *Table) error {
	if err := checkTable(t); err != nil {
		return fmt.Errorf("parquet table: %w", err)
	}
	fw, err := newFileWriter(w, tableSchema(t), defaultFileConfig())
	if err != nil {
		return fmt.Errorf("parquet table: %w", err)
	}
	first := 1 // first value column
	if t.Host != nil {
		first = 2
	}
	err = fw.writeRows(len(t.Time), func(c *columnChunk, col, lo, hi int) error {
		switch {
		case col == 0:
			c.appendInts(t.Time, nil, lo, hi-lo)
		case col < first:
			c.appendStringValues(t.Host[lo:hi])
		default:
			tc := &t.Cols[col-first]
			var valid []bool
			if tc.Valid != nil {
				valid = tc.Valid[lo:hi]
			}
			c.appendFloatsBool(tc.Values[lo:hi], valid)
		}
		return nil
	})
	if err == nil {
		err = fw.close()
	}
	if err != nil {
		return fmt.Errorf("parquet table: %w", err)
	}
	return nil
}
