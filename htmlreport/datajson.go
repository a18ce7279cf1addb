package htmlreport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"runtime"
	"slices"
	"sync"
)

// dataJSON encodes the page's data for its <script type="application/json">
// element. encoding/json escapes <, > and & (and U+2028/9) in every string,
// and the numeric arrays hold only digits, signs, points, commas and
// "null", so neither "</script" nor "<!--" can occur in it; it is passed to
// the template as is, without html/template's (slow, on megabytes) JS
// escaping.
//
// The document is the JSON encoding of d (what json.Marshal(d) gives), but
// the numeric arrays — megabytes for many hosts and bins — are encoded in
// parallel and spliced in, not marshalled and then re-validated by
// encoding/json.
func dataJSON(d *pageData) (template.JS, error) {
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range d.S {
			if !yield(k) {
				return
			}
		}
	})
	// One encoding job per cluster column and per host metric.
	ms := d.Hosts.Metrics
	parts := make([][]byte, len(keys)+2*len(ms))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(parts)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				switch {
				case i < len(keys):
					parts[i], _ = d.S[keys[i]].MarshalJSON()
				case (i-len(keys))%2 == 0:
					parts[i], _ = ms[(i-len(keys))/2].Rank.MarshalJSON()
				default:
					parts[i], _ = ms[(i-len(keys))/2].Values.MarshalJSON()
				}
			}
		}()
	}
	for i := range parts {
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	e := jsonWriter{}
	n := 1 << 10
	for _, p := range parts {
		n += len(p) + 64
	}
	e.Grow(n)
	e.WriteByte('{')
	e.field("axis", d.Axis)
	e.field("bin", d.Bin)
	e.key("s")
	if d.S == nil {
		e.WriteString("null")
	} else {
		e.WriteByte('{')
		for i, k := range keys {
			e.key(k)
			e.Write(parts[i])
		}
		e.WriteByte('}')
	}
	e.field("charts", d.Charts)
	h := &d.Hosts
	e.key("hosts")
	e.WriteByte('{')
	e.field("names", h.Names)
	e.field("pods", h.Pods)
	e.field("records", h.Records)
	e.field("resets", h.Resets)
	e.field("runs", h.Runs)
	e.key("metrics")
	if ms == nil {
		e.WriteString("null")
	} else {
		e.WriteByte('[')
		for i, m := range ms {
			if i > 0 {
				e.WriteByte(',')
			}
			e.WriteByte('{')
			e.field("key", m.Key)
			e.field("label", m.Label)
			e.field("unit", m.Unit)
			e.field("worse", m.Worse)
			e.key("rank")
			e.Write(parts[len(keys)+2*i])
			e.key("values")
			e.Write(parts[len(keys)+2*i+1])
			e.WriteByte('}')
		}
		e.WriteByte(']')
	}
	e.field("default", h.Default)
	e.WriteString("}}")
	if e.err != nil {
		return "", fmt.Errorf("htmlreport: encode data: %w", e.err)
	}
	return template.JS(e.Bytes()), nil
}

// jsonWriter assembles a JSON document from pieces; the first encoding
// error sticks.
type jsonWriter struct {
	bytes.Buffer
	err error
}

// key appends an object key and its colon, after a comma unless it is the
// first member of the object or array being written.
func (e *jsonWriter) key(k string) {
	if b := e.Bytes(); len(b) > 0 && b[len(b)-1] != '{' && b[len(b)-1] != '[' {
		e.WriteByte(',')
	}
	e.value(k)
	e.WriteByte(':')
}

// field appends a member "k": v.
func (e *jsonWriter) field(k string, v any) {
	e.key(k)
	e.value(v)
}

// value appends the encoding/json encoding of v (HTML-escaped).
func (e *jsonWriter) value(v any) {
	b, err := json.Marshal(v)
	if err != nil && e.err == nil {
		e.err = err
	}
	e.Write(b)
}
