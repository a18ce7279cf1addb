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

// WriteJSON writes doc to w.
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
	e.raw(`,"bins":[`)
	cols := r.ClusterColumns()
	for g := range r.Bins {
		if g > 0 {
			e.raw(",")
		}
		r.appendBin(e, cols, g)
	}
	e.raw(`],"hosts":{`)
	for i := range r.Hosts {
		h := &r.Hosts[i]
		if i > 0 {
			e.raw(",")
		}
		e.str(h.Name)
		e.raw(":[")
		cols := h.HostColumns()
		for j := range h.Bins {
			if j > 0 {
				e.raw(",")
			}
			r.appendHostBin(e, h, cols, j)
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

func (r *Result) appendBin(e *jsonEnc, cols []NamedSeries, g int) {
	e.raw(`{"time":`)
	e.str(columnar.FormatTimestamp(r.Bins[g]))
	for _, c := range cols {
		e.key(c.Key)
		e.num(c.Values[g])
	}
	e.raw("}")
}

func (r *Result) appendHostBin(e *jsonEnc, h *HostResult, cols []NamedSeries, j int) {
	e.raw(`{"time":`)
	e.str(columnar.FormatTimestamp(r.Bins[h.Bins[j]]))
	e.key("host")
	e.str(h.Name)
	for _, c := range cols {
		e.key(c.Key)
		e.num(c.Values[j])
	}
	e.raw("}")
}

// jsonEnc is a minimal streaming JSON writer that keeps key order and
// writes NaN and ±Inf as null.
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

func (e *jsonEnc) key(k string) {
	e.raw(",")
	e.str(k)
	e.raw(":")
}

func (e *jsonEnc) str(s string) {
	b, _ := json.Marshal(s) // valid UTF-8 out; <, > and & escaped
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}

func (e *jsonEnc) num(v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		e.raw("null")
		return
	}
	e.buf = strconv.AppendFloat(e.buf[:0], v, 'g', -1, 64)
	if e.err == nil {
		_, e.err = e.w.Write(e.buf)
	}
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
