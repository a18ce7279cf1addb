package agg

import (
	"slices"

	"github.com/resreport/resreport/columnar"
)

// gaugeCols are the catalogue indices of every gauge metric; the cluster
// aggregates keep avg/max/min of each per bin. The per-host metrics come
// first (in HostMetrics order: a host-bin keeps those), then the other
// gauges in catalogue order (kept per bin only).
var gaugeCols = func() []int {
	for j, m := range hostCols {
		if columnar.Metrics[m].Role != columnar.Gauge {
			panic("agg: host metric " + HostMetrics[j] + " is not a gauge")
		}
	}
	cols := slices.Clone(hostCols)
	for i, m := range columnar.Metrics {
		if m.Role == columnar.Gauge && !slices.Contains(hostCols, i) {
			cols = append(cols, i)
		}
	}
	return cols
}()

// HostMetrics are the metrics kept per host and bin (avg/max/min): the
// reference's four per-host metrics first, then what the per-host drill-down
// and the findings need. The list bounds per-host memory, so it is short.
var HostMetrics = []string{
	"shm_memory_usage", "shm_share_mem_ratio", "object_count", "object_size",
	"shm_total_limit", "active_client_count",
	"etcd_queue_current_size", "etcd_queue_limit",
	"etcd_request_success_rate", "obs_request_success_rate",
	"worker_oc_service_thread_usage", "worker_oc_service_thread_max_waiting",
	"worker_oc_service_thread_max_running", "worker_oc_service_thread_total",
	"worker_worker_oc_thread_usage", "worker_worker_oc_thread_max_waiting",
	"worker_worker_oc_thread_max_running", "worker_worker_oc_thread_total",
	"master_worker_oc_thread_usage", "master_worker_oc_thread_max_waiting",
	"master_worker_oc_thread_max_running", "master_worker_oc_thread_total",
	"master_oc_service_thread_usage", "master_oc_service_thread_max_waiting",
	"master_oc_service_thread_max_running", "master_oc_service_thread_total",
	"master_async_tasks_thread_usage", "master_async_tasks_thread_max_waiting",
	"master_async_tasks_thread_max_running", "master_async_tasks_thread_total",
}

// hostCols are the catalogue indices of HostMetrics.
var hostCols = func() []int {
	cols := make([]int, len(HostMetrics))
	for i, name := range HostMetrics {
		cols[i] = columnar.MustMetric(name)
	}
	return cols
}()

// HostMetricIndex returns the position of a catalogue column in
// HostMetrics, or -1.
func HostMetricIndex(name string) int {
	for i, n := range HostMetrics {
		if n == name {
			return i
		}
	}
	return -1
}

// ocCols are the five OC_HIT_NUM counters: mem, disk, l2, remote hits and
// misses, in print order.
var ocCols = func() [NumOC]int {
	var cols [NumOC]int
	start := columnar.GroupStart[groupIndex("OC_HIT_NUM")]
	for k := range cols {
		cols[k] = start + k
	}
	return cols
}()

// NumOC is the number of OC_HIT_NUM counters.
const NumOC = 5

// OCMiss is the index of the miss counter among the OC counters; the
// others are hits.
const OCMiss = 4

func groupIndex(name string) int {
	for g, grp := range columnar.Groups {
		if grp.Name == name {
			return g
		}
	}
	panic("agg: no metric group " + name)
}

// Key returns the JSON key stem of catalogue column m: the reference's key
// where it has one, else the column name.
func Key(m int) string {
	if r := columnar.Metrics[m].Ref; r != "" {
		return r
	}
	return columnar.Metrics[m].Name
}
