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
	e.WriteString(`{"axis":`)
	e.value(d.Axis)
	e.WriteString(`,"bin":`)
	e.value(d.Bin)
	e.WriteString(`,"s":`)
	if d.S == nil {
		e.WriteString("null")
	} else {
		e.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				e.WriteByte(',')
			}
			e.value(k)
			e.WriteByte(':')
			e.Write(parts[i])
		}
		e.WriteByte('}')
	}
	e.WriteString(`,"charts":`)
	e.value(d.Charts)
	h := &d.Hosts
	e.WriteString(`,"hosts":{"names":`)
	e.value(h.Names)
	e.WriteString(`,"pods":`)
	e.value(h.Pods)
	e.WriteString(`,"records":`)
	e.value(h.Records)
	e.WriteString(`,"resets":`)
	e.value(h.Resets)
	e.WriteString(`,"runs":`)
	e.value(h.Runs)
	e.WriteString(`,"metrics":`)
	if ms == nil {
		e.WriteString("null")
	} else {
		e.WriteByte('[')
		for i, m := range ms {
			if i > 0 {
				e.WriteByte(',')
			}
			e.WriteString(`{"key":`)
			e.value(m.Key)
			e.WriteString(`,"label":`)
			e.value(m.Label)
			e.WriteString(`,"unit":`)
			e.value(m.Unit)
			e.WriteString(`,"worse":`)
			e.value(m.Worse)
			e.WriteString(`,"rank":`)
			e.Write(parts[len(keys)+2*i])
			e.WriteString(`,"values":`)
			e.Write(parts[len(keys)+2*i+1])
			e.WriteByte('}')
		}
		e.WriteByte(']')
	}
	e.WriteString(`,"default":`)
	e.value(h.Default)
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

// value appends the encoding/json encoding of v (HTML-escaped).
func (e *jsonWriter) value(v any) {
	b, err := json.Marshal(v)
	if err != nil && e.err == nil {
		e.err = err
	}
	e.Write(b)
}
