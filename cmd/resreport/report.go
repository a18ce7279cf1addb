package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"go.uber.org/zap"

	"github.com/resreport/resreport/agg"
	"github.com/resreport/resreport/columnar"
	"github.com/resreport/resreport/htmlreport"
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
		&cli.StringFlag{Name: "interval", Value: "60000", Usage: "time bin width: milliseconds (1000=1s, 60000=1min, 3600000=1h) or a duration (10s, 5m, 1h, 1d); at most 1d (bins are aligned to midnight)", EnvVars: env("interval")},
		&cli.IntFlag{Name: "workers", Usage: "parser goroutines", DefaultText: "GOMAXPROCS", EnvVars: env("workers")},
		&cli.StringFlag{Name: "log-level", Value: "info", Usage: "debug, info, warn or error", EnvVars: env("log-level")},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress display, and only warnings and errors in the log", EnvVars: env("quiet")},
		&cli.BoolFlag{Name: "strict", Usage: "exit non-zero when any line was skipped, any value was not a number, or any file or directory could not be read", EnvVars: env("strict")},
	}
}

func reportFlags() []cli.Flag {
	return append(append(commonFlags(), thresholdFlags()...),
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: defaultOutput, Usage: "HTML report path (- for standard output)", EnvVars: env("output")},
		&cli.StringFlag{Name: "prefix", Usage: "title prefix; also makes the default output PREFIX_resource_report.html", EnvVars: env("prefix")},
		&cli.StringFlag{Name: "parquet-dir", Usage: "also write samples.parquet, cluster_bins.parquet and host_bins.parquet here", EnvVars: env("parquet-dir")},
		&cli.StringFlag{Name: "json", Usage: "also write the aggregates as JSON to this file (- for standard output)", EnvVars: env("json")},
		&cli.BoolFlag{Name: "open", Usage: "open the report in a browser when done (Linux, macOS, WSL)", EnvVars: env("open")},
		&cli.StringSliceFlag{Name: "from-parquet", Usage: "build the report from the samples of one or more 'resreport convert' outputs (or --parquet-dir) instead of LOG_DIR; repeat the flag or separate with commas", EnvVars: env("from-parquet")},
	)
}

// reportAction is `resreport report LOG_DIR` (and `resreport LOG_DIR`).
func reportAction(c *cli.Context) error {
	out := outputPath(c.String("output"), c.String("prefix"), c.IsSet("output"))
	if out == "-" && c.Bool("open") {
		return usage(c, "--open needs a file for -o, not standard output")
	}
	o, err := runCommand(c, outputSpec{HTML: out, JSON: c.String("json"), ParquetDir: c.String("parquet-dir"), Tables: true})
	if err != nil {
		return err
	}
	defer o.out.abort() // after a failure; nothing once committed
	findings, err := findingsOf(c, o)
	if err != nil {
		return err
	}
	page := &htmlreport.Input{
		Title: reportTitle(c.String("prefix")), Since: c.String("since"), Until: c.String("until"),
		Result: o.Result, Hosts: o.Hosts.views, Summary: o.Summary, Findings: findings,
	}
	if err := o.out.finish(o.Result, o.Summary, findings, page); err != nil {
		return err
	}
	o.out.logLayout(o.log)
	o.log.Info("wrote report", zap.String("path", out))
	if c.Bool("open") {
		if err := htmlreport.Open(out); err != nil {
			o.log.Warn("could not open the report", zap.Error(err))
		}
	}
	o.log.Info("done", zap.Duration("elapsed", time.Since(o.start).Round(time.Millisecond)))
	return strictCheck(c, o)
}

// runCommand runs the pipeline for a command: logger, the input (LOG_DIR,
// or the samples files of --from-parquet), the outputs of spec (created
// before the scan, their per-host parts written during it), progress
// display, parsing and aggregation. Everything that can be checked before
// the scan is: the flags (usage errors, exit 2), the outputs against each
// other and against the inputs. It fails with a one-line reason when no
// input is found or no record is in range; on any failure the outputs are
// dropped and the previous ones stay. The caller finishes o.out.
func runCommand(c *cli.Context, spec outputSpec) (o *outcome, err error) {
	dirs := c.StringSlice("from-parquet")
	if len(dirs) > 0 && c.NArg() != 0 {
		return nil, usage(c, "--from-parquet replaces LOG_DIR: give one or the other")
	}
	log, j, err := prepare(c, len(dirs) == 0)
	if err != nil {
		return nil, err
	}
	j.NoBins = spec.NoBins
	start := time.Now()
	in, err := planInput(log, j, dirs)
	if err != nil {
		return nil, cli.Exit(err.Error(), 1)
	}
	spec.Samples = spec.ParquetDir != "" && in.plan != nil && (spec.Samples || spec.Tables)
	spec.Meta = fileMetadata(j, in.name(j, dirs))
	out, err := openOutputs(c.Context, spec, in.hosts(), in.slice)
	if err != nil {
		return nil, outputError(c, err)
	}
	defer func() {
		if err != nil {
			out.abort()
		}
	}()
	out.logCleaned(log)
	out.logNotes(log)
	if err := in.checkOutputs(c, out); err != nil {
		return nil, err
	}
	j.PerHost = newPerHost(thresholdsFromFlags(c), j.binMS(), spec.HTML != "")
	j.InOrder = out.hostInOrder()
	j.Samples = out.samplesSink()
	if in.plan != nil {
		hook, stopProgress := startProgress(chooseProgress(c.Bool("quiet"), os.Stderr), os.Stderr, log)
		j.Progress = hook
		// merging the workers' aggregates at the end does not check the
		// context: after a signal it is not waited for (await)
		o, err = await(c.Context, func() (*outcome, error) { return runPlan(c.Context, j, in.plan) })
		stopProgress()
	} else {
		o, err = await(c.Context, func() (*outcome, error) { return runParquet(c.Context, j, dirs, in.parquet) })
	}
	if err != nil {
		return nil, err
	}
	o.log, o.start, o.out = log, start, out
	logSummary(log, o.Summary, time.Since(start))
	if o.Summary.Records == 0 {
		where := j.LogDir
		if len(dirs) > 0 {
			where = strings.Join(dirs, ",")
		}
		return nil, cli.Exit(noRecords(where, o.Summary), 1)
	}
	return o, nil
}

