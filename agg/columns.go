package agg

import "github.com/resreport/resreport/columnar"

// NamedSeries is one output column of the aggregates: its key in JSON and
// Parquet, and one value per row.
type NamedSeries struct {
	Key    string
	Values Series
}

// ClusterColumns lists the per-bin cluster columns in output order (after
// "time"): host_count, avg/max/min of every gauge, OC sums and averages,
// oc_hosts, cache_hit_rate, total_hits, total_requests. JSON bins and
// cluster_bins.parquet both use it.
func (r *Result) ClusterColumns() []NamedSeries {
	nb := len(r.Bins)
	cols := []NamedSeries{{"host_count", intSeries(r.HostCount, nb)}}
	for m, s := range r.Gauges {
		if s.Avg == nil {
			continue
		}
		k := Key(m)
		cols = append(cols, NamedSeries{k + "_avg", s.Avg}, NamedSeries{k + "_max", s.Max}, NamedSeries{k + "_min", s.Min})
	}
	for k, m := range ocCols {
		cols = append(cols, NamedSeries{Key(m) + "_sum", r.OCSum[k]}, NamedSeries{Key(m) + "_avg", r.OCAvg[k]})
	}
	return append(cols,
		NamedSeries{"oc_hosts", intSeries(r.OCHosts, nb)},
		NamedSeries{"cache_hit_rate", r.HitRate},
		NamedSeries{"total_hits", r.TotalHits},
		NamedSeries{"total_requests", r.TotalRequests},
	)
}

// HostColumns lists one host's per-bin columns in output order (after
// "time" and "host"): records, avg/max/min of every HostMetrics entry,
// the OC counter deltas and cache_hit_rate (host_bins.parquet).
func (h *HostResult) HostColumns() []NamedSeries { return h.hostColumns(len(hostCols)) }

// hostJSONMetrics is how many HostMetrics the JSON hosts carry: the
// reference's four (mem_usage, mem_ratio, object_count, object_size), so
// that --json stays proportionate; host_bins.parquet has them all.
const hostJSONMetrics = 4

// HostJSONColumns is HostColumns with only the reference's per-host
// metrics: the keys of compute_per_host_stats, plus records and the
// counter deltas.
func (h *HostResult) HostJSONColumns() []NamedSeries { return h.hostColumns(hostJSONMetrics) }

func (h *HostResult) hostColumns(metrics int) []NamedSeries {
	cols := []NamedSeries{{"records", int64Series(h.Samples)}}
	for i, m := range hostCols[:metrics] {
		k := Key(m)
		s := &h.Metrics[i]
		cols = append(cols, NamedSeries{k + "_avg", s.Avg}, NamedSeries{k + "_max", s.Max}, NamedSeries{k + "_min", s.Min})
	}
	for k, m := range ocCols {
		cols = append(cols, NamedSeries{Key(m) + "_delta", h.OCDelta[k]})
	}
	return append(cols, NamedSeries{"cache_hit_rate", h.HitRate})
}

func intSeries(v []int, n int) Series {
	s := make(Series, n)
	for i := range s {
		s[i] = float64(v[i])
	}
	return s
}

func int64Series(v []int64) Series {
	s := make(Series, len(v))
	for i, x := range v {
		s[i] = float64(x)
	}
	return s
}

// ClusterTable returns the per-bin cluster aggregates as a table
// (cluster_bins.parquet).
func (r *Result) ClusterTable() *columnar.Table {
	t := &columnar.Table{Time: r.Bins}
	for _, c := range r.ClusterColumns() {
		t.Cols = append(t.Cols, tableCol(c))
	}
	return t
}

// HostTable returns the per-host per-bin aggregates as one table with a
// host column, hosts by name, bins ascending (host_bins.parquet).
func (r *Result) HostTable() *columnar.Table {
	t := &columnar.Table{Host: []string{}}
	for i := range r.Hosts {
		h := &r.Hosts[i]
		for _, g := range h.Bins {
			t.Time = append(t.Time, r.Bins[g])
			t.Host = append(t.Host, h.Name)
		}
		for j, c := range h.HostColumns() {
			if i == 0 {
				t.Cols = append(t.Cols, columnar.TableCol{Name: c.Key})
			}
			tc := tableCol(c)
			t.Cols[j].Values = append(t.Cols[j].Values, tc.Values...)
			t.Cols[j].Valid = append(t.Cols[j].Valid, tc.Valid...)
		}
	}
	return t
}

func tableCol(c NamedSeries) columnar.TableCol {
	tc := columnar.TableCol{Name: c.Key, Values: c.Values, Valid: make([]bool, len(c.Values))}
	for i, v := range c.Values {
		tc.Valid[i] = v == v && v-v == 0 // not NaN, not ±Inf
	}
	return tc
}
