package agg

import (
	"slices"

	"github.com/resreport/resreport/columnar"
)

// Series holds one value per bin; NaN marks a bin without data (null in
// JSON, a gap in charts).
type Series []float64

// MinMaxAvg are the per-bin statistics of one gauge metric.
type MinMaxAvg struct {
	Avg, Max, Min Series
}

// Result is the final aggregate of a run.
type Result struct {
	Interval int64   // bin width, microseconds
	Bins     []int64 // bin starts, ascending: every bin with at least one record

	HostCount []int       // per bin: hosts with records in the bin
	Gauges    []MinMaxAvg // per catalogue metric (columnar.Metrics); empty for counters

	// OC_HIT_NUM, per bin over the hosts that have a delta in the bin.
	OCSum         [NumOC]Series // sum of per-host deltas
	OCAvg         [NumOC]Series // OCSum / OCHosts
	OCHosts       []int         // hosts with a delta in the bin
	TotalHits     Series        // sum of the four hit deltas
	TotalRequests Series        // TotalHits + misses
	HitRate       Series        // TotalHits / TotalRequests

	// Hosts holds every host's result, by name, when the run was asked
	// to keep them (RunOptions.KeepHosts); otherwise they were streamed.
	Hosts []HostResult
}

// HostResult holds one host's per-bin statistics. Its series are indexed
// like Start, the starts of the bins where the host has records.
type HostResult struct {
	Name    string
	Index   int32    // index in the run's host table
	Pods    []string // distinct worker ids seen (at most 16), sorted
	Start   []int64  // bin starts (microseconds), ascending
	Bins    []int    // indices of Start's bins into Result.Bins, set only in Result.Hosts
	Samples []int64  // records per bin
	// First and Last are the first and last sample timestamps per bin;
	// Gap is the longest gap between samples seen inside the bin and GapAt
	// where it starts (gaps across bins follow from First and Last).
	First, Last, Gap, GapAt []int64

	Metrics []MinMaxAvg // per HostMetrics entry

	OCDelta [NumOC]Series // per-bin counter deltas; NaN without a previous bin
	HitRate Series        // four hits / (hits + misses) of the deltas
	Resets  []int         // indices of the bins (into Start) where a counter reset was seen
}

// Records returns the number of records of the host.
func (h *HostResult) Records() int64 {
	var n int64
	for _, s := range h.Samples {
		n += s
	}
	return n
}

// Gauge returns the statistics of the catalogue column called name.
func (r *Result) Gauge(name string) *MinMaxAvg {
	return &r.Gauges[columnar.MustMetric(name)]
}

// Metric returns the host's statistics of a HostMetrics column, or nil.
func (h *HostResult) Metric(name string) *MinMaxAvg {
	i := HostMetricIndex(name)
	if i < 0 {
		return nil
	}
	return &h.Metrics[i]
}

// Clone returns a deep copy of h, for a Host callback that keeps a result
// past the call (the run reuses h's memory for later hosts).
func (h *HostResult) Clone() HostResult {
	c := *h
	c.Pods = slices.Clone(h.Pods)
	c.Start, c.Bins, c.Samples = slices.Clone(h.Start), slices.Clone(h.Bins), slices.Clone(h.Samples)
	c.First, c.Last, c.Gap, c.GapAt = slices.Clone(h.First), slices.Clone(h.Last), slices.Clone(h.Gap), slices.Clone(h.GapAt)
	c.Metrics = make([]MinMaxAvg, len(h.Metrics))
	for i, m := range h.Metrics {
		c.Metrics[i] = MinMaxAvg{Avg: slices.Clone(m.Avg), Max: slices.Clone(m.Max), Min: slices.Clone(m.Min)}
	}
	for k := range h.OCDelta {
		c.OCDelta[k] = slices.Clone(h.OCDelta[k])
	}
	c.HitRate, c.Resets = slices.Clone(h.HitRate), slices.Clone(h.Resets)
	return c
}
