package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"sync/atomic"
	"syscall"
)

// caughtSignal is the signal that cancelled the run (0 if none).
var caughtSignal atomic.Int32

// stopSignals end a run as SIGINT does: it stops, removes its temporary
// files and locks, and exits 128 + the signal's number. SIGHUP is what a
// closed terminal or a dropped ssh session sends. SIGQUIT is what a Go
// user sends to see where a program hangs: the first one writes every
// goroutine's stack to stderr (as Go's default does) and then stops the
// run as SIGTERM would; a second one, for a run that does not stop, gets
// Go's default (the stacks, exit 2), and what it leaves is removed by the
// next run writing in the same directory (output's sweep: temporaries
// whose lock no process holds).
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}

// withSignals returns a context cancelled by the first of stopSignals; a
// second one gets the signal's default action. A signal ignored when the
// process started (SIGHUP under nohup, SIGINT in a background job) stays
// ignored: Notify would install a handler for it.
func withSignals(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	caughtSignal.Store(0)
	// A reader of standard output that goes away (| head) makes writes
	// fail with EPIPE, so the run ends with an error and cleans up,
	// instead of being killed by SIGPIPE.
	signal.Ignore(syscall.SIGPIPE)
	var sigs []os.Signal
	for _, s := range stopSignals {
		if !signal.Ignored(s) {
			sigs = append(sigs, s)
		}
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, sigs...)
	go func() {
		select {
		case s := <-ch:
			signal.Stop(ch)
			if s == syscall.SIGQUIT {
				dumpGoroutines(os.Stderr)
			}
			caughtSignal.Store(int32(s.(syscall.Signal)))
			cancel()
		case <-ctx.Done():
			signal.Stop(ch)
		}
	}()
	return ctx, cancel
}

// dumpGoroutines writes every goroutine's stack to w, in the form of Go's
// SIGQUIT dump.
func dumpGoroutines(w io.Writer) {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			fmt.Fprintf(w, "SIGQUIT: quit (stopping and cleaning up; a second SIGQUIT exits at once)\n\n%s\n", buf[:n])
			return
		}
		buf = make([]byte, 2*len(buf))
	}
}

// signalExitCode is 128 + the signal number (130 for SIGINT, 143 for
// SIGTERM, 129 for SIGHUP, 131 for SIGQUIT), or 1 when the run was
// cancelled otherwise.
func signalExitCode(context.Context) int {
	if s := caughtSignal.Load(); s != 0 {
		return 128 + int(s)
	}
	return 1
}
