package htmlreport

import (
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/resreport/resreport/agg"
	"github.com/resreport/resreport/columnar"
)

// Synthesized hosts: the agg.HostResult a host of a large run would have,
// made directly instead of by parsing gigabytes of lines, with the shapes
// of real series: a daily wave, random walks, noise on every sample,
// single-sample spikes, queue bursts, rates that dip, bins where a metric
// has no value, hosts that start late, stop early or pause, and a restart
// that drops memory and objects.

type synthOptions struct {
	hosts    int
	bins     int   // bins from base
	samples  int   // samples per bin
	interval int64 // bin width, µs
}

var synthBase = func() int64 {
	b, _ := columnar.ParseTimestamp([]byte("2026-05-06T22:00:00"))
	return b
}()

// synthViews makes the views of o.hosts synthesized hosts, one
// HostResult at a time per core, as the pipeline will.
func synthViews(t testing.TB, o synthOptions) []HostView {
	t.Helper()
	views := make([]HostView, o.hosts)
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for h := range views {
		g.Go(func() error {
			hr := synthHost(h, o)
			views[h] = NewHostView(&hr, o.interval)
			return nil
		})
	}
	g.Wait() //nolint:errcheck // the jobs return no error
	return views
}

// synthHost makes host h.
func synthHost(h int, o synthOptions) agg.HostResult {
	r := rand.New(rand.NewPCG(uint64(h), 99))
	first, last := 0, o.bins
	if h%29 == 3 {
		first = o.bins / 10 // starts late
	}
	if h%31 == 7 {
		last = o.bins * 85 / 100 // stops early
	}
	pause := -1
	if h%17 == 5 {
		pause = o.bins / 3 // a 40-bin pause
	}
	restart := -1
	if h%50 == 2 {
		restart = o.bins / 2
	}
	hr := agg.HostResult{Name: synthName(h), Pods: []string{synthPod(h)}, Metrics: make([]agg.MinMaxAvg, len(agg.HostMetrics))}
	nb := 0
	for b := first; b < last; b++ {
		if b < pause || b >= pause+40 {
			nb++
		}
	}
	for j := range hr.Metrics {
		v := make([]float64, 3*nb)
		hr.Metrics[j] = agg.MinMaxAvg{Avg: v[:nb:nb], Max: v[nb : 2*nb : 2*nb], Min: v[2*nb:]}
	}
	hr.Bins, hr.Start, hr.Samples = make([]int, 0, nb), make([]int64, 0, nb), make([]int64, 0, nb)
	hr.HitRate = make(agg.Series, 0, nb)
	s := newSynthState(h, r)
	step := o.interval / int64(o.samples)
	vals := make([]float64, len(agg.HostMetrics))
	sum := make([]float64, len(agg.HostMetrics))
	cnt := make([]int, len(agg.HostMetrics))
	i := 0
	for b := first; b < last; b++ {
		if b >= pause && b < pause+40 {
			continue
		}
		if b == restart {
			s.restart()
			hr.Resets = append(hr.Resets, b)
		}
		hr.Bins = append(hr.Bins, b)
		hr.Start = append(hr.Start, synthBase+int64(b)*o.interval)
		hr.Samples = append(hr.Samples, int64(o.samples))
		for j := range sum {
			sum[j], cnt[j] = 0, 0
			hr.Metrics[j].Max[i], hr.Metrics[j].Min[i] = math.NaN(), math.NaN()
		}
		for k := 0; k < o.samples; k++ {
			s.sample(float64(int64(b)*o.interval+int64(k)*step)/1e6, vals)
			for j, v := range vals {
				if math.IsNaN(v) {
					continue
				}
				m := &hr.Metrics[j]
				if cnt[j] == 0 || v > m.Max[i] {
					m.Max[i] = v
				}
				if cnt[j] == 0 || v < m.Min[i] {
					m.Min[i] = v
				}
				sum[j] += v
				cnt[j]++
			}
		}
		for j := range sum {
			hr.Metrics[j].Avg[i] = math.NaN()
			if cnt[j] > 0 {
				hr.Metrics[j].Avg[i] = sum[j] / float64(cnt[j])
			}
		}
		hit := math.NaN()
		if i > 0 {
			hit = min(1, 0.992+r.NormFloat64()*0.003)
			if r.IntN(400) == 0 {
				hit = 0.9 // a burst of misses
			}
		}
		hr.HitRate = append(hr.HitRate, hit)
		i++
	}
	return hr
}

func synthName(h int) string { return "10.1." + strconv.Itoa(h/250) + "." + strconv.Itoa(h%250+1) }
func synthPod(h int) string  { return "kvworker-" + strconv.Itoa(h%40) + "-" + strconv.Itoa(h) }

// synthState is one host's worker as it runs.
type synthState struct {
	h          int
	r          *rand.Rand
	limit      float64
	walk       float64 // memory ratio drift
	objects    float64
	phase      float64
	metric     []func(t float64) float64 // per agg.HostMetrics entry
	usage      float64                   // this sample's memory usage
	ratio      float64
	poolUsage  [5]float64
	waitBurst  int
	successDip bool
}

