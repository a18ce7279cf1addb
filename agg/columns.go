package agg

import "github.com/resreport/resreport/columnar"

// NamedSeries is one output column of the aggregates: its key in JSON and
// Parquet, whether it holds whole numbers (counts, sums of integers,
// counter deltas: INT64 in Parquet), and one value per row.
type NamedSeries struct {
	Key    string
	Int    bool
	Values Series
}

// ClusterColumns lists the per-bin cluster columns in output order (after
// "time"): host_count, avg/max/min of every gauge, OC sums and averages,
// oc_hosts, cache_hit_rate, total_hits, total_requests. JSON bins and
// cluster_bins.parquet both use it.
func (r *Result) ClusterColumns() []NamedSeries {
	nb := len(r.Bins)
	cols := []NamedSeries{{"host_count", true, intSeries(r.HostCount, nb)}}
	for m, s := range r.Gauges {
		if s.Avg == nil {
			continue
		}
		k := Key(m)
		cols = append(cols, NamedSeries{k + "_avg", false, s.Avg}, NamedSeries{k + "_max", false, s.Max}, NamedSeries{k + "_min", false, s.Min})
	}
	for k, m := range ocCols {
		cols = append(cols, NamedSeries{Key(m) + "_sum", true, r.OCSum[k]}, NamedSeries{Key(m) + "_avg", false, r.OCAvg[k]})
	}
	return append(cols,
		NamedSeries{"oc_hosts", true, intSeries(r.OCHosts, nb)},
		NamedSeries{"cache_hit_rate", false, r.HitRate},
		NamedSeries{"total_hits", true, r.TotalHits},
		NamedSeries{"total_requests", true, r.TotalRequests},
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
	cols := []NamedSeries{{"records", true, int64Series(h.Samples)}}
	for i, m := range hostCols[:metrics] {
		k := Key(m)
		s := &h.Metrics[i]
		cols = append(cols, NamedSeries{k + "_avg", false, s.Avg}, NamedSeries{k + "_max", false, s.Max}, NamedSeries{k + "_min", false, s.Min})
	}
	for k, m := range ocCols {
		cols = append(cols, NamedSeries{Key(m) + "_delta", true, h.OCDelta[k]})
	}
	return append(cols, NamedSeries{"cache_hit_rate", false, h.HitRate})
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
		t.Cols = append(t.Cols, columnar.TableCol{Name: c.Key, Int: c.Int, Values: c.Values})
	}
	return t
}

// HostTableColumns are the value columns of host_bins.parquet, after time
// and host (HostColumns' keys and types).
func HostTableColumns() []columnar.TableColumn {
	var h HostResult
	h.Metrics = make([]MinMaxAvg, len(hostCols))
	var out []columnar.TableColumn
	for _, c := range h.HostColumns() {
		out = append(out, columnar.TableColumn{Name: c.Key, Int: c.Int})
	}
	return out
}

// HostRows appends host h's rows to a host_bins.parquet writer made with
// HostTableColumns and the run's host table.
func HostRows(tw *columnar.TableWriter, h *HostResult) error {
	cols := h.HostColumns()
	vals := make([][]float64, len(cols))
	for i, c := range cols {
		vals[i] = c.Values
	}
	idx := make([]int32, len(h.Start))
	for i := range idx {
		idx[i] = h.Index
	}
	return tw.WriteRows(h.Start, idx, vals)
}
