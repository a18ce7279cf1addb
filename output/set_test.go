package output

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	must(t, os.WriteFile(path, []byte(content), mode))
	must(t, os.Chmod(path, mode))
}

func content(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// entries lists dir, sorted.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// noWorkFiles fails if dir holds a temporary, lock or commit file.
func noWorkFiles(t *testing.T, dir string) {
	t.Helper()
	for _, n := range entries(t, dir) {
		if isWork(n) {
			t.Errorf("left behind in %s: %s", dir, n)
		}
	}
}

// writeSet writes each path's content through one set and commits it.
func writeSet(t *testing.T, ctx context.Context, files map[string]string) error {
	t.Helper()
	s := NewSet(ctx)
	defer s.Abort()
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		f, err := s.File(p)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, files[p]); err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return s.Commit()
}

func TestCommitModes(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	dir := t.TempDir()
	kept, fresh := filepath.Join(dir, "kept.json"), filepath.Join(dir, "sub", "fresh.html")
	writeFile(t, kept, "old", 0o600)
	must(t, writeSet(t, context.Background(), map[string]string{kept: "new kept", fresh: "new fresh"}))
	if got := content(t, kept); got != "new kept" {
		t.Errorf("kept: %q", got)
	}
	if got := content(t, fresh); got != "new fresh" {
		t.Errorf("fresh: %q", got)
	}
	for path, want := range map[string]os.FileMode{kept: 0o600, fresh: 0o640} {
		st, err := os.Stat(path)
		must(t, err)
		if st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v (previous mode kept, else 0666 less the umask 027)", path, st.Mode().Perm(), want)
		}
	}
	noWorkFiles(t, dir)
	noWorkFiles(t, filepath.Join(dir, "sub"))
}

// TestAbortLeavesPreviousSet: an aborted set, a cancelled one and one
// with an incomplete output leave the previous files byte-identical and
// nothing else; directories it created are removed.
func TestAbortLeavesPreviousSet(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.html"), filepath.Join(dir, "b.json")
	writeFile(t, a, "old a", 0o644)
	writeFile(t, b, "old b", 0o644)
	check := func(what string) {
		t.Helper()
		if content(t, a) != "old a" || content(t, b) != "old b" {
			t.Fatalf("%s: previous set changed: %q %q", what, content(t, a), content(t, b))
		}
		if got := entries(t, dir); len(got) != 2 {
			t.Fatalf("%s: left %v", what, got)
		}
	}

	s := NewSet(context.Background())
	fa, err := s.File(a)
	must(t, err)
	fc, err := s.File(filepath.Join(dir, "new", "deeper", "c.parquet"))
	must(t, err)
	io.WriteString(fa, "new a")
	io.WriteString(fc, "new c")
	must(t, fa.Close())
	s.Abort()
	check("abort")
	if err := s.Commit(); err == nil {
		t.Fatal("commit after abort succeeded")
	}

	ctx, cancel := context.WithCancel(context.Background())
	s = NewSet(ctx)
	fa, err = s.File(a)
	must(t, err)
	fb, err := s.File(b)
	must(t, err)
	io.WriteString(fa, "new a")
	must(t, fa.Close())
	cancel()
	if _, err := io.WriteString(fb, "new b"); !errors.Is(err, context.Canceled) {
		t.Fatalf("write after cancel: %v", err)
	}
	if err := s.Commit(); !errors.Is(err, context.Canceled) {
		t.Fatalf("commit after cancel: %v", err)
	}
	check("cancel")

	s = NewSet(context.Background())
	fa, _ = s.File(a)
	s.File(b) // never closed: incomplete
	io.WriteString(fa, "new a")
	must(t, fa.Close())
	if err := s.Commit(); err == nil || !strings.Contains(err.Error(), "not complete") {
		t.Fatalf("commit with an incomplete output: %v", err)
	}
	check("incomplete")
}

// TestFailedRenameRollsBack: when a rename fails in the middle of the
// commit, the outputs already renamed are put back.
func TestFailedRenameRollsBack(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "c")
	writeFile(t, a, "old a", 0o644)
	writeFile(t, c, "old c", 0o644)
	s := NewSet(context.Background())
	var files []*File
	for _, p := range []string{a, c, b} { // b is new: its rollback removes it
		f, err := s.File(p)
		must(t, err)
		io.WriteString(f, "new")
		must(t, f.Close())
		files = append(files, f)
	}
	// the second output's temporary vanishes: its rename fails after the
	// first one's succeeded
	must(t, os.Remove(files[1].t.tmp))
	err := s.Commit()
	if err == nil || !strings.Contains(err.Error(), "commit "+c) {
		t.Fatalf("commit: %v", err)
	}
	if content(t, a) != "old a" || content(t, c) != "old c" {
		t.Fatalf("not rolled back: a %q c %q", content(t, a), content(t, c))
	}
	if _, err := os.Stat(b); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("new output b exists after a failed commit")
	}
	if got := entries(t, dir); strings.Join(got, " ") != "a c" {
		t.Fatalf("left %v", got)
	}
}

