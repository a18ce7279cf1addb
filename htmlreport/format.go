package htmlreport

import (
	"math"
	"strconv"
	"strings"
	"unsafe"

	"github.com/resreport/resreport/columnar"
)

// The page shows a missing value (NaN, or a bin without data) as naText.
const naText = "N/A"

// bad reports whether v is no value, NaN or ±Inf: x-x is NaN for those and
// 0 for every finite x (one subtraction, where IsNaN and IsInf took three
// comparisons in the loops over every bin of every host).
func bad(v float64) bool { return v-v != 0 }

// fmtBytes formats a byte count with binary units and two decimals, as the
// reference does ("30.00 GB").
func fmtBytes(v float64) string {
	if bad(v) {
		return naText
	}
	if v == 0 {
		return "0 B"
	}
	units := [...]string{"B", "KB", "MB", "GB", "TB", "PB"}
	i := 0
	for a := math.Abs(v); a >= 1024 && i < len(units)-1; a /= 1024 {
		i++
	}
	return strconv.FormatFloat(v/math.Pow(1024, float64(i)), 'f', 2, 64) + " " + units[i]
}

// fmtPct formats a fraction 0..1 as a percentage with one decimal.
func fmtPct(v float64) string {
	if bad(v) {
		return naText
	}
	return strconv.FormatFloat(v*100, 'f', 1, 64) + "%"
}

// fmtPct2 formats a fraction 0..1 as a percentage with two decimals (hit
// rates live between 99% and 100%, where one decimal says little).
func fmtPct2(v float64) string {
	if bad(v) {
		return naText
	}
	return strconv.FormatFloat(v*100, 'f', 2, 64) + "%"
}

// fmtCount formats a count rounded to an integer with thousands separators.
func fmtCount(v float64) string {
	if bad(v) {
		return naText
	}
	s := strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	if s == "-0" {
		s = "0"
	}
	return groupThousands(s)
}

// fmtFixed1 formats v with one decimal (queue averages).
func fmtFixed1(v float64) string {
	if bad(v) {
		return naText
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func groupThousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	b := make([]byte, 0, len(s)+len(s)/3+1)
	if neg {
		b = append(b, '-')
	}
	for i := 0; i < len(s); i++ {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, s[i])
	}
	return string(b)
}

func fmtInt(n int64) string { return groupThousands(strconv.FormatInt(n, 10)) }

// intervalText names a bin width in µs the way people say it: "500 ms",
// "10 s", "1 min", "10 min", "1 h", "1 day".
func intervalText(us int64) string {
	const (
		ms  = int64(1000)
		sec = 1000 * ms
		min = 60 * sec
		hr  = 60 * min
		day = 24 * hr
	)
	switch {
	case us <= 0:
		return "?"
	case us%day == 0:
		if us == day {
			return "1 day"
		}
		return strconv.FormatInt(us/day, 10) + " days"
	case us%hr == 0:
		return strconv.FormatInt(us/hr, 10) + " h"
	case us%min == 0:
		return strconv.FormatInt(us/min, 10) + " min"
	case us%sec == 0:
		return strconv.FormatInt(us/sec, 10) + " s"
	case us%ms == 0:
		return strconv.FormatInt(us/ms, 10) + " ms"
	}
	return strconv.FormatInt(us, 10) + " µs"
}

// binLabel formats a bin start for axes and tables, with the precision the
// bin width needs: "05-06 22:30" for minute bins and wider, seconds below a
// minute, milliseconds below a second. withYear prefixes the year, for
// ranges that span more than one.
func binLabel(us, interval int64, withYear bool) string {
	s := columnar.FormatTimestamp(us) // YYYY-MM-DDTHH:MM:SS[.ffffff]
	date := s[5:10]
	if withYear {
		date = s[0:10]
	}
	var clock string
	switch {
	case interval < 1_000_000:
		frac := "000"
		if len(s) > 20 {
			frac = s[20:23]
		}
		clock = s[11:19] + "." + frac
	case interval < 60_000_000:
		clock = s[11:19]
	default:
		clock = s[11:16]
	}
	return date + " " + clock
}

// appendRound appends v rounded to digits significant digits in the
// shortest form JSON accepts (no exponent below 1e21), or null for NaN and
// ±Inf.
func appendRound(b []byte, v float64, digits int) []byte {
	if bad(v) {
		return append(b, "null"...)
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e4 {
		return strconv.AppendInt(b, int64(v), 10)
	}
	if v == 0 {
		return append(b, '0')
	}
	if out, ok := appendRoundFast(b, v, digits); ok {
		return out
	}
	return appendRoundSlow(b, v, digits)
}

// appendRoundFast is appendRound for 1e-4 <= |v| < 1e15 and digits <= 8,
// the values of a report: it scales v by a power of ten, rounds to an
// integer and places the decimal point, instead of formatting, parsing and
// formatting again. It can differ from appendRoundSlow only when v is
// within a rounding error of a tie in its last kept digit.
func appendRoundFast(b []byte, v float64, digits int) ([]byte, bool) {
	a := math.Abs(v)
	if a < 1e-4 || a >= 1e15 || digits > 8 {
		return b, false
	}
	e := 14 // a < 10^(e+1)
	for e > -4 && a < exp10[e+4] {
		e--
	}
	p := digits - 1 - e // decimals kept; negative rounds to tens, hundreds…
	var k float64
	if p >= 0 {
		k = math.Round(a * exp10[p+4])
	} else {
		k = math.Round(a/exp10[-p+4]) * exp10[-p+4]
		p = 0
	}
	n := uint64(k)
	for p > 0 && n%10 == 0 {
		n /= 10
		p--
	}
	if v < 0 {
		b = append(b, '-')
	}
	if p == 0 {
		return strconv.AppendUint(b, n, 10), true
	}
	var buf [24]byte
	d := strconv.AppendUint(buf[:0], n, 10)
	if len(d) <= p { // 0.000ddd
		b = append(b, '0', '.')
		for i := len(d); i < p; i++ {
			b = append(b, '0')
		}
		return append(b, d...), true
	}
	b = append(b, d[:len(d)-p]...)
	b = append(b, '.')
	return append(b, d[len(d)-p:]...), true
}

// exp10[i] is 10^(i-4), for i in [0, 27).
var exp10 = func() (t [27]float64) {
	for i := range t {
		t[i] = math.Pow10(i - 4)
	}
	return t
}()

// appendRoundSlow is appendRound by strconv: format to digits, parse,
// format the shortest form.
func appendRoundSlow(b []byte, v float64, digits int) []byte {
	var buf [32]byte
	t := strconv.AppendFloat(buf[:0], v, 'g', digits, 64)
	r, _ := strconv.ParseFloat(unsafe.String(&t[0], len(t)), 64) // no copy: t lives on the stack

	if a := math.Abs(r); a >= 1e21 || a < 1e-6 {
		return strconv.AppendFloat(b, r, 'g', -1, 64)
	}
	return strconv.AppendFloat(b, r, 'f', -1, 64)
}
