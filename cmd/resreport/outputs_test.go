package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/resreport/resreport/bench/loggen"
	"github.com/resreport/resreport/output"
	"github.com/resreport/resreport/scan"
)

// entry is one file of a snapshot: its content's hash, mode and inode
// (an unchanged inode shows the file was not replaced).
type entry struct {
	sum  [32]byte
	mode fs.FileMode
	ino  uint64
}

// snapshot records every entry under dir (hidden ones too).
func snapshot(t *testing.T, dir string) map[string]entry {
	t.Helper()
	snap := map[string]entry{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		e := entry{mode: info.Mode(), ino: info.Sys().(*syscall.Stat_t).Ino}
		if info.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			e.sum = sha256.Sum256(b)
		}
		snap[rel] = e
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// sameSnapshot fails unless after has exactly the entries of before,
// unchanged.
func sameSnapshot(t *testing.T, before, after map[string]entry) {
	t.Helper()
	for name, e := range before {
		a, ok := after[name]
		switch {
		case !ok:
			t.Errorf("%s is gone", name)
		case a.sum != e.sum || a.mode != e.mode:
			t.Errorf("%s changed", name)
		case a.ino != e.ino && !e.mode.IsDir():
			t.Errorf("%s was replaced (same bytes, new file)", name)
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			t.Errorf("%s is new (left behind)", name)
		}
	}
}

// noWorkFiles fails when dir holds a temporary, lock or commit file of
// the output package.
func noWorkFiles(t *testing.T, dir string) {
	t.Helper()
	es, _ := os.ReadDir(dir)
	for _, e := range es {
		if strings.Contains(e.Name(), ".resreport-") {
			t.Errorf("left behind in %s: %s", dir, e.Name())
		}
	}
}

// runCLIErr runs the command line in-process with stderr captured.
func runCLIErr(t *testing.T, args ...string) (int, string) {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var code int
	withStderr(f, func() { code = runCLI(t, args...) })
	b, _ := os.ReadFile(f.Name())
	return code, string(b)
}

// buildBinary builds the command into a test directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "resreport")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// fullOutputs are the arguments writing every output under out.
func fullOutputs(out string) []string {
	return []string{"--parquet-dir", filepath.Join(out, "pq"), "--json", filepath.Join(out, "r.json"), "-o", filepath.Join(out, "r.html")}
}

// timedRun is a started binary whose stderr lines are timestamped.
type timedRun struct {
	cmd   *exec.Cmd
	lines chan string
	log   bytes.Buffer
	done  chan struct{}
}

func startRun(t *testing.T, bin string, args ...string) *timedRun {
	t.Helper()
	r := &timedRun{cmd: exec.Command(bin, args...), lines: make(chan string, 1024), done: make(chan struct{})}
	stderr, err := r.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(r.done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			r.log.WriteString(sc.Text() + "\n")
			select {
			case r.lines <- sc.Text():
			default:
			}
		}
	}()
	return r
}

// waitFor waits for a stderr line containing s; false if the run ended.
func (r *timedRun) waitFor(s string) bool {
	for {
		select {
		case l := <-r.lines:
			if strings.Contains(l, s) {
				return true
			}
		case <-r.done:
			return false
		}
	}
}

// wait returns the exit code.
func (r *timedRun) wait() int {
	<-r.done
	r.cmd.Wait()
	return r.cmd.ProcessState.ExitCode()
}

