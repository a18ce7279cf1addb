package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"
	"go.uber.org/zap"

	"github.com/resreport/resreport/agg"
	"github.com/resreport/resreport/columnar"
	"github.com/resreport/resreport/scan"
)

const defaultOutput = "resource_report.html"

// env names the RESREPORT_* variable of a flag.
func env(name string) []string {
	return []string{"RESREPORT_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))}
}

// commonFlags are shared by every command that reads logs.
func commonFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "since", Usage: "start time, inclusive: YYYY-MM-DDTHH:MM:SS[.ffffff] (local time of the logs)", EnvVars: env("since")},
		&cli.StringFlag{Name: "until", Usage: "end time, exclusive: YYYY-MM-DDTHH:MM:SS[.ffffff]", EnvVars: env("until")},
		&cli.StringFlag{Name: "log-pattern", Value: "resource", Usage: "file name substring of the logs to read", EnvVars: env("log-pattern")},
		&cli.StringFlag{Name: "interval", Value: "60000", Usage: "time bin width: milliseconds (1000=1s, 60000=1min, 3600000=1h) or a duration (10s, 5m, 1h)", EnvVars: env("interval")},
		&cli.IntFlag{Name: "workers", Usage: "parser goroutines", DefaultText: "GOMAXPROCS", EnvVars: env("workers")},
		&cli.StringFlag{Name: "log-level", Value: "info", Usage: "debug, info, warn or error", EnvVars: env("log-level")},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress display, and only warnings and errors in the log", EnvVars: env("quiet")},
		&cli.BoolFlag{Name: "strict", Usage: "exit non-zero when any line was skipped or any file or directory could not be read", EnvVars: env("strict")},
	}
}

func reportFlags() []cli.Flag {
	return append(append(commonFlags(), thresholdFlags()...),
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: defaultOutput, Usage: "HTML report path", EnvVars: env("output")},
		&cli.StringFlag{Name: "prefix", Usage: "title prefix; also makes the default output PREFIX_resource_report.html", EnvVars: env("prefix")},
		&cli.StringFlag{Name: "parquet-dir", Usage: "also write samples.parquet, cluster_bins.parquet and host_bins.parquet here", EnvVars: env("parquet-dir")},
		&cli.StringFlag{Name: "json", Usage: "also write the aggregates as JSON to this file", EnvVars: env("json")},
		&cli.BoolFlag{Name: "open", Usage: "open the report in a browser when done (Linux, macOS, WSL)", EnvVars: env("open")},
		&cli.StringSliceFlag{Name: "from-parquet", Usage: "build the report from the samples of one or more 'resreport convert' outputs (or --parquet-dir) instead of LOG_DIR; repeat the flag or separate with commas", EnvVars: env("from-parquet")},
	)
}

// reportAction is `resreport report LOG_DIR` (and `resreport LOG_DIR`).
func reportAction(c *cli.Context) error {
	out := outputPath(c.String("output"), c.String("prefix"), c.IsSet("output"))
	parquetDir := c.String("parquet-dir")
	samples := ""
	if parquetDir != "" {
		if err := os.MkdirAll(parquetDir, 0o755); err != nil {
			return cli.Exit(fmt.Sprintf("--parquet-dir: %v", err), 1)
		}
		samples = filepath.Join(parquetDir, "samples.parquet")
	}
	var o *outcome
	var err error
	if dirs := c.StringSlice("from-parquet"); len(dirs) > 0 {
		o, err = runFromParquetFlags(c, dirs)
	} else {
		o, err = runFromFlags(c, samples)
	}
	if err != nil {
		return err
	}
	findings := agg.Findings(o.Result, thresholdsFromFlags(c))
	if err := writeOutputs(c, o, findings, out, parquetDir); err != nil {
		return err
	}
	o.log.Info("done", zap.Duration("elapsed", time.Since(o.start).Round(time.Millisecond)))
	return strictCheck(c, o)
}

