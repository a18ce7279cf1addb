package agg

import (
	"fmt"

	"github.com/resreport/resreport/columnar"
)

const (
	microsPerMilli = 1000
	microsPerDay   = 86400 * 1000 * 1000
)

// Binner maps timestamps (microseconds of naive local time) to bin starts.
// Bins are aligned to midnight of each day, as in the reference: the bin of
// a timestamp starts at midnight + floor(ms since midnight / interval) ×
// interval, so an interval that does not divide a day gets a short last bin
// and intervals over a day give one bin per day.
type Binner struct {
	interval int64 // microseconds
	// cache of the last bin looked up: [start, end)
	start, end int64
}

// NewBinner returns a binner for an interval in milliseconds (>= 1).
func NewBinner(intervalMillis int64) (*Binner, error) {
	if intervalMillis < 1 {
		return nil, fmt.Errorf("interval must be at least 1 ms, got %d ms", intervalMillis)
	}
	return &Binner{interval: intervalMillis * microsPerMilli, start: 1, end: 0}, nil
}

// Interval returns the bin width in microseconds.
func (b *Binner) Interval() int64 { return b.interval }

// Bin returns the start of the bin holding ts.
func (b *Binner) Bin(ts int64) int64 {
	if ts >= b.start && ts < b.end {
		return b.start
	}
	day := columnar.FloorDiv(ts, microsPerDay) * microsPerDay
	start := day + (ts-day)/b.interval*b.interval
	end := start + b.interval
	if end > day+microsPerDay {
		end = day + microsPerDay
	}
	b.start, b.end = start, end
	return start
}
