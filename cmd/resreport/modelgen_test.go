package main

// The random data sets of the model test (model_test.go): logs written by
// an emitter of the test's own (not bench/loggen, whose data the code was
// tuned on), with what real hosts do: random phases, periods and jitter,
// silences short and long, worker restarts with and without a new PID,
// other worker versions, empty groups, bad values, bad lines, rotated
// plain and gzip files, files larger than one scan range.

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/resreport/resreport/columnar"
)

// lineFormat is how a generated file ends its lines.
type lineFormat int

const (
	// withTrailingBar is the emitter's format: every group is followed by
	// " | " and the line's last character is removed ("… | 1/2/3 |").
	withTrailingBar lineFormat = iota
	// withoutTrailingBar is the reference's docstring format: groups
	// joined by " | " ("… | 1/2/3").
	withoutTrailingBar
)

// genFormats are the line formats of the generated files, one drawn per
// file. A file of the docstring's format gets no half-written last line:
// its unterminated last line is a partial tail whatever it holds.
var genFormats = []lineFormat{withTrailingBar, withoutTrailingBar}

// genFile is one generated log file.
type genFile struct {
	rel    string // slash-separated path under the data set's root
	host   string
	gzip   bool
	format lineFormat
	text   []byte // the content, decompressed
}

// dataSet is one random input and the options of the run over it.
type dataSet struct {
	seed       uint64
	files      []genFile
	extra      map[string][]byte // files that are not resource logs, by rel path
	intervalMS int64
	since      string // --since text, "" for none
	until      string
	workers    int
	shardSize  int64
	viaSamples bool // read back from its samples file too (checkModel)

	// intent counts the lines the generator made to be skipped, by
	// reason; bad_shape lines count only in the time range (outside it
	// they are outside_range). The test checks the model agrees.
	intent map[string]int64
	shapes []int64 // timestamps of the lines made to be bad_shape
}

// ocStart is the catalogue index of the first OC_HIT_NUM counter.
var ocStart = func() int {
	for g, grp := range columnar.Groups {
		if grp.Name == "OC_HIT_NUM" {
			return columnar.GroupStart[g]
		}
	}
	panic("no OC_HIT_NUM group")
}()

func (d *dataSet) String() string {
	hosts := map[string]bool{}
	size := 0
	for _, f := range d.files {
		hosts[f.host] = true
		size += len(f.text)
	}
	return fmt.Sprintf("%d hosts, %d files (%d bytes), interval %d ms, since %q, until %q, %d workers, shard size %d",
		len(hosts), len(d.files), size, d.intervalMS, d.since, d.until, d.workers, d.shardSize)
}

// write puts the data set's files under root.
func (d *dataSet) write(root string) error {
	put := func(rel string, data []byte) error {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, data, 0o644)
	}
	for _, f := range d.files {
		data := f.text
		if f.gzip {
			var b bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
			zw.Write(f.text)
			if err := zw.Close(); err != nil {
				return err
			}
			data = b.Bytes()
		}
		if err := put(f.rel, data); err != nil {
			return err
		}
	}
	for rel, data := range d.extra {
		if err := put(rel, data); err != nil {
			return err
		}
	}
	return nil
}

// genIntervals are bin widths (ms) drawn from, besides random ones: some
// do not divide a day (7 s, 7 min, 25 min), so the day's last bin is short.
var genIntervals = []int64{1000, 1500, 2000, 5000, 7000, 10000, 60000, 90000, 420000, 600000, 1500000, 3600000}

