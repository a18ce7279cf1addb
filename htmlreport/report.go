package htmlreport

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/resreport/resreport/agg"
	"github.com/resreport/resreport/columnar"
)

// Input is what the report shows.
type Input struct {
	Title        string      // full title, e.g. "cluster-A Worker Resource Analysis Report"
	Since, Until string      // as given on the command line, may be empty
	Result       *agg.Result // the cluster bins; Result.Hosts is only read when Hosts is nil
	// Hosts are the hosts' views (NewHostView, at Result.Interval), in
	// any order. When nil, they are made from Result.Hosts.
	Hosts    []HostView
	Summary  *agg.Summary  // may be nil: the footer then only has what Result knows
	Findings []agg.Finding // shown at the top; an empty list says "no findings"
}

// Write writes the complete HTML page for in to w. The page's markup comes
// from html/template; its data document is streamed to w as it is made.
func Write(w io.Writer, in *Input) error { return WriteContext(context.Background(), w, in) }

// WriteContext is Write stopped by ctx: it returns ctx's error once it is
// done, checked after the page is laid out; writing stops at the first
// failed write (w should check ctx too: see output.NewWriter).
func WriteContext(ctx context.Context, w io.Writer, in *Input) error {
	if in == nil || in.Result == nil {
		return errors.New("htmlreport: no result to report")
	}
	p, err := newPage(in)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	cols := encodeColumnsAhead(p)
	defer cols.bytes() // every goroutine has ended when the page is done
	enc := encodeHostSeries(p.hosts, &p.hostAxis)
	defer enc.stop()
	bw := bufio.NewWriterSize(w, 1<<16)
	if err := pageTemplate.ExecuteTemplate(bw, "head", p.view); err != nil {
		return fmt.Errorf("htmlreport: %w", err)
	}
	bw.WriteString(`<script type="application/json" id="report-data">`)
	if err := writeData(bw, p, cols, enc); err != nil {
		return fmt.Errorf("htmlreport: data: %w", err)
	}
	bw.WriteString("</script>\n")
	if err := pageTemplate.ExecuteTemplate(bw, "tail", p.view); err != nil {
		return fmt.Errorf("htmlreport: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("htmlreport: %w", err)
	}
	return nil
}

var pageTemplate = template.Must(template.New("report").Parse(reportTmpl))

// pageData is what Write needs besides the input: the template's view, the
// host views by name, and the axes and columns of the data document.
type pageData struct {
	in         *Input
	view       *view
	hosts      []HostView
	secs       []*section
	cols       map[string]agg.Series
	keys       []string // cluster columns the charts draw
	chartAxis  binAxis
	hostAxis   binAxis
	hostPoints int64
}

// hostViews returns the views of in's hosts, sorted by name.
func hostViews(in *Input) ([]HostView, error) {
	r := in.Result
	var views []HostView
	if in.Hosts == nil {
		views = make([]HostView, len(r.Hosts))
		var g errgroup.Group
		g.SetLimit(runtime.GOMAXPROCS(0))
		for i := range r.Hosts {
			g.Go(func() error {
				views[i] = NewHostView(&r.Hosts[i], r.Interval)
				return nil
			})
		}
		g.Wait() //nolint:errcheck // the jobs return no error
	} else {
		views = slices.Clone(in.Hosts)
		slices.SortStableFunc(views, func(a, b HostView) int { return strings.Compare(a.Name, b.Name) })
	}
	for i := range views {
		if v := &views[i]; v.Bins > 0 && v.interval != r.Interval {
			return nil, fmt.Errorf("htmlreport: host %q was reduced at a bin width of %d µs, the result has %d µs", v.Name, v.interval, r.Interval)
		}
	}
	return views, nil
}

// hostSpan returns the first and last bin number of the hosts and of r
// (n1 < n0 when there is none).
func hostSpan(r *agg.Result, views []HostView) (n0, n1 int64) {
	n0, n1 = math.MaxInt64, math.MinInt64
	if n := len(r.Bins); n > 0 {
		n0, n1 = binNumber(r.Bins[0], r.Interval), binNumber(r.Bins[n-1], r.Interval)
	}
	for i := range views {
		if p := views[i].present; len(p) > 0 {
			n0, n1 = min(n0, p[0]), max(n1, p[len(p)-1])
		}
	}
	if n0 > n1 {
		return 0, -1
	}
	return n0, n1
}

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
	ChartNote      string // how the charts reduce the bins, when they do
	HostNote       string // how the drill-down reduces the hosts' bins
	Footer         footer
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
	// BadValues: the files with values stored as null, and where the first is
	BadValues     []badValueRow
	MoreBadValues int
	// Warnings: paths left out before reading, or in doubt (agg.PathWarning)
	Warnings     []agg.PathWarning
	MoreWarnings int
	NoSummary    bool
}

