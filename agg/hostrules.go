package agg

import (
	"fmt"
	"math"
	"slices"

	"github.com/resreport/resreport/columnar"
)

// threadPools are the object-cache thread pools the findings watch.
var threadPools = []struct{ prefix, label string }{
	{"worker_oc_service_thread", "client service"},
	{"worker_worker_oc_thread", "worker-to-worker"},
	{"master_worker_oc_thread", "master-to-worker"},
	{"master_oc_service_thread", "master service"},
	{"master_async_tasks_thread", "master async tasks"},
}

// hostScope evaluates the per-host rules on one host, using only its own
// bins (h.Start) and the bin width.
func hostScope(h *HostResult, th Thresholds, interval int64) *scope {
	s := &scope{host: h.Name, starts: h.Start, interval: interval, th: th}
	s.memory(h)
	s.leaks(h)
	s.pools(h)
	s.etcd(h)
	s.clients(h)
	s.restarts(h)
	s.silences(h)
	return s
}

// higher is the larger of a and b, ignoring a NaN b.
func higher(a, b float64) float64 {
	if b > a {
		return b
	}
	return a
}

// lasting is " for 12.0 min" for an episode of several bins, "" for one.
func lasting(e *episode) string {
	if e.bins < 2 {
		return ""
	}
	return " for " + secs(e.end-e.start)
}

func (s *scope) memory(h *HostResult) {
	th := s.th
	ratio := h.Metric("shm_share_mem_ratio").Max
	s.series(&rule{rule: "memory_ratio", metric: "mem_ratio", what: fmt.Sprintf("memory ratio above %s", pct(th.MemWarn)),
		unit: UnitRatio, threshold: byLevel(th.MemWarn, th.MemCritical),
		level: func(i int) (Severity, float64) {
			switch v := ratio[i]; {
			case v > th.MemCritical:
				return Critical, v
			case v > th.MemWarn:
				return Warn, v
			}
			return Info, 0
		},
		describe: func(e *episode, _ []mark) {
			e.msg = "memory usage ratio peaked at " + pct(e.value) + lasting(e)
		}})

	usage, limit := h.Metric("shm_memory_usage").Max, h.Metric("shm_total_limit").Max
	s.series(&rule{rule: "memory_near_limit", metric: "mem_usage", what: "max memory usage within " + pct(th.LimitMargin) + " of the limit",
		unit: UnitRatio, threshold: constant(1 - th.LimitMargin),
		level: func(i int) (Severity, float64) {
			if limit[i] > 0 && usage[i] >= (1-th.LimitMargin)*limit[i] {
				return Warn, usage[i] / limit[i]
			}
			return Info, 0
		},
		describe: func(e *episode, _ []mark) {
			e.msg = "max memory usage reached " + pct(e.value) + " of the limit" + lasting(e)
		}})

	objects := h.Metric("object_count").Avg
	s.series(&rule{rule: "object_count_drop", metric: "object_count", what: "object count drops over " + pct(th.ObjectDrop),
		unit: UnitRatio, threshold: constant(th.ObjectDrop),
		level: func(i int) (Severity, float64) {
			if i > 0 && objects[i-1] > 0 && objects[i] < (1-th.ObjectDrop)*objects[i-1] {
				return Warn, 1 - objects[i]/objects[i-1]
			}
			return Info, 0
		},
		describe: func(e *episode, m []mark) {
			i := m[0].i
			for _, x := range m {
				if x.v == e.value {
					i = x.i
				}
			}
			e.msg = fmt.Sprintf("object count dropped %s between bins (%.0f → %.0f)", pct(e.value), objects[i-1], objects[i])
		}})
}

// leaks looks for a rise of memory usage and of object count that starts
// anywhere in the window (see findRise), and reports one leak per host.
func (s *scope) leaks(h *HostResult) {
	var found []episode
	for _, m := range []struct {
		col, key, label string
		format          func(float64) string
	}{
		{"shm_memory_usage", "mem_usage", "memory usage", gib},
		{"object_count", "object_count", "object count", count},
	} {
		if e, ok := s.leak(h, m.col, m.key, m.label, m.format); ok {
			found = append(found, e)
		}
	}
	if len(found) == 0 {
		return
	}
	e := found[0]
	for _, o := range found[1:] {
		e.start, e.end, e.bins = min(e.start, o.start), max(e.end, o.end), max(e.bins, o.bins)
		e.msg += "; " + o.msg
	}
	s.out = append(s.out, e)
}

