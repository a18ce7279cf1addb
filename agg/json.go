package agg

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/resreport/resreport/columnar"
)

// Document is what --json writes: {"summary": …, "findings": …, "bins":
// […], "hosts": {"HOST": […]}}. Bin and host-bin objects use the keys of
// the reference script's compute_cluster_stats and compute_per_host_stats,
// plus keys for the metrics the reference does not aggregate; a value the
// reference writes as -1 (no data) is null here, and so is any statistic of
// a bin without values.
type Document struct {
	Summary  any // marshalled with encoding/json
	Findings any // omitted when nil
	Result   *Result
}

// WriteJSON writes doc to w. Keys, bin times and host names are encoded
// once; values are appended with strconv, so the cost is a few bytes of
// work per number.
func WriteJSON(w io.Writer, doc *Document) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	e := &jsonEnc{w: bw}
	e.raw(`{"summary":`)
	e.value(doc.Summary)
	if doc.Findings != nil {
		e.raw(`,"findings":`)
		e.value(doc.Findings)
	}
	r := doc.Result
	times := make([][]byte, len(r.Bins)) // `{"time":"…"`
	for g, t := range r.Bins {
		times[g] = append([]byte(`{"time":`), quote(columnar.FormatTimestamp(t))...)
	}
	e.raw(`,"bins":[`)
	cols := r.ClusterColumns()
	keys := encodeKeys(cols)
	for g := range r.Bins {
		if g > 0 {
			e.raw(",")
		}
		e.bytes(times[g])
		for k, c := range cols {
			e.bytes(keys[k])
			e.num(c.Values[g])
		}
		e.raw("}")
	}
	e.raw(`],"hosts":{`)
	for i := range r.Hosts {
		h := &r.Hosts[i]
		if i > 0 {
			e.raw(",")
		}
		name := quote(h.Name)
		hostKey := append([]byte(`,"host":`), name...)
		e.bytes(name)
		e.raw(":[")
		cols := h.HostJSONColumns()
		if i == 0 {
			keys = encodeKeys(cols) // the same keys for every host
		}
		for j, g := range h.Bins {
			if j > 0 {
				e.raw(",")
			}
			e.bytes(times[g])
			e.bytes(hostKey)
			for k, c := range cols {
				e.bytes(keys[k])
				e.num(c.Values[j])
			}
			e.raw("}")
		}
		e.raw("]")
	}
	e.raw("}}\n")
	if e.err != nil {
		return fmt.Errorf("write json: %w", e.err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// encodeKeys returns `,"key":` for each column.
func encodeKeys(cols []NamedSeries) [][]byte {
	keys := make([][]byte, len(cols))
	for i, c := range cols {
		keys[i] = append(append([]byte{','}, quote(c.Key)...), ':')
	}
	return keys
}

// quote returns s as a JSON string: valid UTF-8, with <, > and &
// escaped so the document can sit in HTML.
func quote(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}

// jsonEnc is a minimal streaming JSON writer that writes NaN and ±Inf as
// null.
type jsonEnc struct {
	w   *bufio.Writer
	buf []byte
	err error
}

func (e *jsonEnc) raw(s string) {
	if e.err == nil {
		_, e.err = e.w.WriteString(s)
	}
}

func (e *jsonEnc) bytes(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}

func (e *jsonEnc) num(v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		e.raw("null")
		return
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		e.buf = strconv.AppendInt(e.buf[:0], int64(v), 10) // same text as 'g', faster
	} else {
		e.buf = strconv.AppendFloat(e.buf[:0], v, 'g', -1, 64)
	}
	e.bytes(e.buf)
}

func (e *jsonEnc) value(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		if e.err == nil {
			e.err = err
		}
		return
	}
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}
