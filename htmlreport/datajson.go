package htmlreport

import (
	"bufio"
	"encoding/json"
	"strconv"
)

// jsonStream writes the page's data document, member by member, to the
// page as it goes: the document is never held whole. Strings and small
// values go through encoding/json, which escapes <, > and & (and
// U+2028/9) in every string; numbers are digits, signs, points and "null"
// (NaN and ±Inf are null); the drill-down's code strings hold only
// codeAlphabet and '~'. So neither "</script" nor "<!--" can occur in the
// document, and it goes into its <script type="application/json"> element
// as it is. The first error sticks; later writes do nothing.
type jsonStream struct {
	w     *bufio.Writer
	err   error
	first bool   // the next member or element is the first of its object or array
	num   []byte // scratch for numbers
}

func (e *jsonStream) write(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}

func (e *jsonStream) writeByte(c byte) {
	if e.err == nil {
		e.err = e.w.WriteByte(c)
	}
}

func (e *jsonStream) writeString(s string) {
	if e.err == nil {
		_, e.err = e.w.WriteString(s)
	}
}

// open starts an object or array ('{' or '[').
func (e *jsonStream) open(c byte) {
	e.writeByte(c)
	e.first = true
}

// close ends an object or array ('}' or ']').
func (e *jsonStream) close(c byte) {
	e.writeByte(c)
	e.first = false
}

// elem starts an array element: a comma unless it is the first.
func (e *jsonStream) elem() {
	if !e.first {
		e.writeByte(',')
	}
	e.first = false
}

// key starts an object member "k": its value follows.
func (e *jsonStream) key(k string) {
	e.elem()
	e.value(k)
	e.writeByte(':')
}

// field writes the member "k": v.
func (e *jsonStream) field(k string, v any) {
	e.key(k)
	e.value(v)
}

// value writes the encoding/json encoding of v (HTML-escaped).
func (e *jsonStream) value(v any) {
	b, err := json.Marshal(v)
	if err != nil && e.err == nil {
		e.err = err
	}
	e.write(b)
}

// number writes v rounded to digits significant digits (null for NaN, ±Inf).
func (e *jsonStream) number(v float64, digits int) {
	e.num = appendRound(e.num[:0], v, digits)
	e.write(e.num)
}

// numbers writes an array of numbers, as number does.
func (e *jsonStream) numbers(vs []float64, digits int) {
	e.open('[')
	for _, v := range vs {
		e.elem()
		e.number(v, digits)
	}
	e.close(']')
}

// ints writes an array of integers.
func (e *jsonStream) ints(vs []int64) {
	e.open('[')
	for _, v := range vs {
		e.elem()
		e.num = strconv.AppendInt(e.num[:0], v, 10)
		e.write(e.num)
	}
	e.close(']')
}
