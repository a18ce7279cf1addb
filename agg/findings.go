package agg

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/resreport/resreport/columnar"
)

// Severity ranks findings.
type Severity int

const (
	Info Severity = iota
	Warn
	Critical
)

var severityNames = [...]string{"info", "warn", "critical"}

func (s Severity) String() string { return severityNames[s] }

// MarshalJSON writes the severity's name.
func (s Severity) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// ParseSeverity parses "info", "warn" or "critical".
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(s, n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("severity %q: want info, warn or critical", s)
}

// Finding is one thing worth a look: which rule fired, on which hosts
// (none: the cluster as a whole), over which bins, with the evidence.
type Finding struct {
	Severity  Severity `json:"severity"`
	Rule      string   `json:"rule"`
	Metric    string   `json:"metric"`
	Hosts     []string `json:"hosts"`
	Start     string   `json:"start"` // start of the first bin
	End       string   `json:"end"`   // end of the last bin
	Value     float64  `json:"value"` // the evidence: peak, trough or statistic
	Threshold float64  `json:"threshold"`
	Message   string   `json:"message"`

	start int64 // for sorting
}

// Thresholds are the limits of the finding rules; DefaultThresholds holds
// the values the report's explanations document.
type Thresholds struct {
	MemWarn, MemCritical   float64 // memory ratio (used / limit)
	LimitMargin            float64 // max usage within this fraction of the limit
	LeakTau                float64 // Kendall tau of a monotone rise
	LeakMinBins            int     // bins needed for the trend test
	LeakMinRise            float64 // rise over the window, relative to the start
	ObjectDrop             float64 // object count drop between bins (fraction)
	HitWarn, HitCritical   float64 // cache hit rate
	SurgeFactor            float64 // misses or remote hits vs the median of the previous bins
	SurgeMin               float64 // ignore surges smaller than this many requests
	TPUsage                float64 // thread pool utilization
	EtcdQueue              float64 // ETCD queue size relative to its limit
	SuccessWarn, SuccessCr float64 // ETCD / OBS success rate
	GapPeriods             float64 // silence longer than this many sampling periods
}

// DefaultThresholds returns the documented defaults.
func DefaultThresholds() Thresholds {
	return Thresholds{
		MemWarn: 0.8, MemCritical: 0.9, LimitMargin: 0.05,
		LeakTau: 0.8, LeakMinBins: 6, LeakMinRise: 0.05, ObjectDrop: 0.5,
		HitWarn: 0.99, HitCritical: 0.95, SurgeFactor: 3, SurgeMin: 100,
		TPUsage: 0.8, EtcdQueue: 0.5, SuccessWarn: 1, SuccessCr: 0.99, GapPeriods: 3,
	}
}

// threadPools are the object-cache thread pools the findings watch.
var threadPools = []struct{ prefix, label string }{
	{"worker_oc_service_thread", "client service"},
	{"worker_worker_oc_thread", "worker-to-worker"},
	{"master_worker_oc_thread", "master-to-worker"},
	{"master_oc_service_thread", "master service"},
	{"master_async_tasks_thread", "master async tasks"},
}

// Findings applies the rules to a result. They are sorted by severity
// (critical first), then time.
func Findings(r *Result, th Thresholds) []Finding {
	fd := &finder{r: r, th: th}
	for i := range r.Hosts {
		fd.host(&r.Hosts[i])
	}
	fd.cluster()
	sort.SliceStable(fd.out, func(a, b int) bool {
		x, y := fd.out[a], fd.out[b]
		if x.Severity != y.Severity {
			return x.Severity > y.Severity
		}
		if x.start != y.start {
			return x.start < y.start
		}
		if x.Rule != y.Rule {
			return x.Rule < y.Rule
		}
		return strings.Join(x.Hosts, ",") < strings.Join(y.Hosts, ",")
	})
	return fd.out
}

type finder struct {
	r   *Result
	th  Thresholds
	out []Finding
}

func (fd *finder) add(f Finding, first, last int64) {
	f.start = first
	f.Start = columnar.FormatTimestamp(first)
	f.End = columnar.FormatTimestamp(last)
	if f.Hosts == nil {
		f.Hosts = []string{}
	}
	fd.out = append(fd.out, f)
}

// binEnd returns the end of global bin g.
func (fd *finder) binEnd(g int) int64 { return fd.r.Bins[g] + fd.r.Interval }