func gib(v float64) string { return fmt.Sprintf("%.1f GB", v/(1<<30)) }

// count formats a count with thousands separators: "1,238,000".
func count(v float64) string {
	s := fmt.Sprintf("%.0f", math.Abs(v))
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if v < 0 {
		return "-" + s
	}
	return s
}

func (s *scope) leak(h *HostResult, col, key, label string, format func(float64) string) (episode, bool) {
	series := h.Metric(col).Avg
	var ts []int64
	var ys []float64
	for i, v := range series {
		if !math.IsNaN(v) {
			ts, ys = append(ts, h.Start[i]), append(ys, v)
		}
	}
	r, ok := findRise(ts, ys, s.th)
	if !ok {
		return episode{}, false
	}
	from, to := ts[r.a], binEnd(ts[r.b], s.interval)
	for _, i := range h.Resets {
		if t := h.Start[i]; t >= from-2*s.interval && t <= to {
			return episode{}, false // a cache filling after a restart is no leak
		}
	}
	perHour := r.slope * 3600e6
	e := episode{rule: "leak_suspected", metric: key, what: label + " rising", unit: UnitRatio, host: s.host,
		start: from, end: to, bins: r.b - r.a + 1, sev: Warn, sig: true,
		value: r.rise, at: from, threshold: s.th.LeakMinRise}
	e.msg = fmt.Sprintf("%s rising since %s: %s → %s (+%s) in %s (%s per hour, Kendall τ-b %.2f, Mann–Kendall z %.1f)",
		label, columnar.FormatTimestamp(from), format(r.base), format(r.base+r.rise*math.Abs(r.base)), pct(r.rise),
		secs(ts[r.b]-ts[r.a]), format(perHour), r.tau, r.z)
	if r.b < len(ts)-1 {
		e.msg += ", then staying up"
	}
	return e, true
}

func (s *scope) pools(h *HostResult) {
	th := s.th
	for _, tp := range threadPools {
		waiting := h.Metric(tp.prefix + "_max_waiting").Max
		use := h.Metric(tp.prefix + "_usage").Max
		running, total := h.Metric(tp.prefix+"_max_running").Max, h.Metric(tp.prefix+"_total").Max
		label := tp.label + " thread pool"
		s.series(&rule{rule: "thread_pool_queue", metric: tp.prefix, unit: "tasks", threshold: constant(0),
			// Full concurrency counts only with high utilization: in the
			// worker versions that print idle/total/… the first sub-field
			// equals the total when the pool is idle.
			level: func(i int) (Severity, float64) {
				switch {
				case total[i] > 0 && running[i] >= total[i] && use[i] > th.TPUsage:
					return Critical, waiting[i]
				case use[i] > th.TPUsage || waiting[i] > 0:
					return Warn, waiting[i]
				}
				return Info, 0
			},
			describe: func(e *episode, m []mark) {
				var full, busy int
				var queue, util, threads float64
				for _, x := range m {
					queue, util, threads = higher(queue, waiting[x.i]), higher(util, use[x.i]), higher(threads, total[x.i])
					if x.sev == Critical {
						full++
					}
					if use[x.i] > th.TPUsage {
						busy++
					}
				}
				switch {
				case full > 0:
					e.rule, e.what, e.value, e.unit, e.threshold = "thread_pool_saturated", label+" at full concurrency", threads, "threads", threads
				case busy > 0:
					e.rule, e.what, e.value, e.unit, e.threshold = "thread_pool_utilization", label+" utilization above "+pct(th.TPUsage), util, UnitRatio, th.TPUsage
				default:
					e.what = label + " queueing"
				}
				e.msg = fmt.Sprintf("%s: peak queue %.0f tasks, utilization up to %s", label, queue, pct(util))
				if full > 0 {
					e.msg = fmt.Sprintf("%s ran all %.0f threads in %d bins, peak queue %.0f tasks, utilization up to %s", label, threads, full, queue, pct(util))
				}
				e.msg += lasting(e)
			}})
	}
}

