package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/resreport/resreport/bench/loggen"
)

// TestInterruptLeavesNoPartialOutput sends SIGINT (in-process) while
// samples.parquet is being written over the outputs of a good run: the run
// exits 130, leaves no temporary file, and the previous outputs are
// byte-identical.
func TestInterruptLeavesNoPartialOutput(t *testing.T) {
	tmp := t.TempDir()
	logs := filepath.Join(tmp, "logs")
	// 160,000 records: more than a row group, so the samples file grows
	// during the scan
	if _, err := loggen.Generate(logs, loggen.Options{Hosts: 20, LinesPerHost: 8000, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "out")
	args := []string{"report", logs, "--parquet-dir", out, "--json", filepath.Join(out, "r.json"),
		"-o", filepath.Join(out, "r.html"), "--quiet", "--workers", "1"}
	if code := runCLI(t, append(args, "--until", "2026-05-06T01:00:00")...); code != 0 {
		t.Fatalf("first run: exit %d", code)
	}
	before := snapshot(t, out)
	done := make(chan int)
	go func() { done <- runCLI(t, args...) }()
	// wait until the samples file is being written, then interrupt
	deadline := time.Now().Add(30 * time.Second)
	for {
		m, _ := filepath.Glob(filepath.Join(out, ".samples.parquet.resreport-*.tmp"))
		if len(m) > 0 {
			if st, err := os.Stat(m[0]); err == nil && st.Size() > 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the run never started writing samples.parquet")
		}
		time.Sleep(2 * time.Millisecond)
	}
	must(t, syscall.Kill(os.Getpid(), syscall.SIGINT))
	select {
	case code := <-done:
		if code != 130 {
			t.Fatalf("exit %d after SIGINT, want 130", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the run did not stop after SIGINT")
	}
	sameSnapshot(t, before, snapshot(t, out))
}

// withStderr runs f with os.Stderr replaced by w.
func withStderr(w *os.File, f func()) {
	old := os.Stderr
	os.Stderr = w
	defer func() { os.Stderr = old }()
	f()
}

// TestProgressBarOnlyOnTerminal runs a report with stderr on a
// pseudo-terminal (a progress bar is drawn) and on a file (no bar).
func TestProgressBarOnlyOnTerminal(t *testing.T) {
	tmp := t.TempDir()
	logs := filepath.Join(tmp, "logs")
	if _, err := loggen.Generate(logs, loggen.Options{Hosts: 4, LinesPerHost: 3000, Seed: 2}); err != nil {
		t.Fatal(err)
	}
	args := []string{"report", logs, "-o", filepath.Join(tmp, "r.html")}

	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	must(t, pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 120}))
	var term bytes.Buffer
	copied := make(chan struct{})
	go func() { io.Copy(&term, ptmx); close(copied) }()
	withStderr(tty, func() {
		if code := runCLI(t, args...); code != 0 {
			t.Errorf("exit %d", code)
		}
	})
	time.Sleep(300 * time.Millisecond) // let the reader drain the terminal before it closes
	tty.Close()
	select {
	case <-copied:
	case <-time.After(5 * time.Second):
	}
	if !strings.Contains(term.String(), "parsing") || !strings.Contains(term.String(), "100 %") && !strings.Contains(term.String(), "100%") {
		t.Errorf("no progress bar on the terminal:\n%q", term.String())
	}

	f, err := os.Create(filepath.Join(tmp, "stderr.txt"))
	if err != nil {
		t.Fatal(err)
	}
	withStderr(f, func() {
		if code := runCLI(t, args...); code != 0 {
			t.Errorf("exit %d", code)
		}
	})
	f.Close()
	text, _ := os.ReadFile(f.Name())
	if strings.Contains(string(text), "parsing ") || strings.Contains(string(text), "\x1b[") {
		t.Errorf("progress bar drawn into a file:\n%s", text)
	}
	if !strings.Contains(string(text), "parsed") {
		t.Errorf("no log lines in the file:\n%s", text)
	}
}

// TestHangupIgnoredUnderNohup: a run started with SIGHUP ignored (nohup)
// keeps it ignored: a hangup during the scan does not stop it.
func TestHangupIgnoredUnderNohup(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	tmp := t.TempDir()
	logs := filepath.Join(tmp, "logs")
	if _, err := loggen.Generate(logs, loggen.Options{Hosts: 12, LinesPerHost: 3000, Gzip: true, RotateLines: 1200, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	// the shell ignores SIGHUP and execs the binary, which inherits that
	args := append([]string{"-c", `trap "" HUP; exec "$0" "$@"`, bin, "report", logs, "--interval", "1s", "--workers", "1"},
		fullOutputs(filepath.Join(tmp, "out"))...)
	r := startRun(t, "/bin/sh", args...)
	if !r.waitFor("found") {
		t.Fatalf("the run ended before the scan: exit %d\n%s", r.wait(), r.log.String())
	}
	if err := r.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Skipf("the run ended before the hangup: %v", err)
	}
	if code := r.wait(); code != 0 {
		t.Fatalf("exit %d after SIGHUP under nohup\n%s", code, r.log.String())
	}
}