// hostRanges finds runs of consecutive bins of host h where test gives a
// severity above Info, and adds one finding per run with the most severe
// value (peak for "high" rules, trough for "low" rules).
func (fd *finder) hostRanges(h *HostResult, rule, metric string, threshold func(Severity) float64, low bool,
	test func(i int) (Severity, float64), msg func(v float64) string) {
	start := -1
	var sev Severity
	var best float64
	flush := func(end int) {
		if start < 0 {
			return
		}
		fd.add(Finding{Severity: sev, Rule: rule, Metric: metric, Hosts: []string{h.Name}, Value: best,
			Threshold: threshold(sev), Message: msg(best)}, fd.r.Bins[h.Bins[start]], fd.binEnd(h.Bins[end]))
		start = -1
	}
	for i := range h.Bins {
		s, v := test(i)
		if s == Info || math.IsNaN(v) {
			flush(i - 1)
			continue
		}
		if start >= 0 && h.Bins[i] != h.Bins[i-1]+1 {
			flush(i - 1)
		}
		if start < 0 {
			start, sev, best = i, s, v
			continue
		}
		sev = max(sev, s)
		if (low && v < best) || (!low && v > best) {
			best = v
		}
	}
	flush(len(h.Bins) - 1)
}

func constant(v float64) func(Severity) float64 { return func(Severity) float64 { return v } }

func pct(v float64) string { return fmt.Sprintf("%.1f%%", v*100) }

func (fd *finder) host(h *HostResult) {
	th := fd.th
	ratio := h.Metric("shm_share_mem_ratio").Max
	fd.hostRanges(h, "memory_ratio", "mem_ratio", func(s Severity) float64 {
		if s == Critical {
			return th.MemCritical
		}
		return th.MemWarn
	}, false, func(i int) (Severity, float64) {
		switch v := ratio[i]; {
		case v > th.MemCritical:
			return Critical, v
		case v > th.MemWarn:
			return Warn, v
		}
		return Info, 0
	}, func(v float64) string { return "memory usage ratio peaked at " + pct(v) })

	usage, limit := h.Metric("shm_memory_usage").Max, h.Metric("shm_total_limit").Max
	fd.hostRanges(h, "memory_near_limit", "mem_usage", constant(1-th.LimitMargin), false, func(i int) (Severity, float64) {
		if limit[i] > 0 && usage[i] >= (1-th.LimitMargin)*limit[i] {
			return Warn, usage[i] / limit[i]
		}
		return Info, 0
	}, func(v float64) string { return "max memory usage reached " + pct(v) + " of the limit" })

	fd.leak(h, "shm_memory_usage", "mem_usage", "memory usage")
	fd.leak(h, "object_count", "object_count", "object count")

	objects := h.Metric("object_count").Avg
	for i := 1; i < len(h.Bins); i++ {
		prev, cur := objects[i-1], objects[i]
		if prev > 0 && cur < (1-th.ObjectDrop)*prev {
			drop := 1 - cur/prev
			fd.add(Finding{Severity: Warn, Rule: "object_count_drop", Metric: "object_count", Hosts: []string{h.Name},
				Value: drop, Threshold: th.ObjectDrop,
				Message: fmt.Sprintf("object count dropped %s (%.0f → %.0f)", pct(drop), prev, cur)},
				fd.r.Bins[h.Bins[i-1]], fd.binEnd(h.Bins[i]))
		}
	}

	for _, tp := range threadPools {
		waiting := h.Metric(tp.prefix + "_max_waiting").Max
		fd.hostRanges(h, "thread_pool_queue", tp.prefix+"_max_waiting", constant(0), false, func(i int) (Severity, float64) {
			if waiting[i] > 0 {
				return Warn, waiting[i]
			}
			return Info, 0
		}, func(v float64) string {
			return fmt.Sprintf("%s thread pool queued tasks (peak queue %.0f)", tp.label, v)
		})
		use := h.Metric(tp.prefix + "_usage").Max
		fd.hostRanges(h, "thread_pool_utilization", tp.prefix+"_usage", constant(th.TPUsage), false, func(i int) (Severity, float64) {
			if use[i] > th.TPUsage {
				return Warn, use[i]
			}
			return Info, 0
		}, func(v float64) string {
			return fmt.Sprintf("%s thread pool utilization peaked at %s", tp.label, pct(v))
		})
		running, total := h.Metric(tp.prefix+"_max_running").Max, h.Metric(tp.prefix+"_total").Max
		fd.hostRanges(h, "thread_pool_saturated", tp.prefix+"_max_running", constant(1), false, func(i int) (Severity, float64) {
			// Full concurrency counts only with high utilization: in the worker
			// versions that print idle/total/… the first sub-field equals the
			// total when the pool is idle.
			if total[i] > 0 && running[i] >= total[i] && use[i] > th.TPUsage {
				return Warn, running[i]
			}
			return Info, 0
		}, func(v float64) string {
			return fmt.Sprintf("%s thread pool ran all its threads (peak concurrency %.0f = total)", tp.label, v)
		})
	}

	qsize, qlimit := h.Metric("etcd_queue_current_size").Max, h.Metric("etcd_queue_limit").Max
	fd.hostRanges(h, "etcd_queue", "etcd_queue_size", constant(th.EtcdQueue), false, func(i int) (Severity, float64) {
		if qlimit[i] > 0 && qsize[i] > th.EtcdQueue*qlimit[i] {
			if qsize[i] >= qlimit[i] {
				return Critical, qsize[i] / qlimit[i]
			}
			return Warn, qsize[i] / qlimit[i]
		}
		return Info, 0
	}, func(v float64) string { return "ETCD request queue reached " + pct(v) + " of its limit" })

	for _, m := range []struct{ col, key, label string }{
		{"etcd_request_success_rate", "etcd_success_rate", "ETCD"},
		{"obs_request_success_rate", "obs_success_rate", "OBS"},
	} {
		rate := h.Metric(m.col).Min
		fd.hostRanges(h, "success_rate", m.key, func(s Severity) float64 {
			if s == Critical {
				return th.SuccessCr
			}
			return th.SuccessWarn
		}, true, func(i int) (Severity, float64) {
			switch v := rate[i]; {
			case v < th.SuccessCr:
				return Critical, v
			case v < th.SuccessWarn:
				return Warn, v
			}
			return Info, 0
		}, func(v float64) string { return m.label + " request success rate fell to " + pct(v) })
	}

	clients := h.Metric("active_client_count")
	for i := 1; i < len(h.Bins); i++ {
		if clients.Min[i] == 0 && clients.Max[i-1] > 0 {
			fd.add(Finding{Severity: Warn, Rule: "clients_dropped", Metric: "active_clients", Hosts: []string{h.Name},
				Value: 0, Threshold: 0, Message: fmt.Sprintf("active clients dropped to 0 (from %.0f)", clients.Max[i-1])},
				fd.r.Bins[h.Bins[i]], fd.binEnd(h.Bins[i]))
		}
	}

	for _, i := range h.Resets {
		g := h.Bins[i]
		fd.add(Finding{Severity: Warn, Rule: "restart", Metric: "oc_hit_num", Hosts: []string{h.Name},
			Message: "worker restarted: OC_HIT_NUM counters were reset (or the PID changed)"}, fd.r.Bins[g], fd.binEnd(g))
	}
	fd.gaps(h)
}

