package columnar

import "strconv"

// Kind is the physical type of a metric column.
type Kind uint8

const (
	// Int columns hold integers printed with %lu / std::to_string (int64).
	Int Kind = iota
	// Float columns hold ratios printed with %.3f and values of unknown type (float64).
	Float
)

// Role says how the aggregates treat a metric.
type Role uint8

const (
	// Gauge values are averaged, maxed and minned over the samples of a bin.
	Gauge Role = iota
	// Counter values are cumulative since the worker started (OC_HIT_NUM):
	// the aggregates use per-host deltas between bins, never the raw values.
	Counter
)

// Field is one '/'-separated sub-field of a metric group.
type Field struct {
	Name string // column name, snake_case, unique across the catalogue
	Ref  string // key of the reference script for this value ("" if it has none)
	Kind Kind
	Role Role
}

// Group is one '|'-separated metric group of a resource-log line, in the
// order of the emitter's enum (res_metrics.def).
type Group struct {
	Name   string // emitter's name, e.g. SHARED_MEMORY
	Fields []Field
}

func threadPool(prefix, ref string) []Field {
	f := func(sub, refSub string, k Kind) Field {
		r := ""
		if ref != "" {
			r = "tp_" + ref + "_" + refSub
		}
		return Field{Name: prefix + "_" + sub, Ref: r, Kind: k}
	}
	return []Field{
		f("max_running", "maxRunning", Int),
		f("total", "total", Int),
		f("tasks_delta", "tasksDelta", Int),
		f("max_waiting", "maxWaiting", Int),
		f("usage", "usage", Float),
	}
}