func newSynthState(h int, r *rand.Rand) *synthState {
	s := &synthState{h: h, r: r, limit: 32 << 30, objects: 1e5 + float64(h)*1000, phase: float64(h) * 0.7}
	if h%4 == 3 {
		s.limit = 64 << 30
	}
	totals := [5]float64{32, 16, 8, 16, 16}
	pools := []string{"worker_oc_service_thread", "worker_worker_oc_thread", "master_worker_oc_thread", "master_oc_service_thread", "master_async_tasks_thread"}
	s.metric = make([]func(float64) float64, len(agg.HostMetrics))
	for j, name := range agg.HostMetrics {
		var f func(float64) float64
		switch name {
		case "shm_memory_usage":
			f = func(float64) float64 { return s.usage }
		case "shm_share_mem_ratio":
			f = func(float64) float64 { return math.Round(s.ratio*1000) / 1000 }
		case "object_count":
			f = func(float64) float64 { return math.Round(s.objects + s.r.NormFloat64()*300) }
		case "object_size":
			f = func(float64) float64 { return math.Round(s.usage * 0.9) }
		case "shm_total_limit":
			f = func(float64) float64 { return s.limit }
		case "active_client_count":
			f = func(float64) float64 { return max(0, math.Round(float64(10+h%5)+s.r.NormFloat64())) }
		case "etcd_queue_current_size":
			f = func(float64) float64 { return s.master(math.Round(50 + s.r.NormFloat64()*10)) }
		case "etcd_queue_limit":
			f = func(float64) float64 { return s.master(80000) }
		case "etcd_request_success_rate":
			f = func(float64) float64 {
				switch {
				case h%3 == 1 && s.r.IntN(6) == 0:
					return math.NaN() // no request in the interval
				case s.successDip:
					return 0.985
				}
				return 1
			}
		case "obs_request_success_rate":
			f = func(float64) float64 {
				if h%2 == 1 {
					return math.NaN() // no OBS on this host
				}
				return 1
			}
		}
		for p, pool := range pools {
			total := totals[p]
			switch name {
			case pool + "_usage":
				f = func(float64) float64 { return s.pool(p, math.Round(s.poolUsage[p]*1000)/1000) }
			case pool + "_max_waiting":
				f = func(float64) float64 {
					if s.waitBurst > 0 && p < 2 {
						return float64(1 + s.r.IntN(8))
					}
					return 0
				}
			case pool + "_max_running":
				f = func(float64) float64 { return s.pool(p, math.Round(s.poolUsage[p]*total)) }
			case pool + "_total":
				f = func(float64) float64 { return s.pool(p, total) }
			}
		}
		if f == nil {
			panic("synth: no model for " + name)
		}
		s.metric[j] = f
	}
	return s
}

// master is v on the master (host 0) and 0 elsewhere, as workers print.
func (s *synthState) master(v float64) float64 {
	if s.h == 0 {
		return v
	}
	return 0
}

// pool is v for pool p where it runs: the worker pools everywhere, the
// master pools on the master.
func (s *synthState) pool(p int, v float64) float64 {
	if p < 2 {
		return v
	}
	return s.master(v)
}

func (s *synthState) restart() {
	s.walk, s.objects = -0.25, 1000
}

// sample advances the worker to t seconds and writes every metric.
func (s *synthState) sample(t float64, vals []float64) {
	r := s.r
	s.walk = min(0.3, max(-0.3, s.walk+r.NormFloat64()*0.002))
	s.ratio = 0.3 + 0.4*float64(s.h%10)/10 + 0.1*math.Sin(2*math.Pi*t/86400+s.phase) + s.walk + r.NormFloat64()*0.005
	if r.IntN(20000) == 0 {
		s.ratio += 0.3 // a spike
	}
	s.ratio = min(0.99, max(0.01, s.ratio))
	s.usage = math.Round(s.ratio * s.limit)
	s.objects += 0.5 + r.NormFloat64()*20
	for p := range s.poolUsage {
		u := 0.35 + 0.2*math.Sin(2*math.Pi*t/3600+s.phase+float64(p)) + r.NormFloat64()*0.05
		if r.IntN(5000) == 0 {
			u = 1
		}
		s.poolUsage[p] = min(1, max(0, u))
	}
	if s.waitBurst > 0 {
		s.waitBurst--
	} else if r.IntN(3000) == 0 {
		s.waitBurst = 1 + r.IntN(30)
	}
	s.successDip = r.IntN(2000) == 0
	for j, f := range s.metric {
		vals[j] = f(t)
	}
}

// synthCluster is the cluster result of a small generated run over the
// same bins (every chart has data), without per-host results: the
// synthesized views stand for the hosts.
func synthCluster(t testing.TB, o synthOptions) *agg.Result {
	t.Helper()
	minutes := int(int64(o.bins) * o.interval / 60e6)
	step := max(60, int(o.interval/1e6))
	r, _ := aggregate(t, generate(genOptions{hosts: 4, minutes: minutes, stepSec: step}), o.interval/1000)
	r.Hosts = nil
	return r
}
