// Package loggen writes deterministic, realistic KVCache worker resource
// logs: the benchmarks' input, the tests' fixtures and `resreport gen`.
// The same options and seed give byte-identical text.
package loggen

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/klauspost/compress/gzip"
)

// Options describe a data set.
type Options struct {
	Hosts        int           // number of hosts (>= 1)
	LinesPerHost int           // records per host
	Start        time.Time     // first timestamp (wall-clock fields are used as is; default 2026-05-06T00:00:00)
	Period       time.Duration // sampling period (default 5s)
	Layout       int           // 1: DIR/<host>/logs/, 2: DIR/<wrapper>/<host>/logs/, 3: DIR/ (one host)
	Gzip         bool          // compress rotated files (.log.gz); the live resource.log stays plain
	RotateLines  int           // rotate every RotateLines records (0: one file per host)
	Groups       []int         // group counts, host i gets Groups[i%len]; default {25}
	Seed         uint64
	HostNames    func(i int) string // default "10.<a>.<b>.<c>"

	EmptyStreamCount  bool // print STREAM_COUNT empty on every line
	EmptySCLocalCache bool // print SC_LOCAL_CACHE empty on every line

	// Noise adds the small imperfections of production logs; the zero
	// value adds none.
	Noise Noise

	// Realistic draws the values that are uniform noise by default from
	// the distributions of production logs instead (see realism.go):
	// large, growing counters, slowly moving gauges, ratios with three or
	// four decimals. The benchmarks use it; the fixtures do not.
	Realistic bool

	// NoTrailingPipe ends each line with its last group, without the
	// emitter's trailing " |" (the reference script's docstring format).
	NoTrailingPipe bool

	// Anomalies planted for the findings tests; nil for clean data.
	Anomalies []Anomaly
}

// Noise describes ordinary noise: what a healthy cluster's logs show now
// and then. It draws from its own random source, so options without noise
// give the same bytes as before noise existed.
type Noise struct {
	// SuccessDips is the share of printed ETCD and OBS success rates
	// below 1.0 (uniform in 0.900–0.999), e.g. 0.005.
	SuccessDips float64
	// QueueBlips is the share of thread-pool samples whose peak queue is
	// 1–3 tasks instead of 0, e.g. 0.02.
	QueueBlips float64
}

func (n Noise) on() bool { return n.SuccessDips > 0 || n.QueueBlips > 0 }

// Anomaly plants one problem on one host (or, with Host AllHosts, on
// every host) from record From on, for Records records (0: to the end).
type Anomaly struct {
	Kind    AnomalyKind
	Host    int
	From    int
	Records int
}

// AllHosts as Anomaly.Host plants the anomaly on every host.
const AllHosts = -1

// AnomalyKind names a planted problem.
type AnomalyKind int

const (
	// Leak makes memory usage and object count rise steadily.
	Leak AnomalyKind = iota + 1
	// QueueBuildUp makes the client-service thread pool queue tasks at full utilization.
	QueueBuildUp
	// EtcdOutage makes ETCD requests fail and the ETCD queue fill.
	EtcdOutage
	// Restart restarts the worker: new PID, counters from zero.
	Restart
	// Silent stops the host's records: it writes nothing from From on, for
	// Records records (an outage of Records sampling periods) or, with
	// Records 0, to the end (the host stopped).
	Silent
	// MissSurge multiplies the host's cache misses by 20 (about 4% of the
	// requests instead of 0.2%); with Host AllHosts a cluster-wide surge.
	MissSurge
)

// Stats describes what Generate wrote.
type Stats struct {
	Files int
	Lines int
	Bytes int64 // uncompressed
}

func (o *Options) defaults() {
	if o.Hosts <= 0 {
		o.Hosts = 1
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2026, 5, 6, 0, 0, 0, 0, time.UTC)
	}
	if o.Period <= 0 {
		o.Period = 5 * time.Second
	}
	if o.Layout == 0 {
		o.Layout = 1
	}
	if len(o.Groups) == 0 {
		o.Groups = []int{25}
	}
	if o.HostNames == nil {
		o.HostNames = func(i int) string { return fmt.Sprintf("10.%d.%d.%d", 1+i/62500, i/250%250, 1+i%250) }
	}
}

