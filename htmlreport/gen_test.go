package htmlreport

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/resreport/resreport/agg"
	"github.com/resreport/resreport/columnar"
	"github.com/resreport/resreport/scan"
)

// Test data: resource-log lines made the way the worker prints them (see the
// reference README), with the awkward cases real logs have: hosts that stop
// logging for a while, a worker restart (counters fall), groups printed
// empty, nan, older and newer worker versions, junk lines, and a hostile
// host directory and worker id.

const (
	evilHost = `<img src=x onerror=alert(1)>`
	evilPod  = `kvworker-</script><script>alert(2)</script>`
)

type genOptions struct {
	hosts    int
	minutes  int
	stepSec  int   // sampling period
	interval int64 // bin width, ms
	evil     bool  // host 1 gets evilHost and evilPod
}

type dataset struct {
	hosts []string
	lines [][]string // per host, in time order, junk included
	open  []bool     // per host: the last line has no newline (a file being written)
}

func generate(o genOptions) *dataset {
	ds := &dataset{}
	base, _ := columnar.ParseTimestamp([]byte("2026-05-06T22:00:00"))
	for h := 0; h < o.hosts; h++ {
		name := fmt.Sprintf("10.0.%d.%d", h/250, h%250+1)
		pod := fmt.Sprintf("searchgenrecallkvworker-%d-%05d", h%40, h)
		if o.evil && h == 1 {
			name, pod = evilHost, evilPod
		}
		ds.hosts = append(ds.hosts, name)
		var lines []string
		groups := []int{22, 22, 24, 25, 21}[h%5]
		var oc [5]int64
		pid := 9
		for t := 0; t < o.minutes*60; t += o.stepSec {
			minute := t / 60
			if h == 3 && minute >= 20 && minute < 35 {
				continue // host 3 stops logging for 15 minutes
			}
			if h == 2 && minute == o.minutes/2 && t%60 == 0 {
				oc, pid = [5]int64{}, pid+1 // host 2 restarts
			}
			ts := base + int64(t)*1_000_000 + int64(h%7)*123_456
			lines = append(lines, genLine(h, t, ts, pod, pid, groups, &oc))
			if h == 0 && t%600 == 0 {
				lines = append(lines, "", "garbage line", strings.Replace(lines[len(lines)-1], columnar.FormatTimestamp(ts)[:19], columnar.FormatTimestamp(ts)[:19]+"Z", 1))
			}
		}
		ds.lines = append(ds.lines, lines)
	}
	return ds
}

func genLine(h, t int, ts int64, pod string, pid, groups int, oc *[5]int64) string {
	w := 2 * math.Pi * float64(t) / 3600
	ph := float64(h) * 0.7
	wave := func(amp, off float64) float64 { return off + amp*math.Sin(w+ph) }
	limit := int64(32) << 30
	if h%4 == 3 {
		limit = 64 << 30
	}
	ratio := math.Min(0.95, wave(0.15, 0.35+0.4*float64(h%10)/10))
	usage := int64(ratio * float64(limit))
	var g []string
	add := func(format string, a ...any) { g = append(g, sprintf(format, a...)) }
	add("%d/%d/%d/%.3f/%d/%d", usage, usage+usage/50, limit, ratio, usage/20, limit/8)
	add("%d/%d/%d/%.3f", int64(wave(2e9, 3e9)), int64(wave(2e9, 3.2e9)), int64(100)<<30, wave(0.02, 0.03))
	add("%d", int(wave(4, 12))+h%5)
	add("%d", 100000+h*1000+t*3+int(wave(5000, 0)))
	add("%d", usage-usage/10)
	running := int(wave(6, 16))
	waiting := 0
	if (t/60+h)%17 == 0 {
		waiting = 3 + h%4
	}
	add("%d/32/%d/%d/%.3f", running, int(wave(300, 900)), waiting, float64(running)/32)
	add("%d/16/%d/0/%.3f", running/2, int(wave(100, 200)), float64(running)/64)
	if h == 0 { // the master
		add("4/8/%d/0/%.3f", int(wave(10, 30)), wave(0.1, 0.4))
		add("6/16/%d/%d/%.3f", int(wave(40, 120)), waiting/2, wave(0.1, 0.3))
		add("%d/80000/%.3f", int(wave(50, 60)), wave(50, 60)/80000)
	} else {
		add("0/0/0/0/0.000")
		add("0/0/0/0/0.000")
		add("0/0/0")
	}
	if t%300 == 0 && h%3 == 1 {
		add("") // no ETCD request in the interval
	} else if (t/60+h)%23 == 0 {
		add("0.985")
	} else {
		add("1.000")
	}
	if h%2 == 0 {
		add("1.000")
	} else {
		add("")
	}
	if h == 0 {
		add("2/4/%d/0/%.3f", int(wave(5, 10)), wave(0.2, 0.4))
	} else {
		add("0/0/0/0/0.000")
	}
	add("%d", int(wave(20, 50)))
	for p := 0; p < 4; p++ {
		if h%3 == 2 {
			add("") // the pool has no threads
		} else {
			add("%d/8/%d/0/%.3f", int(wave(2, 3)), int(wave(20, 40)), wave(0.1, 0.3))
		}
	}
	add("%.3f", math.Min(1, wave(0.02, 0.99)))
	add("%d/%d/%d/%.3f", int64(wave(5e9, 2e10)), int64(wave(5e9, 2.1e10)), int64(200)<<30, wave(5e9, 2e10)/float64(int64(200)<<30))
	if h%6 == 5 {
		add("0/0/0/nan") // SC_LOCAL_CACHE without a limit
	} else {
		add("%d/%d/%d/%.3f", int64(wave(1e8, 4e8)), int64(5e8), int64(1)<<30, wave(1e8, 4e8)/float64(int64(1)<<30))
	}
	if groups >= 22 {
		step := int64(1000 + h*10 + int(wave(400, 0)))
		oc[0] += step
		oc[1] += step / 50
		oc[2] += step / 100
		oc[3] += step / 20
		oc[4] += step/200 + int64((t/60+h)%11)
		add("%d/%d/%d/%d/%d", oc[0], oc[1], oc[2], oc[3], oc[4])
	}
	if groups >= 24 {
		add("%d", t/1200)
		add("%d", int(wave(30, 40)))
	}
	if groups >= 25 {
		f := make([]string, 14)
		for i := range f {
			f[i] = fmt.Sprint(i * t)
		}
		add("%s", strings.Join(f, "/"))
	}
	return columnar.FormatTimestamp(ts) + " | I | res_metric_collector.cpp:114 | " + pod + " | " + strconv.Itoa(pid) +
		":177 | 0b6c0e8e-6f1a-4c1e-9d55-2f0c5b7e3a21 | model_kvcache_record | " + strings.Join(g, " | ") + " |"
}

