package scan

import (
	"encoding/binary"
	"math"
	"math/bits"

	"github.com/resreport/resreport/columnar"
)

// Word-at-a-time (SWAR) number parsing. The length of a run of digits is
// read off a mask of the eight bytes at hand and the digits are converted
// with three multiplications, so no loop runs per digit and no branch
// depends on how many digits a value has: the branches left follow the
// line's structure (groups, sub-fields, column kinds), which repeats from
// line to line. scanFast, the loop over a line's sub-fields, calls
// nothing, so the Go compiler keeps its state in registers; together
// these took the parser from 780 to 955 MB/s (BenchmarkParseLine25).

const (
	asciiZeros = 0x3030303030303030
	highBits   = 0x8080808080808080
)

// digitRun returns how many of the low-order bytes of w (the first bytes
// in memory) are ASCII digits, 0 to 8.
func digitRun(w uint64) int {
	// x is 0..9 for a digit byte. Adding 0x76 sets the high bit of bytes
	// 10..0x7f; x itself has it for 0x80..0xff. A carry out of a byte only
	// leaves a non-digit byte and only reaches later bytes, so the first
	// non-digit is always found.
	x := w ^ asciiZeros
	return bits.TrailingZeros64((x|(x+0x7676767676767676))&highBits) >> 3
}

// digitsValue converts the first n (1 to 8) bytes of w, which are digits.
func digitsValue(w uint64, n int) uint64 {
	// Shift the digits to the high end, so the bytes below them are leading
	// zeros, then combine pairs, quads and the two halves.
	w = (w - asciiZeros) << (64 - 8*uint(n))
	w = (w * (10<<8 + 1)) >> 8 & 0x00ff00ff00ff00ff
	w = (w * (100<<16 + 1)) >> 16 & 0x0000ffff0000ffff
	return (w * (10000<<32 + 1)) >> 32
}

// pow10u holds the powers of ten that scale an eight-digit prefix.
var pow10u = [...]uint64{1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8}

// colInfo describes Metrics[i] for scanFast: the group's size in the low
// byte of its first column, and flags.
var colInfo = func() (t [256]uint16) {
	if len(columnar.Metrics) > len(t) {
		panic("scan: colInfo too small for the metric catalogue")
	}
	for g := range columnar.Groups {
		first, next := int(columnar.GroupStart[g]), int(columnar.GroupStart[g+1])
		t[first] |= infoFirst | uint16(next-first)
		t[next-1] |= infoLast
		for i := first; i < next; i++ {
			if columnar.Metrics[i].Kind == columnar.Float {
				t[i] |= infoFloat
			}
		}
	}
	return t
}()

// fastWindow is how far scanFast reads ahead of a sub-field's start: two
// words of digits, or up to 15 digits, a '.' and a word of fraction.
const fastWindow = 24

const (
	infoFirst = 1 << 8  // first sub-field of its group
	infoLast  = 1 << 9  // last sub-field of its group
	infoFloat = 1 << 10 // a Float column
)

// bodyCursor is where parseBody stands: at sub-field col (a Metrics index)
// of the row whose values are at Values[voff] and validity bits at
// Validity[foff]. pos is the byte the sub-field starts at, or for a
// group's first sub-field the group's start (before its spaces, and an
// empty group's '|').
type bodyCursor struct {
	pos, col   int
	voff, foff int
}

// advance moves the cursor k columns on.
func (c *bodyCursor) advance(k int) {
	c.col += k
	c.voff += k * columnar.ValueStride
	c.foff += k * columnar.ValidityStride
}

// scanFast parses sub-fields from cur for as long as they are digits (at
// most 16; for a Float column with an optional fraction of at most 7
// digits and 15 significant digits in all) directly followed by the
// delimiter their place calls for ('/' inside a group, '|' or " |" after
// its last sub-field), and skips empty groups. It returns the cursor at the
// first sub-field it does not take, or at column endCol. It calls nothing,
// so its state stays in registers. ext is the body (which ends in '|') with
// its capacity: the reads ahead of a value stay within it, and every run
// of digits ends at the body's last '|' at the latest.
func scanFast(ext []byte, endCol int, cur bodyCursor, vals []uint64, valid []byte, vbit byte) bodyCursor {
	pos, col, voff, foff := cur.pos, cur.col, cur.voff, cur.foff
	fastEnd := len(ext) - fastWindow
	for col < endCol {
		info := colInfo[col&0xff]
		if info&infoFirst != 0 {
			for pos < len(ext) && ext[pos] == ' ' {
				pos++
			}
			if pos < len(ext) && ext[pos] == '|' { // an empty group
				k := int(info & 0xff)
				pos++
				col += k
				voff += k * columnar.ValueStride
				foff += k * columnar.ValidityStride
				continue
			}
		}
		if pos > fastEnd {
			break
		}
		win := ext[pos : pos+fastWindow : pos+fastWindow]
		w := binary.LittleEndian.Uint64(win)
		n := digitRun(w) // bytes of the value so far
		var v uint64
		var d byte
		if n == 0 {
			break
		} else if n < 8 {
			v = digitsValue(w, n)
			d = byte(w >> (8 * uint(n)))
		} else {
			w2 := binary.LittleEndian.Uint64(win[8:])
			m := digitRun(w2)
			if m == 8 {
				break
			}
			v = digitsValue(w, 8)
			if m > 0 {
				v = v*pow10u[m&7] + digitsValue(w2, m)
			}
			n += m
			d = byte(w2 >> (8 * uint(m)))
		}
		if info&infoFloat != 0 {
			if n > 15 {
				break
			}
			f := float64(int64(v)) // v < 10^15
			if d == '.' {
				w3 := binary.LittleEndian.Uint64(win[n+1:])
				fd := digitRun(w3)
				if fd == 8 || n+fd > 15 {
					break
				}
				if fd > 0 {
					f = float64(int64(v*pow10u[fd&7]+digitsValue(w3, fd))) / pow10[fd&7]
				}
				n += 1 + fd
				d = byte(w3 >> (8 * uint(fd)))
			}
			v = math.Float64bits(f)
		}
		// n+1 bytes with the delimiter: '/' inside a group, '|' or " |" at its end
		if info&infoLast == 0 {
			if d != '/' {
				break
			}
		} else if d == ' ' && ext[pos+n+1] == '|' {
			n++
		} else if d != '|' {
			break
		}
		vals[voff] = v
		valid[foff] |= vbit
		pos += n + 1
		col++
		voff += columnar.ValueStride
		foff += columnar.ValidityStride
	}
	return bodyCursor{pos: pos, col: col, voff: voff, foff: foff}
}