// HostDirName returns the name of host i's directory.
func (o Options) HostDirName(i int) string {
	o.defaults()
	return o.HostNames(i)
}

// HostDir returns the directory of host i's logs under dir.
func (o Options) HostDir(dir string, i int) string {
	o.defaults()
	switch o.Layout {
	case 2:
		return filepath.Join(dir, "kvcache_logs_"+o.Start.Format("20060102"), o.HostNames(i), "logs")
	case 3:
		return dir
	}
	return filepath.Join(dir, o.HostNames(i), "logs")
}

// Generate writes the data set under dir.
func Generate(dir string, o Options) (Stats, error) {
	o.defaults()
	if o.Layout == 3 && o.Hosts != 1 {
		return Stats{}, fmt.Errorf("layout 3 holds one host, got %d", o.Hosts)
	}
	for _, g := range o.Groups {
		if g != 21 && g != 22 && g != 24 && g != 25 {
			return Stats{}, fmt.Errorf("group count %d: want 21, 22, 24 or 25", g)
		}
	}
	var st Stats
	for h := 0; h < o.Hosts; h++ {
		if err := writeHost(dir, &o, h, &st); err != nil {
			return st, err
		}
	}
	return st, nil
}

// writeHost writes host h's files: rotated ones first, resource.log last.
func writeHost(dir string, o *Options, h int, st *Stats) error {
	hd := o.HostDir(dir, h)
	if err := os.MkdirAll(hd, 0o755); err != nil {
		return err
	}
	g := NewHost(o, h)
	var out *fileOut
	var err error
	open := func(name string, gz bool) error {
		out, err = createOut(filepath.Join(hd, name), gz)
		return err
	}
	if err := open("resource.log.tmp", false); err != nil {
		return err
	}
	inFile := 0
	line := make([]byte, 0, 1024)
	for n := 0; n < o.LinesPerHost; n++ {
		l, ok := g.AppendLine(line[:0])
		line = l
		if !ok {
			continue // silent host
		}
		if _, err := out.w.Write(line); err != nil {
			return err
		}
		st.Lines++
		st.Bytes += int64(len(line))
		inFile++
		if o.RotateLines > 0 && inFile == o.RotateLines && n < o.LinesPerHost-1 {
			stamp := g.Now().Format("20060102150405")
			if err := out.rotate(filepath.Join(hd, "resource."+stamp+".log"), o.Gzip); err != nil {
				return err
			}
			st.Files++
			if err := open("resource.log.tmp", false); err != nil {
				return err
			}
			inFile = 0
		}
	}
	st.Files++
	return out.rotate(filepath.Join(hd, "resource.log"), false)
}

// fileOut is a buffered file being written under a temporary name.
type fileOut struct {
	path string
	f    *os.File
	w    *bufio.Writer
}

