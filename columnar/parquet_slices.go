package columnar

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
)

// The time-sliced layout of samples.parquet (WithTimeSlices). A run reads
// its input host by host, so rows arrive host by host, each host's in time
// order. The writer keeps one row group open per time slice for a chunk of
// consecutive hosts, appends each host's rows to the row groups of their
// slices, and at a host boundary, once the open row groups hold about
// rgRows×3/4 rows on average or maxChunkBytes of pages, writes them all,
// slices in order, and starts the next chunk. So every row group covers one slice (a filter on ts
// prunes the rest) and a contiguous range of hosts in host order (a filter
// on host prunes by the row groups' statistics), and memory holds one
// chunk's compressed pages. Within a host, so that one large host cannot
// hold all its pages until its end, the chunk also ends at a row after
// every checkRows rows when its pages reach maxChunkBytes. Every decision
// is taken at a row that the rows alone determine, so the layout depends
// only on the rows, and the same input gives the same bytes. (Ending the
// chunk also at a bound on its slices made rows of timestamps scattered
// over years into tens of thousands of one-row row groups: 60,000 rows
// took 46 s, 5 GB and a 673 MB file, against 3 s, 0.7 GB and 456 row
// groups.) A chunk holds at most maxOpenSlices slices: rows of any other
// slice go to one more row group of the chunk, of several slices (rows
// scattered in time, against a width chosen from their first and last,
// would each open a row group).

// sliced appends the rows of the segments (in order) in the time-sliced
// layout.
func (w *SamplesWriter) sliced(in []segment) error {
	if err := w.usable(); err != nil {
		return err
	}
	if w.segs == nil {
		w.segs = map[int64][]segment{}
	}
	for _, seg := range in {
		v := seg.v
		for i := seg.lo; i < seg.hi; {
			h, sl := v.Host[i], FloorDiv(v.TS[i], w.width)
			j := i + 1
			for j < min(seg.hi, i+w.toCheck) && v.Host[j] == h && FloorDiv(v.TS[j], w.width) == sl {
				j++
			}
			if h != w.host {
				if err := w.hostBoundary(); err != nil {
					return w.fail(err)
				}
				w.host = h
			}
			if sl = w.sliceFor(sl); sl == straySlice {
				w.strays += j - i
			}
			w.segs[sl] = append(w.segs[sl], segment{v, i, j})
			if w.toCheck -= j - i; w.toCheck == 0 {
				if err := w.checkMemory(); err != nil {
					return w.fail(err)
				}
			}
			i = j
		}
	}
	return w.fail(w.appendSegments())
}

// maxOpenSlices bounds the slices of a chunk (an open row group of few
// rows holds ~130 KB; a chunk of usual rows has a few dozen).
const maxOpenSlices = 256

// straySlice is the key of the chunk's row group of the rows of the
// slices past maxOpenSlices; written first (endChunk).
const straySlice = math.MinInt64

// StrayRows returns the number of rows that went to a row group of
// several time slices (see maxOpenSlices): read back, their host-bins that
// also have rows in a slice's row group are not in input order.
func (w *SamplesWriter) StrayRows() int { return w.strays }

// sliceFor returns the key of the row group that takes rows of slice sl:
// sl, or straySlice once the chunk holds maxOpenSlices other slices.
func (w *SamplesWriter) sliceFor(sl int64) int64 {
	if w.taken(sl) {
		return sl
	}
	if len(w.open)+w.newSegs >= maxOpenSlices {
		if sl = straySlice; w.taken(sl) {
			return sl
		}
	}
	w.newSegs++
	return sl
}

// taken reports whether the chunk has rows of key sl, pending or in its
// open row group.
func (w *SamplesWriter) taken(sl int64) bool {
	if _, ok := w.segs[sl]; ok {
		return true
	}
	_, ok := w.open[sl]
	return ok
}

// checkMemory ends the chunk within a host when its row groups' pages
// reach chunkBytes (maxChunkBytes; called every checkRows rows).
func (w *SamplesWriter) checkMemory() error {
	w.toCheck = w.checkRows
	if err := w.appendSegments(); err != nil {
		return err
	}
	if _, bytes := w.openSize(); bytes >= w.chunkBytes {
		return w.endChunk()
	}
	return nil
}

// openSize returns the rows and the memory (rowGroup.bytes) of the
// chunk's open row groups.
func (w *SamplesWriter) openSize() (rows, bytes int) {
	for _, g := range w.open {
		rows += g.rows
		bytes += g.bytes()
	}
	return rows, bytes
}

