package scan

import (
	"math"
	"strconv"
	"unsafe"
)

// Number parsing without allocation. Integers are printed by the emitter
// with %lu / std::to_string and ratios with %.3f, so the fast paths cover
// digits with an optional fraction; anything else falls back to
// strconv.ParseFloat after a syntax check that keeps the fallback from
// allocating an error value.

// charClass marks bytes for the scanners: digits, and bytes that may appear
// in a float strconv accepts.
var charClass = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] = clsDigit | clsFloat
	}
	for _, c := range []byte(".eE+-") {
		t[c] |= clsFloat
	}
	return t
}()

const (
	clsDigit = 1 << iota
	clsFloat
)

// pow10 holds the exactly representable powers of ten.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseUint parses an unsigned decimal integer that fits in int64. A sign
// makes it invalid: the emitter prints every integer field with %lu, so
// "-3" is not a value of this format (and would break counter deltas).
func parseUint(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		d := c - '0'
		if d > 9 {
			return 0, false
		}
		n = n*10 + uint64(d)
	}
	if n > math.MaxInt64 {
		return 0, false
	}
	return int64(n), true
}

// parseFloat parses a finite decimal float. NaN and infinities are
// reported as not ok: resreport stores them as null.
func parseFloat(b []byte) (float64, bool) {
	// Fast path: [-]digits[.digits] with at most 15 significant digits and
	// at most 22 fraction digits is exact (Clinger): one rounding in the
	// division, as in strconv.
	s := b
	neg := false
	if len(s) > 0 && s[0] == '-' {
		neg = true
		s = s[1:]
	}
	var mant uint64
	nd, frac := 0, -1
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if d := c - '0'; d <= 9 {
			mant = mant*10 + uint64(d)
			nd++
			if frac >= 0 {
				frac++
			}
			continue
		}
		if c == '.' && frac < 0 {
			frac = 0
			continue
		}
		break
	}
	if i == len(s) && nd > 0 && nd <= 15 && frac != 0 {
		f := float64(mant)
		if frac > 0 {
			f /= pow10[frac]
		}
		if neg {
			f = -f
		}
		return f, true
	}
	return parseFloatSlow(b)
}

func parseFloatSlow(b []byte) (float64, bool) {
	if len(b) == 0 || len(b) > 64 {
		return 0, false
	}
	hasDigit := false
	for _, c := range b {
		if charClass[c]&clsFloat == 0 {
			return 0, false // "nan", "inf", "null", garbage
		}
		if charClass[c]&clsDigit != 0 {
			hasDigit = true
		}
	}
	if !hasDigit {
		return 0, false
	}
	f, err := strconv.ParseFloat(unsafe.String(&b[0], len(b)), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}
