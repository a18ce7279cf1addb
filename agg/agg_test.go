package agg

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/resreport/resreport/columnar"
)

// row is one sample for the tests.
type row struct {
	host int32
	ts   string
	pid  int64
	vals map[string]float64 // column name -> value; absent = null
}

func ts(t testing.TB, s string) int64 {
	v, ok := columnar.ParseTimestamp([]byte(s))
	if !ok {
		t.Fatalf("bad timestamp %q", s)
	}
	return v
}

func batchOf(t testing.TB, rows []row) *columnar.Batch {
	b := columnar.NewBatch()
	for i, r := range rows {
		b.Host[i] = r.host
		b.TS[i] = ts(t, r.ts)
		b.PID.SetInt(i, r.pid)
		b.Pod.Append([]byte("pod"))
		for name, v := range r.vals {
			c := &b.Cols[columnar.MustMetric(name)]
			if c.Kind == columnar.Int {
				c.SetInt(i, int64(v))
			} else {
				c.SetFloat(i, v)
			}
		}
		b.Len++
	}
	return b
}

func oc(mem, disk, l2, remote, miss float64) map[string]float64 {
	return map[string]float64{"oc_hit_mem": mem, "oc_hit_disk": disk, "oc_hit_l2": l2, "oc_hit_remote": remote, "oc_miss": miss}
}

