package columnar

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// BatchRows is the fixed row capacity of a Batch.
const BatchRows = 1024

// Column is one nullable numeric column of a Batch. Exactly one of Ints and
// Floats is in use, chosen by Kind; both are BatchRows long. Valid is an
// Arrow validity bitmap (bit i set = row i has a value).
type Column struct {
	Kind   Kind
	Ints   []int64
	Floats []float64
	Valid  []byte
}

// The metric columns of a batch live in two slabs: Values holds column i's
// values at Values[i*ValueStride:][:BatchRows] (int64 or float64 bits, by
// the column's Kind) and Validity its bitmap at
// Validity[i*ValidityStride:][:BatchRows/8]. Column.Ints, Floats and Valid
// are views of them. Consecutive columns are one cache line further apart
// than their size: the parser writes one value to every column per row,
// and columns BatchRows×8 bytes apart (a multiple of 4 KiB) would put row
// i of every column in the same L1 set, evicting each other on every row.
const (
	ValueStride    = BatchRows + 64/8
	validitySize   = (BatchRows + 7) / 8
	ValidityStride = validitySize + 64
)

// newColumn returns a column of kind k viewing vals and valid.
func newColumn(k Kind, vals []uint64, valid []byte) Column {
	c := Column{Kind: k, Valid: valid[:validitySize:validitySize]}
	p := unsafe.Pointer(unsafe.SliceData(vals))
	if k == Int {
		c.Ints = unsafe.Slice((*int64)(p), BatchRows)
	} else {
		c.Floats = unsafe.Slice((*float64)(p), BatchRows)
	}
	return c
}

// IsValid reports whether row i has a value.
func (c *Column) IsValid(i int) bool { return c.Valid[i>>3]&(1<<(uint(i)&7)) != 0 }

// SetInt stores v at row i and marks it valid.
func (c *Column) SetInt(i int, v int64) {
	c.Ints[i] = v
	c.Valid[i>>3] |= 1 << (uint(i) & 7)
}

// SetFloat stores v at row i and marks it valid.
func (c *Column) SetFloat(i int, v float64) {
	c.Floats[i] = v
	c.Valid[i>>3] |= 1 << (uint(i) & 7)
}

// Float returns row i as float64 (the caller checks IsValid).
func (c *Column) Float(i int) float64 {
	if c.Kind == Int {
		return float64(c.Ints[i])
	}
	return c.Floats[i]
}

// NullCount returns the number of null rows among the first n.
func (c *Column) NullCount(n int) int {
	valid := 0
	full := n >> 3
	for _, b := range c.Valid[:full] {
		valid += int(popcount8[b])
	}
	if rem := n & 7; rem != 0 {
		valid += int(popcount8[c.Valid[full]&(1<<uint(rem)-1)])
	}
	return n - valid
}

var popcount8 = func() (t [256]uint8) {
	for i := range t {
		for b := i; b != 0; b &= b - 1 {
			t[i]++
		}
	}
	return t
}()

// Strings is a utf8 column in Arrow layout: row i is
// Data[Offsets[i]:Offsets[i+1]]. Header strings are never null.
type Strings struct {
	Offsets []int32
	Data    []byte
}

// Append adds s as the next row.
func (s *Strings) Append(b []byte) {
	s.Data = append(s.Data, b...)
	s.Offsets = append(s.Offsets, int32(len(s.Data)))
}

// Value returns row i; the slice aliases the column.
func (s *Strings) Value(i int) []byte { return s.Data[s.Offsets[i]:s.Offsets[i+1]] }

func (s *Strings) reset() {
	s.Offsets = append(s.Offsets[:0], 0)
	s.Data = s.Data[:0]
}

// Batch holds up to BatchRows parsed samples in columns. A Batch is filled
// by one parser goroutine, then shared read-only with the consumers; each
// consumer calls Release when done and the last release recycles it.
type Batch struct {
	Len int

	Host []int32 // index into the run's host table
	TS   []int64 // microseconds since 1970-01-01T00:00:00 of the naive local time

	Level   Strings
	Source  Strings // the emitter's source location, e.g. res_metric_collector.cpp:114
	Pod     Strings // worker id, e.g. searchgenrecallkvworker-24-00001
	TraceID Strings
	Cluster Strings // deployment's cluster name (header field 7)
	PID     Column  // Int
	TID     Column  // Int

	Cols []Column // one per entry of Metrics, same order

	// Values and Validity hold the data of Cols (see ValueStride); the
	// parser writes them directly.
	Values   []uint64
	Validity []byte

	refs atomic.Int32
}

// NewBatch allocates an empty batch with capacity BatchRows.
func NewBatch() *Batch {
	n := len(Metrics)
	b := &Batch{
		Host:     make([]int32, BatchRows),
		TS:       make([]int64, BatchRows),
		Cols:     make([]Column, n),
		Values:   make([]uint64, n*ValueStride),
		Validity: make([]byte, n*ValidityStride),
	}
	hdr := make([]uint64, 2*ValueStride)
	hdrValid := make([]byte, 2*ValidityStride)
	b.PID = newColumn(Int, hdr, hdrValid)
	b.TID = newColumn(Int, hdr[ValueStride:], hdrValid[ValidityStride:])
	for i, m := range Metrics {
		b.Cols[i] = newColumn(m.Kind, b.Values[i*ValueStride:], b.Validity[i*ValidityStride:])
	}
	for _, s := range b.strings() {
		s.Offsets = make([]int32, 1, BatchRows+1)
		s.Data = make([]byte, 0, BatchRows*16)
	}
	return b
}

func (b *Batch) strings() [numStrings]*Strings {
	return [numStrings]*Strings{&b.Level, &b.Source, &b.Pod, &b.TraceID, &b.Cluster}
}

// Reset empties the batch for reuse, keeping its memory.
func (b *Batch) Reset() {
	n := (b.Len + 7) / 8
	clear(b.PID.Valid[:n])
	clear(b.TID.Valid[:n])
	for i := range b.Cols {
		clear(b.Cols[i].Valid[:n])
	}
	for _, s := range b.strings() {
		s.reset()
	}
	b.Len = 0
}

// ClearRow undoes a partly written row i (i >= Len): its values become
// null and string values appended for it are dropped.
func (b *Batch) ClearRow(i int) {
	mask := ^byte(1 << (uint(i) & 7))
	for c := range b.Cols {
		b.Cols[c].Valid[i>>3] &= mask
	}
	b.PID.Valid[i>>3] &= mask
	b.TID.Valid[i>>3] &= mask
	for _, s := range b.strings() {
		if len(s.Offsets) > i+1 {
			s.Data = s.Data[:s.Offsets[i]]
			s.Offsets = s.Offsets[:i+1]
		}
	}
}

// Full reports whether the batch has no room for another row.
func (b *Batch) Full() bool { return b.Len == BatchRows }

// Retain adds n consumers that must each call Release.
func (b *Batch) Retain(n int) { b.refs.Add(int32(n)) }

// Release marks one consumer done; the last one returns the batch to pool.
func (b *Batch) Release() {
	if b.refs.Add(-1) == 0 {
		b.Reset()
		batchPool.Put(b)
	}
}

var batchPool = sync.Pool{New: func() any { return NewBatch() }}

// GetBatch returns an empty batch from the pool.
func GetBatch() *Batch { return batchPool.Get().(*Batch) }