// checkRows is how often (in rows) a chunk's memory is checked within a
// host.
const checkRows = 64 << 10

func (w *SamplesWriter) usable() error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errors.New("parquet samples writer: write after close")
	}
	return nil
}

func (w *SamplesWriter) fail(err error) error {
	if err != nil && w.err == nil {
		w.err = fmt.Errorf("parquet samples writer: %w", err)
	}
	return w.err
}

// hostBoundary is called before the rows of another host: the chunk ends
// here when its row groups are full enough.
func (w *SamplesWriter) hostBoundary() error {
	if err := w.appendSegments(); err != nil {
		return err
	}
	rows, bytes := w.openSize()
	if len(w.open) > 0 && (rows >= len(w.open)*w.fw.rgRows*3/4 || bytes >= w.chunkBytes) {
		return w.endChunk()
	}
	return nil
}

// maxChunkBytes bounds the memory of a chunk's open row groups: past it
// the chunk ends at the next host, with smaller row groups (still one
// slice and a host range each).
const maxChunkBytes = 48 << 20

// bytes is the memory the row group holds: its encoded pages and the
// values of its pending pages.
func (g *rowGroup) bytes() int {
	n := 0
	for _, c := range g.cols {
		n += c.pages.len() + 8*(len(c.ints)+len(c.floats)) + 4*len(c.idx)
	}
	return n
}

// appendSegments appends the pending rows to the row groups of their
// slices, in one pass of the encoders per slice; a row group that reaches
// rgRows is written alone.
func (w *SamplesWriter) appendSegments() error {
	w.newSegs = 0
	for _, sl := range slices.Sorted(maps.Keys(w.segs)) {
		segs := w.segs[sl]
		delete(w.segs, sl)
		total := 0
		for _, s := range segs {
			total += s.hi - s.lo
		}
		for done := 0; done < total; {
			g := w.open[sl]
			if g == nil {
				var err error
				if g, err = w.fw.newRowGroup(); err != nil {
					return err
				}
				w.open[sl] = g
			}
			n := min(total-done, w.fw.rgRows-g.rows)
			if err := w.fw.appendRows(g, n, w.fillSegments(segs, done)); err != nil {
				return err
			}
			done += n
			if g.rows == w.fw.rgRows {
				if err := w.fw.flush(g); err != nil {
					return err
				}
				delete(w.open, sl)
			}
		}
	}
	return nil
}

// fillSegments appends rows lo..hi-1 of the concatenation of segs, from
// its row skip on.
func (w *SamplesWriter) fillSegments(segs []segment, skip int) chunkFunc {
	return func(c *columnChunk, col, lo, hi int) error {
		lo, hi = lo+skip, hi+skip
		start := 0 // first row of s among the rows of segs
		for _, s := range segs {
			end := start + s.hi - s.lo
			if end > lo && start < hi {
				a, b := s.lo+max(lo, start)-start, s.lo+min(hi, end)-start
				if err := appendSamples(c, s.v, col+w.skip, a, b); err != nil {
					return err
				}
			}
			if start = end; start >= hi {
				break
			}
		}
		return nil
	}
}

// endChunk writes the open row groups, slices in order.
func (w *SamplesWriter) endChunk() error {
	for _, sl := range slices.Sorted(maps.Keys(w.open)) {
		if err := w.fw.flush(w.open[sl]); err != nil {
			return err
		}
		delete(w.open, sl)
	}
	return nil
}

// sliceWidths are the slice widths SliceWidth chooses from (microseconds).
var sliceWidths = func() []int64 {
	const m = 60e6
	var out []int64
	for _, w := range []float64{1, 2, 5, 10, 15, 30, 60, 120, 180, 240, 360, 480, 720, 1440, 2 * 1440, 7 * 1440, 14 * 1440, 28 * 1440} {
		out = append(out, int64(w*m))
	}
	return out
}()

// SliceWidth chooses the time slice of the samples file's row groups for
// rows records over span microseconds: at least span/16 (so at most ~16
// row groups are open at once), and wide enough that a slice holds a page
// of rows or more on average (smaller row groups cost readers more than
// pruning saves).
func SliceWidth(span, rows int64) int64 {
	want := span / 16
	if rows > 0 {
		want = max(want, int64(float64(span)*slicedPageRows/float64(rows)))
	}
	for _, w := range sliceWidths {
		if w >= want {
			return w
		}
	}
	return sliceWidths[len(sliceWidths)-1]
}
