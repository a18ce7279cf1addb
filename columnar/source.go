package columnar

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
)

// A Source is the input of a run, whatever it is read from (resource logs,
// Parquet files): a host table and units of work, each of which delivers
// the rows of some of the hosts as batches. Units are numbered in the order
// a run should take them: host by host (hosts ascending), and within a host
// in time order (rotated files before the live one, byte ranges in file
// order), so that a host's rows are all read close together and its state
// can be finished and dropped early.
type Source interface {
	// Hosts is the host table that Batch.Host indexes.
	Hosts() []string
	// Units describes the units of work, in the order to take them.
	Units() []Unit
	// NewReader returns a reader for one goroutine; it may hold buffers
	// that are reused from unit to unit.
	NewReader() UnitReader
}

// Unit is one piece of work of a Source.
type Unit struct {
	// Hosts lists the hosts whose rows the unit may hold, ascending: one
	// for a range of a log file.
	Hosts []int32
	// Size is the unit's size in bytes on disk, for progress and planning.
	Size int64
	// Seq is the unit's place in the input's order, where that is not the
	// order the units are read in: a host's units are combined in Seq
	// order (then unit order), as the time spans of its bins follow it.
	Seq int
}

// UnitReader reads units. ReadUnit hands the unit's rows, in order, to
// emit, one record batch (of ArrowSchema, host indexes into Hosts) at a
// time; emit must Retain a record it keeps after returning.
// An error from emit or a cancelled context stops the unit and is
// returned; a problem with the input itself (an unreadable file) is the
// source's to record, not an error.
type UnitReader interface {
	ReadUnit(ctx context.Context, unit int, emit func(arrow.RecordBatch) error) error
}