// input is what a run reads: a plan of log files or samples files.
type input struct {
	plan    *scan.Plan
	parquet *columnar.ParquetSource
	slice   int64 // samples.parquet's time slice
}

// checkOutputs fails when an output would replace an input file.
func (in *input) checkOutputs(c *cli.Context, out *outputs) error {
	if in.plan != nil {
		for _, f := range in.plan.Files {
			if err := out.checkInput(c, f.Path, f.Info); err != nil {
				return err
			}
		}
		return nil
	}
	for _, f := range in.parquet.Files() {
		if err := out.checkInput(c, f.Path, nil); err != nil {
			return err
		}
	}
	return nil
}

// prepare checks a command's flags before anything else is done and
// returns its logger and job (with LogDir when needDir); its errors are
// usage errors.
func prepare(c *cli.Context, needDir bool) (*zap.Logger, *job, error) {
	if err := checkRanges(c); err != nil {
		return nil, nil, err
	}
	log, err := loggerFromFlags(c)
	if err != nil {
		return nil, nil, usage(c, "%v", err)
	}
	var j *job
	if needDir {
		j, err = jobFromFlags(c)
	} else {
		j, err = jobFromFlagsNoDir(c)
	}
	if err != nil {
		return nil, nil, usage(c, "%v", err)
	}
	return log, j, nil
}

// findingsOf finishes the findings of the run's hosts; it does not check
// the context, so after a signal it is not waited for.
func findingsOf(c *cli.Context, o *outcome) ([]agg.Finding, error) {
	return await(c.Context, func() ([]agg.Finding, error) { return o.Hosts.findings.Finish(o.Result, o.Hosts.last), nil })
}

// name is the input as the files' metadata record it: LOG_DIR or the
// --from-parquet directories.
func (in *input) name(j *job, dirs []string) string {
	if in.plan != nil {
		return j.LogDir
	}
	return strings.Join(dirs, ",")
}

func (in *input) hosts() []string {
	if in.plan != nil {
		return in.plan.Hosts
	}
	return in.parquet.Hosts()
}

// planInput finds the input and checks that the run fits in memory.
func planInput(log *zap.Logger, j *job, dirs []string) (*input, error) {
	if len(dirs) > 0 {
		src, err := parquetSource(j, dirs)
		if err != nil {
			return nil, err
		}
		for _, w := range j.InputWarnings {
			log.Warn(w.Kind, zap.String("path", w.Path), zap.String("reason", w.Reason))
		}
		if err := checkParquetFits(j, src); err != nil {
			src.Close()
			return nil, err
		}
		return &input{parquet: src}, nil
	}
	log.Info("scanning", zap.String("log_dir", j.LogDir), zap.String("pattern", j.Pattern))
	plan, err := discover(j)
	if plan != nil {
		logPlan(log, plan)
	}
	if err != nil {
		return nil, err
	}
	span := scan.Peek(plan)
	if err := checkFits(j, plan, span, true); err != nil {
		return nil, err
	}
	return &input{plan: plan, slice: sliceWidth(j, plan, span)}, nil
}

// strictCheck fails a --strict run that skipped lines, stored values as
// null, could not read a file or directory, or read two directories as
// one host.
func strictCheck(c *cli.Context, o *outcome) error {
	if !c.Bool("strict") {
		return nil
	}
	if p := strictProblems(o.Summary); p != "" {
		return cli.Exit("--strict: "+p, 1)
	}
	return nil
}

// loggerFromFlags builds the logger from --log-level and --quiet.
func loggerFromFlags(c *cli.Context) (*zap.Logger, error) {
	level := c.String("log-level")
	if c.Bool("quiet") && !c.IsSet("log-level") {
		level = "warn"
	}
	return newLogger(level)
}

// jobFromFlags builds the pipeline job from the command line.
func jobFromFlags(c *cli.Context) (*job, error) {
	if c.NArg() != 1 {
		return nil, fmt.Errorf("want exactly one LOG_DIR argument, got %d", c.NArg())
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

func logPlan(log *zap.Logger, plan *scan.Plan) {
	for _, p := range plan.Ignored {
		log.Info("ignoring JSON-lines twin (different format)", zap.String("path", p))
	}
	for _, w := range plan.Warnings {
		log.Warn(w.Kind, zap.String("path", w.Path), zap.String("host", w.Host), zap.String("reason", w.Reason))
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
	if note := lineNotes(s); note != "" { // a warning, so that --quiet still says why
		log.Warn("parsed; "+note, fields...)
		return
	}
	log.Info("parsed", fields...)
}