func createOut(path string, _ bool) (*fileOut, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &fileOut{path: path, f: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

// rotate closes the file and renames it to final, compressing it first
// when gz is set (final gets ".gz").
func (o *fileOut) rotate(final string, gz bool) error {
	if err := o.w.Flush(); err != nil {
		return err
	}
	if err := o.f.Close(); err != nil {
		return err
	}
	if !gz {
		return os.Rename(o.path, final)
	}
	if err := gzipFile(o.path, final+".gz"); err != nil {
		return err
	}
	return os.Remove(o.path)
}

func gzipFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	zw, err := gzip.NewWriterLevel(out, gzip.DefaultCompression)
	if err != nil {
		out.Close()
		return err
	}
	zw.ModTime = time.Time{} // deterministic bytes
	if _, err := io.Copy(zw, bufio.NewReaderSize(in, 1<<20)); err != nil {
		out.Close()
		return err
	}
	if err := zw.Close(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// Host generates one host's lines in time order.
type Host struct {
	o      *Options
	idx    int
	groups int
	rng    *rand.Rand
	n      int // records generated so far
	pid    int
	tid    int
	trace  string
	pod    string
	master bool

	limit    int64
	memBase  float64
	objBase  float64
	mem      float64
	objects  float64
	objSize  float64
	oc       [5]int64
	anomaly  map[AnomalyKind]Anomaly
	restarts int
	noise    *rand.Rand // nil without Options.Noise
	real     *realism   // nil without Options.Realistic
}

// NewHost returns the generator of host h.
func NewHost(o *Options, h int) *Host {
	o.defaults()
	rng := rand.New(rand.NewPCG(o.Seed, uint64(h)*0x9e3779b97f4a7c15+1))
	g := &Host{
		o: o, idx: h, groups: o.Groups[h%len(o.Groups)], rng: rng,
		pid: 9 + rng.IntN(90000), tid: 100 + rng.IntN(900),
		trace:  fmt.Sprintf("%08x-%04x-4%03x-9%03x-%012x", rng.Uint32(), rng.IntN(1<<16), rng.IntN(1<<12), rng.IntN(1<<12), rng.Uint64()&(1<<48-1)),
		pod:    fmt.Sprintf("searchgenrecallkvworker-%d-%05d", 20+h%8, h+1),
		master: h%4 == 0,
		limit:  int64(96+rng.IntN(4)*16) << 30,
	}
	g.mem = float64(g.limit) * (0.25 + 0.2*rng.Float64())
	g.objects = 150000 + 50000*rng.Float64()
	g.memBase, g.objBase = g.mem, g.objects
	g.objSize = g.mem * 0.95
	g.anomaly = map[AnomalyKind]Anomaly{}
	for _, a := range o.Anomalies {
		if a.Host == h || a.Host == AllHosts {
			g.anomaly[a.Kind] = a
		}
	}
	if o.Noise.on() {
		g.noise = rand.New(rand.NewPCG(o.Seed^0x6e6f697365, uint64(h)+1))
	}
	if o.Realistic {
		g.real = newRealism(o.Seed, h)
		g.oc = g.real.counters()
	}
	return g
}

// Now returns the timestamp of the last generated record.
func (g *Host) Now() time.Time { return g.at(g.n - 1) }

func (g *Host) at(n int) time.Time {
	return g.o.Start.Add(time.Duration(n)*g.o.Period + time.Duration(g.idx%50)*7*time.Millisecond +
		time.Duration((n*7919+g.idx*104729)%997)*time.Microsecond)
}

func (g *Host) active(k AnomalyKind) bool {
	a, ok := g.anomaly[k]
	return ok && g.n >= a.From && (a.Records == 0 || g.n < a.From+a.Records)
}

// AppendLine appends the host's next line (with '\n') to dst. ok is false
// when the host is silent at this record (no line).
func (g *Host) AppendLine(dst []byte) (line []byte, ok bool) {
	defer func() { g.n++ }()
	if g.active(Silent) {
		return dst, false
	}
	if a, has := g.anomaly[Restart]; has && g.n == a.From {
		g.pid += 1000 + g.rng.IntN(1000)
		g.oc = [5]int64{}
		g.restarts++
	}
	r := g.rng
	ts := g.at(g.n)
	// drift gauges smoothly
	// gauges wander around a base level (mean-reverting), as a steady
	// cache does; a planted leak pushes them up
	g.mem += (r.Float64()-0.5)*0.002*float64(g.limit) - 0.02*(g.mem-g.memBase)
	g.objects += -0.02 * (g.objects - g.objBase)
	ceiling := 0.55
	if g.active(Leak) {
		ceiling = 0.97
		g.memBase += 0.0015 * float64(g.limit)
		g.objBase += 300
	}
	g.mem = math.Min(math.Max(g.mem, 0.2*float64(g.limit)), ceiling*float64(g.limit))
	g.objects = math.Max(1000, g.objects+(r.Float64()-0.5)*400)
	g.objSize = g.mem * (0.9 + 0.05*r.Float64())
	reqs := int64(800 + r.IntN(800))
	miss := reqs / int64(400+r.IntN(400)) // ~0.2% misses
	if g.active(MissSurge) {
		miss *= 20
	}
	g.oc[0] += reqs - miss - reqs/20
	g.oc[1] += int64(r.IntN(3))
	g.oc[2] += 0
	g.oc[3] += reqs / 20
	g.oc[4] += miss

	b := dst
	b = appendTS(b, ts)
	b = append(b, " | I | res_metric_collector.cpp:114 | "...)
	b = append(b, g.pod...)
	b = append(b, " | "...)
	b = strconv.AppendInt(b, int64(g.pid), 10)
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(g.tid), 10)
	b = append(b, " | "...)
	b = append(b, g.trace...)
	b = append(b, " | model_kvcache_record | "...)

	mem := int64(g.mem)
	// 1 SHARED_MEMORY
	phys, scMem := mem+int64(r.IntN(1<<26)), int64(r.IntN(1<<30))
	spill := int64(r.IntN(1 << 32))
	if g.real != nil {
		phys, scMem, spill = g.real.physical(mem), g.real.scMem.next(g.real.rng), g.real.spill.next(g.real.rng)
	}
	b = intsRatio(b, float64(mem)/float64(g.limit), mem, phys, g.limit)
	b = append(b, '/')
	b = ints(b, scMem, 8<<30)
	b = sep(b)
	// 2 SPILL_HARD_DISK
	b = intsRatio(b, float64(spill)/float64(500<<30), spill, spill+int64(r.IntN(1<<20)), 500<<30)
	b = sep(b)
	// 3 ACTIVE_CLIENT_COUNT, 4 OBJECT_COUNT, 5 OBJECT_SIZE
	b = strconv.AppendInt(b, int64(40+r.IntN(24)), 10)
	b = sep(b)
	b = strconv.AppendInt(b, int64(g.objects), 10)
	b = sep(b)
	b = strconv.AppendInt(b, int64(g.objSize), 10)
	b = sep(b)
	// 6-9 object-cache thread pools
	queue := g.active(QueueBuildUp)
	b = g.pool(b, 64, 0.15, queue)
	b = g.pool(b, 32, 0.08, false)
	b = g.pool(b, 16, 0.03, false)
	b = g.pool(b, 16, 0.04, false)
	// 10 ETCD_QUEUE, 11 ETCD rate, 12 OBS rate
	outage := g.active(EtcdOutage)
	switch {
	case outage:
		q := int64(50000 + r.IntN(30000))
		b = intsRatio(b, float64(q)/80000, q, 80000)
	case g.master:
		q := int64(r.IntN(40))
		b = intsRatio(b, float64(q)/80000, q, 80000)
	default:
		b = append(b, "0/0/0"...)
	}
	b = sep(b)
	switch {
	case outage:
		b = ratio(b, 0.5+0.3*r.Float64())
	case r.IntN(10) > 0:
		b = g.successRate(b)
	}
	b = sep(b)
	if r.IntN(3) > 0 {
		b = g.successRate(b)
	}
	b = sep(b)
	// 13 MASTER_ASYNC_TASKS_THREAD
	if g.master {
		b = g.pool(b, 8, 0.05, false)
	} else {
		b = append(b, "0/0/0/0/0"...)
		b = sep(b)
	}
	// 14 STREAM_COUNT
	if !g.o.EmptyStreamCount {
		b = strconv.AppendInt(b, int64(r.IntN(20)), 10)
	}
	b = sep(b)
	// 15-18 stream-cache thread pools: registered on every fourth host
	for k := 0; k < 4; k++ {
		if g.idx%4 == 1 {
			b = g.pool(b, 8, 0.02, false)
		} else {
			b = sep(b)
		}
	}
	// 19 STREAM_REMOTE_SEND_RATE
	if g.idx%4 == 1 {
		b = ratio(b, 0.99+0.01*r.Float64())
	}
	b = sep(b)
	// 20 SHARED_DISK
	disk := int64(r.IntN(1 << 34))
	if g.real != nil {
		disk = g.real.disk.next(g.real.rng)
	}
	b = intsRatio(b, float64(disk)/float64(int64(1)<<40), disk, disk+int64(r.IntN(1<<20)), 1<<40)
	b = sep(b)
	// 21 SC_LOCAL_CACHE
	if !g.o.EmptySCLocalCache {
		sc := int64(r.IntN(1 << 30))
		if g.real != nil {
			sc = g.real.scCache.next(g.real.rng)
		}
		b = intsRatio(b, float64(sc)/float64(int64(4)<<30), sc, 2<<30, 4<<30)
	}
	b = sep(b)
	if g.groups >= 22 { // 22 OC_HIT_NUM
		b = sep(ints(b, g.oc[:]...))
	}
	if g.groups >= 24 { // 23 BRPC_STREAM_LEAK_COUNT, 24 DEFERRED_CLEANUP_QUEUE_SIZE
		b = strconv.AppendInt(b, 0, 10)
		b = sep(b)
		b = strconv.AppendInt(b, int64(r.IntN(50)), 10)
		b = sep(b)
	}
	if g.groups >= 25 { // 25 SPILL_IO_STATS
		if g.real != nil {
			b = sep(g.real.spillIO(b))
		} else {
			for k := 0; k < 14; k++ {
				if k > 0 {
					b = append(b, '/')
				}
				if k%3 == 2 {
					b = ratio(b, r.Float64())
				} else {
					b = strconv.AppendInt(b, int64(r.IntN(1<<30)), 10)
				}
			}
			b = sep(b)
		}
	}
	// the emitter drops the last character: "… | " becomes "… |"; without
	// the trailing pipe the groups are joined by " | " (an empty last group
	// leaves "… | ")
	if g.o.NoTrailingPipe {
		b = b[:len(b)-3]
	} else {
		b = b[:len(b)-1]
	}
	return append(b, '\n'), true
}

// pool appends a thread pool group maxRunning/total/tasksDelta/maxWaiting/usage.
func (g *Host) pool(b []byte, total int, load float64, saturated bool) []byte {
	r := g.rng
	usage := load * (0.5 + r.Float64())
	running := int(float64(total)*usage) + r.IntN(3)
	waiting := 0
	if saturated {
		usage, running, waiting = 0.9+0.09*r.Float64(), total, 5+r.IntN(200)
	}
	running = min(running, total)
	if !saturated && running >= total {
		running = total - 1
	}
	if !saturated && g.noise != nil && g.noise.Float64() < g.o.Noise.QueueBlips {
		waiting = 1 + g.noise.IntN(3)
	}
	tasks := int64(r.IntN(5000))
	if g.real != nil {
		tasks = g.real.tasks(total, usage)
	}
	return sep(intsRatio(b, usage, int64(running), int64(total), tasks, int64(waiting)))
}

// successRate appends a healthy success rate: 1.000, or with noise now
// and then a dip.
func (g *Host) successRate(b []byte) []byte {
	if g.noise != nil && g.noise.Float64() < g.o.Noise.SuccessDips {
		return ratio(b, 0.9+0.099*g.noise.Float64())
	}
	return append(b, "1.000"...)
}

func sep(b []byte) []byte { return append(b, " | "...) }

// ints appends values separated by '/'.
func ints(b []byte, vs ...int64) []byte {
	for i, v := range vs {
		if i > 0 {
			b = append(b, '/')
		}
		b = strconv.AppendInt(b, v, 10)
	}
	return b
}

// intsRatio appends values and a ratio separated by '/'.
func intsRatio(b []byte, r float64, vs ...int64) []byte {
	b = append(ints(b, vs...), '/')
	return ratio(b, r)
}

// ratio appends v with three decimals, as the emitter's %.3f.
func ratio(b []byte, v float64) []byte { return strconv.AppendFloat(b, v, 'f', 3, 64) }

func appendTS(b []byte, t time.Time) []byte {
	b = t.AppendFormat(b, "2006-01-02T15:04:05.000000")
	return b
}