type skipRow struct {
	Reason, Desc, Count string
}

type badValueRow struct {
	Path, Host, Count, Line, Field string
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
	"cut":           "complete only without the trailing ' |' in a file whose lines have it, or the reverse: cut short",
	"too_long":      "longer than 1 MiB",
	"partial_tail":  "last line of a file still being written (no newline, not complete)",
}

func newPage(in *Input) (*pageData, error) {
	r := in.Result
	hosts, err := hostViews(in)
	if err != nil {
		return nil, err
	}
	if r.Interval <= 0 && len(r.Bins) > 0 {
		return nil, fmt.Errorf("htmlreport: bin width %d µs", r.Interval)
	}
	bin := intervalText(r.Interval)
	p := &pageData{in: in, hosts: hosts, secs: buildSections(bin), cols: clusterColumns(r), chartAxis: chartAxis(r)}
	p.keys = chartKeys(p.secs, p.cols)
	n0, n1 := hostSpan(r, hosts)
	p.hostAxis, p.hostPoints = drillAxis(hosts, n0, n1, r.Interval)
	ax := buildAxis(r)
	v := &view{
		Title:          in.Title,
		Sections:       p.secs,
		ECharts:        template.JS(echartsJS),
		Script:         template.JS(reportJS),
		Style:          template.CSS(reportCSS),
		EChartsVersion: EChartsVersion,
		ZRenderVersion: ZRenderVersion,
		ChartNote:      chartNote(&p.chartAxis, len(r.Bins)),
		HostNote:       hostNote(&p.hostAxis, bin),
	}
	p.view = v
	if v.Title == "" {
		v.Title = "Worker Resource Analysis Report"
	}
	v.Info = infoLine(p, &ax, bin)
	v.Summary = summaryRows(p, &ax, bin)
	v.Findings = buildFindings(in.Findings, &p.chartAxis, &p.hostAxis)
	v.Detail = detailTable{Cols: detailColumns(), MaxRows: maxDetailRows, Bin: bin, HasFilled: ax.filled}
	for g := range r.Bins {
		if g >= maxDetailRows {
			v.Detail.Omitted = len(r.Bins) - g
			break
		}
		row := detailRow{Time: columnar.FormatTimestamp(r.Bins[g]), Label: ax.labels[ax.pos[g]]}
		for _, c := range v.Detail.Cols {
			row.Cells = append(row.Cells, c.fmt(colAt(p.cols, c.Key, g)))
		}
		v.Detail.Rows = append(v.Detail.Rows, row)
	}
	v.Detail.Body = detailBody(v.Detail.Rows)
	withYear := len(r.Bins) > 0 && yearOf(r.Bins[0]) != yearOf(r.Bins[len(r.Bins)-1])
	for i := range hosts {
		h := &hosts[i]
		v.HostOptions = append(v.HostOptions, hostOption{i, h.Name})
		v.HostRows = append(v.HostRows, hostTableRow(h, r.Interval, withYear))
	}
	v.Footer = buildFooter(in)
	for _, name := range licenseFiles {
		b, err := licenseFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		v.Licenses = append(v.Licenses, license{strings.TrimPrefix(name, "assets/"), string(b)})
	}
	return p, nil
}

// chartNote says how the cluster charts show nbins bins on ax, when they
// do not show each.
func chartNote(ax *binAxis, nbins int) string {
	if ax.shift == 0 {
		return ""
	}
	return fmt.Sprintf("The charts show the %s bins as %s points per series: columns of %s, each drawn by the first, "+
		"lowest, highest and last value of its bins, so that no spike is hidden (zoom to see a column's four points). "+
		"Every bin is in the detail table, cluster_bins.parquet and --json.", fmtInt(int64(nbins)), fmtInt(int64(ax.points())), ax.width())
}