// runFromFlags runs the pipeline for a command: logger, discovery,
// progress display, parsing and aggregation. With samplesPath set, every
// kept record is also written there as Parquet (atomically). It fails
// with a one-line reason when no file is found or no record is in range.
func runFromFlags(c *cli.Context, samplesPath string) (*outcome, error) {
	log, err := loggerFromFlags(c)
	if err != nil {
		return nil, cli.Exit(err.Error(), 2)
	}
	j, err := jobFromFlags(c)
	if err != nil {
		return nil, cli.Exit(err.Error(), 2)
	}
	start := time.Now()
	log.Info("scanning", zap.String("log_dir", j.LogDir), zap.String("pattern", j.Pattern))
	plan, err := discover(j)
	if plan != nil {
		logPlan(log, plan)
	}
	if err != nil {
		return nil, cli.Exit(err.Error(), 1)
	}
	span := scan.Peek(plan)
	if err := checkFits(j, plan, span, true); err != nil {
		return nil, cli.Exit(err.Error(), 1)
	}
	hook, stopProgress := startProgress(chooseProgress(c.Bool("quiet"), os.Stderr), os.Stderr, log)
	j.Progress = hook
	var o *outcome
	if samplesPath != "" {
		err = columnar.WriteFileAtomic(samplesPath, func(w io.Writer) error {
			sw, err := columnar.NewSamplesWriter(w, plan.Hosts, columnar.WithTimeSlices(sliceWidth(j, plan, span)))
			if err != nil {
				return err
			}
			j.Samples = sw.WriteRecords
			if o, err = runPlan(c.Context, j, plan); err != nil {
				return err
			}
			return sw.Close()
		})
	} else {
		o, err = runPlan(c.Context, j, plan)
	}
	stopProgress()
	if err != nil {
		return nil, err
	}
	o.log, o.start = log, start
	logSummary(log, o.Summary, time.Since(start))
	if o.Summary.Records == 0 {
		return nil, cli.Exit(fmt.Sprintf("no records in range in %s (%d lines read, %d outside the time range, %d skipped)",
			j.LogDir, o.Summary.LinesRead, o.Summary.OutsideRange, o.Summary.SkippedTotal), 1)
	}
	return o, nil
}

// strictCheck fails a --strict run that skipped lines or could not read
// a file or directory.
func strictCheck(c *cli.Context, o *outcome) error {
	if !c.Bool("strict") {
		return nil
	}
	s := o.Summary
	if s.SkippedTotal == 0 && s.FilesFailed == 0 && len(o.Plan.Warnings) == 0 {
		return nil
	}
	return cli.Exit(fmt.Sprintf("--strict: %d lines skipped %v, %d files read in part or not at all, %d unreadable paths",
		s.SkippedTotal, nonZero(s.Skipped), s.FilesFailed, len(o.Plan.Warnings)), 1)
}

