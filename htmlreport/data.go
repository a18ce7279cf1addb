package htmlreport

import (
	"math"
	"strings"

	"github.com/resreport/resreport/agg"
)

// pageData is the JSON document the page's script reads: the time axis,
// the cluster columns the charts use (by --json key, on the axis, null for
// no data), the chart definitions and the per-host series.
type pageData struct {
	Axis   []string            `json:"axis"`
	Bin    string              `json:"bin"`
	S      map[string]numArray `json:"s"`
	Charts []*chart            `json:"charts"`
	Hosts  hostsData           `json:"hosts"`
}

// Significant digits of the embedded numbers: cluster columns keep 6, the
// per-host series (hosts × bins × metrics of them) 4.
const (
	clusterDigits = 6
	hostDigits    = 4
)

// numArray is a JSON array of numbers rounded to digits significant
// digits, with null for NaN and ±Inf.
type numArray struct {
	v      []float64
	digits int
}

func (a numArray) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(a.v)*6+2)
	b = append(b, '[')
	for i, v := range a.v {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendRound(b, v, a.digits)
	}
	return append(b, ']'), nil
}

type hostsData struct {
	Names   []string     `json:"names"`
	Pods    [][]string   `json:"pods"`
	Records []int64      `json:"records"`
	Resets  []int        `json:"resets"`
	Runs    [][]int      `json:"runs"` // per host: [axis start, length, ...]
	Metrics []hostMetric `json:"metrics"`
	Default string       `json:"default"` // metric key shown first
}

// hostMetric is one metric of the drill-down. Values holds one entry per
// host, aligned with the host's bins (expand with Runs): an array, one
// number when every bin has the same value, or null when none has a value.
// Rank orders the hosts for "top 10": the host's peak (Worse "high") or
// its minimum (Worse "low").
type hostMetric struct {
	Key    string     `json:"key"`
	Label  string     `json:"label"`
	Unit   string     `json:"unit"`
	Worse  string     `json:"worse"`
	Rank   numArray   `json:"rank"`
	Values hostSeries `json:"values"`
}

type hostSeries [][]float64

func (hs hostSeries) MarshalJSON() ([]byte, error) {
	n := 2
	for _, s := range hs {
		n += len(s)*6 + 1
	}
	b := make([]byte, 0, n)
	b = append(b, '[')
	for i, s := range hs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendHostSeries(b, s)
	}
	return append(b, ']'), nil
}

func appendHostSeries(b []byte, s []float64) []byte {
	if !hasValue(s) {
		return append(b, "null"...)
	}
	// Round first, so that values equal at the shown precision compare equal.
	var tmp []byte
	first := string(appendRound(tmp, s[0], hostDigits))
	same := true
	for _, v := range s[1:] {
		if string(appendRound(tmp[:0], v, hostDigits)) != first {
			same = false
			break
		}
	}
	if same {
		return append(b, first...)
	}
	b = append(b, '[')
	for i, v := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendRound(b, v, hostDigits)
	}
	return append(b, ']')
}

// hostMetricInfo says how the drill-down shows a per-host metric.
type hostMetricInfo struct {
	label string
	unit  string  // "GB", "%" or ""
	scale float64 // display = value × scale
	worse string  // "high" or "low": which end is bad, for the top 10
}

var poolLabels = map[string]string{
	"worker_oc_service_thread":  "OC client service pool",
	"worker_worker_oc_thread":   "OC worker-to-worker pool",
	"master_worker_oc_thread":   "OC master-to-worker pool",
	"master_oc_service_thread":  "OC master service pool",
	"master_async_tasks_thread": "Master async tasks pool",
}