// leak flags a host whose per-bin average of a metric rises (almost)
// monotonically over its whole span: Kendall's tau of the series against
// time at least LeakTau, and a rise of at least LeakMinRise.
func (fd *finder) leak(h *HostResult, col, key, label string) {
	series := h.Metric(col).Avg
	var xs []float64
	var first, last int = -1, -1
	for i, v := range series {
		if !math.IsNaN(v) {
			xs = append(xs, v)
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if len(xs) < fd.th.LeakMinBins {
		return
	}
	xs = downsample(xs, 200)
	tau := kendallTau(xs)
	lo, hi := xs[0], xs[len(xs)-1]
	if tau < fd.th.LeakTau || hi <= lo || (lo > 0 && (hi-lo)/lo < fd.th.LeakMinRise) {
		return
	}
	fd.add(Finding{Severity: Warn, Rule: "leak_suspected", Metric: key, Hosts: []string{h.Name}, Value: tau, Threshold: fd.th.LeakTau,
		Message: fmt.Sprintf("%s rose steadily from %.4g to %.4g (Kendall τ = %.2f): leak suspected", label, lo, hi, tau)},
		fd.r.Bins[h.Bins[first]], fd.binEnd(h.Bins[last]))
}

// downsample averages xs into at most n points.
func downsample(xs []float64, n int) []float64 {
	if len(xs) <= n {
		return xs
	}
	out := make([]float64, n)
	for i := range out {
		a, b := i*len(xs)/n, (i+1)*len(xs)/n
		var s float64
		for _, v := range xs[a:b] {
			s += v
		}
		out[i] = s / float64(b-a)
	}
	return out
}

// kendallTau is Kendall's tau-a of xs against its index: 1 for a strictly
// rising series, -1 for a falling one.
func kendallTau(xs []float64) float64 {
	n := len(xs)
	var s int
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			switch {
			case xs[j] > xs[i]:
				s++
			case xs[j] < xs[i]:
				s--
			}
		}
	}
	return float64(s) / float64(n*(n-1)/2)
}

// samplingPeriod estimates a host's sampling period: the median over its
// bins of the mean spacing of the bin's samples.
func samplingPeriod(h *HostResult) int64 {
	var ps []int64
	for i, n := range h.Samples {
		if n >= 2 {
			ps = append(ps, (h.Last[i]-h.First[i])/(n-1))
		}
	}
	if len(ps) == 0 {
		return 0
	}
	slices.Sort(ps)
	return ps[len(ps)/2]
}

