package main

import (
	"cmp"
	"slices"
	"sort"

	"github.com/resreport/resreport/agg"
	"github.com/resreport/resreport/columnar"
	"github.com/resreport/resreport/scan"
)

// piece is a time span [first, last] (µs) known to hold at most most
// records: the unread middle of a file, a line's timestamp, a row group of
// a samples file.
type piece struct{ first, last, most int64 }

// piecesBins bounds the bins the records of ps fall in, in the run's
// window. A bin exists only if a record falls in it, so a piece has at
// most the bins of its span and at most its records: one record dated
// 1970 makes a span decades long, not the bins. Pieces whose span is the
// smaller bound are merged (files and hosts share bins); the others add their
// records, unless their span lies in the merged ones (counted already),
// and a single timestamp adds its bin once.
func piecesBins(j *job, ps []piece, intervalMS int64) int64 {
	var dense, sparse []piece
	for _, p := range ps {
		p.first, p.last = max(p.first, j.Since), min(p.last, j.Until-1)
		switch {
		case p.first > p.last || p.most <= 0:
		case spanBins(j, p.first, p.last, intervalMS) <= p.most:
			dense = append(dense, p)
		default:
			sparse = append(sparse, p)
		}
	}
	merged := mergePieces(dense)
	var n int64
	for _, m := range merged {
		n += spanBins(j, m.first, m.last, intervalMS)
	}
	var single []int64                     // bin starts
	binner, _ := agg.NewBinner(intervalMS) // intervalMS >= 1, as spanBins needs too
	for _, p := range sparse {
		switch {
		case covered(merged, p):
		case p.first == p.last:
			single = append(single, binner.Bin(p.first))
		default:
			n += p.most
		}
	}
	slices.Sort(single)
	return n + int64(len(slices.Compact(single)))
}

// spanBins counts the bins of width intervalMS from first to last, within
// the run's window.
func spanBins(j *job, first, last, intervalMS int64) int64 {
	first, last = max(first, j.Since), min(last, j.Until)
	if first > last {
		return 0
	}
	return (last-first)/(intervalMS*1000) + 2 // +1 for the bins' alignment, +1 for a short last bin of the day
}

// mergePieces returns the union of ps's spans as disjoint spans in order.
func mergePieces(ps []piece) []piece {
	ps = slices.Clone(ps)
	slices.SortFunc(ps, func(a, b piece) int { return cmp.Compare(a.first, b.first) })
	var out []piece
	for _, p := range ps {
		if k := len(out) - 1; k >= 0 && p.first <= out[k].last {
			out[k].last = max(out[k].last, p.last)
			continue
		}
		out = append(out, p)
	}
	return out
}

// covered reports whether p's span lies in one of the disjoint, ordered
// spans ms.
func covered(ms []piece, p piece) bool {
	i := sort.Search(len(ms), func(i int) bool { return ms[i].first > p.first }) - 1
	return i >= 0 && p.last <= ms[i].last
}

// memoryPlan bounds the bins of the planned run (piecesBins) by what
// scan.Peek saw: each file's span between the ends it read (at most its
// records), and the timestamps it read, a bin each; a host's bins are at
// most its records.
func memoryPlan(j *job, plan *scan.Plan, span *scan.Span, intervalMS int64, ordered bool) agg.MemoryPlan {
	p := agg.MemoryPlan{Hosts: len(plan.Hosts), Workers: workers(j), Ordered: ordered}
	byHost := make([][]piece, len(plan.Hosts))
	var all []piece
	for i, f := range plan.Files {
		fs := &span.Files[i]
		ps := append(byHost[f.Host], piece{fs.MidFirst, fs.MidLast, fs.Records})
		for _, t := range fs.Seen {
			ps = append(ps, piece{t, t, 1})
		}
		all = append(all, ps[len(byHost[f.Host]):]...)
		byHost[f.Host] = ps
	}
	var sum int64
	for h, ps := range byHost {
		n := min(piecesBins(j, ps, intervalMS), span.Hosts[h].Records)
		p.HostBins = max(p.HostBins, n)
		sum += n
	}
	p.ClusterBins = min(piecesBins(j, all, intervalMS), sum)
	return p
}

// parquetPlan is memoryPlan for a samples files' source, from its row
// groups' statistics: a host's bins are at most those of the row groups
// that may hold it, each at most its span's and its rows; the hosts of
// two row groups' runs are open at once (all hosts, when a row group
// holds them all).
func parquetPlan(j *job, src *columnar.ParquetSource, intervalMS int64) agg.MemoryPlan {
	hosts := len(src.Hosts())
	p := agg.MemoryPlan{Hosts: hosts, Workers: workers(j), Ordered: true, OpenHosts: min(2*src.Extent().UnitHosts, hosts)}
	byHost := make([][]piece, hosts)
	var all []piece
	ex := src.UnitExtents()
	for i, u := range src.Units() {
		pc := piece{ex[i].First, ex[i].Last, ex[i].Rows}
		all = append(all, pc)
		for _, h := range u.Hosts {
			byHost[h] = append(byHost[h], pc)
		}
	}
	for _, ps := range byHost {
		p.HostBins = max(p.HostBins, piecesBins(j, ps, intervalMS))
	}
	p.ClusterBins = piecesBins(j, all, intervalMS)
	return p
}
