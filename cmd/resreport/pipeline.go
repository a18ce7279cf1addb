package main

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/resreport/resreport/agg"
	"github.com/resreport/resreport/columnar"
	"github.com/resreport/resreport/scan"
)

// job is what one run of the pipeline needs.
type job struct {
	LogDir     string
	Pattern    string
	Since      int64 // scan.NoSince for none
	Until      int64 // scan.NoUntil for none
	SinceText  string
	UntilText  string
	IntervalMS int64
	Workers    int

	// Samples, if set, receives every batch in order of production from
	// one goroutine (e.g. the Parquet samples writer); it must not keep the
	// batch after returning.
	Samples func(b *columnar.Batch) error

	// Progress, if set, is called with the plan before parsing starts, and
	// the returned counter is advanced as bytes are read.
	Progress func(plan *scan.Plan) *progressCounter
}

// outcome is what one run of the pipeline produced.
type outcome struct {
	Plan    *scan.Plan
	Stats   *scan.Stats
	Result  *agg.Result
	Summary *agg.Summary

	log   *zap.Logger
	start time.Time
}

// run discovers, parses and aggregates.
func run(ctx context.Context, j *job) (*outcome, error) {
	plan, err := discover(j)
	if err != nil {
		return &outcome{Plan: plan}, err
	}
	return runPlan(ctx, j, plan)
}

// discover finds the log files; no files at all is an error (wrapping
// scan.ErrNoFiles), and the plan is returned with it for its warnings.
func discover(j *job) (*scan.Plan, error) {
	plan, err := scan.Discover(j.LogDir, j.Pattern)
	if err != nil {
		return nil, err
	}
	if len(plan.Files) == 0 {
		return plan, fmt.Errorf("%w in %s (pattern %q)", scan.ErrNoFiles, j.LogDir, j.Pattern)
	}
	return plan, nil
}

// runPlan parses and aggregates the files of plan. Files that cannot be
// read are recorded in the summary, not fatal.
func runPlan(ctx context.Context, j *job, plan *scan.Plan) (*outcome, error) {
	opts := agg.RunOptions{
		Scan:       scan.Options{Workers: j.Workers, Since: j.Since, Until: j.Until},
		IntervalMS: j.IntervalMS,
		Samples:    j.Samples,
	}
	if j.Progress != nil {
		if pc := j.Progress(plan); pc != nil {
			opts.Scan.Progress = &pc.n
		}
	}
	res, stats, err := agg.Aggregate(ctx, plan, opts)
	if err != nil {
		return &outcome{Plan: plan, Stats: stats}, err
	}
	return &outcome{Plan: plan, Stats: stats, Result: res, Summary: summarize(j, plan, stats, res)}, nil
}

// summarize builds the accounting of the run.
func summarize(j *job, plan *scan.Plan, st *scan.Stats, res *agg.Result) *agg.Summary {
	s := &agg.Summary{
		LogDir: j.LogDir, Since: j.SinceText, Until: j.UntilText, IntervalMS: j.IntervalMS,
		Files: len(plan.Files), HostsFound: len(plan.Hosts), Hosts: len(res.Hosts),
		Bytes: st.Total.Bytes, LinesRead: st.Total.Lines, Records: st.Total.Kept,
		OutsideRange: st.Total.OutOfRange, SkippedTotal: st.Total.SkippedTotal(),
		Skipped: reasons(&st.Total), BadValues: st.Total.BadValues,
	}
	if st.Total.Kept > 0 {
		s.FirstRecord = columnar.FormatTimestamp(st.First)
		s.LastRecord = columnar.FormatTimestamp(st.Last)
	}
	for i, f := range plan.Files {
		fs := &st.Files[i]
		e := agg.FileSummary{
			Path: f.Path, Host: plan.Hosts[f.Host], Bytes: fs.Bytes, LinesRead: fs.Lines,
			Records: fs.Kept, OutsideRange: fs.OutOfRange, SkippedTotal: fs.SkippedTotal(),
			Skipped: reasons(&fs.Counts), BadValues: fs.BadValues,
		}
		if fs.Err != nil {
			e.Error = fs.Err.Error()
			s.FilesFailed++
		}
		s.PerFile = append(s.PerFile, e)
	}
	return s
}

// reasons maps skip reasons to counts, listing every reason (zeros too) so
// the JSON has a stable shape.
func reasons(c *scan.Counts) map[string]int64 {
	m := make(map[string]int64, scan.NumReasons-1)
	for r := scan.Reason(1); r < scan.NumReasons; r++ {
		m[r.String()] = c.Skipped[r]
	}
	return m
}
