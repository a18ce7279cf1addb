package main

import (
	"fmt"
	"math"
	"strings"

	"github.com/urfave/cli/v2"
)

// exitUsage is the exit status of a bad command line.
const exitUsage = 2

// usageError is a bad command line: one line saying what is wrong, then a
// hint to the command's --help (not the whole help text).
type usageError struct {
	msg string
	cmd string // e.g. "resreport report"
}

func (e *usageError) Error() string { return e.msg }
func (e *usageError) ExitCode() int { return exitUsage }
func (e *usageError) hint() string  { return "Run '" + e.cmd + " --help' for usage." }

// usage returns a usageError for the command of c.
func usage(c *cli.Context, format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...), cmd: commandName(c)}
}

// commandName is "resreport" or "resreport CMD" for the command of c.
func commandName(c *cli.Context) string {
	if c != nil && c.Command != nil && c.Command.Name != "" && c.App != nil && c.Command.Name != c.App.Name {
		return "resreport " + c.Command.Name
	}
	return "resreport"
}

// onUsageError replaces the cli package's answer to a flag it cannot
// parse (an unknown flag, a value of the wrong type, also from a
// RESREPORT_* variable), which prints the whole help.
func onUsageError(c *cli.Context, err error, _ bool) error {
	return usage(c, "%s", strings.TrimSpace(err.Error()))
}

// setUsageHandlers installs onUsageError on the app and its commands.
func setUsageHandlers(app *cli.App) {
	app.OnUsageError = onUsageError
	for _, cmd := range app.Commands {
		cmd.OnUsageError = onUsageError
	}
}

// maxWorkers bounds --workers: each worker holds a partial aggregate.
const maxWorkers = 1024

// checkRanges checks the numeric flags that are set: --workers, and the
// finding thresholds (finite; fractions within [0, 1]).
func checkRanges(c *cli.Context) error {
	if c.IsSet("workers") {
		if n := c.Int("workers"); n < 0 || n > maxWorkers {
			return usage(c, "--workers %d: want 0 (one per CPU) to %d", n, maxWorkers)
		}
	}
	for name, r := range thresholdRanges {
		if !c.IsSet(name) {
			continue
		}
		v := c.Float64(name)
		if math.IsNaN(v) || math.IsInf(v, 0) || v < r[0] || v > r[1] {
			return usage(c, "--%s %v: want a number from %v to %v", name, v, r[0], r[1])
		}
	}
	return nil
}

// thresholdRanges are the allowed values of the finding thresholds.
var thresholdRanges = map[string][2]float64{
	"mem-warn": {0, 10}, "mem-critical": {0, 10}, "limit-margin": {0, 1},
	"leak-tau": {-1, 1}, "leak-min-rise": {0, 1e6}, "object-drop": {0, 1},
	"hit-warn": {0, 1}, "hit-critical": {0, 1}, "surge-factor": {0, 1e6},
	"tp-usage": {0, 1}, "etcd-queue": {0, 1}, "success-warn": {0, 1}, "success-critical": {0, 1},
	"gap-periods": {0, 1e6},
}
