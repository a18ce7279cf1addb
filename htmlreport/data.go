package htmlreport

import (
	"bufio"
	"bytes"
	"slices"
	"strings"

	"github.com/resreport/resreport/agg"
)

// The page's data document, read by its script: the charts' time axis,
// the cluster columns the charts use (by --json key, one value per axis
// point, null for no data), the chart definitions and the drill-down's
// per-host series:
//
//	{"axis": [label, ...], "bin": "1 min", "width": "1 min", "slots": 1,
//	 "s": {key: [v, ...], ...}, "charts": [...],
//	 "hosts": {"names", "pods", "records", "resets", "axis", "slots",
//	           "width", "cols", "metrics": [{"key", "label", "unit",
//	           "worse", "rank", "last", "values"}, ...], "default"}}
//
// Both axes are columns of 2^shift bins (binAxis) drawn as slots points
// each: the cluster charts' at most maxSeriesPoints points (every bin
// while there are that few), the drill-down's also within hostPointBudget.

// clusterDigits are the significant digits of the cluster columns.
const clusterDigits = 6

// chartAxis is the cluster charts' axis over the bins of r.
func chartAxis(r *agg.Result) binAxis {
	ax := binAxis{interval: r.Interval, n0: 0, n1: -1}
	if n := len(r.Bins); n > 0 {
		ax.n0, ax.n1 = binNumber(r.Bins[0], r.Interval), binNumber(r.Bins[n-1], r.Interval)
		ax.shift = fitShift(ax.n0, ax.n1, maxSeriesPoints)
	}
	return ax
}

// chartKeys returns the cluster columns the charts draw, sorted, and marks
// the charts none of whose columns has a value.
func chartKeys(secs []*section, cols map[string]agg.Series) []string {
	var keys []string
	for _, sec := range secs {
		for _, c := range sec.Charts {
			if len(c.Series) == 0 {
				continue
			}
			empty := true
			for _, s := range c.Series {
				if hasValue(cols[s.Key]) {
					empty = false
				}
				keys = append(keys, s.Key)
			}
			c.Empty = empty
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// writeColumn writes cluster column s (one value per bin of r) on ax: the
// points of its M4 columns, null where a column has no value.
func writeColumn(e *jsonStream, ns []int64, s agg.Series, ax *binAxis, cols []m4col[float64]) []m4col[float64] {
	cols = m4Reduce(ns, s[:min(len(s), len(ns))], ax.shift, cols[:0])
	slots := ax.slots()
	var buf [maxSlots]float64
	e.open('[')
	next := ax.c0()
	for i := range cols {
		for ; next < cols[i].c; next++ {
			for range slots {
				e.elem()
				e.writeString("null")
			}
		}
		cols[i].slots(buf[:slots])
		for _, v := range buf[:slots] {
			e.elem()
			e.number(v, clusterDigits)
		}
		next++
	}
	for end := ax.c0() + int64(ax.cols()); next < end; next++ {
		for range slots {
			e.elem()
			e.writeString("null")
		}
	}
	e.close(']')
	return cols
}

// writeData writes the data document of p to w, the cluster columns as
// cols and the drill-down's series as enc encode them.
func writeData(w *bufio.Writer, p *pageData, cols *columnsAhead, enc *hostSeries) error {
	e := &jsonStream{w: w}
	r := p.in.Result
	e.open('{')
	e.field("axis", p.chartAxis.labels())
	e.field("bin", intervalText(r.Interval))
	e.field("width", p.chartAxis.width())
	e.field("slots", p.chartAxis.slots())
	e.key("s")
	e.write(cols.bytes())
	var charts []*chart
	for _, sec := range p.secs {
		charts = append(charts, sec.Charts...)
	}
	e.field("charts", charts)
	e.key("hosts")
	writeHosts(e, p.hosts, &p.hostAxis, enc)
	e.close('}')
	return e.err
}

// columnsAhead encodes the cluster columns the charts draw (the data
// document's "s") in the background, while the page's head is written: at
// fine bins they are thousands of numbers each, on the way of the page's
// writer after the run.
type columnsAhead struct {
	done chan struct{}
	b    []byte
}

func encodeColumnsAhead(p *pageData) *columnsAhead {
	c := &columnsAhead{done: make(chan struct{})}
	background.Add(1)
	go func() {
		c.b = encodeColumns(p)
		background.Add(-1)
		close(c.done)
	}()
	return c
}

// bytes waits for the encoding and returns it.
func (c *columnsAhead) bytes() []byte {
	<-c.done
	return c.b
}

// encodeColumns returns the cluster columns as a JSON object, by key.
func encodeColumns(p *pageData) []byte {
	var buf bytes.Buffer
	w := bufio.NewWriterSize(&buf, 1<<14)
	e := &jsonStream{w: w}
	r := p.in.Result
	e.open('{')
	ns := make([]int64, len(r.Bins))
	for g, b := range r.Bins {
		ns[g] = binNumber(b, r.Interval)
	}
	var cols []m4col[float64]
	for _, k := range p.keys {
		e.key(k)
		cols = writeColumn(e, ns, p.cols[k], &p.chartAxis, cols)
	}
	e.close('}')
	w.Flush()
	return buf.Bytes()
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
	case hitRateKey:
		return hostMetricInfo{"Cache hit rate (%)", "%", toPct, "low"}
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
