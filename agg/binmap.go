package agg

import "github.com/resreport/resreport/columnar"

// binMap maps the bin starts of one partial (or of one host in it) to
// indexes. Bins are numbered day × bins-per-day + bin of the day, and the
// numbers seen are covered by a window, an array: a lookup is an index
// into it, not a hash (cutRuns looks up every run). Bins seen so sparsely
// that the window would be much larger than they are many (a stray
// timestamp years away) switch it to a map.
type binMap struct {
	interval int64 // microseconds
	perDay   int64 // bins per day

	base   int64   // bin number of window[0]
	window []int32 // index+1 per bin number; 0 for none
	n      int     // entries

	sparse map[int64]int32 // when not nil, used instead of window
}

// minWindow is the window size (entries) allowed whatever the count.
const minWindow = 1 << 16

func newBinMap(interval int64) binMap {
	return binMap{interval: interval, perDay: (microsPerDay + interval - 1) / interval}
}

// number returns the bin number of a bin start.
func (m *binMap) number(start int64) int64 {
	day := columnar.FloorDiv(start, microsPerDay)
	return day*m.perDay + (start-day*microsPerDay)/m.interval
}

// get returns the index stored for the bin starting at start.
func (m *binMap) get(start int64) (int32, bool) {
	k := m.number(start)
	if m.sparse != nil {
		v, ok := m.sparse[k]
		return v, ok
	}
	if i := k - m.base; uint64(i) < uint64(len(m.window)) {
		if v := m.window[i]; v != 0 {
			return v - 1, true
		}
	}
	return 0, false
}

// reset empties the map, keeping its window's memory.
func (m *binMap) reset() {
	clear(m.window)
	m.n, m.sparse = 0, nil
}

// put stores v (>= 0) for the bin starting at start, which has none yet.
func (m *binMap) put(start int64, v int32) {
	k := m.number(start)
	if m.n == 0 && m.sparse == nil { // empty: the window starts here
		if len(m.window) == 0 {
			m.window = make([]int32, 64)
		}
		m.base = k
	}
	m.n++
	if m.sparse != nil {
		m.sparse[k] = v
		return
	}
	if i := k - m.base; i < 0 || i >= int64(len(m.window)) {
		lo, hi := min(m.base, k), max(m.base+int64(len(m.window)), k+1)
		if size := hi - lo; size > max(minWindow, 8*int64(m.n)) {
			m.toSparse()
			m.sparse[k] = v
			return
		}
		m.grow(lo, hi)
	}
	m.window[k-m.base] = v + 1
}

// grow makes the window cover [lo, hi), with as much room again on the
// side it grows to, so that bins arriving in order cost amortised O(1).
func (m *binMap) grow(lo, hi int64) {
	slack := hi - lo
	if lo < m.base {
		lo -= slack
	}
	if hi > m.base+int64(len(m.window)) {
		hi += slack
	}
	w := make([]int32, hi-lo)
	copy(w[m.base-lo:], m.window)
	m.base, m.window = lo, w
}

func (m *binMap) toSparse() {
	m.sparse = make(map[int64]int32, m.n)
	for i, v := range m.window {
		if v != 0 {
			m.sparse[m.base+int64(i)] = v - 1
		}
	}
	m.window = nil
}