func hostInfo(name string) hostMetricInfo {
	switch name {
	case "shm_memory_usage":
		return hostMetricInfo{"Memory usage (GB)", "GB", toGB, "high"}
	case "shm_share_mem_ratio":
		return hostMetricInfo{"Memory usage ratio (%)", "%", toPct, "high"}
	case "object_count":
		return hostMetricInfo{"Object count", "", 1, "high"}
	case "object_size":
		return hostMetricInfo{"Object size (GB)", "GB", toGB, "high"}
	case "shm_total_limit":
		return hostMetricInfo{"Memory limit (GB)", "GB", toGB, "high"}
	case "active_client_count":
		return hostMetricInfo{"Active clients", "", 1, "high"}
	case "etcd_queue_current_size":
		return hostMetricInfo{"ETCD queue size", "", 1, "high"}
	case "etcd_queue_limit":
		return hostMetricInfo{"ETCD queue limit", "", 1, "high"}
	case "etcd_request_success_rate":
		return hostMetricInfo{"ETCD success rate (%)", "%", toPct, "low"}
	case "obs_request_success_rate":
		return hostMetricInfo{"OBS success rate (%)", "%", toPct, "low"}
	}
	for prefix, pool := range poolLabels {
		sub, ok := strings.CutPrefix(name, prefix+"_")
		if !ok {
			continue
		}
		switch sub {
		case "usage":
			return hostMetricInfo{pool + ": utilization (%)", "%", toPct, "high"}
		case "max_waiting":
			return hostMetricInfo{pool + ": peak queue", "", 1, "high"}
		case "max_running":
			return hostMetricInfo{pool + ": peak concurrency", "", 1, "high"}
		case "total":
			return hostMetricInfo{pool + ": total threads", "", 1, "high"}
		case "tasks_delta":
			return hostMetricInfo{pool + ": tasks per sample", "", 1, "high"}
		}
	}
	return hostMetricInfo{name, "", 1, "high"}
}

// hostsJSON builds the drill-down's data: every agg.HostMetrics entry
// (average per bin) and the host's cache hit rate.
func buildHosts(r *agg.Result, ax *timeAxis) hostsData {
	n := len(r.Hosts)
	hd := hostsData{
		Names: make([]string, n), Pods: make([][]string, n), Records: make([]int64, n),
		Resets: make([]int, n), Runs: make([][]int, n), Default: "shm_memory_usage",
	}
	for i := range r.Hosts {
		h := &r.Hosts[i]
		hd.Names[i] = h.Name
		hd.Pods[i] = h.Pods
		if hd.Pods[i] == nil {
			hd.Pods[i] = []string{}
		}
		hd.Records[i] = h.Records()
		hd.Resets[i] = len(h.Resets)
		hd.Runs[i] = ax.hostRuns(h.Bins)
		if hd.Runs[i] == nil {
			hd.Runs[i] = []int{}
		}
	}
	for j, name := range agg.HostMetrics {
		info := hostInfo(name)
		hm := hostMetric{Key: name, Label: info.label, Unit: info.unit, Worse: info.worse,
			Rank: numArray{make([]float64, n), hostDigits}, Values: make(hostSeries, n)}
		for i := range r.Hosts {
			st := &r.Hosts[i].Metrics[j]
			hm.Values[i] = scaled(st.Avg, info.scale)
			if info.worse == "low" {
				v, _ := minOf(st.Min)
				hm.Rank.v[i] = v * info.scale
			} else {
				v, _ := maxOf(st.Max)
				hm.Rank.v[i] = v * info.scale
			}
		}
		hd.Metrics = append(hd.Metrics, hm)
	}
	hit := hostMetric{Key: "cache_hit_rate", Label: "Cache hit rate (%)", Unit: "%", Worse: "low",
		Rank: numArray{make([]float64, n), hostDigits}, Values: make(hostSeries, n)}
	for i := range r.Hosts {
		hit.Values[i] = scaled(r.Hosts[i].HitRate, toPct)
		v, _ := minOf(r.Hosts[i].HitRate)
		hit.Rank.v[i] = v * toPct
	}
	hd.Metrics = append(hd.Metrics, hit)
	return hd
}

func scaled(s agg.Series, f float64) []float64 {
	out := make([]float64, len(s))
	for i, v := range s {
		out[i] = v * f
	}
	return out
}

// buildPageData assembles the JSON document for r.
func buildPageData(r *agg.Result, ax *timeAxis, secs []*section) *pageData {
	cols := clusterColumns(r)
	pd := &pageData{Axis: ax.labels, Bin: intervalText(r.Interval), S: map[string]numArray{}}
	if pd.Axis == nil {
		pd.Axis = []string{}
	}
	for _, sec := range secs {
		for _, c := range sec.Charts {
			pd.Charts = append(pd.Charts, c)
			if len(c.Series) == 0 {
				continue
			}
			empty := true
			for _, s := range c.Series {
				col, ok := cols[s.Key]
				if !ok {
					col = make(agg.Series, len(r.Bins))
					for i := range col {
						col[i] = math.NaN()
					}
				}
				if hasValue(col) {
					empty = false
				}
				if _, done := pd.S[s.Key]; !done {
					pd.S[s.Key] = numArray{ax.onAxis(col), clusterDigits}
				}
			}
			c.Empty = empty
		}
	}
	pd.Hosts = buildHosts(r, ax)
	return pd
}
