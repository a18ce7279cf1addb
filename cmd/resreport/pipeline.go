package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
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
	// NoBins: nothing the run writes shows bins or findings (convert),
	// so it aggregates at the widest bin, not at IntervalMS (which the
	// files' metadata still name): 1-minute bins cost a convert of 300
	// hosts × 1 day 15% more CPU, and a run too big for them in memory
	// failed for bins it does not write.
	NoBins    bool
	Workers   int
	ShardSize int64 // scan.Options.ShardSize; 0 for the default (tests make it small)

	// InputWarnings are the --from-parquet paths found twice (parquetSource).
	InputWarnings []agg.PathWarning

	// Samples, if set, receives every batch in order of production from
	// one goroutine (e.g. the Parquet samples writer), several at a time
	// (agg.RunOptions.Samples); it must not keep them after returning.
	Samples func(recs []arrow.RecordBatch) error

	// Progress, if set, is called with the plan before parsing starts, and
	// the returned counter is advanced as bytes are read.
	Progress func(plan *scan.Plan) *progressCounter

	// PerHost takes each host's result as it is finished; InOrder, if
	// set, too, in host order (the outputs with a row per host and bin).
	PerHost *perHost
	InOrder func(*agg.HostResult) error
	// OnHost, if set, is also handed each host's result (tests keep them).
	OnHost func(*agg.HostResult) error
}

// outcome is what one run of the pipeline produced.
type outcome struct {
	Plan    *scan.Plan
	Stats   *scan.Stats
	Result  *agg.Result
	Summary *agg.Summary
	Hosts   *perHost // what the run kept of each host

	out   *outputs
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
		err := fmt.Errorf("%w in %s (pattern %q)", scan.ErrNoFiles, j.LogDir, j.Pattern)
		if note := failureNote(&agg.Summary{Warnings: summaryWarnings(plan.Warnings)}); note != "" {
			err = fmt.Errorf("%w: %s", err, note)
		}
		return plan, err
	}
	return plan, nil
}

// runPlan parses and aggregates the files of plan. Files that cannot be
// read are recorded in the summary, not fatal.
func runPlan(ctx context.Context, j *job, plan *scan.Plan) (*outcome, error) {
	sopts := scan.Options{Workers: j.Workers, Since: j.Since, Until: j.Until, ShardSize: j.ShardSize}
	if j.Progress != nil {
		if pc := j.Progress(plan); pc != nil {
			sopts.Progress = &pc.n
		}
	}
	src := scan.NewLogSource(plan, sopts)
	hosts := j.perHost()
	res, err := agg.Run(ctx, src, j.runOptions(hosts))
	stats := src.Stats()
	if err != nil {
		return &outcome{Plan: plan, Stats: stats}, err
	}
	return &outcome{Plan: plan, Stats: stats, Result: res, Summary: summarize(j, plan, stats, hosts), Hosts: hosts}, nil
}

// perHost returns the job's host consumer, or one that keeps only the
// findings and counts.
func (j *job) perHost() *perHost {
	if j.PerHost != nil {
		return j.PerHost
	}
	return newPerHost(agg.DefaultThresholds(), j.binMS(), false)
}

// binMS is the bin width the run aggregates at.
func (j *job) binMS() int64 {
	if j.NoBins {
		return maxIntervalMS
	}
	return j.IntervalMS
}

// runOptions are the options of agg.Run for the job.
func (j *job) runOptions(hosts *perHost) agg.RunOptions {
	host := hosts.host
	if j.OnHost != nil {
		host = func(h *agg.HostResult) error {
			if err := hosts.host(h); err != nil {
				return err
			}
			return j.OnHost(h)
		}
	}
	return agg.RunOptions{IntervalMS: j.binMS(), Workers: j.Workers, Samples: j.Samples, Host: host, HostInOrder: j.InOrder}
}

