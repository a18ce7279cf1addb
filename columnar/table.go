package columnar

// Table is a small column-oriented result table, such as the per-bin
// cluster aggregates or the per-host per-bin aggregates: a time column, an
// optional host column and nullable value columns. Its size is
// bounded by hosts × bins, never by the input.
type Table struct {
	Time []int64  // bin start, microseconds of naive local time
	Host []string // nil for tables without a host column
	Cols []TableCol
	Meta map[string]string // the file's footer metadata
}

// TableCol is one nullable value column of a Table.
type TableCol struct {
	Name   string
	Int    bool // written as INT64 (counts, integer sums, deltas), else DOUBLE
	Values []float64
	Valid  []bool // Valid[i] false: row i is null (Values[i] is meaningless); nil: NaN and ±Inf are null
}

// Rows returns the number of rows.
func (t *Table) Rows() int { return len(t.Time) }

// Col returns the column called name, or nil.
func (t *Table) Col(name string) *TableCol {
	for i := range t.Cols {
		if t.Cols[i].Name == name {
			return &t.Cols[i]
		}
	}
	return nil
}