func TestCollisions(t *testing.T) {
	dir := t.TempDir()
	must(t, os.Mkdir(filepath.Join(dir, "real"), 0o755))
	must(t, os.Symlink("real", filepath.Join(dir, "link")))
	for _, c := range [][]string{
		{"-", "-"},
		{filepath.Join(dir, "r.html"), filepath.Join(dir, "r.html")},
		{filepath.Join(dir, "real", "r.html"), filepath.Join(dir, "link", "r.html")},
		{filepath.Join(dir, "x"), filepath.Join(dir, "x", "y")},
	} {
		s := NewSet(context.Background())
		_, err := s.File(c[0])
		must(t, err)
		if _, err := s.File(c[1]); !errors.Is(err, ErrConflict) {
			t.Errorf("%s and %s: %v, want a conflict", c[0], c[1], err)
		}
		s.Abort()
	}
	s := NewSet(context.Background())
	defer s.Abort()
	if _, err := s.Dir(filepath.Join(dir, "ds")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.File(filepath.Join(dir, "ds", "r.html")); !errors.Is(err, ErrConflict) {
		t.Errorf("a file inside a directory output: %v", err)
	}
	if _, err := s.File("/dev/null"); err != nil {
		t.Error(err)
	}
	if _, err := s.File("/dev/null"); err != nil {
		t.Errorf("/dev/null twice: %v", err)
	}
	if _, err := s.File(dir); !errors.Is(err, ErrConflict) {
		t.Errorf("a directory as a file output: %v", err)
	}
}

func TestOverlapsInput(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "resource.log")
	writeFile(t, log, "line\n", 0o644)
	s := NewSet(context.Background())
	defer s.Abort()
	_, err := s.File(filepath.Join(dir, ".", "resource.log"))
	must(t, err)
	st, _ := os.Stat(log)
	if got := s.Overlaps(log, st); got == "" {
		t.Error("output equal to an input not reported")
	}
	ds, err := s.Dir(filepath.Join(dir, "ds"))
	must(t, err)
	inside := filepath.Join(dir, "ds", "h", "resource.log")
	must(t, os.MkdirAll(filepath.Dir(inside), 0o755))
	writeFile(t, inside, "x\n", 0o644)
	st, _ = os.Stat(inside)
	if got := s.Overlaps(inside, st); got != ds.Name() {
		t.Errorf("input inside a directory output: %q", got)
	}
}

// TestSymlinkedTarget: a link to a file is kept and the file it points to
// is replaced.
func TestSymlinkedTarget(t *testing.T) {
	dir := t.TempDir()
	real, link := filepath.Join(dir, "real.html"), filepath.Join(dir, "link.html")
	writeFile(t, real, "old", 0o644)
	must(t, os.Symlink("real.html", link))
	must(t, writeSet(t, context.Background(), map[string]string{link: "new"}))
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("link replaced: %v %v", fi, err)
	}
	if content(t, real) != "new" {
		t.Fatalf("target: %q", content(t, real))
	}
}

// TestLongName: a target name near the 255-byte limit still gets its
// temporary and lock files (a hashed key).
func TestLongName(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, strings.Repeat("n", 250)+".html")
	must(t, writeSet(t, context.Background(), map[string]string{p: "x"}))
	must(t, writeSet(t, context.Background(), map[string]string{p: "y"}))
	if content(t, p) != "y" {
		t.Fatal(content(t, p))
	}
	noWorkFiles(t, dir)
}

func TestDirOutput(t *testing.T) {
	dir := t.TempDir()
	ds := filepath.Join(dir, "ds")
	must(t, os.MkdirAll(filepath.Join(ds, "date=old"), 0o750))
	writeFile(t, filepath.Join(ds, "date=old", "p.parquet"), "old", 0o644)
	fill := func(s *Set) *Dir {
		d, err := s.Dir(ds)
		must(t, err)
		must(t, os.MkdirAll(filepath.Join(d.Path(), "date=new"), 0o755))
		writeFile(t, filepath.Join(d.Path(), "date=new", "p.parquet"), "new", 0o644)
		return d
	}
	// an interrupted run: the previous data set is untouched
	ctx, cancel := context.WithCancel(context.Background())
	s := NewSet(ctx)
	d := fill(s)
	cancel()
	if err := d.Close(); err == nil {
		t.Fatal("close after cancel succeeded")
	}
	s.Abort()
	// a writer still running after the abort cannot recreate the temporary
	if err := d.Root().MkdirAll("date=late", 0o777); err == nil {
		t.Error("wrote through the root of an aborted directory output")
	}
	if got := entries(t, ds); strings.Join(got, " ") != "date=old" {
		t.Fatalf("previous data set changed: %v", got)
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Fatalf("left %v", got)
	}
	// a committed run replaces it as a whole, keeping its mode
	s = NewSet(context.Background())
	d = fill(s)
	must(t, d.Close())
	must(t, s.Commit())
	if got := entries(t, ds); strings.Join(got, " ") != "date=new" {
		t.Fatalf("data set: %v", got)
	}
	if st, _ := os.Stat(ds); st.Mode().Perm() != 0o750 {
		t.Errorf("mode %v, want the previous 0750", st.Mode().Perm())
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Fatalf("left %v", got)
	}
}

// TestLargeFile: an output of several writeback chunks, written in odd
// sizes, is committed byte for byte.
func TestLargeFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "big.parquet")
	want := make([]byte, 3*writebackChunk+12345)
	for i := range want {
		want[i] = byte(i * 7 / 5)
	}
	s := NewSet(context.Background())
	f, err := s.File(path)
	must(t, err)
	for rest := want; len(rest) > 0; {
		n := min(len(rest), 1<<20+3)
		if _, err := f.Write(rest[:n]); err != nil {
			t.Fatal(err)
		}
		rest = rest[n:]
	}
	must(t, f.Close())
	must(t, s.Commit())
	got, err := os.ReadFile(path)
	must(t, err)
	if !bytes.Equal(got, want) {
		t.Fatalf("committed %d bytes, differing from the %d written", len(got), len(want))
	}
	noWorkFiles(t, dir)
}