// TestSignalAtRandomPoints interrupts a run with every output at 10
// random moments, half during the scan and half after it (merging,
// findings, writing Parquet, JSON and HTML), with SIGINT, SIGTERM, SIGHUP
// and SIGQUIT, each during the scan and after it: each run exits 128 + the
// signal within a bound, leaves no temporary file or lock, and the outputs
// of the good run before are byte-identical (the same files); SIGQUIT
// also writes the goroutines' stacks.
func TestSignalAtRandomPoints(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary 12 times")
	}
	bin := buildBinary(t)
	tmp := t.TempDir()
	// the runs' temporary directory (spools, inherited by the binary): a
	// private one, as other packages' tests run beside this one and spool
	// into the shared one (CI saw output's spool there mid-check)
	t.Setenv("TMPDIR", t.TempDir())
	logs := filepath.Join(tmp, "logs")
	if _, err := loggen.Generate(logs, loggen.Options{Hosts: 12, LinesPerHost: 3000, Gzip: true, RotateLines: 1200, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "out")
	common := []string{"report", logs, "--workers", "2"}
	if code := runCLI(t, append(append(common, "--quiet"), fullOutputs(out)...)...); code != 0 {
		t.Fatalf("good run: exit %d", code)
	}
	before := snapshot(t, out)
	// the interrupted runs differ from the good one (1 s bins), so a run
	// that got through would change every output
	args := append(append(common, "--interval", "1s"), fullOutputs(out)...)

	// one uninterrupted run elsewhere gives the phases' durations
	timing := startRun(t, bin, append(append(common, "--interval", "1s"), fullOutputs(filepath.Join(tmp, "timing"))...)...)
	t0 := time.Now()
	if !timing.waitFor("found") {
		t.Fatalf("timing run: %s", timing.log.String())
	}
	tFound := time.Since(t0)
	timing.waitFor("parsed")
	tParsed := time.Since(t0)
	if code := timing.wait(); code != 0 {
		t.Fatalf("timing run: exit %d\n%s", code, timing.log.String())
	}
	tEnd := time.Since(t0)
	scan, post := tParsed-tFound, tEnd-tParsed
	t.Logf("timing run: discovery %v, scan %v, merge and outputs %v", tFound.Round(time.Millisecond), scan.Round(time.Millisecond), post.Round(time.Millisecond))

	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 1))
	t.Logf("seed %d", seed)
	var worst time.Duration
	late := 0
	for i := 0; i < 10; i++ {
		sig := []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}[i/2%4]
		want := 128 + int(sig)
		// half the scan: a run may be faster than the timing run (CI saw one
		// finish before a signal sent 703 ms into an 835 ms scan)
		mark, span := "found", scan/2
		if i%2 == 1 {
			mark, span = "parsed", post*8/10
		}
		delay := time.Duration(rng.Int64N(int64(span)))
		r := startRun(t, bin, args...)
		if !r.waitFor(mark) {
			t.Fatalf("run %d ended before %q: exit %d\n%s", i, mark, r.wait(), r.log.String())
		}
		time.Sleep(delay)
		sent := time.Now()
		r.cmd.Process.Signal(sig)
		code := r.wait()
		took := time.Since(sent)
		worst = max(worst, took)
		t.Logf("run %d: %v %v after %q: exit %d in %v", i, sig, delay.Round(time.Millisecond), mark, code, took.Round(time.Millisecond))
		switch {
		case code == 0:
			late++ // the outputs were committed before the signal: they must all be new
			for name, e := range snapshot(t, out) {
				if b, ok := before[name]; ok && !e.mode.IsDir() && b.ino == e.ino {
					t.Errorf("run %d exited 0 but %s is the old file", i, name)
				}
			}
			before = snapshot(t, out)
			continue
		case code != want:
			t.Fatalf("run %d: exit %d after %v, want %d\n%s", i, code, sig, want, r.log.String())
		case sig == syscall.SIGQUIT && !strings.Contains(r.log.String(), "goroutine 1 ["):
			t.Errorf("run %d: no goroutine stacks after SIGQUIT:\n%.2000s", i, r.log.String())
		}
		sameSnapshot(t, before, snapshot(t, out))
		noWorkFiles(t, out)
		noWorkFiles(t, filepath.Join(out, "pq"))
		noWorkFiles(t, os.TempDir())
	}
	if late > 3 {
		t.Fatalf("%d of 10 signals came after the commit: the runs are too fast for this test", late)
	}
	t.Logf("slowest stop after the signal: %v", worst.Round(time.Millisecond))
	if worst > 3*time.Second {
		t.Errorf("a run took %v to stop after the signal", worst)
	}
}

