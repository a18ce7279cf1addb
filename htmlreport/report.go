package htmlreport

import (
	"bufio"
	"errors"
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/resreport/resreport/agg"
	"github.com/resreport/resreport/columnar"
)

// Input is what the report shows.
type Input struct {
	Title        string // full title, e.g. "cluster-A Worker Resource Analysis Report"
	Since, Until string // as given on the command line, may be empty
	Result       *agg.Result
	Summary      *agg.Summary  // may be nil: the footer then only has what Result knows
	Findings     []agg.Finding // shown at the top; an empty list says "no findings"
}

// Write writes the complete HTML page for in to w.
func Write(w io.Writer, in *Input) error {
	if in == nil || in.Result == nil {
		return errors.New("htmlreport: no result to report")
	}
	v, err := buildView(in)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	if err := pageTemplate.Execute(bw, v); err != nil {
		return fmt.Errorf("htmlreport: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("htmlreport: %w", err)
	}
	return nil
}

var pageTemplate = template.Must(template.New("report").Parse(reportTmpl))

// view is the template's data.
type view struct {
	Title          string
	Info           []kv
	Summary        []summaryRow
	Findings       findingsView
	Sections       []*section
	Detail         detailTable
	HostOptions    []hostOption
	HostRows       []hostRow
	Footer         footer
	Data           template.JS // the page's data document, JSON (see dataJSON)
	ECharts        template.JS
	Script         template.JS
	Style          template.CSS
	EChartsVersion string
	ZRenderVersion string
	Licenses       []license
}

type kv struct{ K, V string }

type summaryRow struct {
	ID, Label, Value string
}

type detailCol struct {
	Head string
	Key  string // --json bin key
	fmt  func(float64) string
}

type detailTable struct {
	Cols      []detailCol
	Rows      []detailRow
	Body      template.HTML // Rows as <tr> elements (see detailBody)
	Omitted   int           // bins past maxDetailRows, not shown
	MaxRows   int
	Bin       string
	AxisNote  string
	HasFilled bool
}

type detailRow struct {
	Time  string // --json "time"
	Label string
	Cells []string
}

// detailBody renders the detail table's rows (thousands of them, tens of
// cells each) directly rather than by a template range, which costs a
// reflective call per cell; every text is HTML-escaped.
func detailBody(rows []detailRow) template.HTML {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString("\n<tr data-t=\"")
		b.WriteString(template.HTMLEscapeString(r.Time))
		b.WriteString("\"><td>")
		b.WriteString(template.HTMLEscapeString(r.Label))
		b.WriteString("</td>")
		for _, c := range r.Cells {
			b.WriteString("<td>")
			b.WriteString(template.HTMLEscapeString(c))
			b.WriteString("</td>")
		}
		b.WriteString("</tr>")
	}
	return template.HTML(b.String())
}

type hostOption struct {
	Index int
	Name  string
}

type hostRow struct {
	Name, Pods, Records, Bins, First, Last, Peak, Latest, Resets string
}

type footer struct {
	Accounting []kv
	Skipped    []skipRow
	FileErrors []agg.FileSummary
	MoreErrors int
	NoSummary  bool
}

type skipRow struct {
	Reason, Desc, Count string
}

type license struct{ Name, Text string }

// maxDetailRows bounds the detail table; the JSON output has every bin.
const maxDetailRows = 20_000

// detailColumns are the detail table's columns after the time: the
// reference's, with its two always-zero "Wait" columns replaced by the
// pools' peak queue (maxWaiting), average and worst sample.
func detailColumns() []detailCol {
	return []detailCol{
		{"Hosts", "host_count", fmtCount},
		{"Mem avg", col("shm_memory_usage", "avg"), fmtBytes},
		{"Mem max", col("shm_memory_usage", "max"), fmtBytes},
		{"Mem %", col("shm_share_mem_ratio", "avg"), fmtPct},
		{"Objects avg", col("object_count", "avg"), fmtCount},
		{"Objects max", col("object_count", "max"), fmtCount},
		{"Obj size avg", col("object_size", "avg"), fmtBytes},
		{"Hit rate", "cache_hit_rate", fmtPct2},
		{"Hits", "total_hits", fmtCount},
		{"Requests", "total_requests", fmtCount},
		{"OC pool util", col("worker_oc_service_thread_usage", "avg"), fmtPct},
		{"OC queue avg", col("worker_oc_service_thread_max_waiting", "avg"), fmtFixed1},
		{"OC queue max", col("worker_oc_service_thread_max_waiting", "max"), fmtCount},
		{"Async util", col("master_async_tasks_thread_usage", "avg"), fmtPct},
		{"Async queue avg", col("master_async_tasks_thread_max_waiting", "avg"), fmtFixed1},
		{"Async queue max", col("master_async_tasks_thread_max_waiting", "max"), fmtCount},
	}
}