func (s *scope) etcd(h *HostResult) {
	th := s.th
	qsize, qlimit := h.Metric("etcd_queue_current_size").Max, h.Metric("etcd_queue_limit").Max
	s.series(&rule{rule: "etcd_queue", metric: "etcd_queue_size", what: "ETCD queue above " + pct(th.EtcdQueue) + " of its limit",
		unit: UnitRatio, threshold: byLevel(th.EtcdQueue, 1),
		level: func(i int) (Severity, float64) {
			if qlimit[i] > 0 && qsize[i] > th.EtcdQueue*qlimit[i] {
				if qsize[i] >= qlimit[i] {
					return Critical, qsize[i] / qlimit[i]
				}
				return Warn, qsize[i] / qlimit[i]
			}
			return Info, 0
		},
		describe: func(e *episode, _ []mark) {
			e.msg = "ETCD request queue reached " + pct(e.value) + " of its limit" + lasting(e)
		}})

	for _, m := range []struct{ col, key, label string }{
		{"etcd_request_success_rate", "etcd_success_rate", "ETCD"},
		{"obs_request_success_rate", "obs_success_rate", "OBS"},
	} {
		rate := h.Metric(m.col)
		label := m.label + " request success rate"
		// Critical needs the bin's average below SuccessCr, not only one
		// sample: a bin's worst sample is noisy.
		s.series(&rule{rule: "success_rate", metric: m.key, what: label + " below " + pct(th.SuccessWarn),
			unit: UnitRatio, low: true, threshold: byLevel(th.SuccessWarn, th.SuccessCr),
			level: func(i int) (Severity, float64) {
				switch v := rate.Min[i]; {
				case v < th.SuccessWarn && rate.Avg[i] < th.SuccessCr:
					return Critical, v
				case v < th.SuccessWarn:
					return Warn, v
				}
				return Info, 0
			},
			describe: func(e *episode, mk []mark) {
				avg := math.Inf(1)
				for _, x := range mk {
					if v := rate.Avg[x.i]; v < avg {
						avg = v
					}
				}
				e.msg = fmt.Sprintf("%s fell to %s (bin average down to %s)%s", label, pct(e.value), pct(avg), lasting(e))
			}})
	}
}

func (s *scope) clients(h *HostResult) {
	clients := h.Metric("active_client_count")
	before := make([]float64, len(h.Start)) // the most clients in the bins before
	for i := 1; i < len(before); i++ {
		before[i] = higher(before[i-1], clients.Max[i-1])
	}
	s.series(&rule{rule: "clients_dropped", metric: "active_clients", what: "active clients at 0", unit: "clients", low: true,
		threshold: constant(0),
		level: func(i int) (Severity, float64) {
			if clients.Min[i] == 0 && before[i] > 0 {
				return Warn, 0
			}
			return Info, 0
		},
		describe: func(e *episode, m []mark) {
			e.msg = fmt.Sprintf("active clients dropped to 0 (from %.0f before)%s", before[m[0].i], lasting(e))
		}})
}

func (s *scope) restarts(h *HostResult) {
	var marks []mark
	for _, i := range h.Resets {
		marks = append(marks, mark{i, Warn, 1})
	}
	s.marked(&rule{rule: "restart", metric: "oc_hit_num", what: "worker restarts", unit: "restarts", threshold: constant(0),
		describe: func(e *episode, m []mark) {
			e.value = float64(len(m))
			e.msg = "worker restarted: OC_HIT_NUM counters were reset (or the PID changed)"
			if len(m) > 1 {
				e.msg = fmt.Sprintf("worker restarted %d times in %s", len(m), secs(e.end-e.start))
			}
		}}, marks)
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

// silences reports gaps longer than GapPeriods sampling periods, inside a
// bin and between bins. One of at least Sustain is critical (an outage);
// shorter ones are blips.
func (s *scope) silences(h *HostResult) {
	period := samplingPeriod(h)
	if period <= 0 {
		return
	}
	limit := int64(s.th.GapPeriods * float64(period))
	sustain := s.th.Sustain.Microseconds()
	add := func(from, to int64) {
		e := episode{rule: "host_silent", metric: "samples", what: fmt.Sprintf("silences over %.0f sampling periods", s.th.GapPeriods),
			unit: UnitSeconds, host: s.host, start: from, end: to, bins: 1, sev: Warn,
			value: float64(to-from) / 1e6, at: from, threshold: float64(limit) / 1e6,
			msg: fmt.Sprintf("no samples for %s (sampling period %s)", secs(to-from), secs(period))}
		if to-from >= sustain {
			e.sig, e.sev = true, Critical
		}
		s.out = append(s.out, e)
	}
	for i := range h.Start {
		if h.Gap[i] > limit {
			add(h.GapAt[i], h.GapAt[i]+h.Gap[i])
		}
		if i > 0 && h.First[i]-h.Last[i-1] > limit {
			add(h.Last[i-1], h.First[i])
		}
	}
}