// TestFailedRunKeepsGoodSet: a run that finds no record in range, or only
// corrupt files, exits 1 and leaves the outputs of the good run before
// byte-identical.
func TestFailedRunKeepsGoodSet(t *testing.T) {
	tmp := t.TempDir()
	logs := filepath.Join(tmp, "logs")
	if _, err := loggen.Generate(logs, loggen.Options{Hosts: 3, LinesPerHost: 300, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "out")
	if code := runCLI(t, append([]string{"report", logs, "--quiet"}, fullOutputs(out)...)...); code != 0 {
		t.Fatalf("good run: exit %d", code)
	}
	before := snapshot(t, out)

	corrupt := filepath.Join(tmp, "corrupt")
	for h := 0; h < 2; h++ {
		p := filepath.Join(corrupt, fmt.Sprintf("10.0.0.%d", h+1), "logs", "resource.log")
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, bytes.Repeat([]byte("garbage | not a record\n\x00\xff\n"), 100), 0o644))
		must(t, os.WriteFile(p+".gz", []byte("\x1f\x8b not gzip"), 0o644))
	}
	for _, c := range []struct {
		name string
		args []string
	}{
		{"--since past the data", []string{"report", logs, "--since", "2030-01-01T00:00:00"}},
		{"every file corrupt", []string{"report", corrupt}},
		{"check --json", []string{"check", logs, "--until", "2020-01-01T00:00:00", "--json", filepath.Join(out, "r.json")}},
	} {
		args := append(c.args, "--quiet")
		if c.args[0] == "report" {
			args = append(args, fullOutputs(out)...)
		}
		code, stderr := runCLIErr(t, args...)
		if code != 1 || !strings.Contains(stderr, "no records") {
			t.Errorf("%s: exit %d, %q", c.name, code, stderr)
		}
		sameSnapshot(t, before, snapshot(t, out))
	}
}

// TestClosedStandardOutput: -o - and --json - (and -o /dev/stdout) with
// standard output closed (>&-, which Go reopens on /dev/null read-write,
// as launchers that discard it do) warn, naming the flag, that what goes
// there is lost, and succeed; > /dev/null, a user's choice, and -o
// /dev/null with it closed succeed without a word; standard output not
// open for writing fails before the scan, exit 1.
func TestClosedStandardOutput(t *testing.T) {
	tmp := t.TempDir()
	logs := filepath.Join(tmp, "logs")
	if _, err := loggen.Generate(logs, loggen.Options{Hosts: 1, LinesPerHost: 50, Seed: 6}); err != nil {
		t.Fatal(err)
	}
	bin := buildBinary(t)
	html := filepath.Join(tmp, "r.html")
	const lost = "standard output is /dev/null opened read-write"
	for _, tc := range []struct {
		redirect string
		args     []string
		exit     int
		want     string // in stderr; "" for none
	}{
		{">&-", []string{"-o", "-"}, 0, "-o: " + lost},
		{">&-", []string{"-o", html, "--json", "-"}, 0, "--json: " + lost},
		{">&-", []string{"-o", "/dev/stdout"}, 0, "-o: " + lost},
		{"< /dev/null 1<&0", []string{"-o", "-"}, 1, "resreport: -o: standard output is not open for writing"},
		{"> /dev/null", []string{"-o", "-"}, 0, ""},
		{"> /dev/null", []string{"-o", html, "--json", "-"}, 0, ""},
		{">&-", []string{"-o", "/dev/null"}, 0, ""},
	} {
		cmd := exec.Command("sh", append([]string{"-c", `exec "$0" "$@" ` + tc.redirect, bin, "report", logs, "-q"}, tc.args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		cmd.Run()
		got := stderr.String()
		if cmd.ProcessState.ExitCode() != tc.exit || tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("%s %v: exit %d, stderr %q; want %d and %q", tc.redirect, tc.args, cmd.ProcessState.ExitCode(), got, tc.exit, tc.want)
		}
	}
}

// TestStandardOutputAndFIFO: -o - writes the report to standard output
// and nothing to a file; --json to a FIFO writes it there and keeps the
// FIFO; a device given as -o stays a device.
func TestStandardOutputAndFIFO(t *testing.T) {
	tmp := t.TempDir()
	logs := filepath.Join(tmp, "logs")
	if _, err := loggen.Generate(logs, loggen.Options{Hosts: 2, LinesPerHost: 200, Seed: 6}); err != nil {
		t.Fatal(err)
	}
	bin := buildBinary(t)
	cmd := exec.Command(bin, "report", logs, "-o", "-", "--quiet")
	cmd.Dir = tmp
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	if err := cmd.Run(); err != nil {
		t.Fatalf("-o -: %v", err)
	}
	if !bytes.HasPrefix(stdout.Bytes(), []byte("<!DOCTYPE html>")) || !bytes.Contains(stdout.Bytes(), []byte("</html>")) {
		t.Fatalf("-o - wrote %d bytes: %.100q", stdout.Len(), stdout.String())
	}
	if _, err := os.Stat(filepath.Join(tmp, "-")); err == nil {
		t.Fatal("-o - created a file named -")
	}

	fifo := filepath.Join(tmp, "out.fifo")
	must(t, syscall.Mkfifo(fifo, 0o644))
	null := filepath.Join(tmp, "null")
	devNull := null
	if err := syscall.Mknod(null, syscall.S_IFCHR|0o666, int(1<<8|3)); err != nil {
		devNull = "/dev/null" // not root: the system's, only written to
	}
	got := make(chan []byte)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- nil
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- b
	}()
	if code := runCLI(t, "report", logs, "--json", fifo, "-o", devNull, "--quiet"); code != 0 {
		t.Fatalf("--json FIFO: exit %d", code)
	}
	var doc jsonDoc
	if err := json.Unmarshal(<-got, &doc); err != nil || len(doc.Hosts) != 2 {
		t.Fatalf("JSON from the FIFO: %v, %d hosts", err, len(doc.Hosts))
	}
	for _, p := range []string{fifo, devNull} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().IsRegular() {
			t.Errorf("%s was replaced by a regular file", p)
		}
	}
	if code, stderr := runCLIErr(t, "report", logs, "-o", "-", "--json", "-"); code != 2 || !strings.Contains(stderr, "same file") {
		t.Errorf("-o - --json -: exit %d, %q", code, stderr)
	}
}