// summarize builds the accounting of the run.
func summarize(j *job, plan *scan.Plan, st *scan.Stats, hosts *perHost) *agg.Summary {
	s := &agg.Summary{
		LogDir: j.LogDir, Since: j.SinceText, Until: j.UntilText, IntervalMS: j.IntervalMS,
		Files: len(plan.Files), HostsFound: hostsFound(plan), Hosts: hosts.hosts,
		Bytes: st.Total.Bytes, LinesRead: st.Total.Lines, Records: st.Total.Kept,
		OutsideRange: st.Total.OutOfRange, SkippedTotal: st.Total.SkippedTotal(),
		Skipped: reasons(&st.Total), BadValues: st.Total.BadValues, Warnings: summaryWarnings(plan.Warnings),
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
			Skipped: reasons(&fs.Counts), BadValues: fs.BadValues, FirstSkipped: firstSkipped(&fs.Counts),
			FirstBadValue: firstBadValue(&fs.Counts),
		}
		if fs.Err != nil {
			e.Error = fs.Err.Error()
			s.FilesFailed++
		}
		s.PerFile = append(s.PerFile, e)
	}
	return s
}

// hostsFound counts the hosts with files and the hosts of paths that could
// not be read: a host whose logs directory is unreadable was found, its
// data was not read. Such a path counts as the host its place names (see
// scan.HostOf), so an unreadable wrapper directory counts as one.
func hostsFound(plan *scan.Plan) int {
	found := map[string]bool{}
	for _, h := range plan.Hosts {
		found[h] = true
	}
	for _, w := range plan.Warnings {
		if w.Kind == scan.WarnUnreadable && w.Host != "" {
			found[w.Host] = true
		}
	}
	return len(found)
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

// firstSkipped maps the reasons that occurred to their first line.
func firstSkipped(c *scan.Counts) map[string]int64 {
	var m map[string]int64
	for r := scan.Reason(1); r < scan.NumReasons; r++ {
		if n := c.FirstSkipped[r]; n > 0 {
			if m == nil {
				m = map[string]int64{}
			}
			m[r.String()] = n
		}
	}
	return m
}

// firstBadValue locates the first bad value of c, nil for none.
func firstBadValue(c *scan.Counts) *agg.BadValueAt {
	if c.FirstBadValue == 0 {
		return nil
	}
	return &agg.BadValueAt{Line: c.FirstBadValue, Field: scan.FieldName(c.BadField)}
}

// parquetSource plans a --from-parquet run.
// The files found twice are in j.InputWarnings.
func parquetSource(j *job, dirs []string) (*columnar.ParquetSource, error) {
	files, warns, err := findParquet(dirs)
	if err != nil {
		return nil, err
	}
	j.InputWarnings = warns
	return columnar.NewParquetSource(files, j.Since, j.Until)
}

// runParquet aggregates samples files written by convert (or
// --parquet-dir) instead of logs, with the same pipeline.
func runParquet(ctx context.Context, j *job, dirs []string, src *columnar.ParquetSource) (*outcome, error) {
	defer src.Close()
	hosts := j.perHost()
	res, err := agg.Run(ctx, src, j.runOptions(hosts))
	if err != nil {
		return nil, err
	}
	names := src.Hosts()
	files := src.Files()
	s := &agg.Summary{LogDir: strings.Join(dirs, ","), Since: j.SinceText, Until: j.UntilText, IntervalMS: j.IntervalMS,
		Files: len(files), HostsFound: len(names), Hosts: hosts.hosts, Skipped: reasons(&scan.Counts{}),
		Warnings: append([]agg.PathWarning{}, j.InputWarnings...)}
	for i, f := range files {
		r := src.Stats()[i]
		s.LinesRead += r.Read
		s.Records += r.Kept
		s.OutsideRange += r.Read - r.Kept
		s.PerFile = append(s.PerFile, agg.FileSummary{Path: f.Path, Host: f.Host, LinesRead: r.Read, Records: r.Kept,
			OutsideRange: r.Read - r.Kept, Skipped: reasons(&scan.Counts{})})
	}
	if s.Records > 0 {
		s.FirstRecord, s.LastRecord = columnar.FormatTimestamp(hosts.first), columnar.FormatTimestamp(hosts.last)
	}
	return &outcome{Plan: &scan.Plan{Hosts: names}, Stats: &scan.Stats{}, Result: res, Summary: s, Hosts: hosts}, nil
}
