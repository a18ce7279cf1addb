package htmlreport

import (
	"github.com/resreport/resreport/agg"
	"github.com/resreport/resreport/columnar"
)

// chart is one chart of the page, as the page's script reads it from the
// data document. Series name cluster columns by their --json key; the
// script scales them for display.
type chart struct {
	ID     string   `json:"id"`
	Title  string   `json:"title"`
	Kind   string   `json:"kind,omitempty"` // "" (time series), "ratio", "hostLatest", "perHost"
	Y      []yAxis  `json:"y,omitempty"`
	Series []series `json:"series,omitempty"`
	Empty  bool     `json:"empty,omitempty"` // no series has a value in the range
	Height int      `json:"-"`               // pixels
}

type yAxis struct {
	Name string   `json:"name,omitempty"`
	Unit string   `json:"unit,omitempty"` // "GB", "%" or "" (a plain number)
	Min  *float64 `json:"min,omitempty"`
	Max  *float64 `json:"max,omitempty"`
	Fit  bool     `json:"fit,omitempty"` // start the axis near the smallest value, not at 0
}

type series struct {
	Name  string   `json:"name"`
	Key   string   `json:"key"`
	Type  string   `json:"type,omitempty"` // "line" (default) or "bar"
	Axis  int      `json:"axis,omitempty"`
	Scale float64  `json:"scale,omitempty"` // display value = value × Scale (0: 1)
	Style string   `json:"style,omitempty"` // line style: "dashed", "dotted"
	Color string   `json:"color,omitempty"`
	Stack string   `json:"stack,omitempty"`
	Area  bool     `json:"area,omitempty"`
	Mark  *float64 `json:"mark,omitempty"`  // a horizontal reference line at this display value
	Faint bool     `json:"faint,omitempty"` // a thin, light line: context, not the point
}

const (
	toGB  = 1.0 / (1 << 30)
	toPct = 100.0

	colBlue   = "#5470c6"
	colGreen  = "#91cc75"
	colYellow = "#fac858"
	colRed    = "#ee6666"
	colCyan   = "#73c0de"
	colTeal   = "#3ba272"
	colOrange = "#fc8452"
	colPurple = "#9a60b4"
	colGrey   = "#999999"
)

func ptr(v float64) *float64 { return &v }

// col returns the --json key of statistic stat ("avg", "max", "min") of
// the catalogue column name.
func col(name, stat string) string { return agg.Key(columnar.MustMetric(name)) + "_" + stat }

func gbAxis(name string) yAxis { return yAxis{Name: name, Unit: "GB"} }
func pctAxis() yAxis           { return yAxis{Name: "%", Unit: "%", Min: ptr(0), Max: ptr(100)} }
func fitPctAxis() yAxis        { return yAxis{Name: "%", Unit: "%", Max: ptr(100), Fit: true} }
func countAxis(name string) yAxis {
	return yAxis{Name: name}
}

func line(name, key string) series { return series{Name: name, Key: key} }

func (s series) scale(f float64) series { s.Scale = f; return s }
func (s series) color(c string) series  { s.Color = c; return s }
func (s series) dashed() series         { s.Style = "dashed"; return s }
func (s series) dotted() series         { s.Style = "dotted"; return s }
func (s series) bar() series            { s.Type = "bar"; return s }
func (s series) area() series           { s.Area = true; return s }
func (s series) right() series          { s.Axis = 1; return s }
func (s series) axis(i int) series      { s.Axis = i; return s }
func (s series) faint() series          { s.Faint = true; return s }
func (s series) stack(g string) series  { s.Stack = g; return s }
func (s series) mark(v float64) series  { s.Mark = ptr(v); return s }
func gb(name, key string) series        { return line(name, key).scale(toGB) }
func pct(name, key string) series       { return line(name, key).scale(toPct) }
func newChart(id, title string) *chart  { return &chart{ID: id, Title: title, Height: 380} }
func (c *chart) axes(y ...yAxis) *chart { c.Y = y; return c }
func (c *chart) add(s ...series) *chart { c.Series = append(c.Series, s...); return c }
func (c *chart) height(px int) *chart   { c.Height = px; return c }
func (c *chart) kind(k string) *chart   { c.Kind = k; return c }
func (c *chart) keys() (keys []string) {
	for _, s := range c.Series {
		keys = append(keys, s.Key)
	}
	return keys
}

// pool describes one thread pool group of the catalogue.
type pool struct {
	prefix string // column name prefix, e.g. worker_oc_service_thread
	id     string // chart id
	title  string // what the pool does
}

var ocPools = []pool{
	{"worker_oc_service_thread", "tp_worker_oc", "Object cache: client service (client reads and writes) · 对象缓存-客户端服务"},
	{"worker_worker_oc_thread", "tp_worker_worker_oc", "Object cache: worker to worker (cross-node object transfer) · 对象缓存-Worker间通信"},
	{"master_worker_oc_thread", "tp_master_worker_oc", "Object cache: master to worker (management commands) · 对象缓存-Master下发"},
	{"master_oc_service_thread", "tp_master_oc", "Object cache: master service (object metadata on the master) · 对象缓存-Master服务"},
	{"master_async_tasks_thread", "tp_async", "Master async tasks (background work) · Master异步任务"},
}

var scPools = []pool{
	{"worker_sc_service_thread", "tp_worker_sc", "Stream cache: client service · 流缓存-客户端服务"},
	{"worker_worker_sc_thread", "tp_worker_worker_sc", "Stream cache: worker to worker · 流缓存-Worker间通信"},
	{"master_worker_sc_thread", "tp_master_worker_sc", "Stream cache: master to worker · 流缓存-Master下发"},
	{"master_sc_service_thread", "tp_master_sc", "Stream cache: master service · 流缓存-Master服务"},
}

// poolChart is the reference's thread-pool chart with its counts split
// by scale: peak concurrency, total threads and peak queue share the left
// axis (so that 64 of 64 threads busy is a line meeting the total, not a
// flat line at 0 under thousands of tasks), utilization has the right
// axis and tasks per sample a third one. The worst host's peak
// concurrency and queue are shown as well: an average over hosts hides
// one saturated pool.
func poolChart(p pool, bin string) *chart {
	return newChart(p.id, p.title+" — per "+bin).
		axes(countAxis("threads / queued tasks"), yAxis{Name: "utilization %", Unit: "%", Min: ptr(0), Max: ptr(100)}, countAxis("tasks per sample")).
		add(
			line("Peak concurrency (avg)", col(p.prefix+"_max_running", "avg")).bar().color(colBlue),
			line("Peak concurrency (worst host)", col(p.prefix+"_max_running", "max")).dotted().color(colBlue),
			line("Total threads (avg)", col(p.prefix+"_total", "avg")).dashed().color(colGreen),
			line("Peak queue (avg)", col(p.prefix+"_max_waiting", "avg")).color(colRed),
			line("Peak queue (worst host)", col(p.prefix+"_max_waiting", "max")).dotted().color(colPurple),
			pct("Utilization (avg)", col(p.prefix+"_usage", "avg")).right().color(colCyan),
			line("Tasks per sample (avg)", col(p.prefix+"_tasks_delta", "avg")).axis(2).color(colYellow).faint(),
		)
}