// TestUsageErrors: a bad command line is one line saying what is wrong
// and a hint, exit 2, found before any output or input is touched.
func TestUsageErrors(t *testing.T) {
	tmp := t.TempDir()
	logs := filepath.Join(tmp, "logs")
	if _, err := loggen.Generate(logs, loggen.Options{Hosts: 2, LinesPerHost: 50, Seed: 9}); err != nil {
		t.Fatal(err)
	}
	input := filepath.Join(loggen.Options{}.HostDir(logs, 0), "resource.log")
	inputBytes, _ := os.ReadFile(input)
	out := filepath.Join(tmp, "out")
	for _, c := range []struct {
		env  string
		args []string
		want string
	}{
		{"", []string{"report", logs, "--bogus"}, "flag provided but not defined"},
		{"", []string{logs, "--bogus"}, "flag provided but not defined"},
		{"", []string{"report", logs, "--mem-warn", "abc"}, "mem-warn"},
		{"", []string{"report", logs, "--mem-warn", "NaN"}, "--mem-warn NaN"},
		{"", []string{"report", logs, "--hit-warn", "1.5"}, "--hit-warn 1.5"},
		{"RESREPORT_QUIET=yes", []string{"report", logs}, "RESREPORT_QUIET"},
		{"", []string{"convert", logs}, "needs --parquet-dir"},
		{"", []string{"gen", "--hosts", "1"}, "needs --out"},
		{"", []string{"report"}, "LOG_DIR"},
		{"", []string{"report", logs, "--interval", "92233720368547758"}, "at most 24h (1d): bins are aligned to midnight"},
		{"", []string{"report", logs, "--interval", "48h"}, "at most 24h (1d): bins are aligned to midnight"},
		{"RESREPORT_INTERVAL=2d", []string{"report", logs}, "--interval 2d: at most 24h"},
		{"", []string{"report", logs, "--workers", "1000000"}, "--workers"},
		{"", []string{"check", logs, "--fail-on", "bogus"}, "--fail-on"},
		{"", []string{"report", logs, "-o", filepath.Join(out, "a", "x"), "--json", filepath.Join(out, "a", "x")}, "same file"},
		{"", []string{"report", logs, "--parquet-dir", out, "-o", filepath.Join(out, "host_bins.parquet")}, "same file"},
		{"", []string{"report", logs, "-o", input}, "would replace the input"},
		{"", []string{"report", logs, "--json", input}, "would replace the input"},
		{"", []string{"report", logs, "-o", logs}, "is a directory"},
	} {
		if c.env != "" {
			k, v, _ := strings.Cut(c.env, "=")
			t.Setenv(k, v)
		}
		code, stderr := runCLIErr(t, c.args...)
		if c.env != "" {
			k, _, _ := strings.Cut(c.env, "=")
			os.Unsetenv(k)
		}
		var lines []string // without the log's info lines
		for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
			if !strings.Contains(l, "\tINFO\t") {
				lines = append(lines, l)
			}
		}
		if code != 2 || len(lines) != 2 || !strings.Contains(lines[0], c.want) || !strings.Contains(lines[1], "--help") {
			t.Errorf("%s %q: exit %d, stderr %q; want 2, one line with %q and a --help hint", c.env, c.args, code, stderr, c.want)
		}
	}
	if b, _ := os.ReadFile(input); !bytes.Equal(b, inputBytes) {
		t.Error("an input log was changed")
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s was left behind by runs that failed before writing", out)
	}
	noWorkFiles(t, filepath.Dir(input))
}

