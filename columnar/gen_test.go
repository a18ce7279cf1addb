package columnar

import (
	"fmt"
	"math/rand/v2"
)

// sampleGen fills batches with samples shaped like real resource logs:
// runs of runLen rows of one host (a file's lines) every 10 s, hosts in
// turn, header strings constant per host (some of
// them not ASCII), integers that mostly repeat or grow slowly, %.3f
// ratios such as 0.031, groups that a host's worker version lacks or that
// are not registered (null), and optionally random extra nulls.
type sampleGen struct {
	rng      *rand.Rand
	hosts    []string
	pods     [][]byte
	traces   [][]byte
	clusters [][]byte
	groups   []int // group count (worker version) per host
	ts       []int64
	ints     [][]int64   // [host][metric]
	floats   [][]float64 // [host][metric]
	next     int         // host of the next row
	runLen   int         // rows per run of one host
	inRun    int         // rows of the current run so far
	nullRate float64     // extra random nulls, for tests
	noisy    bool        // every value new and random: dictionaries overflow
}

func newSampleGen(seed uint64, nhosts, runLen int, nullRate float64) *sampleGen {
	g := &sampleGen{rng: rand.New(rand.NewPCG(seed, 42)), runLen: runLen, nullRate: nullRate}
	start, _ := ParseTimestamp([]byte("2026-05-06T22:30:05.123456"))
	for h := range nhosts {
		name := fmt.Sprintf("kvhost-%03d", h)
		trace := fmt.Sprintf("0b6c0e8e-6f1a-4c1e-9d55-%012x", g.rng.Uint64()>>16)
		cluster := "model_kvcache_record"
		if h%3 == 1 {
			name = fmt.Sprintf("节点-%d-ü", h) // non-ASCII host names happen
			trace = "трасса-" + trace
			cluster = "模型_kvcache"
		}
		g.hosts = append(g.hosts, name)
		g.pods = append(g.pods, fmt.Appendf(nil, "searchgenrecallkvworker-24-%05d", h))
		g.traces = append(g.traces, []byte(trace))
		g.clusters = append(g.clusters, []byte(cluster))
		g.groups = append(g.groups, GroupCounts[h%len(GroupCounts)])
		g.ts = append(g.ts, start+int64(h)*1_000)
		ints := make([]int64, len(Metrics))
		floats := make([]float64, len(Metrics))
		for i, m := range Metrics {
			switch {
			case m.Kind == Float:
				floats[i] = float64(g.rng.IntN(1001)) / 1000
			case i%4 == 0:
				ints[i] = 32212254720 + g.rng.Int64N(1<<30)
			case i%4 == 1:
				ints[i] = g.rng.Int64N(64)
			default:
				ints[i] = 0
			}
		}
		g.ints = append(g.ints, ints)
		g.floats = append(g.floats, floats)
	}
	return g
}

// fill appends n rows to b (which must have room for them).
func (g *sampleGen) fill(b *Batch, n int) {
	level, source := []byte("I"), []byte("res_metric_collector.cpp:114")
	for range n {
		h := g.next
		if g.inRun++; g.inRun == g.runLen {
			g.next = (g.next + 1) % len(g.hosts)
			g.inRun = 0
		}
		row := b.Len
		g.ts[h] += 10_000_000 + g.rng.Int64N(2_000) - 1_000
		b.Host[row] = int32(h)
		b.TS[row] = g.ts[h]
		b.Level.Append(level)
		b.Source.Append(source)
		b.Pod.Append(g.pods[h])
		b.TraceID.Append(g.traces[h])
		b.Cluster.Append(g.clusters[h])
		if !g.extraNull() {
			b.PID.SetInt(row, 9+int64(h))
		}
		if !g.extraNull() {
			b.TID.SetInt(row, 177+int64(h))
		}
		nm := GroupStart[g.groups[h]]
		for i, m := range Metrics[:nm] {
			switch m.Group {
			case 11, 14, 15, 16, 17: // OBS rate: no requests; SC pools: no threads
				continue
			}
			if g.extraNull() {
				continue
			}
			c := &b.Cols[i]
			if m.Kind == Float {
				if g.noisy {
					g.floats[h][i] = g.rng.NormFloat64() * 1e6
				} else if g.rng.IntN(8) == 0 {
					g.floats[h][i] = float64(g.rng.IntN(1001)) / 1000
				}
				c.SetFloat(row, g.floats[h][i])
				continue
			}
			switch {
			case g.noisy:
				g.ints[h][i] = g.rng.Int64()
			case m.Role == Counter:
				g.ints[h][i] += g.rng.Int64N(100)
			case i%4 == 0 && g.rng.IntN(4) == 0:
				g.ints[h][i] += g.rng.Int64N(1<<20) - 1<<19
			case i%4 == 1 && g.rng.IntN(4) == 0:
				g.ints[h][i] = g.rng.Int64N(64)
			}
			c.SetInt(row, g.ints[h][i])
		}
		b.Len++
	}
}

func (g *sampleGen) extraNull() bool { return g.nullRate > 0 && g.rng.Float64() < g.nullRate }