// nonZero keeps the non-zero counts of m.
func nonZero(m map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

// loggerFromFlags builds the logger from --log-level and --quiet.
func loggerFromFlags(c *cli.Context) (*zap.Logger, error) {
	level := c.String("log-level")
	if c.Bool("quiet") && !c.IsSet("log-level") {
		level = "warn"
	}
	return newLogger(level)
}

// runFromParquetFlags is runFromFlags for --from-parquet.
func runFromParquetFlags(c *cli.Context, dirs []string) (*outcome, error) {
	log, err := loggerFromFlags(c)
	if err != nil {
		return nil, cli.Exit(err.Error(), 2)
	}
	if c.NArg() != 0 {
		return nil, cli.Exit("--from-parquet replaces LOG_DIR: give one or the other", 2)
	}
	j, err := jobFromFlagsNoDir(c)
	if err != nil {
		return nil, cli.Exit(err.Error(), 2)
	}
	start := time.Now()
	o, err := runParquet(c.Context, j, dirs)
	if err != nil {
		return nil, cli.Exit(err.Error(), 1)
	}
	o.log, o.start = log, start
	logSummary(log, o.Summary, time.Since(start))
	if o.Summary.Records == 0 {
		return nil, cli.Exit(fmt.Sprintf("no records in range in %v", dirs), 1)
	}
	return o, nil
}

// jobFromFlags builds the pipeline job from the command line.
func jobFromFlags(c *cli.Context) (*job, error) {
	if c.NArg() != 1 {
		return nil, fmt.Errorf("want exactly one LOG_DIR argument, got %d (see --help)", c.NArg())
	}
	j, err := jobFromFlagsNoDir(c)
	if err != nil {
		return nil, err
	}
	j.LogDir = c.Args().First()
	return j, nil
}

// jobFromFlagsNoDir builds the job's time range, interval and workers.
func jobFromFlagsNoDir(c *cli.Context) (*job, error) {
	since, until, err := parseRange(c.String("since"), c.String("until"))
	if err != nil {
		return nil, err
	}
	interval, err := parseInterval(c.String("interval"))
	if err != nil {
		return nil, err
	}
	if c.Int("workers") < 0 {
		return nil, fmt.Errorf("--workers %d: must be positive", c.Int("workers"))
	}
	return &job{
		Pattern: c.String("log-pattern"),
		Since:   since, Until: until, SinceText: c.String("since"), UntilText: c.String("until"),
		IntervalMS: interval, Workers: c.Int("workers"),
	}, nil
}

var unsafePrefix = regexp.MustCompile(`[^\w\-.]`)

// outputPath applies --prefix to the default output name, as the
// reference does.
func outputPath(output, prefix string, outputSet bool) string {
	if prefix == "" || outputSet {
		return output
	}
	return unsafePrefix.ReplaceAllString(prefix, "_") + "_" + defaultOutput
}

// reportTitle is the report's title with --prefix.
func reportTitle(prefix string) string {
	if prefix == "" {
		return "Worker Resource Analysis Report"
	}
	return prefix + " Worker Resource Analysis Report"
}

// writeOutputs writes the aggregate Parquet tables, JSON and HTML, each
// atomically.
func writeOutputs(c *cli.Context, o *outcome, findings []agg.Finding, out, parquetDir string) error {
	// The outputs read the result and do not change it: they are written
	// in parallel, each atomically.
	var tasks []func() error
	if parquetDir != "" {
		for _, t := range []struct {
			name  string
			write func(io.Writer) error
		}{
			{"cluster_bins.parquet", func(w io.Writer) error { return columnar.WriteTable(w, o.Result.ClusterTable()) }},
			{"host_bins.parquet", func(w io.Writer) error { return writeHostTable(w, o) }},
		} {
			tasks = append(tasks, func() error {
				path := filepath.Join(parquetDir, t.name)
				if err := columnar.WriteFileAtomic(path, t.write); err != nil {
					return err
				}
				o.log.Info("wrote parquet", zap.String("path", path))
				return nil
			})
		}
	}
	if p := c.String("json"); p != "" {
		tasks = append(tasks, func() error {
			if err := writeJSON(p, o, findings); err != nil {
				return err
			}
			o.log.Info("wrote json", zap.String("path", p))
			return nil
		})
	}
	tasks = append(tasks, func() error { return writeHTML(c, o, findings, out) })
	errs := make([]error, len(tasks))
	var wg sync.WaitGroup
	for i, task := range tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = task()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// writeHostTable writes host_bins.parquet from the hosts of the result.
func writeHostTable(w io.Writer, o *outcome) error {
	tw, err := columnar.NewTableWriter(w, o.Plan.Hosts, agg.HostTableColumns())
	if err != nil {
		return err
	}
	for i := range o.Result.Hosts {
		if err := agg.HostRows(tw, &o.Result.Hosts[i]); err != nil {
			return err
		}
	}
	return tw.Close()
}

// writeJSON writes the --json document.
func writeJSON(path string, o *outcome, findings []agg.Finding) error {
	if findings == nil {
		findings = []agg.Finding{} // "findings": [], not null
	}
	doc := &agg.Document{Summary: o.Summary, Findings: findings, Result: o.Result}
	return columnar.WriteFileAtomic(path, func(w io.Writer) error { return agg.WriteJSON(w, doc) })
}

func logPlan(log *zap.Logger, plan *scan.Plan) {
	for _, p := range plan.Ignored {
		log.Info("ignoring JSON-lines twin (different format)", zap.String("path", p))
	}
	for _, w := range plan.Warnings {
		log.Warn("unreadable", zap.Error(w))
	}
	log.Info("found", zap.Int("files", len(plan.Files)), zap.Int("hosts", len(plan.Hosts)))
}

func logSummary(log *zap.Logger, s *agg.Summary, elapsed time.Duration) {
	for _, f := range s.PerFile {
		if f.Error != "" {
			log.Warn("file read in part", zap.String("path", f.Path), zap.String("error", f.Error))
		}
	}
	fields := []zap.Field{
		zap.Int64("lines_read", s.LinesRead), zap.Int64("records", s.Records),
		zap.Int64("outside_range", s.OutsideRange), zap.Int64("skipped", s.SkippedTotal),
	}
	for r := scan.Reason(1); r < scan.NumReasons; r++ {
		if n := s.Skipped[r.String()]; n > 0 {
			fields = append(fields, zap.Int64("skipped_"+r.String(), n))
		}
	}
	fields = append(fields, zap.Int64("bad_values", s.BadValues), zap.Int("hosts", s.Hosts),
		zap.Int("files", s.Files), zap.Int64("bytes", s.Bytes),
		zap.String("rate", mbps(s.Bytes, elapsed.Seconds())))
	log.Info("parsed", fields...)
}
