package agg

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/resreport/resreport/columnar"
)

// FindingSet applies the finding rules host by host, so that a host's
// series can be dropped once it is added: it keeps only the hosts'
// episodes (blips folded into one summary per rule and metric), their
// last sample times and a few spans for the cluster rules. Finish adds the
// cluster rules and merges the same episode across hosts.
type FindingSet struct {
	th       Thresholds
	interval int64

	mu      sync.Mutex
	hosts   int
	sig     []episode
	blips   map[blipKey]*blipSum
	ends    []hostEnd
	lowHit  []hostSpan // bins where a host's hit rate was below HitWarn
	catchUp []catchUp
}

type blipKey struct{ rule, metric string }

// blipSum folds the blips of one rule and metric, keeping the first
// keptBlips of them whole.
type blipSum struct {
	count, bins int
	hosts       map[string]int
	first, last int64
	worst       episode
	kept        []episode
}

// keptBlips bounds the blips of one rule and metric kept whole: up to
// this many, blips at the same time on several hosts can still be shown
// as one finding each (a restart of several hosts at once) instead of a
// summary.
const keptBlips = 32

func (b *blipSum) add(e *episode) {
	if b.count < keptBlips {
		b.kept = append(b.kept, *e)
	}
	if b.count == 0 || e.worse(&b.worst) {
		b.worst = *e
	}
	if b.count == 0 {
		b.first, b.last = e.start, e.end
	}
	b.first, b.last = min(b.first, e.start), max(b.last, e.end)
	b.count++
	b.bins += e.bins
	b.hosts[e.host]++
}

type hostEnd struct {
	host         string
	last, period int64
}

type hostSpan struct {
	host       string
	start, end int64
}

// catchUp is a host's counter delta in the first bin after a silence:
// it holds the requests of the whole silence, excess of them too many
// for one bin.
type catchUp struct {
	start  int64
	excess [2]float64 // misses, remote hits
}

// NewFindingSet returns an empty set for bins of intervalMicros.
func NewFindingSet(th Thresholds, intervalMicros int64) *FindingSet {
	return &FindingSet{th: th, interval: intervalMicros, blips: map[blipKey]*blipSum{}}
}

// AddHost applies the per-host rules to h. It reads only h's own fields
// (its bins by start time) and may be called from several goroutines.
func (fs *FindingSet) AddHost(h *HostResult) {
	n := len(h.Start)
	if n == 0 {
		return
	}
	s := hostScope(h, fs.th, fs.interval)
	low := hostSpans(h, fs.th.HitWarn, fs.interval)
	ups := catchUps(h, fs.interval)
	end := hostEnd{h.Name, h.Last[n-1], samplingPeriod(h)}

	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.hosts++
	for i := range s.out {
		file(&fs.sig, fs.blips, &s.out[i])
	}
	fs.ends = append(fs.ends, end)
	fs.lowHit = append(fs.lowHit, low...)
	fs.catchUp = append(fs.catchUp, ups...)
}

// file keeps an episode in sig or folds it into blips.
func file(sig *[]episode, blips map[blipKey]*blipSum, e *episode) {
	if e.sig {
		*sig = append(*sig, *e)
		return
	}
	k := blipKey{e.rule, e.metric}
	b := blips[k]
	if b == nil {
		b = &blipSum{hosts: map[string]int{}}
		blips[k] = b
	}
	b.add(e)
}

// hostSpans returns the stretches of bins where h's cache hit rate was
// below limit.
func hostSpans(h *HostResult, limit float64, interval int64) []hostSpan {
	var out []hostSpan
	for i, v := range h.HitRate {
		if !(v < limit) {
			continue
		}
		s, e := h.Start[i], binEnd(h.Start[i], interval)
		if n := len(out); n > 0 && out[n-1].end >= s {
			out[n-1].end = e
			continue
		}
		out = append(out, hostSpan{h.Name, s, e})
	}
	return out
}