// reasonText describes the skip reasons of package scan.
var reasonText = map[string]string{
	"empty":         "blank line",
	"short":         "fewer than 8 '|'-separated fields",
	"bad_timestamp": "first field is not a local time YYYY-MM-DDTHH:MM:SS[.ffffff] (for example it has a zone suffix)",
	"bad_shape":     "metric groups or sub-fields in numbers no known worker version prints (a deleted or shifted field)",
	"too_long":      "longer than 1 MiB",
	"partial_tail":  "last line of a file still being written (no newline, not complete)",
}

func buildView(in *Input) (*view, error) {
	r := in.Result
	bin := intervalText(r.Interval)
	ax := buildAxis(r)
	secs := buildSections(bin)
	data, err := dataJSON(buildPageData(r, &ax, secs))
	if err != nil {
		return nil, err
	}
	v := &view{
		Title:          in.Title,
		Sections:       secs,
		Data:           data,
		ECharts:        template.JS(echartsJS),
		Script:         template.JS(reportJS),
		Style:          template.CSS(reportCSS),
		EChartsVersion: EChartsVersion,
		ZRenderVersion: ZRenderVersion,
	}
	if v.Title == "" {
		v.Title = "Worker Resource Analysis Report"
	}
	cols := clusterColumns(r)
	v.Info = infoLine(in, &ax, bin)
	v.Summary = summaryRows(in, cols, &ax, bin)
	v.Findings = buildFindings(in.Findings, &ax)
	v.Detail = detailTable{Cols: detailColumns(), MaxRows: maxDetailRows, Bin: bin, HasFilled: ax.filled}
	for g := range r.Bins {
		if g >= maxDetailRows {
			v.Detail.Omitted = len(r.Bins) - g
			break
		}
		row := detailRow{Time: columnar.FormatTimestamp(r.Bins[g]), Label: ax.labels[ax.pos[g]]}
		for _, c := range v.Detail.Cols {
			row.Cells = append(row.Cells, c.fmt(colAt(cols, c.Key, g)))
		}
		v.Detail.Rows = append(v.Detail.Rows, row)
	}
	v.Detail.Body = detailBody(v.Detail.Rows)
	for i := range r.Hosts {
		h := &r.Hosts[i]
		v.HostOptions = append(v.HostOptions, hostOption{i, h.Name})
		v.HostRows = append(v.HostRows, hostTableRow(r, h, &ax))
	}
	v.Footer = buildFooter(in)
	for _, name := range licenseFiles {
		b, err := licenseFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		v.Licenses = append(v.Licenses, license{strings.TrimPrefix(name, "assets/"), string(b)})
	}
	return v, nil
}

func infoLine(in *Input, ax *timeAxis, bin string) []kv {
	r := in.Result
	var info []kv
	if len(r.Bins) > 0 {
		info = append(info, kv{"Time", ax.labels[0] + " ~ " + ax.labels[len(ax.labels)-1]})
	} else {
		info = append(info, kv{"Time", "no records in range"})
	}
	info = append(info, kv{"Bin", bin}, kv{"Hosts", fmtInt(int64(len(r.Hosts)))}, kv{"Records", fmtInt(records(in))})
	if in.Since != "" {
		info = append(info, kv{"Since", in.Since})
	}
	if in.Until != "" {
		info = append(info, kv{"Until", in.Until})
	}
	return info
}

func records(in *Input) int64 {
	if in.Summary != nil {
		return in.Summary.Records
	}
	var n int64
	for i := range in.Result.Hosts {
		n += in.Result.Hosts[i].Records()
	}
	return n
}