// hostNote says how the drill-down shows the hosts' bins on ax.
func hostNote(ax *binAxis, bin string) string {
	const exact = " Full resolution in host_bins.parquet and --json."
	if ax.shift == 0 {
		return "Per-host series at full resolution: one point per " + bin + " bin (values to 1/4094 of each series' range)." + exact
	}
	return fmt.Sprintf("Per-host series reduced to %s points: columns of %s, each drawn by the first, lowest, highest "+
		"and last of the host's per-bin averages in it, so that no spike is hidden (values to 1/4094 of each series' range).%s",
		fmtInt(int64(ax.points())), ax.width(), exact)
}

func infoLine(p *pageData, ax *timeAxis, bin string) []kv {
	in := p.in
	var info []kv
	if len(in.Result.Bins) > 0 {
		info = append(info, kv{"Time", ax.labels[0] + " ~ " + ax.labels[len(ax.labels)-1]})
	} else {
		info = append(info, kv{"Time", "no records in range"})
	}
	info = append(info, kv{"Bin", bin}, kv{"Hosts", fmtInt(int64(len(p.hosts)))}, kv{"Records", fmtInt(records(p))})
	if in.Since != "" {
		info = append(info, kv{"Since", in.Since})
	}
	if in.Until != "" {
		info = append(info, kv{"Until", in.Until})
	}
	return info
}

func records(p *pageData) int64 {
	if p.in.Summary != nil {
		return p.in.Summary.Records
	}
	var n int64
	for i := range p.hosts {
		n += p.hosts[i].Records
	}
	return n
}

// summaryRows are the overview table: the reference's rows (latest = the
// last bin) and a few more.
func summaryRows(p *pageData, ax *timeAxis, bin string) []summaryRow {
	in, r, cols := p.in, p.in.Result, p.cols
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
	hosts := fmtInt(int64(len(p.hosts)))
	if in.Summary != nil && in.Summary.HostsFound > len(p.hosts) {
		hosts += fmt.Sprintf(" (%s more found without a record in range: none in their files, or their logs could not be read)", fmtInt(int64(in.Summary.HostsFound-len(p.hosts))))
	}
	rows = append(rows,
		summaryRow{"sum-bin", "Bin width", bin},
		summaryRow{"sum-hosts", "Host count", hosts},
		summaryRow{"sum-records", "Total records", fmtInt(records(p))},
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
	for i := range p.hosts {
		if n := p.hosts[i].Resets; n > 0 {
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

func hostTableRow(h *HostView, interval int64, withYear bool) hostRow {
	row := hostRow{
		Name:    h.Name,
		Pods:    strings.Join(h.Pods, ", "),
		Records: fmtInt(h.Records),
		Bins:    fmtInt(int64(h.Bins)),
		Resets:  fmtInt(int64(h.Resets)),
		Peak:    naText, Latest: naText,
	}
	if h.Bins > 0 {
		row.First = binLabel(h.First, interval, withYear)
		row.Last = binLabel(h.Last, interval, withYear)
	}
	if m := h.metric(agg.HostMetricIndex("shm_memory_usage")); m != nil {
		row.Peak = fmtBytes(m.rank)
		row.Latest = fmtBytes(m.last)
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
		{"Paths skipped or in doubt before reading", fmtInt(int64(len(s.Warnings)))},
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
	for _, fs := range s.PerFile {
		if fs.BadValues == 0 {
			continue
		}
		if len(f.BadValues) == maxErrors {
			f.MoreBadValues++
			continue
		}
		row := badValueRow{Path: fs.Path, Host: fs.Host, Count: fmtInt(fs.BadValues)}
		if at := fs.FirstBadValue; at != nil {
			row.Line, row.Field = fmtInt(at.Line), at.Field
		}
		f.BadValues = append(f.BadValues, row)
	}
	f.Warnings = s.Warnings[:min(len(s.Warnings), maxErrors)]
	f.MoreWarnings = len(s.Warnings) - len(f.Warnings)
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
