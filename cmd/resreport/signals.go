package main

import (
	"context"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

// caughtSignal is the signal that cancelled the run (0 if none).
var caughtSignal atomic.Int32

// withSignals returns a context cancelled by the first SIGINT or SIGTERM;
// a second one kills the process as usual.
func withSignals(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	// A reader of standard output that goes away (| head) makes writes
	// fail with EPIPE, so the run ends with an error and cleans up,
	// instead of being killed by SIGPIPE.
	signal.Ignore(syscall.SIGPIPE)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case s := <-ch:
			caughtSignal.Store(int32(s.(syscall.Signal)))
			signal.Stop(ch)
			cancel()
		case <-ctx.Done():
			signal.Stop(ch)
		}
	}()
	return ctx, cancel
}

// signalExitCode is 128 + the signal number (130 for SIGINT, 143 for
// SIGTERM), or 1 when the run was cancelled otherwise.
func signalExitCode(context.Context) int {
	if s := caughtSignal.Load(); s != 0 {
		return 128 + int(s)
	}
	return 1
}
