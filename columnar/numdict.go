package columnar

import (
	"math/bits"
	"sync"
)

// numDict is the dictionary of a numeric column in one row group: the
// distinct values (their bits), in order of first sight, and an
// open-addressing hash table over them. It is several times cheaper per
// lookup than a Go map, which the samples writer did per value of every
// dictionary-encoded column.
//
// The table starts small and doubles as values arrive: with a row group
// open per time slice, hundreds of dictionaries are live at once, and
// tables of the full size (64 KB each) missed the cache on most inserts
// (numDict.index was ~0.16 s of a 20-host run; measured).
type numDict struct {
	vals  []int64
	table []int32 // index+1 into vals per slot; 0 for empty
	shift uint    // 64 - log2(len(table))
}

// numDictSlots is the largest table: a power of two, twice the most
// values a dictionary holds, so probes stay short.
const numDictSlots = 2 * maxNumDict

// numDictMinSlots is the size of a new table.
const numDictMinSlots = 256

// index returns the index of v, adding it when it is new; ok is false
// when it is new and the dictionary is full.
func (d *numDict) index(v int64) (int32, bool) {
	if d.table == nil {
		d.resize(numDictMinSlots)
	}
	mask := uint64(len(d.table) - 1)
	h := d.hash(v)
	for {
		k := d.table[h]
		if k == 0 {
			if len(d.vals) == maxNumDict {
				return 0, false
			}
			d.vals = append(d.vals, v)
			d.table[h] = int32(len(d.vals))
			if 2*len(d.vals) > len(d.table) && len(d.table) < numDictSlots {
				d.resize(2 * len(d.table))
			}
			return int32(len(d.vals) - 1), true
		}
		if d.vals[k-1] == v {
			return k - 1, true
		}
		h = (h + 1) & mask
	}
}

func (d *numDict) hash(v int64) uint64 { return uint64(v) * 0x9e3779b97f4a7c15 >> d.shift }

// resize rebuilds the table with n slots (a power of two).
func (d *numDict) resize(n int) {
	if cap(d.table) >= n {
		d.table = d.table[:n]
		clear(d.table)
	} else {
		d.table = make([]int32, n)
	}
	d.shift = 64 - uint(bits.TrailingZeros(uint(n)))
	mask := uint64(n - 1)
	for i, v := range d.vals {
		h := d.hash(v)
		for d.table[h] != 0 {
			h = (h + 1) & mask
		}
		d.table[h] = int32(i + 1)
	}
}

func (d *numDict) len() int { return len(d.vals) }

// reset empties the dictionary, keeping its memory; the table shrinks to
// its first size.
func (d *numDict) reset() {
	d.vals = d.vals[:0]
	if d.table != nil {
		d.resize(numDictMinSlots)
	}
}

// pageBuf holds a column chunk's encoded pages in blocks, so that a chunk
// growing by a page at a time is never copied to a larger buffer (with
// many row groups open at once, those copies were a tenth of the
// writer's time) and never holds twice its size.
type pageBuf struct {
	blocks [][]byte
	n      int
	pool   *blockPool // where reset returns the blocks; nil: none
}

// pageBlock is the largest block, unless a page is larger.
const pageBlock = 256 << 10

// append adds the bytes of ps, in order.
func (b *pageBuf) append(ps ...[]byte) {
	for _, p := range ps {
		for len(p) > 0 {
			k := len(b.blocks) - 1
			if k < 0 || len(b.blocks[k]) == cap(b.blocks[k]) {
				// blocks double from a few KB: a chunk of small pages
				// (a row group of a short slice) holds little more
				// than its pages
				size := pageBlock
				if k < 0 {
					size = 4 << 10
				} else if c := cap(b.blocks[k]); c < pageBlock {
					size = 2 * c
				}
				b.blocks = append(b.blocks, b.pool.get(max(size, len(p))))
				k++
			}
			blk := b.blocks[k]
			m := min(len(p), cap(blk)-len(blk))
			b.blocks[k] = append(blk, p[:m]...)
			p = p[m:]
			b.n += m
		}
	}
}

func (b *pageBuf) len() int { return b.n }

// writeTo writes the pages, in order, through write.
func (b *pageBuf) writeTo(write func([]byte) error) error {
	for _, blk := range b.blocks {
		if err := write(blk); err != nil {
			return err
		}
	}
	return nil
}

// reset empties the buffer, keeping its first block and returning the
// others to the pool.
func (b *pageBuf) reset() {
	if len(b.blocks) > 0 {
		for _, blk := range b.blocks[1:] {
			b.pool.put(blk)
		}
		clear(b.blocks[1:])
		b.blocks = append(b.blocks[:0], b.blocks[0][:0])
	}
	b.n = 0
}

// blockPool holds the page blocks of a file's written row groups for its
// next ones, by size (4 KB << k up to pageBlock). Fresh blocks cost ~0.05 s
// of a 20-host run in allocation and first-touch page faults (measured).
// Chunks of a row group are encoded in parallel, hence the lock.
type blockPool struct {
	mu   sync.Mutex
	free [blockClasses][][]byte
}

const blockClasses = 7 // 4 KB .. 256 KB

// blockClass returns the size class of size, or -1 if it has none.
func blockClass(size int) int {
	k := bits.Len(uint(size)) - 13 // 4 KB: bits.Len = 13
	if k < 0 || k >= blockClasses || size != 4<<10<<k {
		return -1
	}
	return k
}

// get returns an empty block of capacity size; p may be nil.
func (p *blockPool) get(size int) []byte {
	if k := blockClass(size); p != nil && k >= 0 {
		p.mu.Lock()
		defer p.mu.Unlock()
		if n := len(p.free[k]); n > 0 {
			blk := p.free[k][n-1]
			p.free[k] = p.free[k][:n-1]
			return blk
		}
	}
	return make([]byte, 0, size)
}

// put keeps blk for a later get; p may be nil.
func (p *blockPool) put(blk []byte) {
	if k := blockClass(cap(blk)); p != nil && k >= 0 {
		p.mu.Lock()
		p.free[k] = append(p.free[k], blk[:0])
		p.mu.Unlock()
	}
}
