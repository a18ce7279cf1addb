package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"

	"github.com/urfave/cli/v2"

	"github.com/resreport/resreport/agg"
)

// exitFindings is the exit status of `check` when a finding is at or
// above --fail-on.
const exitFindings = 3

// thresholdFlags are the finding rules' limits, shared by report and check.
func thresholdFlags() []cli.Flag {
	d := agg.DefaultThresholds()
	f := func(name string, v float64, usage string) cli.Flag {
		return &cli.Float64Flag{Name: name, Value: v, Usage: usage, EnvVars: env(name), Category: "finding thresholds"}
	}
	return []cli.Flag{
		f("mem-warn", d.MemWarn, "memory ratio above which a host is a warning"),
		f("mem-critical", d.MemCritical, "memory ratio above which a host is critical"),
		f("limit-margin", d.LimitMargin, "warn when max memory usage is within this fraction of the limit"),
		f("leak-tau", d.LeakTau, "Kendall tau of a steady rise of memory or object count (leak suspicion)"),
		f("leak-min-rise", d.LeakMinRise, "minimum relative rise over the window for a leak finding"),
		f("object-drop", d.ObjectDrop, "object count drop between bins (fraction) worth a warning"),
		f("hit-warn", d.HitWarn, "cache hit rate below which the cluster is a warning"),
		f("hit-critical", d.HitCritical, "cache hit rate below which the cluster is critical"),
		f("surge-factor", d.SurgeFactor, "misses or remote hits above this multiple of the recent median are a surge"),
		f("tp-usage", d.TPUsage, "thread pool utilization worth a warning"),
		f("etcd-queue", d.EtcdQueue, "ETCD queue size relative to its limit worth a warning"),
		f("success-warn", d.SuccessWarn, "ETCD/OBS success rate below which a host is a warning"),
		f("success-critical", d.SuccessCr, "ETCD/OBS success rate below which a host is critical"),
		f("gap-periods", d.GapPeriods, "a host silent for more than this many sampling periods is reported"),
		&cli.DurationFlag{Name: "sustain", Value: d.Sustain, Usage: "how long an episode must last to be reported on its own (and to be critical); shorter ones are summarised per rule",
			EnvVars: env("sustain"), Category: "finding thresholds"},
		&cli.DurationFlag{Name: "stop-min", Value: d.StopMin, Usage: "a host whose last sample is this long (and more than --gap-periods periods) before the end of the data stopped",
			EnvVars: env("stop-min"), Category: "finding thresholds"},
	}
}

// thresholdsFromFlags reads the finding thresholds (for convert, which has
// no such flags, the app's: the defaults).
func thresholdsFromFlags(c *cli.Context) agg.Thresholds {
	t := agg.DefaultThresholds()
	t.MemWarn, t.MemCritical, t.LimitMargin = c.Float64("mem-warn"), c.Float64("mem-critical"), c.Float64("limit-margin")
	t.LeakTau, t.LeakMinRise, t.ObjectDrop = c.Float64("leak-tau"), c.Float64("leak-min-rise"), c.Float64("object-drop")
	t.HitWarn, t.HitCritical, t.SurgeFactor = c.Float64("hit-warn"), c.Float64("hit-critical"), c.Float64("surge-factor")
	t.TPUsage, t.EtcdQueue = c.Float64("tp-usage"), c.Float64("etcd-queue")
	t.SuccessWarn, t.SuccessCr, t.GapPeriods = c.Float64("success-warn"), c.Float64("success-critical"), c.Float64("gap-periods")
	t.Sustain, t.StopMin = c.Duration("sustain"), c.Duration("stop-min")
	return t
}

func checkCommand() *cli.Command {
	flags := append(commonFlags(), thresholdFlags()...)
	flags = append(flags,
		&cli.StringFlag{Name: "fail-on", Value: "critical", Usage: "exit 3 when a finding is at or above this severity: warn or critical", EnvVars: env("fail-on")},
		&cli.StringFlag{Name: "json", Usage: "also write the aggregates and findings as JSON to this file", EnvVars: env("json")},
	)
	return &cli.Command{
		Name:      "check",
		Usage:     "print the findings as a table; exit 3 when one is at or above --fail-on (for CI and cron)",
		ArgsUsage: "LOG_DIR",
		Flags:     flags,
		Action:    checkAction,
	}
}

func checkAction(c *cli.Context) error {
	failOn, err := agg.ParseSeverity(c.String("fail-on"))
	if err != nil || failOn == agg.Info {
		return usage(c, "--fail-on %q: want warn or critical", c.String("fail-on"))
	}
	if c.String("json") == "-" {
		return usage(c, "--json -: check prints its findings on standard output; give --json a file")
	}
	o, err := runCommand(c, outputSpec{JSON: c.String("json")})
	if err != nil {
		return err
	}
	defer o.out.abort() // after a failure; nothing once committed
	findings, err := findingsOf(c, o)
	if err != nil {
		return err
	}
	if err := o.out.finish(o.Result, o.Summary, findings, nil); err != nil {
		return err
	}
	printFindings(os.Stdout, findings)
	n := 0
	for _, f := range findings {
		if f.Severity >= failOn {
			n++
		}
	}
	if n > 0 {
		return cli.Exit(fmt.Sprintf("%d findings at or above %s", n, failOn), exitFindings)
	}
	return strictCheck(c, o)
}

// printFindings writes the verdict and the findings as an aligned table,
// most severe first. Every cell is made safe for a terminal: a host
// name (a directory name) could hold control bytes.
func printFindings(w io.Writer, findings []agg.Finding) {
	fmt.Fprintln(w, agg.Verdict(findings))
	if len(findings) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SEVERITY\tRULE\tHOSTS\tFROM\tTO\tBINS\tVALUE\tDETAIL")
	for _, f := range findings {
		hosts := "(cluster)"
		if len(f.Hosts) > 0 {
			hosts = strings.Join(f.Hosts, ",")
			if len(f.Hosts) > 3 {
				hosts = strings.Join(f.Hosts[:3], ",") + fmt.Sprintf(",… (%d)", len(f.Hosts))
			}
		}
		cells := []string{strings.ToUpper(f.Severity.String()), f.Rule, hosts, f.Start, f.End, strconv.Itoa(f.Bins), f.ValueText(), f.Message}
		for i, c := range cells {
			cells[i] = terminalSafe(c)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	tw.Flush()
}

// terminalSafe escapes what a terminal would act on or hide: control
// characters (also tab and newline, which would break the table), format
// characters such as bidirectional overrides, and invalid UTF-8.
func terminalSafe(s string) string {
	if utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsGraphic(r) }) < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1, r < 0x80 && !unicode.IsGraphic(r):
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case !unicode.IsGraphic(r):
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
		i += n
	}
	return b.String()
}
