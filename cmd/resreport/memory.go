package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/resreport/resreport/agg"
	"github.com/resreport/resreport/columnar"
	"github.com/resreport/resreport/scan"
)

// machineMemory returns the memory this process may use: the cgroup's
// limit when there is one, else the machine's physical memory; 0 when
// neither is known.
func machineMemory() int64 {
	phys := physicalMemory()
	for _, p := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		if err == nil && n > 0 && (phys == 0 || n < phys) {
			return n
		}
	}
	return phys
}

// setMemoryLimit gives the Go runtime a soft memory limit of 90% of what
// the machine allows, unless GOMEMLIMIT is set: the garbage collector
// then works as usual (GOGC) while the heap is small and harder only near
// the machine's limit. A fixed limit below the live heap would make it run
// back to back.
func setMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	if m := machineMemory(); m > 0 {
		debug.SetMemoryLimit(m / 10 * 9)
	}
}

// intervalSteps are the bin widths suggested when a run would not fit.
var intervalSteps = []int64{1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000, 600000, 900000,
	1800000, 3600000, 7200000, 21600000, 43200000, 86400000}

// availableMemory is what checkFits compares estimates with (a variable
// for tests).
var availableMemory = machineMemory

// checkFits estimates the memory the run needs from the plan (hosts ×
// bins, see memoryPlan) and fails with the interval that would fit when it
// is more than the machine has, instead of running out of memory later.
func checkFits(j *job, plan *scan.Plan, span *scan.Span, ordered bool) error {
	return fits(j, func(intervalMS int64) agg.MemoryPlan { return memoryPlan(j, plan, span, intervalMS, ordered) })
}

// checkParquetFits is checkFits for a --from-parquet run (parquetPlan).
// Without ts statistics it does not check.
func checkParquetFits(j *job, src *columnar.ParquetSource) error {
	if !src.Extent().Known {
		return nil
	}
	return fits(j, func(intervalMS int64) agg.MemoryPlan { return parquetPlan(j, src, intervalMS) })
}

// fits fails when the run planned by plan (at an interval) needs more than
// 80% of the available memory, naming the interval that would fit.
func fits(j *job, plan func(intervalMS int64) agg.MemoryPlan) error {
	avail := availableMemory()
	if avail <= 0 {
		return nil
	}
	limit := avail / 10 * 8
	need := func(intervalMS int64) (int64, agg.MemoryPlan) {
		p := plan(intervalMS)
		return agg.Estimate(p), p
	}
	n, p := need(j.binMS())
	if n <= limit {
		return nil
	}
	msg := fmt.Sprintf("this run needs about %s of memory (%d hosts, %d bins of %s, up to %d per host), more than the %s this machine allows",
		fmtBytes(n), p.Hosts, p.ClusterBins, formatInterval(j.binMS()), p.HostBins, fmtBytes(avail))
	for _, iv := range intervalSteps {
		if iv > j.binMS() {
			if m, _ := need(iv); m <= limit {
				return fmt.Errorf("%s: --interval %s would fit (or narrow --since/--until)", msg, flagInterval(iv))
			}
		}
	}
	return fmt.Errorf("%s: narrow --since/--until", msg)
}

// workers is the run's number of workers for planning (2 when unset).
func workers(j *job) int {
	if j.Workers <= 0 {
		return 2
	}
	return j.Workers
}

func fmtBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KB", n>>10)
}

// sliceWidth is the time slice of samples.parquet's row groups for the
// planned run (columnar.SliceWidth of its span and estimated records).
func sliceWidth(j *job, plan *scan.Plan, span *scan.Span) int64 {
	first, last := max(span.First, j.Since), min(span.Last, j.Until)
	if first > last {
		return columnar.SliceWidth(0, 0)
	}
	var bytes int64
	for _, f := range plan.Files {
		if f.Gzip {
			bytes += 8 * f.Size // about the ratio of resource logs
		} else {
			bytes += f.Size
		}
	}
	return columnar.SliceWidth(last-first, bytes/650)
}