// genDataSet draws the data set of a seed, to be read back from its
// samples file too if viaSamples.
func genDataSet(seed uint64, viaSamples bool) *dataSet {
	r := rand.New(rand.NewPCG(seed, 0x6d6f64656c))
	d := &dataSet{seed: seed, viaSamples: viaSamples, intent: map[string]int64{}, extra: map[string][]byte{}}
	if r.IntN(3) == 0 {
		d.intervalMS = int64(1000 * math.Pow(3600, r.Float64())) // 1 s to 1 h, log-uniform
	} else {
		d.intervalMS = genIntervals[r.IntN(len(genIntervals))]
	}
	large := r.IntN(5) == 0 // enough rows to fill batches
	nHosts := 1 + r.IntN(10)
	lines := 30 + r.IntN(1500)
	if large {
		nHosts = 1 + r.IntN(2)
		lines = 3000 + r.IntN(6000)
	}
	d.workers = 1 + r.IntN(4)
	switch r.IntN(4) {
	case 0, 1:
		d.shardSize = int64(1024 + r.IntN(8192)) // a few lines per range
	case 2:
		d.shardSize = int64(64<<10 + r.IntN(256<<10))
	} // else the default (16 MiB)

	// the data start: a day in May 2026, often shortly before midnight
	day := time.Date(2026, 5, 3+r.IntN(10), 0, 0, 0, 0, time.UTC).UnixMicro()
	start := day + r.Int64N(24*3600*1e6)
	if r.IntN(2) == 0 {
		start = day + 24*3600*1e6 - r.Int64N(3600*1e6)
	}
	names := genHostNames(r, nHosts)
	layout := 1 + r.IntN(2)
	if nHosts == 1 && r.IntN(4) == 0 {
		layout, names = 3, []string{"localhost"}
	}
	badRate := []float64{0, 0.02, 0.1, 0.15}[r.IntN(4)]
	lineBad := []float64{0, 0.005, 0.02}[r.IntN(3)]
	tooLong, stray := r.IntN(30) == 0, r.IntN(15) == 0
	var first, last int64 = 1 << 62, -1 << 62
	for i, name := range names {
		h := newHostGen(r, name, start, d.intervalMS, badRate, lineBad)
		n := lines / nHosts
		n = n/2 + r.IntN(n+1)
		h.run(d, n, tooLong && i == 0, stray && i == nHosts-1)
		first, last = min(first, h.first), max(last, h.last)
		d.files = append(d.files, h.files(d, layout)...)
		if r.IntN(15) == 0 {
			dir := filepath.ToSlash(filepath.Dir(d.files[len(d.files)-1].rel))
			d.extra[dir+"/kv_resource.log"] = []byte(`{"ts":"2026-05-06T00:00:00","mem":1}` + "\n")
			d.extra[dir+"/notes.txt"] = []byte("not a log\n")
		}
	}
	d.since, d.until = genRange(r, first, last)
	return d
}

// genRange draws --since and --until around the data's span [first,
// last]: mostly cutting into it, rarely past its end (no records).
func genRange(r *rand.Rand, first, last int64) (since, until string) {
	at := func(lo, hi float64) string {
		t := first + int64((lo+r.Float64()*(hi-lo))*float64(last-first))
		if r.IntN(3) == 0 {
			t -= t % 1e6
		}
		return columnar.FormatTimestamp(t)
	}
	switch r.IntN(6) {
	case 1:
		since = at(-0.05, 0.7)
	case 2:
		until = at(0.3, 1.05)
	case 3, 4:
		since, until = at(-0.05, 0.5), at(0.5, 1.05)
	case 5:
		if r.IntN(10) == 0 {
			since = at(1.01, 1.1)
		}
	}
	if since != "" && since >= until && until != "" {
		until = ""
	}
	return since, until
}

func genHostNames(r *rand.Rand, n int) []string {
	seen := map[string]bool{}
	var names []string
	for len(names) < n {
		var s string
		if r.IntN(3) == 0 {
			s = fmt.Sprintf("worker_%d_%d", r.IntN(4), r.IntN(40))
		} else {
			s = fmt.Sprintf("10.%d.%d.%d", r.IntN(3), r.IntN(4), 1+r.IntN(250))
		}
		if !seen[s] {
			seen[s] = true
			names = append(names, s)
		}
	}
	return names
}

// hostGen emits one host's lines.
type hostGen struct {
	r        *rand.Rand
	name     string
	t        int64 // the next sample's nominal time
	period   int64
	jitter   int64
	badRate  float64
	lineBad  float64
	groups   int // 21, 22, 24 or 25
	pod      string
	pid, tid int64
	oc       [5]int64
	scale    []int64 // per catalogue metric: values are below it
	empty    []bool  // per group: printed empty on this host
	interval int64   // µs

	prev        int64 // last timestamp written
	first, last int64
	lines       []genLine
}