// summaryRows are the overview table: the reference's rows (latest = the
// last bin) and a few more.
func summaryRows(in *Input, cols map[string]agg.Series, ax *timeAxis, bin string) []summaryRow {
	r := in.Result
	nb := len(r.Bins)
	at := func(g int) string {
		if g < 0 {
			return ""
		}
		return " at " + ax.labels[ax.pos[g]]
	}
	lastOf := func(key string) float64 { return last(cols[key]) }
	rows := []summaryRow{}
	if nb > 0 {
		rows = append(rows, summaryRow{"sum-range", "Time range", ax.labels[0] + " ~ " + ax.labels[len(ax.labels)-1]})
	} else {
		rows = append(rows, summaryRow{"sum-range", "Time range", "no records in range"})
	}
	hosts := fmtInt(int64(len(r.Hosts)))
	if in.Summary != nil && in.Summary.HostsFound > len(r.Hosts) {
		hosts += fmt.Sprintf(" (%s more with files but no record in range)", fmtInt(int64(in.Summary.HostsFound-len(r.Hosts))))
	}
	rows = append(rows,
		summaryRow{"sum-bin", "Bin width", bin},
		summaryRow{"sum-hosts", "Host count", hosts},
		summaryRow{"sum-records", "Total records", fmtInt(records(in))},
	)
	memAvg, memMax, limAvg, ratio := col("shm_memory_usage", "avg"), col("shm_memory_usage", "max"), col("shm_total_limit", "avg"), col("shm_share_mem_ratio", "avg")
	rows = append(rows, summaryRow{"sum-mem-latest", "Latest memory usage (avg per host)",
		fmtBytes(lastOf(memAvg)) + " / " + fmtBytes(lastOf(limAvg)) + " (" + fmtPct(lastOf(ratio)) + ")"})
	pk, g := maxOf(cols[memMax])
	rows = append(rows, summaryRow{"sum-mem-peak", "Peak memory usage (one host)", fmtBytes(pk) + at(g)})
	objAvg, objMax := col("object_count", "avg"), col("object_count", "max")
	rows = append(rows, summaryRow{"sum-obj-latest", "Latest object count (avg per host)", fmtCount(lastOf(objAvg))})
	pk, g = maxOf(cols[objMax])
	rows = append(rows, summaryRow{"sum-obj-peak", "Peak object count (one host)", fmtCount(pk) + at(g)})
	rows = append(rows, summaryRow{"sum-hit-latest", "Latest cache hit rate", fmtPct2(lastOf("cache_hit_rate"))})
	var hits, reqs float64
	for g := range r.Bins {
		if h, q := r.TotalHits[g], r.TotalRequests[g]; !bad(h) && !bad(q) {
			hits += h
			reqs += q
		}
	}
	overall := naText
	if reqs > 0 {
		overall = fmtPct2(hits/reqs) + " (" + fmtCount(hits) + " of " + fmtCount(reqs) + " requests)"
	}
	rows = append(rows, summaryRow{"sum-hit-overall", "Cache hit rate over the range", overall})
	rows = append(rows, summaryRow{"sum-clients", "Active clients (latest avg per host)", fmtCount(lastOf(col("active_client_count", "avg")))})
	resets, resetHosts := 0, 0
	for i := range r.Hosts {
		if n := len(r.Hosts[i].Resets); n > 0 {
			resets += n
			resetHosts++
		}
	}
	rows = append(rows, summaryRow{"sum-resets", "Counter resets (worker restarts)",
		fmt.Sprintf("%s on %s hosts", fmtInt(int64(resets)), fmtInt(int64(resetHosts)))})
	if in.Summary != nil {
		rows = append(rows, summaryRow{"sum-skipped", "Lines skipped", fmtInt(in.Summary.SkippedTotal) + " (by reason in the footer)"})
	}
	return rows
}

func hostTableRow(r *agg.Result, h *agg.HostResult, ax *timeAxis) hostRow {
	row := hostRow{
		Name:    h.Name,
		Pods:    strings.Join(h.Pods, ", "),
		Records: fmtInt(h.Records()),
		Bins:    fmtInt(int64(len(h.Bins))),
		Resets:  fmtInt(int64(len(h.Resets))),
		Peak:    naText, Latest: naText,
	}
	if n := len(h.Bins); n > 0 {
		row.First = ax.labels[ax.pos[h.Bins[0]]]
		row.Last = ax.labels[ax.pos[h.Bins[n-1]]]
	}
	if m := h.Metric("shm_memory_usage"); m != nil {
		pk, _ := maxOf(m.Max)
		row.Peak = fmtBytes(pk)
		lv, _ := lastValue(m.Avg)
		row.Latest = fmtBytes(lv)
	}
	return row
}

func buildFooter(in *Input) footer {
	s := in.Summary
	if s == nil {
		return footer{NoSummary: true}
	}
	f := footer{Accounting: []kv{
		{"Files read", fmtInt(int64(s.Files))},
		{"Files that failed (wholly or in part)", fmtInt(int64(s.FilesFailed))},
		{"Bytes of log text", fmtInt(s.Bytes)},
		{"Lines read", fmtInt(s.LinesRead)},
		{"Records kept", fmtInt(s.Records)},
		{"Outside --since/--until", fmtInt(s.OutsideRange)},
		{"Lines skipped", fmtInt(s.SkippedTotal)},
		{"Values not numbers (kept as no data)", fmtInt(s.BadValues)},
	}}
	reasons := make([]string, 0, len(s.Skipped))
	for k := range s.Skipped {
		reasons = append(reasons, k)
	}
	sort.Strings(reasons)
	for _, k := range reasons {
		f.Skipped = append(f.Skipped, skipRow{k, reasonText[k], fmtInt(s.Skipped[k])})
	}
	const maxErrors = 50
	for _, fs := range s.PerFile {
		if fs.Error == "" {
			continue
		}
		if len(f.FileErrors) == maxErrors {
			f.MoreErrors++
			continue
		}
		f.FileErrors = append(f.FileErrors, fs)
	}
	return f
}

// colAt returns bin g of the column key, NaN when there is none.
func colAt(cols map[string]agg.Series, key string, g int) float64 {
	s := cols[key]
	if g < 0 || g >= len(s) {
		return math.NaN()
	}
	return s[g]
}
