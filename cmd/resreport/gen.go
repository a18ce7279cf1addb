package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/resreport/resreport/bench/loggen"
)

func genCommand() *cli.Command {
	return &cli.Command{
		Name:      "gen",
		Usage:     "write a deterministic, realistic data set of resource logs (for demos and benchmarks)",
		ArgsUsage: " ",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "hosts", Value: 20, Usage: "number of hosts"},
			&cli.IntFlag{Name: "lines-per-host", Value: 50000, Usage: "records per host"},
			&cli.StringFlag{Name: "start", Value: "2026-05-06T00:00:00", Usage: "first timestamp (local time)"},
			&cli.DurationFlag{Name: "period", Value: 5 * time.Second, Usage: "sampling period"},
			&cli.IntFlag{Name: "layout", Value: 1, Usage: "1: DIR/<host>/logs, 2: DIR/<wrapper>/<host>/logs, 3: DIR/resource.log (one host)"},
			&cli.BoolFlag{Name: "gzip", Usage: "gzip the rotated files"},
			&cli.IntFlag{Name: "rotate-lines", Usage: "rotate every N records (0: one file per host)"},
			&cli.IntSliceFlag{Name: "groups", Value: cli.NewIntSlice(25), Usage: "worker versions by group count (21, 22, 24, 25), assigned to hosts in turn"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "random seed; the same seed gives the same bytes"},
			&cli.StringFlag{Name: "out", Usage: "output directory (required)"},
			&cli.BoolFlag{Name: "realistic", Usage: "production-like values: large growing counters, slowly moving gauges, 4-decimal rates (the benchmarks' data)"},
			&cli.BoolFlag{Name: "noise", Usage: "ordinary noise: ETCD/OBS success rates below 1.0 in 0.5% of samples, short thread-pool queues in 2%"},
			&cli.BoolFlag{Name: "no-trailing-pipe", Usage: "lines without the trailing ' |' (the reference script's docstring format)"},
		},
		Action: genAction,
	}
}

func genAction(c *cli.Context) error {
	if c.String("out") == "" {
		return usage(c, "gen needs --out DIR")
	}
	start, err := parseBound("start", c.String("start"), 0)
	if err != nil {
		return usage(c, "%v", err)
	}
	o := loggen.Options{
		Hosts: c.Int("hosts"), LinesPerHost: c.Int("lines-per-host"), Start: time.UnixMicro(start).UTC(),
		Period: c.Duration("period"), Layout: c.Int("layout"), Gzip: c.Bool("gzip"), RotateLines: c.Int("rotate-lines"),
		Groups: c.IntSlice("groups"), Seed: c.Uint64("seed"),
		Realistic: c.Bool("realistic"), NoTrailingPipe: c.Bool("no-trailing-pipe"),
	}
	if c.Bool("noise") {
		o.Noise = loggen.Noise{SuccessDips: 0.005, QueueBlips: 0.02}
	}
	t0 := time.Now()
	st, err := loggen.Generate(c.String("out"), o)
	if err != nil {
		return cli.Exit(fmt.Sprintf("gen: %v", err), 1)
	}
	fmt.Fprintf(os.Stderr, "wrote %d lines in %d files, %.1f MB of text, to %s in %s\n",
		st.Lines, st.Files, float64(st.Bytes)/1e6, c.String("out"), time.Since(t0).Round(time.Millisecond))
	return nil
}

func demoCommand() *cli.Command {
	return &cli.Command{
		Name:  "demo",
		Usage: "generate a demo data set (12 hosts, 6 hours, with a few planted problems) and report on it",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Value: "demo-out", Usage: "directory for the logs and the outputs"},
			&cli.BoolFlag{Name: "open", Usage: "open the report in a browser"},
		},
		Action: demoAction,
	}
}

// demoOptions is the demo data set: a day's evening of 12 hosts at 10 s,
// with production-like values and noise, a leak, a queue build-up, an
// ETCD outage, a restart and a host that goes silent.
func demoOptions() loggen.Options {
	return loggen.Options{
		Hosts: 12, LinesPerHost: 2160, Start: time.Date(2026, 5, 6, 18, 0, 0, 0, time.UTC), Period: 10 * time.Second,
		Layout: 1, Gzip: true, RotateLines: 1000, Groups: []int{22, 24, 25}, Seed: 42,
		Realistic: true, Noise: loggen.Noise{SuccessDips: 0.005, QueueBlips: 0.02},
		Anomalies: []loggen.Anomaly{
			{Kind: loggen.Leak, Host: 2, From: 600},
			{Kind: loggen.QueueBuildUp, Host: 5, From: 1200, Records: 90},
			{Kind: loggen.EtcdOutage, Host: 0, From: 1500, Records: 60},
			{Kind: loggen.Restart, Host: 7, From: 900},
			{Kind: loggen.Silent, Host: 9, From: 1800},
		},
	}
}

func demoAction(c *cli.Context) error {
	out := c.String("out")
	logs := filepath.Join(out, "logs")
	if err := os.RemoveAll(logs); err != nil {
		return cli.Exit(err.Error(), 1)
	}
	if _, err := loggen.Generate(logs, demoOptions()); err != nil {
		return cli.Exit(fmt.Sprintf("demo: %v", err), 1)
	}
	args := []string{"resreport", "report", "--interval", "5m",
		"--prefix", "demo", "-o", filepath.Join(out, "resource_report.html"),
		"--json", filepath.Join(out, "report.json"), "--parquet-dir", filepath.Join(out, "parquet")}
	if c.Bool("open") {
		args = append(args, "--open")
	}
	args = append(args, logs)
	if err := newApp().RunContext(c.Context, args); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "demo: logs in %s, report in %s\n", logs, filepath.Join(out, "resource_report.html"))
	return nil
}