// genLine is one line of a host's stream, in time order.
type genLine struct {
	text    string // header "\x00" groups joined by "\x00" (see formatLine), or raw text
	bad     bool   // made to be skipped
	silence bool   // the line ends a silence: a good place to cut a file
}

func newHostGen(r *rand.Rand, name string, start, intervalMS int64, badRate, lineBad float64) *hostGen {
	h := &hostGen{r: r, name: name, badRate: badRate, lineBad: lineBad, interval: intervalMS * 1000}
	switch r.IntN(3) {
	case 0:
		h.period = []int64{1, 5, 10}[r.IntN(3)] * 1e6
	default:
		h.period = 1e6 + r.Int64N(29e6)
	}
	h.jitter = r.Int64N(h.period/3 + 1)
	h.t = start + r.Int64N(2*h.period)
	if r.IntN(5) == 0 {
		h.t += r.Int64N(3600e6) // joins late
	}
	h.groups = h.version()
	h.restart(true)
	h.scale = make([]int64, len(columnar.Metrics))
	for m := range h.scale {
		h.scale[m] = []int64{2, 10, 1000, 1e6, 1e9, 1e12, 1e15}[r.IntN(7)]
	}
	h.empty = make([]bool, len(columnar.Groups))
	for g := range h.empty {
		h.empty[g] = r.IntN(6) == 0
	}
	h.prev = -1 << 62
	h.first, h.last = 1<<62, -1<<62
	return h
}

// version draws a worker version: the number of groups of its lines.
func (h *hostGen) version() int {
	return []int{21, 22, 22, 24, 25, 25}[h.r.IntN(6)]
}

// restart starts a new worker process: a new PID (usually), the counters
// from near zero (usually), sometimes a new pod and version.
func (h *hostGen) restart(first bool) {
	r := h.r
	if first || r.IntN(4) != 0 {
		h.pid = 1 + r.Int64N(200000)
		h.tid = 1 + r.Int64N(1000)
	}
	if first || r.IntN(2) == 0 {
		h.pod = fmt.Sprintf("searchgenrecallkvworker-%d-%05d", r.IntN(30), r.IntN(100))
		if r.IntN(20) == 0 {
			h.pod = "kvworker-\xff\xfe-" + strconv.Itoa(r.IntN(9)) // invalid UTF-8
		}
	}
	if !first && r.IntN(5) == 0 {
		h.groups = h.version()
	}
	switch {
	case first:
		for k := range h.oc {
			h.oc[k] = r.Int64N(1e9)
		}
	case r.IntN(5) == 0: // a new PID, counters go on (no decrease)
	case r.IntN(3) == 0: // one counter drops
		k := r.IntN(5)
		h.oc[k] = r.Int64N(h.oc[k] + 1)
	default:
		for k := range h.oc {
			h.oc[k] = r.Int64N(1000)
		}
	}
}

// run emits n samples (and the bad lines among them).
func (h *hostGen) run(d *dataSet, n int, tooLong, stray bool) {
	r := h.r
	bins, lastBin := 0, int64(-1)
	for i := 0; i < n; i++ {
		silence := false
		switch p := r.IntN(1000); {
		case p < 4: // a short silence: a few periods
			h.t += h.period * (3 + r.Int64N(5))
			silence = true
		case p < 7: // minutes
			h.t += 60e6 + r.Int64N(600e6)
			silence = true
		case p < 8: // hours
			h.t += 3600e6 + r.Int64N(4*3600e6)
			silence = true
		case p < 9: // across the next bin boundary
			end := h.t - h.t%h.interval + h.interval
			h.t = end - r.Int64N(h.period+1) + h.period*(1+r.Int64N(4))
			silence = true
		case p < 13:
			h.restart(false)
		}
		if b := h.t / h.interval; b != lastBin {
			if bins++; bins > 200 {
				break // keep the number of bins (and the test) small
			}
			lastBin = b
		}
		h.sample(d, silence)
		if stray && i == n/3 { // a stray timestamp years away
			ts := time.Date(2019, 1, 1+r.IntN(365), 0, 0, 0, 0, time.UTC).UnixMicro() + r.Int64N(86400e6)
			h.lines = append(h.lines, genLine{text: h.line(time.UnixMicro(ts).UTC().Format("2006-01-02T15:04:05.000000"), h.groupTexts(h.groups))})
		}
		if tooLong && i == n/2 {
			h.lines = append(h.lines, genLine{text: strings.Repeat("x|", (1<<20)/2+1+r.IntN(100)), bad: true})
			d.intent["too_long"]++
		}
		if r.Float64() < h.lineBad {
			h.badLine(d)
		}
		h.t += h.period
	}
}

