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
	for g := range r.Bins {
		if g > 0 {
			e.raw(",")
		}
		r.appendBin(e, g)
	}
	e.raw(`],"hosts":{`)
	for i := range r.Hosts {
		h := &r.Hosts[i]
		if i > 0 {
			e.raw(",")
		}
		e.str(h.Name)
		e.raw(":[")
		for j := range h.Bins {
			if j > 0 {
				e.raw(",")
			}
			r.appendHostBin(e, h, j)
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

func (r *Result) appendBin(e *jsonEnc, g int) {
	e.raw(`{"time":`)
	e.str(columnar.FormatTimestamp(r.Bins[g]))
	e.key("host_count")
	e.num(float64(r.HostCount[g]))
	for m, s := range r.Gauges {
		if s.Avg == nil {
			continue
		}
		k := Key(m)
		e.key(k + "_avg")
		e.num(s.Avg[g])
		e.key(k + "_max")
		e.num(s.Max[g])
		e.key(k + "_min")
		e.num(s.Min[g])
	}
	for k, m := range ocCols {
		e.key(Key(m) + "_sum")
		e.num(r.OCSum[k][g])
		e.key(Key(m) + "_avg")
		e.num(r.OCAvg[k][g])
	}
	e.key("oc_hosts")
	e.num(float64(r.OCHosts[g]))
	e.key("cache_hit_rate")
	e.num(r.HitRate[g])
	e.key("total_hits")
	e.num(r.TotalHits[g])
	e.key("total_requests")
	e.num(r.TotalRequests[g])
	e.raw("}")
}

func (r *Result) appendHostBin(e *jsonEnc, h *HostResult, j int) {
	e.raw(`{"time":`)
	e.str(columnar.FormatTimestamp(r.Bins[h.Bins[j]]))
	e.key("host")
	e.str(h.Name)
	e.key("records")
	e.num(float64(h.Samples[j]))
	for i, m := range hostCols {
		k := Key(m)
		s := &h.Metrics[i]
		e.key(k + "_avg")
		e.num(s.Avg[j])
		e.key(k + "_max")
		e.num(s.Max[j])
		e.key(k + "_min")
		e.num(s.Min[j])
	}
	for k, m := range ocCols {
		e.key(Key(m) + "_delta")
		e.num(h.OCDelta[k][j])
	}
	e.key("cache_hit_rate")
	e.num(h.HitRate[j])
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
