package output

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestHelperRun is not a test: run by the tests below as another process
// (a run of its own) with OUTPUT_HELPER set. It opens a set on the files
// named in OUTPUT_FILES, writes to them, says "ready" and then either
// waits for its standard input to close (a live run) or kills itself
// with SIGKILL (a dead run), mid-write or, with OUTPUT_HELPER=commit,
// mid-commit.
func TestHelperRun(t *testing.T) {
	mode := os.Getenv("OUTPUT_HELPER")
	if mode == "" {
		t.Skip("helper process")
	}
	s := NewSet(context.Background())
	var files []*File
	for _, p := range strings.Split(os.Getenv("OUTPUT_FILES"), ",") {
		f, err := s.File(p)
		if err != nil {
			os.Stdout.WriteString("error: " + err.Error() + "\n")
			os.Exit(1)
		}
		io.WriteString(f, "from the helper")
		files = append(files, f)
	}
	switch mode {
	case "live":
		os.Stdout.WriteString("ready\n")
		io.Copy(io.Discard, os.Stdin)
		s.Abort()
		os.Exit(0)
	case "kill":
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
	case "commit":
		// die after the first output was renamed into place
		for _, f := range files {
			f.Close()
		}
		for _, tg := range s.targets {
			must(t, s.setAside(tg))
		}
		must(t, place(s.targets[0]))
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
	}
	select {}
}

func helper(t *testing.T, mode string, files ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperRun$")
	cmd.Env = append(os.Environ(), "OUTPUT_HELPER="+mode, "OUTPUT_FILES="+strings.Join(files, ","))
	return cmd
}

// TestDeadRunsAreSwept: the temporary files of a run killed with SIGKILL
// are removed by the next run writing in the same directory (even to
// another target), and a commit cut short is undone; a live run's files
// and lock are left alone, and its lock stops a second run of the same
// target with a message naming its pid.
func TestDeadRunsAreSwept(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a.html"), filepath.Join(dir, "b.json"), filepath.Join(dir, "c.parquet")
	writeFile(t, a, "old a", 0o644)
	writeFile(t, b, "old b", 0o644)

	// a live run on c
	live := helper(t, "live", c)
	stdin, err := live.StdinPipe()
	must(t, err)
	stdout, err := live.StdoutPipe()
	must(t, err)
	must(t, live.Start())
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if line != "ready\n" {
		t.Fatalf("live helper: %q", line)
	}
	defer func() { stdin.Close(); live.Wait() }()

	// a run killed while writing a and b
	if err := helper(t, "kill", a, b).Run(); err == nil {
		t.Fatal("killed helper exited 0")
	}
	var tmps int
	for _, n := range entries(t, dir) {
		if _, _, k, ok := parseWork(n); ok && k == kindTmp {
			tmps++
		}
	}
	if tmps != 3 {
		t.Fatalf("want 3 temporary files (2 dead, 1 live), have %v", entries(t, dir))
	}

	// the next run, writing only a new target d
	d := filepath.Join(dir, "d.html")
	s := NewSet(context.Background())
	if _, err := s.File(d); err != nil {
		t.Fatal(err)
	}
	if _, err := s.File(c); err == nil {
		t.Fatal("took the lock of a live run's target")
	} else {
		var le *LockedError
		if !errors.As(err, &le) || le.PID != live.Process.Pid || strings.Contains(err.Error(), "\n") {
			t.Fatalf("lock error %q does not name the live pid %d on one line", err, live.Process.Pid)
		}
	}
	if len(s.Cleaned()) != 2 {
		t.Errorf("cleaned %q, want the dead run's 2 temporary files", s.Cleaned())
	}
	s.Abort()
	var left []string
	for _, n := range entries(t, dir) {
		if isWork(n) {
			left = append(left, n)
		}
	}
	if len(left) != 2 { // the live run's temporary and lock
		t.Fatalf("left %v, want only the live run's files", left)
	}
	if content(t, a) != "old a" || content(t, b) != "old b" {
		t.Fatal("previous outputs changed")
	}
}

// TestDeadCommitIsUndone: a run killed between two renames of its commit
// left a new a and an old b; the next run in the directory puts a back.
func TestDeadCommitIsUndone(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.html"), filepath.Join(dir, "b.json")
	writeFile(t, a, "old a", 0o644)
	writeFile(t, b, "old b", 0o644)
	if err := helper(t, "commit", a, b).Run(); err == nil {
		t.Fatal("killed helper exited 0")
	}
	if content(t, a) != "from the helper" {
		t.Fatalf("the helper did not get to rename a: %q", content(t, a))
	}
	s := NewSet(context.Background())
	if _, err := s.File(filepath.Join(dir, "other")); err != nil {
		t.Fatal(err)
	}
	s.Abort()
	if content(t, a) != "old a" || content(t, b) != "old b" {
		t.Fatalf("not undone: a %q, b %q", content(t, a), content(t, b))
	}
	if got := entries(t, dir); strings.Join(got, " ") != "a.html b.json" {
		t.Fatalf("left %v", got)
	}
}
