package columnar

import (
	"encoding/binary"
	"math"
	"math/bits"
	"slices"
)

// Helpers over LSB-first bitmaps (Arrow validity bitmaps: bit i of the
// bitmap is bit i%8 of byte i/8), which are also the layout of Parquet's
// bit-packed levels of width 1.

// bitsAt returns the 8 bits of bm starting at bit off, as a byte whose bit
// 0 is bit off. Bits past the end of bm read as 0.
func bitsAt(bm []byte, off int) byte {
	i, s := off>>3, uint(off&7)
	b := bm[i] >> s
	if s != 0 && i+1 < len(bm) {
		b |= bm[i+1] << (8 - s)
	}
	return b
}

// appendBits appends n bits of src, starting at bit off, to the bitmap dst
// that holds dstBits bits, and returns the extended bitmap. Bits of dst
// past dstBits must be zero; so are those of the result.
func appendBits(dst []byte, dstBits int, src []byte, off, n int) []byte {
	need := (dstBits + n + 7) >> 3
	for len(dst) < need {
		dst = append(dst, 0)
	}
	d, s := dstBits>>3, uint(dstBits&7)
	if s == 0 && off&7 == 0 {
		copy(dst[d:need], src[off>>3:])
	} else {
		for k := 0; k < n; k += 8 {
			b := bitsAt(src, off+k)
			dst[d] |= b << s
			if s != 0 && d+1 < need {
				dst[d+1] = b >> (8 - s)
			}
			d++
		}
	}
	if tail := uint(dstBits+n) & 7; tail != 0 {
		dst[need-1] &= 1<<tail - 1
	}
	return dst
}

// appendOnes appends n set bits to the bitmap dst that holds dstBits bits.
func appendOnes(dst []byte, dstBits, n int) []byte {
	need := (dstBits + n + 7) >> 3
	for len(dst) < need {
		dst = append(dst, 0)
	}
	for i := dstBits; i < dstBits+n; {
		if i&7 == 0 && i+8 <= dstBits+n {
			dst[i>>3] = 0xFF
			i += 8
			continue
		}
		dst[i>>3] |= 1 << (uint(i) & 7)
		i++
	}
	return dst
}

// appendLevels appends the definition levels of a page whose validity is
// the first n bits of bm (1: value, 0: null) to dst, encoded as Parquet's
// RLE / bit-packing hybrid of bit width 1 (without a length prefix, as in
// data pages v2). Runs of whole bytes of 0x00 or 0xFF become RLE runs,
// anything else bit-packed runs, which for width 1 are the bitmap's bytes
// themselves. The last, partial group is padded with zeros, as the format
// allows.
func appendLevels(dst []byte, bm []byte, n int) []byte {
	full := n >> 3
	for i := 0; i < full; {
		if b := bm[i]; b == 0 || b == 0xFF {
			j := i + 1
			for j < full && bm[j] == b {
				j++
			}
			if j-i >= 2 {
				dst = binary.AppendUvarint(dst, uint64(j-i)*8<<1)
				dst = append(dst, b&1)
				i = j
				continue
			}
		}
		// A literal run, up to the next run of two uniform bytes.
		j := i + 1
		for j < full && !((bm[j] == 0 || bm[j] == 0xFF) && j+1 < full && bm[j+1] == bm[j]) {
			j++
		}
		dst = binary.AppendUvarint(dst, uint64(j-i)<<1|1)
		dst = append(dst, bm[i:j]...)
		i = j
	}
	if rem := uint(n) & 7; rem != 0 {
		dst = binary.AppendUvarint(dst, 1<<1|1)
		dst = append(dst, bm[full]&(1<<rem-1))
	}
	return dst
}

// onesCount returns the number of set bits among the n bits of bm from
// bit off.
func onesCount(bm []byte, off, n int) int {
	c := 0
	for k := 0; k < n; k += 8 {
		b := bitsAt(bm, off+k)
		if n-k < 8 {
			b &= 1<<uint(n-k) - 1
		}
		c += bits.OnesCount8(b)
	}
	return c
}

// gatherValid appends to dst the elements of vals[off:off+n] whose bit in
// the validity bitmap bm is set, and returns it with the number of nulls.
// Runs of valid rows are copied whole.
func gatherValid[T int64 | float64](dst []T, vals []T, bm []byte, off, n int) ([]T, int) {
	dst = slices.Grow(dst, n)
	nulls := 0
	for k := 0; k < n; {
		run := k
		if (off+run)&7 == 0 {
			for run+64 <= n && binary.LittleEndian.Uint64(bm[(off+run)>>3:]) == math.MaxUint64 {
				run += 64
			}
		}
		for run+8 <= n && bitsAt(bm, off+run) == 0xFF {
			run += 8
		}
		if run > k {
			dst = append(dst, vals[off+k:off+run]...)
			k = run
			continue
		}
		b := bitsAt(bm, off+k)
		m := min(8, n-k)
		if m < 8 {
			b &= 1<<uint(m) - 1
		}
		nulls += m - bits.OnesCount8(b)
		for ; b != 0; b &= b - 1 {
			dst = append(dst, vals[off+k+bits.TrailingZeros8(b)])
		}
		k += 8
	}
	return dst, nulls
}
