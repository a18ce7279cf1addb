package output

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// withStdout runs f with os.Stdout replaced by w.
func withStdout(w *os.File, f func()) {
	old := os.Stdout
	os.Stdout = w
	defer func() { os.Stdout = old }()
	f()
}

// TestStandardOutput: "-" is written to standard output at commit, and
// nothing before.
func TestStandardOutput(t *testing.T) {
	// the spool goes to the temporary directory: a private one, as other
	// packages' tests run beside this one and spool into the shared one
	t.Setenv("TMPDIR", t.TempDir())
	r, w, err := os.Pipe()
	must(t, err)
	got := make(chan string)
	go func() { b, _ := io.ReadAll(r); got <- string(b) }()
	withStdout(w, func() {
		s := NewSet(context.Background())
		f, err := s.File("-")
		must(t, err)
		io.WriteString(f, "report")
		must(t, f.Close())
		must(t, s.Commit())
		// an aborted set writes nothing
		s = NewSet(context.Background())
		f, _ = s.File("-")
		io.WriteString(f, "partial")
		s.Abort()
	})
	w.Close()
	if g := <-got; g != "report" {
		t.Fatalf("standard output got %q", g)
	}
	noWorkFiles(t, os.TempDir())
}

// TestStandardOutputLost: "-" is refused when standard output is not
// open for writing, and taken with a note when it is /dev/null opened
// read-write (what a descriptor closed at start becomes, and what some
// launchers hand on to discard it); /dev/null opened write-only (>
// /dev/null) is a choice, and taken without one.
func TestStandardOutputLost(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	readOnly := filepath.Join(t.TempDir(), "r")
	writeFile(t, readOnly, "", 0o644)
	for _, tc := range []struct {
		path      string
		flag      int
		err, note string
	}{
		{os.DevNull, os.O_RDWR, "", "what goes there is lost"},
		{readOnly, os.O_RDONLY, "standard output is not open for writing", ""},
		{os.DevNull, os.O_WRONLY, "", ""},
		{readOnly, os.O_RDWR, "", ""},
	} {
		f, err := os.OpenFile(tc.path, tc.flag, 0)
		must(t, err)
		var note string
		withStdout(f, func() {
			s := NewSet(context.Background())
			defer s.Abort()
			_, err = s.File("-")
			note = s.Notes()["-"]
		})
		f.Close()
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s opened %#x: %v, want %q", tc.path, tc.flag, err, tc.err)
		}
		if tc.note == "" && note != "" || tc.note != "" && !strings.Contains(note, tc.note) {
			t.Errorf("%s opened %#x: note %q, want %q", tc.path, tc.flag, note, tc.note)
		}
	}
}

// TestSpecialTargetsInPlace: a FIFO, a device, a link to a descriptor
// and a descriptor path to a regular file are written, not replaced.
func TestSpecialTargetsInPlace(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "out.fifo")
	must(t, syscall.Mkfifo(fifo, 0o644))
	got := make(chan string)
	go func() {
		f, err := os.Open(fifo) // blocks until the commit opens it
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- string(b)
	}()

	pr, pw, err := os.Pipe()
	must(t, err)
	defer pr.Close()
	fdLink := filepath.Join(dir, "fd-link")
	must(t, os.Symlink("/proc/self/fd/"+strconv.Itoa(int(pw.Fd())), fdLink))
	piped := make(chan string)
	go func() { b, _ := io.ReadAll(pr); piped <- string(b) }()

	regular := filepath.Join(dir, "regular")
	writeFile(t, regular, "old content, longer", 0o644)
	rf, err := os.OpenFile(regular, os.O_WRONLY, 0)
	must(t, err)
	defer rf.Close()
	before, _ := os.Stat(regular)
	viaFD := "/dev/fd/" + strconv.Itoa(int(rf.Fd()))

	// a private /dev/null (as root), so that a bug cannot replace the system's
	devNull := filepath.Join(dir, "null")
	if err := syscall.Mknod(devNull, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		devNull = "/dev/null"
	}
	s := NewSet(context.Background())
	for p, text := range map[string]string{fifo: "to fifo", devNull: "discarded", fdLink: "to pipe", viaFD: "to file"} {
		f, err := s.File(p)
		must(t, err)
		io.WriteString(f, text)
		must(t, f.Close())
	}
	must(t, s.Commit())
	pw.Close()
	select {
	case g := <-got:
		if g != "to fifo" {
			t.Errorf("FIFO got %q", g)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("FIFO never written")
	}
	if g := <-piped; g != "to pipe" {
		t.Errorf("link to a pipe descriptor got %q", g)
	}
	if fi, err := os.Stat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("FIFO replaced: %v %v", fi, err)
	}
	if fi, err := os.Stat(devNull); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("%s replaced: %v %v", devNull, fi, err)
	}
	if fi, err := os.Lstat(fdLink); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("link replaced: %v %v", fi, err)
	}
	after, _ := os.Stat(regular)
	if !os.SameFile(before, after) || content(t, regular) != "to file" {
		t.Errorf("file behind %s replaced or not truncated: same inode %v, content %q", viaFD, os.SameFile(before, after), content(t, regular))
	}
	noWorkFiles(t, dir)
}

// TestFIFOWithoutReaderIsInterruptible: a commit waiting for a FIFO's
// reader stops when the context is cancelled.
func TestFIFOWithoutReaderIsInterruptible(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "out.fifo")
	must(t, syscall.Mkfifo(fifo, 0o644))
	ctx, cancel := context.WithCancel(context.Background())
	s := NewSet(ctx)
	f, err := s.File(fifo)
	must(t, err)
	io.WriteString(f, "x")
	must(t, f.Close())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	if err := s.Commit(); !errors.Is(err, context.Canceled) {
		t.Fatalf("commit: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("commit took %v after the cancel", d)
	}
}