// sprintf is the subset of fmt.Sprintf genLine needs (%d of int or int64,
// %.3f, %s), several times faster, for the large data sets.
func sprintf(format string, a ...any) string {
	b := make([]byte, 0, 64)
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b = append(b, c)
			continue
		}
		arg := a[0]
		a = a[1:]
		switch {
		case strings.HasPrefix(format[i:], "%d"):
			switch v := arg.(type) {
			case int:
				b = strconv.AppendInt(b, int64(v), 10)
			case int64:
				b = strconv.AppendInt(b, v, 10)
			default:
				panic(fmt.Sprintf("sprintf: %%d of %T", arg))
			}
			i++
		case strings.HasPrefix(format[i:], "%.3f"):
			b = strconv.AppendFloat(b, arg.(float64), 'f', 3, 64)
			i += 3
		case strings.HasPrefix(format[i:], "%s"):
			b = append(b, arg.(string)...)
			i++
		default:
			panic("sprintf: verb in " + format)
		}
	}
	return string(b)
}

// aggregate parses the data set's lines and aggregates them as the CLI
// does, with the run summary.
func aggregate(t testing.TB, ds *dataset, intervalMS int64) (*agg.Result, *agg.Summary) {
	t.Helper()
	var units [][]*columnar.Batch
	sum := &agg.Summary{LogDir: "testdata", IntervalMS: intervalMS, Skipped: map[string]int64{}, Files: len(ds.hosts), HostsFound: len(ds.hosts)}
	p := scan.NewParser(scan.NoSince, scan.NoUntil)
	for h, lines := range ds.lines {
		b := columnar.NewBatch()
		var unit []*columnar.Batch
		fs := agg.FileSummary{Path: "testdata/" + ds.hosts[h] + "/logs/resource.log", Host: ds.hosts[h], Skipped: map[string]int64{}}
		for i, line := range lines {
			if b.Full() {
				unit = append(unit, b)
				b = columnar.NewBatch()
			}
			final := i == len(lines)-1 && h < len(ds.open) && ds.open[h]
			out, reason := p.Parse([]byte(line), b, int32(h), final)
			fs.LinesRead++
			fs.Bytes += int64(len(line)) + 1
			switch out {
			case scan.Kept:
				fs.Records++
			case scan.OutOfRange:
				fs.OutsideRange++
			case scan.Skipped:
				fs.SkippedTotal++
				fs.Skipped[reason.String()]++
				sum.Skipped[reason.String()]++
			}
		}
		sum.LinesRead += fs.LinesRead
		sum.Bytes += fs.Bytes
		sum.Records += fs.Records
		sum.OutsideRange += fs.OutsideRange
		sum.SkippedTotal += fs.SkippedTotal
		if fs.Records > 0 {
			sum.Hosts++
		}
		sum.PerFile = append(sum.PerFile, fs)
		units = append(units, append(unit, b))
	}
	sum.BadValues = p.BadValues
	r, err := agg.FromBatches(intervalMS, ds.hosts, units)
	if err != nil {
		t.Fatal(err)
	}
	return r, sum
}

// loadDataset reads a log directory laid out as <dir>/<host>/logs/*.log.
func loadDataset(t testing.TB, dir string) *dataset {
	t.Helper()
	hosts, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	ds := &dataset{}
	for _, h := range hosts {
		files, err := filepath.Glob(filepath.Join(dir, h.Name(), "logs", "*.log"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no logs for host %s: %v", h.Name(), err)
		}
		var lines []string
		open := false
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			ls := strings.Split(string(b), "\n")
			if ls[len(ls)-1] == "" {
				ls = ls[:len(ls)-1] // terminated by a newline
				open = false
			} else {
				open = true
			}
			lines = append(lines, ls...)
		}
		ds.hosts = append(ds.hosts, h.Name())
		ds.lines = append(ds.lines, lines)
		ds.open = append(ds.open, open)
	}
	return ds
}

func aggregateDir(t testing.TB, dir string, intervalMS int64) (*agg.Result, *agg.Summary) {
	return aggregate(t, loadDataset(t, dir), intervalMS)
}