func spillIOStats() []Field {
	// The emitter's sub-field names for SPILL_IO_STATS are not published
	// with the format; the columns are numbered in print order.
	fs := make([]Field, 14)
	for i := range fs {
		fs[i] = Field{Name: "spill_io_stats_" + twoDigits(i+1), Kind: Float}
	}
	return fs
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// Groups is the catalogue of metric groups in line order. Lines carry the
// first 21, 22, 24 or 25 of them, depending on the worker version.
var Groups = []Group{
	{"SHARED_MEMORY", []Field{
		{Name: "shm_memory_usage", Ref: "mem_usage", Kind: Int},
		{Name: "shm_physical_usage", Ref: "mem_physical", Kind: Int},
		{Name: "shm_total_limit", Ref: "mem_total_limit", Kind: Int},
		{Name: "shm_share_mem_ratio", Ref: "mem_ratio", Kind: Float},
		{Name: "shm_sc_mem_usage", Ref: "sc_mem_usage", Kind: Int},
		{Name: "shm_sc_mem_limit", Ref: "sc_mem_limit", Kind: Int},
	}},
	{"SPILL_HARD_DISK", []Field{
		{Name: "spill_space_usage", Ref: "spill_space", Kind: Int},
		{Name: "spill_physical_space_usage", Ref: "spill_physical", Kind: Int},
		{Name: "spill_total_limit", Ref: "spill_limit", Kind: Int},
		{Name: "spill_worker_hd_usage", Kind: Float},
	}},
	{"ACTIVE_CLIENT_COUNT", []Field{{Name: "active_client_count", Ref: "active_clients", Kind: Int}}},
	{"OBJECT_COUNT", []Field{{Name: "object_count", Ref: "object_count", Kind: Int}}},
	{"OBJECT_SIZE", []Field{{Name: "object_size", Ref: "object_size", Kind: Int}}},
	{"WORKER_OC_SERVICE_THREAD", threadPool("worker_oc_service_thread", "worker_oc")},
	{"WORKER_WORKER_OC_THREAD", threadPool("worker_worker_oc_thread", "worker_worker_oc")},
	{"MASTER_WORKER_OC_THREAD", threadPool("master_worker_oc_thread", "master_worker_oc")},
	{"MASTER_OC_SERVICE_THREAD", threadPool("master_oc_service_thread", "master_oc")},
	{"ETCD_QUEUE", []Field{
		{Name: "etcd_queue_current_size", Ref: "etcd_queue_size", Kind: Int},
		{Name: "etcd_queue_limit", Ref: "etcd_queue_limit", Kind: Int},
		{Name: "etcd_queue_usage", Ref: "etcd_queue_usage", Kind: Float},
	}},
	{"ETCD_REQUEST_SUCCESS_RATE", []Field{{Name: "etcd_request_success_rate", Ref: "etcd_success_rate", Kind: Float}}},
	{"OBS_REQUEST_SUCCESS_RATE", []Field{{Name: "obs_request_success_rate", Ref: "obs_success_rate", Kind: Float}}},
	{"MASTER_ASYNC_TASKS_THREAD", threadPool("master_async_tasks_thread", "async")},
	{"STREAM_COUNT", []Field{{Name: "stream_count", Ref: "stream_count", Kind: Int}}},
	{"WORKER_SC_SERVICE_THREAD", threadPool("worker_sc_service_thread", "")},
	{"WORKER_WORKER_SC_THREAD", threadPool("worker_worker_sc_thread", "")},
	{"MASTER_WORKER_SC_THREAD", threadPool("master_worker_sc_thread", "")},
	{"MASTER_SC_SERVICE_THREAD", threadPool("master_sc_service_thread", "")},
	{"STREAM_REMOTE_SEND_RATE", []Field{{Name: "stream_remote_send_rate", Kind: Float}}},
	{"SHARED_DISK", []Field{
		{Name: "shared_disk_usage", Ref: "disk_usage", Kind: Int},
		{Name: "shared_disk_physical_usage", Ref: "disk_physical", Kind: Int},
		{Name: "shared_disk_limit", Ref: "disk_limit", Kind: Int},
		{Name: "shared_disk_usage_rate", Ref: "disk_rate", Kind: Float},
	}},
	{"SC_LOCAL_CACHE", []Field{
		{Name: "sc_local_cache_usage", Ref: "sc_cache_usage", Kind: Int},
		{Name: "sc_local_cache_reserved", Ref: "sc_cache_reserved", Kind: Int},
		{Name: "sc_local_cache_limit", Ref: "sc_cache_limit", Kind: Int},
		{Name: "sc_local_cache_usage_rate", Ref: "sc_cache_rate", Kind: Float},
	}},
	{"OC_HIT_NUM", []Field{
		{Name: "oc_hit_mem", Ref: "oc_mem_hit", Kind: Int, Role: Counter},
		{Name: "oc_hit_disk", Ref: "oc_disk_hit", Kind: Int, Role: Counter},
		{Name: "oc_hit_l2", Ref: "oc_l2_hit", Kind: Int, Role: Counter},
		{Name: "oc_hit_remote", Ref: "oc_remote_hit", Kind: Int, Role: Counter},
		{Name: "oc_miss", Ref: "oc_miss", Kind: Int, Role: Counter},
	}},
	{"BRPC_STREAM_LEAK_COUNT", []Field{{Name: "brpc_stream_leak_count", Kind: Int}}},
	{"DEFERRED_CLEANUP_QUEUE_SIZE", []Field{{Name: "deferred_cleanup_queue_size", Kind: Int}}},
	{"SPILL_IO_STATS", spillIOStats()},
}

// GroupCounts are the numbers of metric groups a valid line may carry, one
// per worker version.
var GroupCounts = [...]int{21, 22, 24, 25}

// ValidGroupCount reports whether a line with n metric groups has the shape
// of a known worker version.
func ValidGroupCount(n int) bool {
	for _, c := range GroupCounts {
		if n == c {
			return true
		}
	}
	return false
}

// Metric is one column of the catalogue, flattened.
type Metric struct {
	Field
	Group int // index into Groups
	Sub   int // index into the group's Fields
}

// Metrics lists every metric column in line order. Batch.Cols and the Arrow
// schema's metric columns use the same order.
var Metrics = flatten()

// GroupStart[g] is the index in Metrics of group g's first sub-field.
var GroupStart = groupStarts()

func flatten() []Metric {
	var ms []Metric
	for g, grp := range Groups {
		for s, f := range grp.Fields {
			ms = append(ms, Metric{Field: f, Group: g, Sub: s})
		}
	}
	return ms
}

func groupStarts() []int {
	starts := make([]int, len(Groups)+1)
	n := 0
	for g, grp := range Groups {
		starts[g] = n
		n += len(grp.Fields)
	}
	starts[len(Groups)] = n
	return starts
}

// MetricIndex returns the index in Metrics of the column called name, or -1.
func MetricIndex(name string) int {
	for i, m := range Metrics {
		if m.Name == name {
			return i
		}
	}
	return -1
}

// MustMetric is MetricIndex for names known at compile time; it panics on a
// name that is not in the catalogue.
func MustMetric(name string) int {
	i := MetricIndex(name)
	if i < 0 {
		panic("columnar: no metric column " + strconv.Quote(name))
	}
	return i
}
