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

// Document is what --json writes: {"hosts": {"HOST": […]}, "bins": […],
// "findings": […], "summary": …}. The hosts come first because they are
// written while the logs are read, host by host (JSONWriter), so the
// document is never held whole. Bin and host-bin objects use the keys of
// the reference script's compute_cluster_stats and compute_per_host_stats,
// plus keys for the metrics the reference does not aggregate; a value the
// reference writes as -1 (no data) is null here, and so is any statistic
// of a bin without values.
type Document struct {
	Summary  any // marshalled with encoding/json
	Findings any // omitted when nil
	Result   *Result
}

// WriteJSON writes doc, whose Result holds its hosts (KeepHosts), to w.
func WriteJSON(w io.Writer, doc *Document) error {
	jw := NewJSONWriter(w)
	for i := range doc.Result.Hosts {
		if err := jw.Host(&doc.Result.Hosts[i]); err != nil {
			return err
		}
	}
	return jw.Finish(doc.Result, doc.Findings, doc.Summary)
}

// JSONWriter streams the --json document: Host for each host, in host
// order, then Finish. Keys and host names are encoded once; values are
// appended with strconv, so the cost is a few bytes of work per number.
type JSONWriter struct {
	bw    *bufio.Writer
	e     *jsonEnc
	hosts int
	keys  [][]byte // the host objects' keys, after the first host
}

// NewJSONWriter starts the document on w.
func NewJSONWriter(w io.Writer) *JSONWriter {
	bw := bufio.NewWriterSize(w, 1<<16)
	j := &JSONWriter{bw: bw, e: &jsonEnc{w: bw}}
	j.e.raw(`{"hosts":{`)
	return j
}

// Host writes host h's bins.
func (j *JSONWriter) Host(h *HostResult) error {
	e := j.e
	if j.hosts > 0 {
		e.raw(",")
	}
	j.hosts++
	name := quote(h.Name)
	hostKey := append([]byte(`,"host":`), name...)
	e.bytes(name)
	e.raw(":[")
	cols := h.HostJSONColumns()
	if j.keys == nil {
		j.keys = encodeKeys(cols) // the same keys for every host
	}
	for i, t := range h.Start {
		if e.err != nil {
			break // the output failed (or its run was cancelled): stop encoding
		}
		if i > 0 {
			e.raw(",")
		}
		e.raw(`{"time":`)
		e.bytes(quote(columnar.FormatTimestamp(t)))
		e.bytes(hostKey)
		for k, c := range cols {
			e.bytes(j.keys[k])
			e.num(c.Values[i])
		}
		e.raw("}")
	}
	e.raw("]")
	return j.failed()
}

// Finish writes the cluster bins, the findings (omitted when nil) and the
// summary, and flushes.
func (j *JSONWriter) Finish(r *Result, findings, summary any) error {
	e := j.e
	e.raw(`},"bins":[`)
	cols := r.ClusterColumns()
	keys := encodeKeys(cols)
	for g, t := range r.Bins {
		if e.err != nil {
			break
		}
		if g > 0 {
			e.raw(",")
		}
		e.raw(`{"time":`)
		e.bytes(quote(columnar.FormatTimestamp(t)))
		for k, c := range cols {
			e.bytes(keys[k])
			e.num(c.Values[g])
		}
		e.raw("}")
	}
	e.raw("]")
	if findings != nil {
		e.raw(`,"findings":`)
		e.value(findings)
	}
	e.raw(`,"summary":`)
	e.value(summary)
	e.raw("}\n")
	if err := j.failed(); err != nil {
		return err
	}
	if err := j.bw.Flush(); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

func (j *JSONWriter) failed() error {
	if j.e.err != nil {
		return fmt.Errorf("write json: %w", j.e.err)
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
	if e.err != nil {
		return
	}
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