func catchUps(h *HostResult, interval int64) []catchUp {
	var out []catchUp
	for i := 1; i < len(h.Start); i++ {
		gap := h.Start[i] - h.Start[i-1]
		if gap <= interval || math.IsNaN(h.OCDelta[OCMiss][i]) {
			continue
		}
		keep := float64(interval) / float64(gap)
		out = append(out, catchUp{h.Start[i], [2]float64{h.OCDelta[OCMiss][i] * (1 - keep), h.OCDelta[3][i] * (1 - keep)}})
	}
	return out
}

// Finish applies the cluster rules to r's cluster series (r may be nil),
// reports hosts whose last sample is well before dataEnd (or the last
// sample of any host, if later), merges the same episode across hosts and
// returns the findings, most severe first. The set is not changed.
func (fs *FindingSet) Finish(r *Result, dataEnd int64) []Finding {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	blips := make(map[blipKey]*blipSum, len(fs.blips))
	for k, b := range fs.blips {
		c := *b
		c.hosts, c.kept = maps.Clone(b.hosts), slices.Clone(b.kept)
		blips[k] = &c
	}
	sig := slices.Clone(fs.sig)
	for _, e := range fs.stopped(dataEnd) {
		file(&sig, blips, &e)
	}
	if r != nil {
		for _, e := range fs.cluster(r) {
			file(&sig, blips, &e)
		}
	}
	out := fs.merged(sig, true)
	for _, k := range slices.SortedFunc(maps.Keys(blips), func(a, b blipKey) int {
		return cmp.Or(strings.Compare(a.rule, b.rule), strings.Compare(a.metric, b.metric))
	}) {
		out = append(out, fs.summary(blips[k])...)
	}
	slices.SortStableFunc(out, func(x, y Finding) int {
		return cmp.Or(cmp.Compare(y.Severity, x.Severity), cmp.Compare(min(x.Blips, 1), min(y.Blips, 1)),
			cmp.Compare(x.StartMicros, y.StartMicros), strings.Compare(x.Rule, y.Rule), strings.Compare(x.Metric, y.Metric),
			strings.Compare(strings.Join(x.Hosts, ","), strings.Join(y.Hosts, ",")))
	})
	return out
}

// stopped reports hosts whose last sample is more than GapPeriods
// sampling periods, and at least StopMin, before the end of the data.
func (fs *FindingSet) stopped(dataEnd int64) []episode {
	end := dataEnd
	for _, h := range fs.ends {
		end = max(end, h.last)
	}
	var out []episode
	for _, h := range fs.ends {
		limit := max(int64(fs.th.GapPeriods*float64(h.period)), fs.th.StopMin.Microseconds())
		if end-h.last <= limit {
			continue
		}
		out = append(out, episode{rule: "host_stopped", metric: "samples", what: "hosts that stopped reporting", unit: UnitSeconds,
			host: h.host, start: h.last, end: end, bins: 1, sev: Critical, sig: true,
			value: float64(end-h.last) / 1e6, at: h.last, threshold: float64(limit) / 1e6,
			msg: fmt.Sprintf("host stopped reporting: last sample %s before the end of the data", secs(end-h.last))})
	}
	return out
}

// merged turns the episodes into findings, one per episode that several
// hosts had at the same time: same rule and metric, starts within
// max(2 bins, Sustain) of each other, overlapping. With extent, a
// warning on half the hosts is critical.
func (fs *FindingSet) merged(eps []episode, extent bool) []Finding {
	slices.SortFunc(eps, func(a, b episode) int {
		return cmp.Or(strings.Compare(a.rule, b.rule), strings.Compare(a.metric, b.metric),
			cmp.Compare(a.start, b.start), strings.Compare(a.host, b.host))
	})
	tol := max(2*fs.interval, fs.th.Sustain.Microseconds())
	var out []Finding
	for a := 0; a < len(eps); {
		end := eps[a].end
		b := a + 1
		for ; b < len(eps) && eps[b].rule == eps[a].rule && eps[b].metric == eps[a].metric &&
			eps[b].start-eps[a].start <= tol && eps[b].start <= end; b++ {
			end = max(end, eps[b].end)
		}
		out = append(out, fs.finding(eps[a:b], extent))
		a = b
	}
	return out
}

