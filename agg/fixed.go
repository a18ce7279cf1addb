package agg

import (
	"math"
	"math/big"
	"math/bits"
)

// exactSum adds float64 values exactly, so that a sum does not depend on
// the order of its terms: the cluster statistics add the hosts' sums in the
// order hosts happen to finish, and the same input must give the same
// bytes. Each term is converted to fixed point with fracBits fraction bits
// (bits below 2^-60 are dropped, the same for every order) and added as a
// 128-bit integer; a sum that would overflow 128 bits moves to a big.Int.
type exactSum struct {
	hi  int64
	lo  uint64
	big *big.Int // not nil once the sum outgrew 128 bits
}

const fracBits = 60

// add adds x (finite).
func (s *exactSum) add(x float64) {
	if x == 0 {
		return
	}
	hi, lo, ok := toFixed(x)
	if !ok || s.big != nil {
		s.addBig(x)
		return
	}
	l, c := bits.Add64(s.lo, lo, 0)
	h := s.hi + hi + int64(c)
	// signed overflow: both operands of one sign, the result of the other
	if (s.hi >= 0) == (hi >= 0) && (h >= 0) != (s.hi >= 0) {
		s.addBig(x)
		return
	}
	s.hi, s.lo = h, l
}

// addInt adds an integer exactly.
func (s *exactSum) addInt(v int64) {
	if v == 0 {
		return
	}
	hi, lo := v>>(64-fracBits), uint64(v)<<fracBits
	if s.big == nil {
		l, c := bits.Add64(s.lo, lo, 0)
		h := s.hi + hi + int64(c)
		if !((s.hi >= 0) == (hi >= 0) && (h >= 0) != (s.hi >= 0)) {
			s.hi, s.lo = h, l
			return
		}
	}
	s.toBig()
	b := new(big.Int).SetInt64(v)
	s.big.Add(s.big, b.Lsh(b, fracBits))
}

// merge adds another sum.
func (s *exactSum) merge(o *exactSum) {
	if o.big == nil && s.big == nil {
		l, c := bits.Add64(s.lo, o.lo, 0)
		h := s.hi + o.hi + int64(c)
		if !((s.hi >= 0) == (o.hi >= 0) && (h >= 0) != (s.hi >= 0)) {
			s.hi, s.lo = h, l
			return
		}
	}
	s.toBig()
	s.big.Add(s.big, o.asBig())
}

// Float returns the sum, rounded to float64.
func (s *exactSum) Float() float64 {
	if s.big != nil {
		f, _ := new(big.Float).SetInt(s.big).Float64()
		return math.Ldexp(f, -fracBits)
	}
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

func (s *exactSum) addBig(x float64) {
	s.toBig()
	bf := new(big.Float).SetFloat64(x)
	bf.SetMantExp(bf, fracBits)
	i, _ := bf.Int(nil) // truncated toward zero, as toFixed
	s.big.Add(s.big, i)
}

func (s *exactSum) toBig() {
	if s.big == nil {
		s.big = s.asBig()
	}
}

func (s *exactSum) asBig() *big.Int {
	if s.big != nil {
		return s.big
	}
	b := new(big.Int).SetInt64(s.hi)
	b.Lsh(b, 64)
	return b.Add(b, new(big.Int).SetUint64(s.lo))
}

// toFixed returns x × 2^fracBits truncated toward zero as a 128-bit two's
// complement integer; ok is false when it does not fit comfortably (|x| ≥
// 2^62, left to big.Int).
func toFixed(x float64) (hi int64, lo uint64, ok bool) {
	b := math.Float64bits(x)
	exp := int(b>>52) & 0x7ff
	if exp == 0x7ff {
		return 0, 0, false
	}
	if exp == 0 {
		return 0, 0, true // subnormal: below 2^-1022, far below the resolution
	}
	mant := b&(1<<52-1) | 1<<52
	shift := exp - 1075 + fracBits // x = mant × 2^(exp-1075)
	var uh, ul uint64
	switch {
	case shift > 9+fracBits: // |x| ≥ 2^62
		return 0, 0, false
	case shift >= 64:
		uh = mant << (shift - 64)
	case shift > 0:
		uh, ul = mant>>(64-shift), mant<<shift
	case shift > -53:
		ul = mant >> -shift
	default:
		return 0, 0, true // below the resolution
	}
	if b>>63 != 0 {
		ul = -ul
		uh = ^uh
		if ul == 0 {
			uh++
		}
	}
	return int64(uh), ul, true
}