// TestOutputChecksBeforeScan: missing output directories are created
// before the scan; one that cannot be, and a target held by another run,
// fail before it (no "parsed" in the log), exit 1, one line.
func TestOutputChecksBeforeScan(t *testing.T) {
	tmp := t.TempDir()
	logs := filepath.Join(tmp, "logs")
	if _, err := loggen.Generate(logs, loggen.Options{Hosts: 2, LinesPerHost: 50, Seed: 10}); err != nil {
		t.Fatal(err)
	}
	if code := runCLI(t, "report", logs, "-o", filepath.Join(tmp, "new", "deep", "r.html"), "--json", filepath.Join(tmp, "other", "r.json"), "--quiet"); code != 0 {
		t.Fatalf("new directories: exit %d", code)
	}
	file := filepath.Join(tmp, "file")
	must(t, os.WriteFile(file, nil, 0o644))
	code, stderr := runCLIErr(t, "report", logs, "-o", filepath.Join(file, "r.html"))
	if code != 1 || strings.Contains(stderr, "parsed") || !strings.Contains(stderr, "not a directory") {
		t.Errorf("-o under a file: exit %d, %q", code, stderr)
	}

	held := filepath.Join(tmp, "held.html")
	s := output.NewSet(context.Background())
	if _, err := s.File(held); err != nil {
		t.Fatal(err)
	}
	code, stderr = runCLIErr(t, "report", logs, "-o", held)
	s.Abort()
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	last := lines[len(lines)-1]
	if code != 1 || strings.Contains(stderr, "parsed") || !strings.Contains(last, "being written by another resreport run (pid") {
		t.Errorf("a held output: exit %d, %q", code, stderr)
	}
}

// TestModes: an output keeps the previous file's mode; a new one gets
// 0666 less the umask.
func TestModes(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	tmp := t.TempDir()
	logs := filepath.Join(tmp, "logs")
	if _, err := loggen.Generate(logs, loggen.Options{Hosts: 1, LinesPerHost: 50, Seed: 12}); err != nil {
		t.Fatal(err)
	}
	html, js := filepath.Join(tmp, "r.html"), filepath.Join(tmp, "r.json")
	must(t, os.WriteFile(html, []byte("old"), 0o600))
	must(t, os.Chmod(html, 0o604))
	if code := runCLI(t, "report", logs, "-o", html, "--json", js, "--quiet"); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for p, want := range map[string]fs.FileMode{html: 0o604, js: 0o640} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", p, st.Mode().Perm(), want)
		}
	}
}

// TestKilledRunIsSwept: a run killed with SIGKILL while writing leaves its
// temporary files; the next run writing there removes them.
func TestKilledRunIsSwept(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	tmp := t.TempDir()
	logs := filepath.Join(tmp, "logs")
	if _, err := loggen.Generate(logs, loggen.Options{Hosts: 20, LinesPerHost: 8000, Seed: 13}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "out")
	r := startRun(t, bin, append([]string{"report", logs, "--workers", "1"}, fullOutputs(out)...)...)
	if !r.waitFor("found") {
		t.Fatalf("run: %s", r.log.String())
	}
	samplesTmp := filepath.Join(out, "pq", ".samples.parquet.resreport-*.tmp")
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		m, _ := filepath.Glob(samplesTmp)
		if len(m) == 1 {
			if st, err := os.Stat(m[0]); err == nil && st.Size() > 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the samples file never grew")
		}
	}
	r.cmd.Process.Kill()
	r.wait()
	var left []string
	for _, d := range []string{out, filepath.Join(out, "pq")} {
		es, _ := os.ReadDir(d)
		for _, e := range es {
			if strings.Contains(e.Name(), ".resreport-") {
				left = append(left, e.Name())
			}
		}
	}
	if len(left) < 5 {
		t.Fatalf("the killed run left %v, want its temporary files", left)
	}
	code, stderr := runCLIErr(t, append([]string{"report", logs, "--until", "2026-05-06T00:10:00"}, fullOutputs(out)...)...)
	if code != 0 || !strings.Contains(stderr, "did not finish") {
		t.Fatalf("next run: exit %d\n%s", code, stderr)
	}
	noWorkFiles(t, out)
	noWorkFiles(t, filepath.Join(out, "pq"))
}