// finding merges the episodes of one event on one or more hosts. With
// extent, a warning on at least half the hosts (and two) is critical.
func (fs *FindingSet) finding(g []episode, extent bool) Finding {
	w := &g[0]
	sev, bins := Info, 0
	start, end := g[0].start, g[0].end
	var hosts []string
	for i := range g {
		e := &g[i]
		if e.worse(w) {
			w = e
		}
		sev, bins = max(sev, e.sev), bins+e.bins
		start, end = min(start, e.start), max(end, e.end)
		if e.host != "" {
			hosts = append(hosts, e.host)
		}
	}
	slices.Sort(hosts)
	hosts = slices.Compact(hosts)
	f := Finding{Rule: w.rule, Metric: w.metric, Bins: bins, Value: w.value, Unit: w.unit, PeakAt: columnar.FormatTimestamp(w.at),
		PeakHost: w.host, Threshold: w.threshold, Message: w.msg, Severity: sev}
	if len(hosts) > 1 {
		f.Message = fmt.Sprintf("on %d hosts at once (worst: %s): %s", len(hosts), w.host, w.msg)
		if extent && sev < Critical && len(hosts) >= max(2, (fs.hosts+1)/2) {
			f.Severity = Critical
			f.Message += fmt.Sprintf("; critical: on %d of %d hosts at once", len(hosts), fs.hosts)
		}
	}
	if hosts == nil {
		hosts = w.hosts // a cluster episode lists the hosts involved
	}
	f.Hosts = hosts
	setTimes(&f, start, end)
	return f
}

func setTimes(f *Finding, start, end int64) {
	f.StartMicros, f.EndMicros = start, end
	f.Start, f.End = columnar.FormatTimestamp(start), columnar.FormatTimestamp(end)
	if f.Hosts == nil {
		f.Hosts = []string{}
	}
}

// summary is the findings of the blips of one rule and metric: one
// summary, or when they are few and fall at a few times (on one host or
// several at once), a finding for each time.
func (fs *FindingSet) summary(b *blipSum) []Finding {
	w := &b.worst
	if b.count <= keptBlips {
		if g := fs.merged(b.kept, false); len(g) <= 3 {
			return g
		}
	}
	var hosts []string
	for h := range b.hosts {
		if h != "" {
			hosts = append(hosts, h)
		}
	}
	slices.Sort(hosts)
	where := "on the cluster"
	if len(hosts) > 0 {
		where = fmt.Sprintf("on %d hosts", len(hosts))
	}
	worstAt := columnar.FormatTimestamp(w.at)
	if w.host != "" {
		worstAt = w.host + " at " + worstAt
	}
	f := Finding{Severity: Warn, Rule: w.rule, Metric: w.metric, Hosts: hosts, Bins: b.bins, Blips: b.count,
		Value: w.value, Unit: w.unit, PeakAt: columnar.FormatTimestamp(w.at), PeakHost: w.host, Threshold: w.threshold,
		Message: fmt.Sprintf("%s in %d bins (%s) %s: %d episodes, each shorter than %s or no more than the usual rate of the series explains; worst %s on %s",
			w.what, b.bins, widthText(fs.interval), where, b.count, widthText(fs.th.Sustain.Microseconds()), valueText(w.value, w.unit), worstAt)}
	setTimes(&f, b.first, b.last)
	return []Finding{f}
}

// widthText names a bin width or duration: "1 min", "10 s", "1 h".
func widthText(us int64) string {
	for _, u := range []struct {
		us   int64
		name string
	}{{3600e6, "h"}, {60e6, "min"}, {1e6, "s"}, {1e3, "ms"}} {
		if us >= u.us && us%u.us == 0 {
			return fmt.Sprintf("%d %s", us/u.us, u.name)
		}
	}
	return fmt.Sprintf("%d µs", us)
}
