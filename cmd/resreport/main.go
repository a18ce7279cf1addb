// Command resreport turns KVCache worker resource logs into Parquet, JSON
// and a self-contained HTML report.
//
//	resreport report LOG_DIR [flags]
//	resreport LOG_DIR [flags]          (the same; the reference's usage)
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"runtime/pprof"

	"github.com/urfave/cli/v2"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// version is set with -ldflags "-X main.version=…"; otherwise the module
// version or "dev".
var version = ""

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func main() {
	os.Exit(runMain(os.Args))
}

// startProfile writes a CPU profile to $RESREPORT_CPUPROFILE, for
// performance work; the returned function stops it.
func startProfile() func() {
	path := os.Getenv("RESREPORT_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "resreport: cpu profile:", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "resreport: cpu profile:", err)
		f.Close()
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}

// writeHeapProfile writes the live heap to $RESREPORT_MEMPROFILE (at the
// moment the outputs are finished, near the run's peak), for memory work.
func writeHeapProfile() {
	path := os.Getenv("RESREPORT_MEMPROFILE")
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "resreport: heap profile:", err)
		return
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		fmt.Fprintln(os.Stderr, "resreport: heap profile:", err)
	}
}

// runMain runs the command line and returns the process exit code.
func runMain(args []string) int {
	ctx, stop := withSignals(context.Background())
	defer stop()
	defer startProfile()()
	setMemoryLimit()
	app := newApp()
	err := app.RunContext(ctx, permuteArgs(app, args))
	return exitCode(ctx, err)
}

// exitCode maps an error to the exit status and prints its one-line reason.
func exitCode(ctx context.Context, err error) int {
	if err == nil {
		return 0
	}
	if ctx.Err() != nil {
		fmt.Fprintln(os.Stderr, "resreport: interrupted")
		return signalExitCode(ctx)
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(os.Stderr, "resreport:", ue.msg)
		fmt.Fprintln(os.Stderr, ue.hint())
		return ue.ExitCode()
	}
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		if msg := err.Error(); msg != "" {
			fmt.Fprintln(os.Stderr, "resreport:", msg)
		}
		return ec.ExitCode()
	}
	fmt.Fprintln(os.Stderr, "resreport:", err)
	return 1
}

func newApp() *cli.App {
	app := &cli.App{
		Name:                 "resreport",
		Usage:                "turn KVCache worker resource logs into Parquet, JSON and an HTML report",
		UsageText:            "resreport [command] LOG_DIR [flags]   (report is the default command)",
		Version:              buildVersion(),
		Flags:                reportFlags(),
		Action:               reportAction,
		ArgsUsage:            "LOG_DIR",
		Description:          helpDescription,
		EnableBashCompletion: true,
		HideHelpCommand:      false,
		ExitErrHandler:       func(*cli.Context, error) {}, // exit codes are mapped in runMain
		Commands: []*cli.Command{
			{
				Name:        "report",
				Usage:       "parse LOG_DIR and write the HTML report (and optionally Parquet and JSON)",
				ArgsUsage:   "LOG_DIR",
				Description: helpDescription,
				Flags:       reportFlags(),
				Action:      reportAction,
			},
			checkCommand(),
			convertCommand(),
			genCommand(),
			demoCommand(),
			completionCommand(),
		},
	}
	setUsageHandlers(app)
	return app
}

// newLogger returns a console logger on stderr at the given level.
func newLogger(level string) (*zap.Logger, error) {
	lvl, err := zapcore.ParseLevel(level)
	if err != nil {
		return nil, fmt.Errorf("--log-level %q: %w", level, err)
	}
	enc := zap.NewDevelopmentEncoderConfig()
	enc.EncodeTime = zapcore.TimeEncoderOfLayout("15:04:05.000")
	core := zapcore.NewCore(zapcore.NewConsoleEncoder(enc), zapcore.Lock(os.Stderr), lvl)
	return zap.New(core), nil
}