// TestSpecialLogDir: a FIFO or a device as LOG_DIR fails at once with a
// reason, instead of hanging on a read.
func TestSpecialLogDir(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "logs.fifo")
	must(t, syscall.Mkfifo(fifo, 0o644))
	for _, dir := range []string{fifo, "/dev/zero"} {
		done := make(chan struct{})
		var code int
		var stderr string
		go func() {
			defer close(done)
			code, stderr = runCLIErr(t, "report", dir, "-o", filepath.Join(t.TempDir(), "r.html"))
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("%s as LOG_DIR hangs", dir)
		}
		if code != 1 || !strings.Contains(stderr, "not a directory or a regular file") {
			t.Errorf("%s: exit %d, %q", dir, code, stderr)
		}
	}
}

// TestTruncatedWhileRead truncates a log while the run reads it (as
// logrotate's copytruncate does): the summary reports the file, with
// what was read, in files_failed.
func TestTruncatedWhileRead(t *testing.T) {
	tmp := t.TempDir()
	logs := filepath.Join(tmp, "logs")
	o := loggen.Options{Hosts: 1, LinesPerHost: 20000, Seed: 14} // ~14 MB
	if _, err := loggen.Generate(logs, o); err != nil {
		t.Fatal(err)
	}
	live := filepath.Join(o.HostDir(logs, 0), "resource.log")
	truncated := false
	j := &job{LogDir: logs, Pattern: "resource", Since: scan.NoSince, Until: scan.NoUntil, IntervalMS: 60000, Workers: 1,
		Samples: func([]arrow.RecordBatch) error {
			if !truncated {
				truncated = true
				return os.Truncate(live, 0)
			}
			return nil
		}}
	oc, err := run(context.Background(), j)
	if err != nil {
		t.Fatal(err)
	}
	s := oc.Summary
	if s.FilesFailed != 1 || len(s.PerFile) != 1 || !strings.Contains(s.PerFile[0].Error, "truncated while read") {
		t.Fatalf("files_failed %d, per file %+v", s.FilesFailed, s.PerFile)
	}
	if s.LinesRead == 0 || s.LinesRead >= int64(o.LinesPerHost) || s.LinesRead != s.Records+s.OutsideRange+s.SkippedTotal {
		t.Fatalf("lines read %d of %d, records %d", s.LinesRead, o.LinesPerHost, s.Records)
	}
}

// TestHostsDifferingInInvalidBytes: two host directories whose names
// differ only in invalid UTF-8 bytes stay two hosts in the JSON.
func TestHostsDifferingInInvalidBytes(t *testing.T) {
	tmp := t.TempDir()
	logs := filepath.Join(tmp, "logs")
	o := loggen.Options{Hosts: 2, LinesPerHost: 50, Seed: 15, HostNames: func(i int) string { return []string{"10.0.0.1\xff", "10.0.0.1\xfe"}[i] }}
	if _, err := loggen.Generate(logs, o); err != nil {
		t.Fatal(err)
	}
	js := filepath.Join(tmp, "r.json")
	if code := runCLI(t, "report", logs, "--json", js, "-o", filepath.Join(tmp, "r.html"), "--quiet"); code != 0 {
		t.Fatalf("exit %d", code)
	}
	doc := readDoc(t, js)
	var names []string
	for h := range doc.Hosts {
		names = append(names, h)
	}
	sort.Strings(names)
	if strings.Join(names, " ") != `10.0.0.1\xfe 10.0.0.1\xff` {
		t.Fatalf("hosts %q", names)
	}
}