// stamp draws the precision of a line's timestamp and rounds ts up to it.
func (h *hostGen) stamp(ts int64) (int64, string) {
	ts = max(ts, h.prev+1)
	layout := "2006-01-02T15:04:05.000000"
	switch h.r.IntN(40) {
	case 0:
		ts, layout = roundUp(ts, 1000), "2006-01-02T15:04:05.000"
	case 1:
		ts, layout = roundUp(ts, 1e6), "2006-01-02T15:04:05"
	case 2:
		layout = "2006-01-02 15:04:05.000000" // a space for the T
	}
	return ts, time.UnixMicro(ts).UTC().Format(layout)
}

func roundUp(v, m int64) int64 { return (v + m - 1) / m * m }

// sample emits one sample at h.t (with jitter); rarely the same line
// twice, or a second line at the same time with larger counters.
func (h *hostGen) sample(d *dataSet, silence bool) {
	r := h.r
	ts, tsText := h.stamp(h.t + r.Int64N(2*h.jitter+1) - h.jitter)
	h.prev = ts
	h.first, h.last = min(h.first, ts), max(h.last, ts)
	for k := range h.oc {
		if r.IntN(4) != 0 {
			h.oc[k] += r.Int64N([]int64{10, 1000, 100000}[k%3])
		}
	}
	line := h.line(tsText, h.groupTexts(h.groups))
	h.lines = append(h.lines, genLine{text: line, silence: silence})
	switch r.IntN(300) {
	case 0:
		h.lines = append(h.lines, genLine{text: line})
	case 1:
		h.oc[r.IntN(5)] += 1 + r.Int64N(10)
		h.lines = append(h.lines, genLine{text: h.line(tsText, h.groupTexts(h.groups))})
	}
}

// line formats a line of groups, for the file format decided later: the
// groups are kept apart by "\x00" until then (see files).
func (h *hostGen) line(ts string, groups []string) string {
	pidtid := fmt.Sprintf("%d:%d", h.pid, h.tid)
	switch h.r.IntN(100) {
	case 0:
		pidtid = "abc:" + strconv.FormatInt(h.tid, 10)
	case 1:
		pidtid = strconv.FormatInt(h.pid, 10) // no TID
	case 2:
		pidtid = fmt.Sprintf(" %d : %d ", h.pid, h.tid)
	}
	hdr := strings.Join([]string{ts, "I", "res_metric_collector.cpp:114", h.pod, pidtid,
		"0b6c0e8e-6f1a-4c1e-9d55-2f0c5b7e3a21", "model_kvcache_record"}, " | ")
	return hdr + "\x00" + strings.Join(groups, "\x00")
}

// groupTexts prints the first n groups of a sample.
func (h *hostGen) groupTexts(n int) []string {
	r := h.r
	out := make([]string, n)
	for g := 0; g < n; g++ {
		if h.empty[g] || r.IntN(50) == 0 {
			out[g] = ""
			continue
		}
		fields := columnar.Groups[g].Fields
		vals := make([]string, len(fields))
		for k, f := range fields {
			m := columnar.GroupStart[g] + k
			vals[k] = h.value(m, f, len(fields) == 1)
		}
		out[g] = strings.Join(vals, "/")
	}
	return out
}

// genBad are values that are not numbers.
var genBad = []string{"", "null", "nan", "NaN", "inf", "-inf", "abc", "\xff\xfe", "--", "12 34", "1,5", "0x1F", "-"}