// gaps reports silences longer than GapPeriods sampling periods, inside a
// bin, between bins, and at the end of the data (a host that stopped
// reporting while others went on).
func (fd *finder) gaps(h *HostResult) {
	period := samplingPeriod(h)
	if period <= 0 {
		return
	}
	limit := int64(fd.th.GapPeriods * float64(period))
	report := func(from, to int64) {
		fd.add(Finding{Severity: Warn, Rule: "host_silent", Metric: "samples", Hosts: []string{h.Name},
			Value: float64(to-from) / 1e6, Threshold: float64(limit) / 1e6,
			Message: fmt.Sprintf("no samples for %s (sampling period %s)", secs(to-from), secs(period))}, from, to)
	}
	for i := range h.Bins {
		if h.Gap[i] > limit {
			report(h.GapAt[i], h.GapAt[i]+h.Gap[i])
		}
		if i > 0 && h.First[i]-h.Last[i-1] > limit {
			report(h.Last[i-1], h.First[i])
		}
	}
	end := int64(math.MinInt64)
	for j := range fd.r.Hosts {
		o := &fd.r.Hosts[j]
		end = max(end, o.Last[len(o.Last)-1])
	}
	if last := h.Last[len(h.Last)-1]; end-last > limit {
		fd.add(Finding{Severity: Critical, Rule: "host_stopped", Metric: "samples", Hosts: []string{h.Name},
			Value: float64(end-last) / 1e6, Threshold: float64(limit) / 1e6,
			Message: fmt.Sprintf("host stopped reporting: last sample %s before the end of the data", secs(end-last))}, last, end)
	}
}

func secs(us int64) string {
	s := float64(us) / 1e6
	if s < 120 {
		return fmt.Sprintf("%.0f s", s)
	}
	if s < 7200 {
		return fmt.Sprintf("%.1f min", s/60)
	}
	return fmt.Sprintf("%.1f h", s/3600)
}

// cluster applies the cluster-wide rules: cache hit rate and surges of
// misses or remote hits.
func (fd *finder) cluster() {
	r, th := fd.r, fd.th
	start := -1
	var sev Severity
	var worst float64
	flush := func(end int) {
		if start < 0 {
			return
		}
		t := th.HitWarn
		if sev == Critical {
			t = th.HitCritical
		}
		fd.add(Finding{Severity: sev, Rule: "cache_hit_rate", Metric: "cache_hit_rate", Hosts: fd.hostsBelow(start, end, th.HitWarn),
			Value: worst, Threshold: t, Message: "cluster cache hit rate fell to " + pct(worst)}, r.Bins[start], fd.binEnd(end))
		start = -1
	}
	for g, v := range r.HitRate {
		s := Info
		switch {
		case v < th.HitCritical:
			s = Critical
		case v < th.HitWarn:
			s = Warn
		}
		if s == Info {
			flush(g - 1)
			continue
		}
		if start < 0 {
			start, sev, worst = g, s, v
		}
		sev, worst = max(sev, s), min(worst, v)
	}
	flush(len(r.HitRate) - 1)

	for _, m := range []struct {
		k     int
		key   string
		label string
	}{{OCMiss, "oc_miss_sum", "cache misses"}, {3, "oc_remote_hit_sum", "remote hits"}} {
		series := r.OCSum[m.k]
		var hist []float64
		for g, v := range series {
			if math.IsNaN(v) {
				continue
			}
			if len(hist) >= 3 {
				med := median(hist)
				if v >= th.SurgeMin && v > th.SurgeFactor*math.Max(med, 1) {
					fd.add(Finding{Severity: Warn, Rule: "surge", Metric: m.key, Value: v, Threshold: th.SurgeFactor * med,
						Message: fmt.Sprintf("%s surged to %.0f per bin (%.1f× the median %.0f of the previous bins)", m.label, v, v/math.Max(med, 1), med)},
						r.Bins[g], fd.binEnd(g))
				}
			}
			hist = append(hist, v)
			if len(hist) > 10 {
				hist = hist[1:]
			}
		}
	}
}

// hostsBelow lists the hosts whose hit rate was below limit in a bin of
// the global range [from, to].
func (fd *finder) hostsBelow(from, to int, limit float64) []string {
	var out []string
	for i := range fd.r.Hosts {
		h := &fd.r.Hosts[i]
		for j, g := range h.Bins {
			if g >= from && g <= to && h.HitRate[j] < limit {
				out = append(out, h.Name)
				break
			}
		}
	}
	return out
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