// TestPartitionLongHostName converts a host whose directory name (158
// bytes) escapes to more than 255 bytes: the partition directory is
// shortened with a hash, --from-parquet reads the full name from the
// files, and two such hosts sharing a long prefix stay apart.
func TestPartitionLongHostName(t *testing.T) {
	tmp := t.TempDir()
	logs := filepath.Join(tmp, "logs")
	long := "10.0.0.1" + strings.Repeat("é", 75) // 158 bytes, 458 escaped
	names := []string{long + "a", long + "b", "10.0.0.9"}
	o := loggen.Options{Hosts: 3, LinesPerHost: 100, Seed: 16, HostNames: func(i int) string { return names[i] }}
	if _, err := loggen.Generate(logs, o); err != nil {
		t.Fatal(err)
	}
	pq := filepath.Join(tmp, "pq")
	if code := runCLI(t, "convert", logs, "--parquet-dir", pq, "--partition", "--quiet"); code != 0 {
		t.Fatalf("convert --partition: exit %d", code)
	}
	parts, _ := filepath.Glob(filepath.Join(pq, "date=*", "host=*", "part-00000.parquet"))
	if len(parts) != 3 {
		t.Fatalf("partitions %v", parts)
	}
	for _, p := range parts {
		if n := len(filepath.Base(filepath.Dir(p))); n > 255 {
			t.Errorf("partition directory of %d bytes", n)
		}
	}
	direct, merged := filepath.Join(tmp, "direct.json"), filepath.Join(tmp, "merged.json")
	if code := runCLI(t, "report", logs, "--json", direct, "-o", filepath.Join(tmp, "d.html"), "--quiet"); code != 0 {
		t.Fatal("report")
	}
	if code := runCLI(t, "report", "--from-parquet", pq, "--json", merged, "-o", filepath.Join(tmp, "m.html"), "--quiet"); code != 0 {
		t.Fatal("report --from-parquet")
	}
	a, b := readDoc(t, direct), readDoc(t, merged)
	for _, h := range names {
		if len(a.Hosts[h]) == 0 || len(a.Hosts[h]) != len(b.Hosts[h]) {
			t.Errorf("host %.20q…: %d bins from the logs, %d from the partitions", h, len(a.Hosts[h]), len(b.Hosts[h]))
		}
	}
	if len(b.Hosts) != 3 || a.Summary.Records != b.Summary.Records {
		t.Errorf("hosts %d, records %d vs %d", len(b.Hosts), a.Summary.Records, b.Summary.Records)
	}
}

// TestConvertInterrupted: a convert --partition interrupted by SIGTERM
// leaves the previous data set as it was and no partial one; a directory
// holding other files is refused before the scan.
func TestConvertInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	tmp := t.TempDir()
	small, big := filepath.Join(tmp, "small"), filepath.Join(tmp, "big")
	if _, err := loggen.Generate(small, loggen.Options{Hosts: 2, LinesPerHost: 100, Seed: 17}); err != nil {
		t.Fatal(err)
	}
	if _, err := loggen.Generate(big, loggen.Options{Hosts: 20, LinesPerHost: 6000, Seed: 17}); err != nil {
		t.Fatal(err)
	}
	pq := filepath.Join(tmp, "pq")
	if code := runCLI(t, "convert", small, "--parquet-dir", pq, "--partition", "--quiet"); code != 0 {
		t.Fatalf("first convert: exit %d", code)
	}
	before := snapshot(t, pq)
	r := startRun(t, bin, "convert", big, "--parquet-dir", pq, "--partition", "--workers", "1")
	if !r.waitFor("converted") { // the first host is written
		t.Fatalf("convert: %s", r.log.String())
	}
	r.cmd.Process.Signal(syscall.SIGTERM)
	if code := r.wait(); code != 143 {
		t.Fatalf("exit %d after SIGTERM\n%s", code, r.log.String())
	}
	sameSnapshot(t, before, snapshot(t, pq))
	noWorkFiles(t, tmp)

	must(t, os.WriteFile(filepath.Join(pq, "notes.txt"), []byte("mine"), 0o644))
	if code, stderr := runCLIErr(t, "convert", small, "--parquet-dir", pq, "--partition"); code != 2 || !strings.Contains(stderr, "notes.txt") {
		t.Errorf("a directory with other files: exit %d, %q", code, stderr)
	}
}

// TestFromParquetSpecialFile: a FIFO named like a samples file under a
// --from-parquet directory is an error, not a read that hangs.
func TestFromParquetSpecialFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pq")
	must(t, os.MkdirAll(dir, 0o755))
	must(t, syscall.Mkfifo(filepath.Join(dir, "samples.parquet"), 0o644))
	done := make(chan struct{})
	var code int
	var stderr string
	go func() {
		defer close(done)
		code, stderr = runCLIErr(t, "report", "--from-parquet", dir, "-o", filepath.Join(t.TempDir(), "r.html"))
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("--from-parquet hangs on a FIFO")
	}
	if code != 1 || !strings.Contains(stderr, "not a regular file") {
		t.Errorf("exit %d, %q", code, stderr)
	}
}
