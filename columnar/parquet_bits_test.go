package columnar

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/parquet-go/parquet-go/encoding/rle"
)

// randomBitmap returns a bitmap of n bits in one of several shapes: all
// set, all clear, random, or runs of random lengths.
func randomBitmap(rng *rand.Rand, n, shape int) []byte {
	bm := make([]byte, (n+7)/8+1) // a spare byte, as in Batch bitmaps
	bit := rng.IntN(2) == 1
	for i := range n {
		var set bool
		switch shape {
		case 0:
			set = true
		case 1:
			set = false
		case 2:
			set = rng.IntN(2) == 1
		default:
			if rng.IntN(40) == 0 {
				bit = !bit
			}
			set = bit
		}
		if set {
			bm[i>>3] |= 1 << (i & 7)
		}
	}
	return bm
}

func bitOf(bm []byte, i int) bool { return bm[i>>3]&(1<<(i&7)) != 0 }

func TestAppendLevels(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	dec := &rle.Encoding{BitWidth: 1}
	for iter := range 2000 {
		n := rng.IntN(300)
		if iter%50 == 0 {
			n = 20000 + rng.IntN(100)
		}
		bm := randomBitmap(rng, n, iter%4)
		enc := appendLevels([]byte{0xAA}, bm, n)[1:] // appends after what is there
		levels, err := dec.DecodeLevels(nil, enc)
		if err != nil {
			t.Fatalf("n=%d: decode: %v", n, err)
		}
		if len(levels) < n || len(levels) > n+7 {
			t.Fatalf("n=%d: decoded %d levels", n, len(levels))
		}
		for i := range n {
			if want := bitOf(bm, i); (levels[i] == 1) != want {
				t.Fatalf("n=%d shape %d: level %d is %d, want %v", n, iter%4, i, levels[i], want)
			}
		}
		if iter%4 < 2 && n >= 16 && len(enc) > 8 {
			t.Errorf("uniform bitmap of %d bits took %d bytes", n, len(enc))
		}
	}
}

func TestAppendBitsAndGather(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for iter := range 3000 {
		n := 1 + rng.IntN(200)
		src := randomBitmap(rng, n+70, iter%4)
		vals := make([]int64, n+70)
		for i := range vals {
			vals[i] = rng.Int64()
		}
		// Append a few slices at random offsets after a random prefix.
		pre := rng.IntN(20)
		dst := randomBitmap(rng, pre, 2)[:(pre+7)/8]
		var want []bool
		for i := range pre {
			want = append(want, bitOf(dst, i))
		}
		var dense, wantDense []int64
		wantNulls, nulls := 0, 0
		for range 3 {
			off, m := rng.IntN(70), rng.IntN(n)
			dst = appendBits(dst, len(want), src, off, m)
			var nn int
			dense, nn = gatherValid(dense, vals, src, off, m)
			nulls += nn
			for i := off; i < off+m; i++ {
				want = append(want, bitOf(src, i))
				if bitOf(src, i) {
					wantDense = append(wantDense, vals[i])
				} else {
					wantNulls++
				}
			}
			if got := onesCount(src, off, m); got != m-nn {
				t.Fatalf("onesCount(%d, %d) = %d, want %d", off, m, got, m-nn)
			}
		}
		if len(dst) != (len(want)+7)/8 {
			t.Fatalf("bitmap of %d bits has %d bytes", len(want), len(dst))
		}
		for i, w := range want {
			if bitOf(dst, i) != w {
				t.Fatalf("iteration %d: bit %d is %v, want %v", iter, i, !w, w)
			}
		}
		if tail := len(want) & 7; tail != 0 && dst[len(dst)-1]>>tail != 0 {
			t.Fatalf("bits past the end are set: %08b", dst[len(dst)-1])
		}
		if !slices.Equal(dense, wantDense) || nulls != wantNulls {
			t.Fatalf("gathered %d values and %d nulls, want %d and %d", len(dense), nulls, len(wantDense), wantNulls)
		}
	}
}