// value prints one sub-field: a number, or (at the host's bad rate) a
// value that is not one.
func (h *hostGen) value(m int, f columnar.Field, single bool) string {
	r := h.r
	if f.Role == columnar.Counter {
		if r.Float64() < h.badRate/2 {
			return genBad[r.IntN(len(genBad))]
		}
		return strconv.FormatInt(h.oc[m-ocStart], 10)
	}
	if r.Float64() < h.badRate {
		switch p := r.IntN(len(genBad) + 4); {
		case p < len(genBad):
			return genBad[p]
		case single:
			return []string{"N/A", "1/2", "N/A", "1/2"}[p-len(genBad)]
		case f.Kind == columnar.Int:
			return []string{"1.5", "1e5", "+7", "99999999999999999999"}[p-len(genBad)]
		}
	}
	if f.Kind == columnar.Int {
		switch r.IntN(200) {
		case 0:
			return "9223372036854775807"
		case 1:
			return strconv.FormatInt(1e17+r.Int64N(1e17), 10)
		}
		return strconv.FormatInt(r.Int64N(h.scale[m]), 10)
	}
	switch r.IntN(40) {
	case 0:
		return "1"
	case 1:
		return "1e-3"
	case 2:
		return "+0.25"
	case 3:
		return strconv.FormatFloat(r.Float64()*1000, 'g', -1, 64)
	case 4:
		return " 0.5 "
	}
	return strconv.FormatFloat(r.Float64(), 'f', 3, 64)
}

// badLine emits a line of a known skip reason.
func (h *hostGen) badLine(d *dataSet) {
	r := h.r
	ts, tsText := h.stamp(h.t + h.period/2)
	h.prev = ts
	var text, reason string
	switch r.IntN(6) {
	case 0:
		text, reason = []string{"", "   ", "\t"}[r.IntN(3)], "empty"
	case 1:
		text, reason = []string{"garbage", "hello | world", tsText + " | I | only a few | fields"}[r.IntN(3)], "short"
	case 2:
		bad := []string{tsText + "Z", tsText + "+08:00", "2026-02-30T10:00:00.000000", "2026/05/06 10:00:00", "yesterday", ""}[r.IntN(6)]
		text, reason = h.line(bad, h.groupTexts(h.groups)), "bad_timestamp"
	default:
		groups := h.groupTexts(h.groups)
		switch r.IntN(4) {
		case 0: // a group count of no worker version
			n := []int{20, 23, 26}[r.IntN(3)]
			for len(groups) < n {
				groups = append(groups, "1")
			}
			groups = groups[:n]
		case 1: // a deleted sub-field
			groups[0] = "1/2/3/0.5/6"
		case 2: // "N/A" in a group of several sub-fields
			groups[5] = "1/N/A/3/4/0.500"
		case 3: // a deleted group: the rest shift
			groups = slices.Delete(groups, 3, 4)
			if n := len(groups); n == 21 || n == 24 {
				groups = slices.Delete(groups, 3, 4)
			}
		}
		text, reason = h.line(tsText, groups), "bad_shape"
		d.shapes = append(d.shapes, ts)
	}
	h.lines = append(h.lines, genLine{text: text, bad: true})
	if reason != "bad_shape" {
		d.intent[reason]++
	}
}

