package columnar

// numDict is the dictionary of a numeric column in one row group: the
// distinct values (their bits), in order of first sight, and an
// open-addressing hash table over them. It is several times cheaper per
// lookup than a Go map, which the samples writer did per value of every
// dictionary-encoded column.
type numDict struct {
	vals  []int64
	table []int32 // index+1 into vals per slot; 0 for empty
}

// numDictSlots is the hash table's size: a power of two, twice the most
// values a dictionary holds, so probes stay short.
const numDictSlots = 2 * maxNumDict

// index returns the index of v, adding it when it is new; ok is false
// when it is new and the dictionary is full.
func (d *numDict) index(v int64) (int32, bool) {
	if d.table == nil {
		d.table = make([]int32, numDictSlots)
	}
	h := uint64(v) * 0x9e3779b97f4a7c15 >> (64 - numDictShift)
	for {
		k := d.table[h]
		if k == 0 {
			if len(d.vals) == maxNumDict {
				return 0, false
			}
			d.vals = append(d.vals, v)
			d.table[h] = int32(len(d.vals))
			return int32(len(d.vals) - 1), true
		}
		if d.vals[k-1] == v {
			return k - 1, true
		}
		h = (h + 1) & (numDictSlots - 1)
	}
}

// numDictShift is log2(numDictSlots).
const numDictShift = 14

func (d *numDict) len() int { return len(d.vals) }

// reset empties the dictionary, keeping its memory.
func (d *numDict) reset() {
	if len(d.vals) > 0 {
		clear(d.table)
	}
	d.vals = d.vals[:0]
}

// pageBuf holds a column chunk's encoded pages in blocks, so that a chunk
// growing by a page at a time is never copied to a larger buffer (with
// many row groups open at once, those copies were a tenth of the
// writer's time) and never holds twice its size.
type pageBuf struct {
	blocks [][]byte
	n      int
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
				b.blocks = append(b.blocks, make([]byte, 0, max(size, len(p))))
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

// reset empties the buffer, keeping its first block.
func (b *pageBuf) reset() {
	if len(b.blocks) > 0 {
		b.blocks = append(b.blocks[:0], b.blocks[0][:0])
	}
	b.n = 0
}