func result(t testing.TB, intervalMS int64, hosts []string, parts ...[]row) *Result {
	var units [][]*columnar.Batch
	for _, rows := range parts {
		units = append(units, []*columnar.Batch{batchOf(t, rows)})
	}
	r, err := FromBatches(intervalMS, hosts, units)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

func TestBinner(t *testing.T) {
	f := func(ms int64, at, want string) {
		t.Helper()
		b, _ := NewBinner(ms)
		if got := columnar.FormatTimestamp(b.Bin(ts(t, at))); got != want {
			t.Errorf("interval %d: Bin(%s) = %s, want %s", ms, at, got, want)
		}
	}
	f(60000, "2026-05-06T22:30:05.123456", "2026-05-06T22:30:00")
	f(1000, "2026-05-06T22:30:05.999999", "2026-05-06T22:30:05")
	f(3600000, "2026-05-06T22:30:05", "2026-05-06T22:00:00")
	f(7*60000, "2026-05-06T00:06:59", "2026-05-06T00:00:00")
	f(7*60000, "2026-05-06T23:59:00", "2026-05-06T23:55:00") // aligned to midnight: last bin is short
	f(7*60000, "2026-05-07T00:01:00", "2026-05-07T00:00:00")
	f(2*86400000, "2026-05-07T13:00:00", "2026-05-07T00:00:00") // over a day: one bin per day
	f(1, "2026-05-06T22:30:05.123456", "2026-05-06T22:30:05.123000")
	if _, err := NewBinner(0); err == nil {
		t.Error("interval 0 accepted")
	}
}

func TestGauges(t *testing.T) {
	r := result(t, 60000, []string{"a", "b"}, []row{
		{0, "2026-05-06T22:00:01", 1, map[string]float64{"shm_memory_usage": 10, "shm_share_mem_ratio": 0.1}},
		{0, "2026-05-06T22:00:31", 1, map[string]float64{"shm_memory_usage": 20}}, // ratio null: skipped, not 0
		{1, "2026-05-06T22:00:02", 2, map[string]float64{"shm_memory_usage": 60, "shm_share_mem_ratio": 0.3}},
		{1, "2026-05-06T22:01:02", 2, map[string]float64{"shm_memory_usage": 5}},
	})
	if len(r.Bins) != 2 || r.HostCount[0] != 2 || r.HostCount[1] != 1 {
		t.Fatalf("bins %v host counts %v", r.Bins, r.HostCount)
	}
	mem := r.Gauge("shm_memory_usage")
	if !near(mem.Avg[0], 30) || mem.Max[0] != 60 || mem.Min[0] != 10 || mem.Avg[1] != 5 {
		t.Fatalf("mem %+v", mem)
	}
	ratio := r.Gauge("shm_share_mem_ratio")
	if !near(ratio.Avg[0], 0.2) || !math.IsNaN(ratio.Avg[1]) {
		t.Fatalf("ratio %+v (nulls must be skipped, and a bin without values is NaN)", ratio)
	}
	if h := r.Hosts[0].Metric("shm_memory_usage"); !near(h.Avg[0], 15) || len(r.Hosts[0].Bins) != 1 {
		t.Fatalf("host a %+v", h)
	}
	if got := r.Hosts[1].Bins; len(got) != 2 || got[0] != 0 || got[1] != 1 {
		t.Fatalf("host b bins %v", got)
	}
}

// TestCounterDeltas checks the OC_HIT_NUM semantics: last sample of each
// bin, delta to the host's previous bin with data, summed over hosts; a
// decrease or a new PID is a restart whose delta is the new value.
func TestCounterDeltas(t *testing.T) {
	rows := []row{
		// host 0: steady
		{0, "2026-05-06T22:00:10", 1, oc(100, 0, 0, 10, 10)},
		{0, "2026-05-06T22:00:50", 1, oc(200, 0, 0, 20, 20)}, // last of bin 0
		{0, "2026-05-06T22:01:50", 1, oc(290, 0, 0, 30, 30)}, // delta 90/10/10
		{0, "2026-05-06T22:03:05", 1, oc(390, 0, 0, 30, 30)}, // bin 3, previous with data = bin 1: delta 100/0/0
		// host 1: restarts in bin 2 (counters drop)
		{1, "2026-05-06T22:00:20", 7, oc(1000, 5, 0, 0, 100)},
		{1, "2026-05-06T22:01:20", 7, oc(1100, 5, 0, 0, 110)},
		{1, "2026-05-06T22:02:20", 7, oc(40, 0, 0, 0, 4)},
		// host 1: restarts in bin 3 with a new PID, counters happen to grow
		{1, "2026-05-06T22:03:20", 8, oc(50, 0, 0, 0, 5)},
	}
	// split across two partials in a mixed order: the merge must not care
	r := result(t, 60000, []string{"a", "b"}, rows[4:], rows[:4])
	if len(r.Bins) != 4 {
		t.Fatalf("bins %d", len(r.Bins))
	}
	sum := func(k int) []float64 { return r.OCSum[k] }
	if !math.IsNaN(sum(0)[0]) || !math.IsNaN(r.HitRate[0]) {
		t.Errorf("first bin has no previous sample: want null, got %v", sum(0)[0])
	}
	// bin 1: host a 90 mem, 10 remote, 10 miss; host b 100 mem, 10 miss
	if sum(0)[1] != 190 || sum(3)[1] != 10 || sum(4)[1] != 20 || r.OCHosts[1] != 2 || r.OCAvg[0][1] != 95 {
		t.Errorf("bin 1: mem %v remote %v miss %v hosts %v", sum(0)[1], sum(3)[1], sum(4)[1], r.OCHosts[1])
	}
	if !near(r.HitRate[1], 200.0/220) || r.TotalHits[1] != 200 || r.TotalRequests[1] != 220 {
		t.Errorf("bin 1 hit rate %v hits %v req %v", r.HitRate[1], r.TotalHits[1], r.TotalRequests[1])
	}
	// bin 2: only host b, reset: delta = new values 40/4 (the reference would clamp to 0)
	if sum(0)[2] != 40 || sum(4)[2] != 4 || r.OCHosts[2] != 1 {
		t.Errorf("bin 2 (reset): mem %v miss %v", sum(0)[2], sum(4)[2])
	}
	// bin 3: host a delta 100 over a gap; host b new PID: delta 50/5
	if sum(0)[3] != 150 || sum(4)[3] != 5 {
		t.Errorf("bin 3: mem %v miss %v", sum(0)[3], sum(4)[3])
	}
	b := r.Hosts[1]
	if len(b.Resets) != 2 || b.Resets[0] != 2 || b.Resets[1] != 3 {
		t.Errorf("resets %v", b.Resets)
	}
}

func TestJSONKeysAndNulls(t *testing.T) {
	r := result(t, 60000, []string{"h<1>"}, []row{
		{0, "2026-05-06T22:00:01", 1, map[string]float64{"shm_memory_usage": 10, "etcd_request_success_rate": 1}},
	})
	var buf bytes.Buffer
	if err := WriteJSON(&buf, &Document{Summary: map[string]int{"x": 1}, Result: r}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Summary map[string]int              `json:"summary"`
		Bins    []map[string]any            `json:"bins"`
		Hosts   map[string][]map[string]any `json:"hosts"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	bin := doc.Bins[0]
	for k, want := range map[string]any{"time": "2026-05-06T22:00:00", "host_count": 1.0, "mem_usage_avg": 10.0,
		"etcd_success_rate_min": 1.0, "obs_success_rate_avg": nil, "cache_hit_rate": nil, "total_hits": nil,
		"tp_worker_oc_maxWaiting_avg": nil, "worker_sc_service_thread_usage_max": nil} {
		if got, ok := bin[k]; !ok || got != want {
			t.Errorf("bin[%q] = %v (present %v), want %v", k, got, ok, want)
		}
	}
	hb := doc.Hosts["h<1>"][0]
	if hb["host"] != "h<1>" || hb["mem_usage_avg"] != 10.0 || hb["cache_hit_rate"] != nil {
		t.Errorf("host bin %v", hb)
	}
	if bytes.Contains(buf.Bytes(), []byte("<1>")) {
		t.Error("host name not escaped for HTML contexts")
	}
}

func TestAddAllocs(t *testing.T) {
	rows := make([]row, 0, 600)
	for i := 0; i < 600; i++ {
		rows = append(rows, row{int32(i % 3), "2026-05-06T22:00:00", 1, map[string]float64{"shm_memory_usage": float64(i), "oc_hit_mem": float64(i),
			"oc_hit_disk": 0, "oc_hit_l2": 0, "oc_hit_remote": 0, "oc_miss": 1, "worker_oc_service_thread_usage": 0.5}})
	}
	var b columnar.View
	batchOf(t, rows).View(&b)
	binner, _ := NewBinner(60000)
	p := NewPartial(binner)
	p.Add(&b) // first call creates the bins
	if allocs := testing.AllocsPerRun(100, func() { p.Add(&b) }); allocs != 0 {
		t.Fatalf("Partial.Add: %v allocations per call, want 0", allocs)
	}
}

func BenchmarkAdd(b *testing.B) {
	rows := make([]row, columnar.BatchRows)
	for i := range rows {
		vals := map[string]float64{}
		for _, m := range columnar.Metrics {
			vals[m.Name] = float64(i % 97)
		}
		rows[i] = row{int32(i / 1024), "2026-05-06T22:00:00", 1, vals}
	}
	batch := batchOf(b, rows)
	for i := range rows {
		batch.TS[i] += int64(i) * 5e6 / 20 // 4096 samples over ~17 minutes
	}
	binner, _ := NewBinner(60000)
	p := NewPartial(binner)
	var v columnar.View
	batch.View(&v)
	b.SetBytes(int64(batch.Len) * 680) // as many bytes as the lines it came from
	b.ReportAllocs()
	for b.Loop() {
		p.Add(&v)
	}
}

// TestRunStats checks the run kernels against a plain loop: ints (small
// and near overflow), floats, runs of odd and even length, with and
// without nulls.
func TestRunStats(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	b := columnar.NewBatch()
	c := &b.Cols[0]
	c.Ints, c.Floats = make([]int64, columnar.BatchRows), make([]float64, columnar.BatchRows)
	for iter := 0; iter < 2000; iter++ {
		kind := columnar.Int
		if iter%2 == 1 {
			kind = columnar.Float
		}
		b.Len = columnar.BatchRows
		b.Reset()
		c.Kind = kind
		n := 1 + r.IntN(40)
		start := r.IntN(20)
		scale := int64(1000)
		if iter%7 == 0 {
			scale = 1 << 61 // sums overflow int64
		}
		for i := start; i < start+n; i++ {
			if iter%3 == 0 && r.IntN(4) == 0 {
				continue // null
			}
			if kind == columnar.Int {
				c.SetInt(i, r.Int64N(2*scale)-scale)
			} else {
				c.SetFloat(i, (r.Float64()-0.5)*float64(scale))
			}
		}
		var wc int32
		var ws, wabs float64
		wmx, wmn := math.Inf(-1), math.Inf(1)
		for i := start; i < start+n; i++ {
			if !c.IsValid(i) {
				continue
			}
			v := c.Float(i)
			wc++
			ws += v
			wabs += math.Abs(v)
			wmx, wmn = max(wmx, v), min(wmn, v)
		}
		cv := columnar.ColumnView{Valid: c.Valid}
		if kind == columnar.Int {
			cv.Ints = c.Ints
		} else {
			cv.Floats = c.Floats
		}
		gc, gs, gmx, gmn := runStats(&cv, start, start+n)
		if gc != wc || (wc > 0 && (gmx != wmx || gmn != wmn || math.Abs(gs-ws) > 1e-12*wabs)) {
			t.Fatalf("iter %d: runStats = %d %v %v %v, want %d %v %v %v", iter, gc, gs, gmx, gmn, wc, ws, wmx, wmn)
		}
	}
}

func TestAllValid(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	valid := make([]byte, 64)
	for iter := 0; iter < 5000; iter++ {
		for i := range valid {
			valid[i] = 0xff
		}
		if r.IntN(2) == 0 {
			bit := r.IntN(512)
			valid[bit>>3] &^= 1 << (bit & 7)
		}
		start := r.IntN(300)
		end := start + 1 + r.IntN(512-start)
		want := true
		for i := start; i < end; i++ {
			if valid[i>>3]&(1<<(i&7)) == 0 {
				want = false
			}
		}
		if got := allValid(valid, start, end); got != want {
			t.Fatalf("allValid(%d, %d) = %v, want %v", start, end, got, want)
		}
	}
}

func TestDensity(t *testing.T) {
	for _, c := range []struct {
		nulls, n int
		want     uint8
	}{{0, 0, noneValid}, {500, 500, noneValid}, {499, 500, someValid}, {1, 100, someValid}, {0, 300, allRowsValid}} {
		if got := density(&columnar.ColumnView{Nulls: c.nulls}, c.n); got != c.want {
			t.Errorf("density(%d nulls of %d) = %d, want %d", c.nulls, c.n, got, c.want)
		}
	}
}