// files cuts the host's stream into 1–4 files: rotated ones (plain or
// gzip) and the live resource.log, cut often where a silence ends so that
// silences fall across files.
func (h *hostGen) files(d *dataSet, layout int) []genFile {
	r := h.r
	dir := h.name + "/logs/"
	switch layout {
	case 2:
		dir = "kvcache_logs_20260506/" + dir
	case 3:
		dir = ""
	}
	nFiles := 1 + r.IntN(4)
	var cuts []int
	for i := 1; i < nFiles && len(h.lines) > 1; i++ {
		c := 1 + r.IntN(len(h.lines)-1)
		if r.IntN(2) == 0 {
			for j := c; j < len(h.lines); j++ {
				if h.lines[j].silence {
					c = j
					break
				}
			}
		}
		cuts = append(cuts, c)
	}
	slices.Sort(cuts)
	cuts = slices.Compact(append(append([]int{0}, cuts...), len(h.lines)))
	// now and then a record swapped with its neighbour across a cut (a
	// line that reached the rotated file late), drawn apart from r so that
	// the rest of the data set stays as before; not in the data sets also
	// read back from a samples file, whose time slices put such records
	// back in time order (README)
	sw := rand.New(rand.NewPCG(uint64(len(h.lines)), uint64(len(h.name))))
	for _, c := range cuts[1 : len(cuts)-1] {
		if !d.viaSamples && sw.IntN(3) == 0 && !h.lines[c-1].bad && !h.lines[c].bad {
			h.lines[c-1], h.lines[c] = h.lines[c], h.lines[c-1]
		}
	}
	var out []genFile
	for k := 0; k+1 < len(cuts); k++ {
		f := genFile{host: h.name, format: genFormats[r.IntN(len(genFormats))]}
		live := k == len(cuts)-2 && r.IntN(8) != 0
		if live {
			f.rel = dir + "resource.log"
		} else {
			f.rel = fmt.Sprintf("%sresource.2026%010d.log", dir, k*1000+r.IntN(1000))
			if f.gzip = r.IntN(2) == 0; f.gzip {
				f.rel += ".gz"
			}
		}
		f.text = h.fileText(d, h.lines[cuts[k]:cuts[k+1]], f.format, live)
		out = append(out, f)
	}
	if r.IntN(25) == 0 {
		out = append(out, genFile{host: h.name, rel: dir + "resource.20260101000000.log", text: nil}) // empty
	}
	return out
}

// fileText joins lines in a file's format: BOM and CRLF line ends at
// times, and a live file's last line unterminated, or half-written.
func (h *hostGen) fileText(d *dataSet, lines []genLine, format lineFormat, live bool) []byte {
	r := h.r
	eol := "\n"
	if r.IntN(20) == 0 {
		eol = "\r\n"
	}
	var b bytes.Buffer
	if r.IntN(20) == 0 {
		b.WriteString("\ufeff")
	}
	for i, l := range lines {
		b.WriteString(formatLine(l.text, format))
		if i < len(lines)-1 || !live || l.bad {
			b.WriteString(eol)
			continue
		}
		switch r.IntN(5) {
		case 0: // complete, not terminated
			if format != withTrailingBar {
				d.intent["partial_tail"]++
			}
		case 1: // half-written (the emitter's format only: see genFormats)
			if format != withTrailingBar {
				b.WriteString(eol)
				break
			}
			text := formatLine(l.text, format)
			b.Truncate(b.Len() - len(text))
			cut := r.IntN(len(text))
			for cut > 0 && strings.HasSuffix(strings.TrimRight(text[:cut], " \t\r"), "|") {
				cut--
			}
			if cut == 0 {
				b.WriteString(text + eol)
				break
			}
			b.WriteString(text[:cut])
			d.intent["partial_tail"]++
		default:
			b.WriteString(eol)
		}
	}
	return b.Bytes()
}

// formatLine turns a line kept as header "\x00" groups into text.
func formatLine(text string, format lineFormat) string {
	parts := strings.Split(text, "\x00")
	if len(parts) == 1 {
		return text // a bad line without structure
	}
	if format == withoutTrailingBar && strings.TrimSpace(parts[len(parts)-1]) == "" {
		// an empty last group would read as a line with the trailing bar
		// and one group less: this format cannot print it
		last := "0"
		if g := len(parts) - 2; g < len(columnar.Groups) {
			last = strings.Repeat("0/", len(columnar.Groups[g].Fields)-1) + "0"
		}
		parts[len(parts)-1] = last
	}
	var b strings.Builder
	b.WriteString(parts[0])
	b.WriteString(" | ")
	for i, g := range parts[1:] {
		b.WriteString(g)
		if format == withTrailingBar || i < len(parts)-2 {
			b.WriteString(" | ")
		}
	}
	s := b.String()
	if format == withTrailingBar {
		s = s[:len(s)-1] // the emitter removes the last character
	}
	return s
}
