package loggen

import (
	"math"
	"math/rand/v2"
	"strconv"
)

// realism draws the values that the default generator makes uniform noise
// from the shapes of production logs, with its own random source (so the
// default data do not change): OC_HIT_NUM counters of a worker that has
// run for weeks (ten digits and more), byte gauges that move a little from
// sample to sample, SPILL_IO_STATS as growing counters and rates printed
// with four decimals, and task counts that follow the pool's load. These
// are what makes Parquet's dictionaries overflow and its deltas wide.
type realism struct {
	rng                         *rand.Rand
	scMem, spill, disk, scCache walk
	io                          [14]float64
}

// walk is a gauge moving by a bounded random step per sample.
type walk struct{ v, lo, hi, step float64 }

func (w *walk) next(r *rand.Rand) int64 {
	w.v = math.Min(math.Max(w.v+(r.Float64()-0.5)*w.step, w.lo), w.hi)
	return int64(w.v)
}

func newRealism(seed uint64, h int) *realism {
	r := rand.New(rand.NewPCG(seed^0x7265616c, uint64(h)+1))
	x := &realism{rng: r}
	x.scMem = walk{float64(r.Int64N(4 << 30)), 0, 8 << 30, 64 << 20}
	x.spill = walk{float64(r.Int64N(100 << 30)), 0, 500 << 30, 256 << 20}
	x.disk = walk{float64(r.Int64N(200 << 30)), 0, 1 << 40, 512 << 20}
	x.scCache = walk{float64(r.Int64N(2 << 30)), 0, 4 << 30, 32 << 20}
	for k := range x.io {
		x.io[k] = float64(r.Int64N(1 << 40))
	}
	return x
}

// counters are OC_HIT_NUM's values after weeks of traffic.
func (x *realism) counters() [5]int64 {
	r := x.rng
	mem := 1e9 + r.Int64N(1e11)
	return [5]int64{mem, r.Int64N(1e6), 0, mem / 20, mem / 500}
}

// physical is SHARED_MEMORY's physical usage: the usage and a slack of a
// few pages that changes from sample to sample.
func (x *realism) physical(mem int64) int64 { return mem + 4096*x.rng.Int64N(1<<14) }

// tasks is a pool's task count per sample for its load.
func (x *realism) tasks(total int, usage float64) int64 {
	mean := float64(total) * usage * 40
	return int64(math.Max(0, mean+x.rng.NormFloat64()*math.Sqrt(mean+1)))
}

// spillIO appends SPILL_IO_STATS: eleven counters that grow and three
// rates with four decimals.
func (x *realism) spillIO(b []byte) []byte {
	r := x.rng
	for k := range x.io {
		if k > 0 {
			b = append(b, '/')
		}
		if k%3 == 2 {
			x.io[k] = math.Min(math.Max(x.io[k]/float64(1<<40)+(r.Float64()-0.5)*0.01, 0), 1) * float64(1<<40)
			b = strconv.AppendFloat(b, x.io[k]/float64(1<<40), 'f', 4, 64)
			continue
		}
		x.io[k] += float64(r.Int64N(1 << 22))
		b = strconv.AppendInt(b, int64(x.io[k]), 10)
	}
	return b
}
