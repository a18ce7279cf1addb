package htmlreport

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/resreport/resreport/agg"
)

// findingsView is the top of the page (the verdict and the most severe
// findings) and the Findings table, grouped by rule.
type findingsView struct {
	Status string // "critical", "warn" or "ok"
	Counts string // "4 critical, 13 warnings, 0 notes"
	Total  int
	Top    []findingRow
	Groups []findingGroup
}

// findingGroup is the rows of one rule.
type findingGroup struct {
	Rule, Counts string
	Rows         []findingRow
}

// findingRow is one finding as the page shows it, with the chart that
// shows it and the axis range to zoom that chart to.
type findingRow struct {
	Severity, Rule, Hosts, HostsTitle string
	From, To, Span, When              string // When: "05-06 08:20 – 08:32"
	Value, Detail                     string
	Summary                           bool // a summary of blips
	Chart, Host                       string
	ZoomFrom, ZoomTo                  int
}

// topFindings is how many findings the verdict lists.
const topFindings = 5

// maxFindingHosts is how many hosts a findings row names before "and N more".
const maxFindingHosts = 5

// The zoom of a finding's link is in points of its chart's axis: the
// cluster charts' (chart) or the drill-down's (host).
func buildFindings(fs []agg.Finding, chart, host *binAxis) findingsView {
	n := agg.Counts(fs)
	v := findingsView{Status: "ok", Total: len(fs),
		Counts: fmt.Sprintf("%d critical, %d warnings, %d notes", n[agg.Critical], n[agg.Warn], n[agg.Info])}
	if s, any := agg.Status(fs); any {
		v.Status = s.String()
	}
	rows := make([]findingRow, len(fs))
	for i := range fs {
		rows[i] = newFindingRow(&fs[i], chart, host)
	}
	byRule := map[string]int{}
	for i, r := range rows {
		g, ok := byRule[r.Rule]
		if !ok {
			g = len(v.Groups)
			byRule[r.Rule] = g
			v.Groups = append(v.Groups, findingGroup{Rule: r.Rule})
		}
		v.Groups[g].Rows = append(v.Groups[g].Rows, rows[i])
	}
	for i := range v.Groups {
		g := &v.Groups[i]
		var c [3]int
		for _, r := range g.Rows {
			s, _ := agg.ParseSeverity(r.Severity)
			c[s]++
		}
		g.Counts = countsText(len(g.Rows), c)
	}
	// the verdict's list: most severe, episodes before summaries, then
	// the longest on the most hosts
	order := make([]int, len(fs))
	for i := range order {
		order[i] = i
	}
	weight := func(f *agg.Finding) float64 {
		return float64(f.EndMicros-f.StartMicros) * float64(max(1, len(f.Hosts)))
	}
	slices.SortStableFunc(order, func(a, b int) int {
		x, y := &fs[a], &fs[b]
		return cmp.Or(cmp.Compare(y.Severity, x.Severity), cmp.Compare(min(x.Blips, 1), min(y.Blips, 1)), cmp.Compare(weight(y), weight(x)))
	})
	for _, i := range order[:min(len(order), topFindings)] {
		v.Top = append(v.Top, rows[i])
	}
	return v
}

func countsText(total int, c [3]int) string {
	var parts []string
	for s := agg.Critical; s >= agg.Info; s-- {
		if c[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[s], s))
		}
	}
	word := "findings"
	if total == 1 {
		word = "finding"
	}
	return fmt.Sprintf("%d %s (%s)", total, word, strings.Join(parts, ", "))
}

func newFindingRow(f *agg.Finding, chart, host *binAxis) findingRow {
	hosts := "(cluster)"
	if len(f.Hosts) > 0 {
		shown := f.Hosts[:min(len(f.Hosts), maxFindingHosts)]
		hosts = strings.Join(shown, ", ")
		if len(f.Hosts) > len(shown) {
			hosts += fmt.Sprintf(" and %d more", len(f.Hosts)-len(shown))
		}
	}
	r := findingRow{Severity: f.Severity.String(), Rule: f.Rule, Hosts: hosts, HostsTitle: strings.Join(f.Hosts, ", "),
		From: f.Start, To: f.End, Span: spanText(f.EndMicros - f.StartMicros), Value: f.ValueText(), Detail: f.Message,
		Summary: f.Blips > 0, Chart: findingChart(f)}
	if len(f.Hosts) == 1 {
		r.Host = f.Hosts[0]
	}
	from, to := shortTime(f.Start), shortTime(f.End)
	if from[:5] == to[:5] {
		to = to[6:] // the same day
	}
	r.When = from + " – " + to
	ax := chart
	if r.Chart == "per_host_chart" {
		ax = host
	}
	r.ZoomFrom, r.ZoomTo = ax.span(f.StartMicros, f.EndMicros)
	return r
}

// shortTime turns "2026-05-06T08:20:00[.ffffff]" into "05-06 08:20"
// (with ":SS" when the seconds are not 0).
func shortTime(ts string) string {
	if len(ts) < 19 {
		return ts
	}
	s := ts[5:10] + " " + ts[11:16]
	if ts[17:19] != "00" {
		s += ts[16:19]
	}
	return s
}

// spanText is a finding's duration: "12 min", "3.5 h", "45 s".
func spanText(us int64) string {
	switch s := float64(us) / 1e6; {
	case s < 120:
		return fmt.Sprintf("%.0f s", s)
	case s < 7200:
		return fmt.Sprintf("%.0f min", s/60)
	default:
		return fmt.Sprintf("%.1f h", s/3600)
	}
}

// findingChart is the id of the chart that shows a finding's rule.
func findingChart(f *agg.Finding) string {
	switch f.Rule {
	case "memory_ratio":
		return "mem_ratio_chart"
	case "memory_near_limit":
		return "mem_chart"
	case "leak_suspected":
		if f.Metric == "object_count" {
			return "obj_count_chart"
		}
		return "mem_chart"
	case "object_count_drop":
		return "obj_count_chart"
	case "cache_hit_rate":
		return "cache_hit_chart"
	case "surge":
		return "cache_detail_chart"
	case "etcd_queue":
		return "etcd_chart"
	case "success_rate":
		if f.Metric == "obs_success_rate" {
			return "obs_chart"
		}
		return "success_rate_chart"
	case "clients_dropped":
		return "clients_chart"
	case "thread_pool_queue", "thread_pool_utilization", "thread_pool_saturated":
		for _, p := range ocPools {
			if p.prefix == f.Metric {
				return p.id
			}
		}
	}
	return "per_host_chart" // silences, stops, restarts: the host's own lines
}
