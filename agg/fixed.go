package agg

import (
	"math"
	"math/big"
	"math/bits"
)

// Exact sums, so that a sum does not depend on the order of its terms:
// the cluster statistics add the hosts' sums in the order hosts happen to
// finish, and the same input must give the same bytes. Each term is
// converted to fixed point with fracBits fraction bits (bits below 2^-60
// are dropped, the same for every order) and added as a 128-bit integer
// (fixed128); a sum that would overflow 128 bits moves to a big.Int.

const fracBits = 60

// fixed128 is a two's complement 128-bit fixed-point number with fracBits
// fraction bits. It holds no pointer, so large arrays of them cost the
// garbage collector nothing.
type fixed128 struct {
	hi int64
	lo uint64
}

// add adds t and reports false, leaving s as it was, on overflow.
func (s *fixed128) add(t fixed128) bool {
	l, c := bits.Add64(s.lo, t.lo, 0)
	h := s.hi + t.hi + int64(c)
	// signed overflow: the result's sign differs from both operands'
	// (which then share theirs)
	if (h^s.hi)&(h^t.hi) < 0 {
		return false
	}
	s.hi, s.lo = h, l
	return true
}

// fixedInt is v as a fixed128 (always exact).
func fixedInt(v int64) fixed128 { return fixed128{v >> (64 - fracBits), uint64(v) << fracBits} }

// wholeTerm is fixedTerm's fast path, small enough to inline: x × 2^fracBits
// when x is a whole number below 2^53 (ok false otherwise).
func wholeTerm(x float64) (f fixed128, ok bool) {
	i := int64(x)
	return fixedInt(i), float64(i) == x && i > -1<<53 && i < 1<<53
}

// fixedTerm is x × 2^fracBits truncated toward zero; ok is false when it
// does not fit comfortably (|x| ≥ 2^62, or not finite: left to big.Int).
// A whole number below 2^53 (the sums of integer columns) takes a fast
// path.
func fixedTerm(x float64) (f fixed128, ok bool) {
	if f, ok := wholeTerm(x); ok {
		return f, true
	}
	return fracTerm(x)
}

// fracTerm is fixedTerm of an x that wholeTerm did not take.
func fracTerm(x float64) (f fixed128, ok bool) {
	b := math.Float64bits(x)
	exp := int(b>>52) & 0x7ff
	if exp == 0x7ff {
		return f, false
	}
	if exp == 0 {
		return f, true // subnormal: below 2^-1022, far below the resolution
	}
	mant := b&(1<<52-1) | 1<<52
	shift := exp - 1075 + fracBits // x = mant × 2^(exp-1075)
	var uh, ul uint64
	switch {
	case shift > 9+fracBits: // |x| ≥ 2^62
		return f, false
	case shift >= 64:
		uh = mant << (shift - 64)
	case shift > 0:
		uh, ul = mant>>(64-shift), mant<<shift
	case shift > -53:
		ul = mant >> -shift
	default:
		return f, true // below the resolution
	}
	if b>>63 != 0 {
		ul = -ul
		uh = ^uh
		if ul == 0 {
			uh++
		}
	}
	return fixed128{int64(uh), ul}, true
}

// float returns s rounded to float64.
func (s fixed128) float() float64 {
	neg := s.hi < 0
	hi, lo := uint64(s.hi), s.lo
	if neg { // two's complement negation
		lo = -lo
		hi = ^hi
		if lo == 0 {
			hi++
		}
	}
	f := u128Float(hi, lo)
	if neg {
		f = -f
	}
	return math.Ldexp(f, -fracBits)
}

// bigInt returns s as a big.Int (scaled by 2^fracBits).
func (s fixed128) bigInt() *big.Int {
	b := new(big.Int).SetInt64(s.hi)
	b.Lsh(b, 64)
	return b.Add(b, new(big.Int).SetUint64(s.lo))
}

// u128Float converts a 128-bit unsigned integer to float64, correctly
// rounded: its top 64 bits, with a sticky bit for any bit below them, go
// through the hardware's one rounding.
func u128Float(hi, lo uint64) float64 {
	if hi == 0 {
		return float64(lo)
	}
	lz := uint(bits.LeadingZeros64(hi))
	top := hi<<lz | lo>>(64-lz) // a shift by 64 is 0 in Go
	if lo<<lz != 0 {
		top |= 1
	}
	return math.Ldexp(float64(top), int(64-lz))
}

// bigTerm is x × 2^fracBits truncated toward zero, as fixedTerm.
func bigTerm(x float64) *big.Int {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return new(big.Int) // not a sum of values: never a term
	}
	bf := new(big.Float).SetFloat64(x)
	bf.SetMantExp(bf, fracBits)
	i, _ := bf.Int(nil)
	return i
}

func bigFloat(b *big.Int) float64 {
	f, _ := new(big.Float).SetInt(b).Float64()
	return math.Ldexp(f, -fracBits)
}

// exactSum is a fixed128 that moves to a big.Int when it would overflow.
type exactSum struct {
	f   fixed128
	big *big.Int // not nil once the sum outgrew 128 bits
}

// add adds x (finite).
func (s *exactSum) add(x float64) {
	if t, ok := fixedTerm(x); ok && s.big == nil && s.f.add(t) {
		return
	}
	s.toBig().Add(s.big, bigTerm(x))
}

// addInt adds an integer exactly.
func (s *exactSum) addInt(v int64) {
	if s.big == nil && s.f.add(fixedInt(v)) {
		return
	}
	s.toBig().Add(s.big, fixedInt(v).bigInt())
}

// merge adds another sum.
func (s *exactSum) merge(o *exactSum) {
	if o.big == nil && s.big == nil && s.f.add(o.f) {
		return
	}
	s.toBig().Add(s.big, o.asBig())
}

// Float returns the sum, rounded to float64.
func (s *exactSum) Float() float64 {
	if s.big != nil {
		return bigFloat(s.big)
	}
	return s.f.float()
}

func (s *exactSum) toBig() *big.Int {
	if s.big == nil {
		s.big = s.f.bigInt()
	}
	return s.big
}

func (s *exactSum) asBig() *big.Int {
	if s.big != nil {
		return s.big
	}
	return s.f.bigInt()
}
