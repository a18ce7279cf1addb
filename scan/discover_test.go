package scan

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/resreport/resreport/columnar"
)

// TestDiscoverSpecialFiles: FIFOs, devices and sockets named like logs
// are reported and skipped, never opened; a FIFO as the log directory is
// an error at once, not a hang.
func TestDiscoverSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "10.0.0.1", "logs")
	writeFile(t, filepath.Join(logs, "resource.log"), []byte(lineAt(1)+"\n"), false)
	fifo := filepath.Join(logs, "resource.fifo.log")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	dev := filepath.Join(logs, "resource.dev.log")
	if err := os.Symlink("/dev/null", dev); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(logs, "resource.sock.log")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	done := make(chan struct{})
	var plan *Plan
	go func() {
		defer close(done)
		plan, err = Discover(dir, "resource")
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Discover hangs on special files")
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Files) != 1 || plan.Files[0].Path != filepath.Join(logs, "resource.log") {
		t.Fatalf("files %+v", plan.Files)
	}
	for path, kind := range map[string]string{fifo: "FIFO", dev: "character device", sock: "socket"} {
		found := false
		for _, w := range plan.Warnings {
			found = found || w.Path == path && w.Kind == WarnUnreadable && w.Host == "10.0.0.1" && strings.Contains(w.Reason, kind)
		}
		if !found {
			t.Errorf("%s (%s) not reported: %v", path, kind, plan.Warnings)
		}
	}

	for _, root := range []string{fifo, "/dev/null"} {
		if _, err := Discover(root, "resource"); err == nil || !strings.Contains(err.Error(), "not a directory or a regular file") {
			t.Errorf("Discover(%s): %v", root, err)
		}
	}
}

// onFirstBatch is a Sink that runs f once, on the first batch.
type onFirstBatch struct {
	once sync.Once
	f    func()
	rows int
}

func (s *onFirstBatch) Consume(b *columnar.View) error {
	s.once.Do(s.f)
	s.rows += b.Len
	return nil
}

// bigLog writes n lines to path and returns their bytes.
func bigLog(t *testing.T, path string, n int) []byte {
	t.Helper()
	var text bytes.Buffer
	for i := 0; i < n; i++ {
		text.WriteString(lineAt(i) + "\n")
	}
	writeFile(t, path, text.Bytes(), false)
	return text.Bytes()
}

// TestFileChangedWhileRead: a log truncated while read (logrotate's
// copytruncate) or replaced by a new file (logrotate's create), and a
// log replaced by a FIFO after discovery, are reported with what was
// read: an error in their FileStats, and counts that add up.
func TestFileChangedWhileRead(t *testing.T) {
	for _, c := range []struct {
		name, want string
		change     func(path string)
	}{
		{"copytruncate", "truncated while read", func(path string) { os.Truncate(path, 0) }},
		{"create", "replaced since discovery", func(path string) {
			os.Rename(path, path+".1")
			os.WriteFile(path, []byte(lineAt(1)+"\n"), 0o644)
		}},
		{"fifo", "now a named pipe", func(path string) {
			os.Remove(path)
			syscall.Mkfifo(path, 0o644)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "resource.log")
			const lines = 20000 // ~12 MB: more than the reader's 2 MiB buffer
			bigLog(t, path, lines)
			plan, err := Discover(dir, "resource")
			if err != nil {
				t.Fatal(err)
			}
			if c.name == "fifo" {
				c.change(path) // before the run opens it
			}
			sink := &onFirstBatch{f: func() {
				if c.name != "fifo" {
					c.change(path)
				}
			}}
			done := make(chan struct{})
			var st *Stats
			go func() {
				defer close(done)
				st, err = Run(context.Background(), plan, Options{Workers: 1, Since: NoSince, Until: NoUntil, ShardSize: 1 << 20},
					func(int) Sink { return sink })
			}()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("the run hangs")
			}
			if err != nil {
				t.Fatal(err)
			}
			fs := st.Files[0]
			if fs.Err == nil || !strings.Contains(fs.Err.Error(), c.want) {
				t.Fatalf("file error %v, want %q", fs.Err, c.want)
			}
			if fs.Lines >= lines || fs.Lines != fs.Kept+fs.OutOfRange+fs.SkippedTotal() || int64(sink.rows) != fs.Kept {
				t.Fatalf("counts %+v (sink %d rows), want some of %d lines, adding up", fs.Counts, sink.rows, lines)
			}
		})
	}
}

// TestHostsDifferingInInvalidBytes: two host directories whose names
// differ only in bytes that are not UTF-8 stay two hosts, with names
// that are valid UTF-8 and say which bytes they were.
func TestHostsDifferingInInvalidBytes(t *testing.T) {
	dir := t.TempDir()
	names := []string{"10.0.0.1\xff", "10.0.0.1\xfe", "10.0.0.1\uFFFD", `10.0.0.1\xff`}
	for _, n := range names {
		writeFile(t, filepath.Join(dir, n, "logs", "resource.log"), []byte(lineAt(1)+"\n"), false)
	}
	plan, err := Discover(dir, "resource")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`10.0.0.1\\xff`, `10.0.0.1\xfe`, `10.0.0.1\xff`, "10.0.0.1\uFFFD"}
	if strings.Join(plan.Hosts, " ") != strings.Join(want, " ") {
		t.Fatalf("hosts %q, want %q", plan.Hosts, want)
	}
}

// discoverTree writes one line to each rel path under a new directory
// and discovers it.
func discoverTree(t *testing.T, rels ...string) (string, *Plan) {
	t.Helper()
	dir := t.TempDir()
	for _, rel := range rels {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(rel)), []byte(lineAt(1)+"\n"), strings.HasSuffix(rel, ".gz"))
	}
	plan, err := Discover(dir, "resource")
	if err != nil {
		t.Fatal(err)
	}
	return dir, plan
}

// hostsOf maps each file of plan, relative to dir, to its host.
func hostsOf(t *testing.T, dir string, plan *Plan) map[string]string {
	got := map[string]string{}
	for _, f := range plan.Files {
		rel, _ := filepath.Rel(dir, f.Path)
		got[filepath.ToSlash(rel)] = plan.Hosts[f.Host]
	}
	return got
}

// TestDiscoverHostDirs: host directories not named like an IP are hosts
// of their own, by the name of the directory holding logs/ (or their
// path), never merged into "localhost".
func TestDiscoverHostDirs(t *testing.T) {
	want := map[string]string{
		"nodeA/logs/resource.log":                  "nodeA",
		"nodeA/logs/resource.20260506000000.log":   "nodeA",
		"nodeB/logs/resource.log":                  "nodeB",
		"rack1/nodeC/logs/resource.log":            "nodeC",
		"x/resource.log":                           "x",
		"y/z/resource.log":                         "y/z",
		"resource.log":                             "localhost",
		"10.0.0.1/logs/resource.log":               "10.0.0.1",
		"wrap/192.168.1.10/logs/resource.log":      "192.168.1.10",
		"nodeA/logs/archive/resource.1.log":        "nodeA",
		"worker_1_2/logs/resource.log":             "worker_1_2",
		"kvcache_logs_1/worker_3_4/resource.x.log": "worker_3_4",
	}
	var rels []string
	for rel := range want {
		rels = append(rels, rel)
	}
	dir, plan := discoverTree(t, rels...)
	got := hostsOf(t, dir, plan)
	for rel, host := range want {
		if got[rel] != host {
			t.Errorf("%s: host %q, want %q", rel, got[rel], host)
		}
	}
	if len(plan.Hosts) != 10 || len(plan.Warnings) != 0 {
		t.Errorf("hosts %q, warnings %v", plan.Hosts, plan.Warnings)
	}
}

// TestDiscoverSameHostTwice: one host name in two directories (the same
// IP or name under two wrappers) is one host, and said so once per
// second directory.
func TestDiscoverSameHostTwice(t *testing.T) {
	dir, plan := discoverTree(t,
		"w1/10.0.0.1/logs/resource.log", "w2/10.0.0.1/logs/resource.log", "w2/10.0.0.1/logs/resource.1.log",
		"w1/nodeA/logs/resource.log", "w2/nodeA/logs/resource.log", "10.0.0.2/logs/resource.log",
		"10.0.0.2/logs/old/resource.log")
	if strings.Join(plan.Hosts, ",") != "10.0.0.1,10.0.0.2,nodeA" || len(plan.Files) != 7 {
		t.Fatalf("hosts %q, %d files", plan.Hosts, len(plan.Files))
	}
	want := []Warning{
		{Path: filepath.Join(dir, "w2", "10.0.0.1"), Host: "10.0.0.1", Kind: WarnSameHost},
		{Path: filepath.Join(dir, "w2", "nodeA"), Host: "nodeA", Kind: WarnSameHost},
	}
	if len(plan.Warnings) != len(want) {
		t.Fatalf("warnings %v, want %v", plan.Warnings, want)
	}
	for i, w := range plan.Warnings {
		first := filepath.Join(dir, "w1", w.Host)
		if w.Path != want[i].Path || w.Host != want[i].Host || w.Kind != want[i].Kind || !strings.Contains(w.Reason, first) {
			t.Errorf("warning %+v, want %+v naming %s", w, want[i], first)
		}
	}
}

// TestDiscoverDuplicateGzip: X.log.gz beside X.log (a rotation being
// compressed, or gunzip -k) is the same log: the plain file is read and
// the other reported, not counted twice.
func TestDiscoverDuplicateGzip(t *testing.T) {
	logs := "10.0.0.1/logs/"
	dir, plan := discoverTree(t, logs+"resource.20260506000000.log", logs+"resource.20260506000000.log.gz",
		logs+"resource.20260505000000.log.gz", logs+"resource.log", logs+"resource.log.gz")
	var paths []string
	for _, f := range plan.Files {
		paths = append(paths, filepath.Base(f.Path))
	}
	if strings.Join(paths, " ") != "resource.20260505000000.log.gz resource.20260506000000.log resource.log" {
		t.Fatalf("files %v", paths)
	}
	if len(plan.Warnings) != 2 {
		t.Fatalf("warnings %v", plan.Warnings)
	}
	for i, name := range []string{"resource.20260506000000.log", "resource.log"} {
		w, plain := plan.Warnings[i], filepath.Join(dir, logs, name)
		if w.Path != plain+".gz" || w.Kind != WarnDuplicate || w.Host != "10.0.0.1" || !strings.Contains(w.Reason, plain+",") {
			t.Errorf("warning %+v, want %s.gz a duplicate of %s", w, plain, plain)
		}
	}
	st, err := Run(context.Background(), plan, Options{Workers: 2, Since: NoSince, Until: NoUntil}, func(int) Sink { return &onFirstBatch{f: func() {}} })
	if err != nil || st.Total.Lines != 3 {
		t.Fatalf("lines %d, want 3: %v", st.Total.Lines, err)
	}
}

// TestDiscoverLinks: dangling and looping links named like logs are
// reported with their host and a reason that does not repeat the path.
func TestDiscoverLinks(t *testing.T) {
	dir, _ := discoverTree(t, "10.0.0.1/logs/resource.log")
	logs := filepath.Join(dir, "10.0.0.1", "logs")
	dangling, loop := filepath.Join(logs, "resource.gone.log"), filepath.Join(logs, "resource.loop.log")
	if err := os.Symlink(filepath.Join(logs, "missing"), dangling); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(loop, loop); err != nil {
		t.Fatal(err)
	}
	plan, err := Discover(dir, "resource")
	if err != nil {
		t.Fatal(err)
	}
	want := []Warning{
		{Path: dangling, Host: "10.0.0.1", Kind: WarnUnreadable, Reason: "a dangling symbolic link"},
		{Path: loop, Host: "10.0.0.1", Kind: WarnUnreadable, Reason: "too many levels of symbolic links"},
	}
	if len(plan.Files) != 1 || len(plan.Warnings) != 2 || plan.Warnings[0] != want[0] || plan.Warnings[1] != want[1] {
		t.Fatalf("%d files, warnings %+v, want %+v", len(plan.Files), plan.Warnings, want)
	}
}

// TestEnvironmentErrors: a file that cannot be opened for want of file
// descriptors or memory stops the run with a hint; one that cannot be
// opened for itself (permission, gone) is a file error and the run goes on.
func TestEnvironmentErrors(t *testing.T) {
	_, plan := discoverTree(t, "10.0.0.1/logs/resource.log", "10.0.0.2/logs/resource.log")
	victim := plan.Files[1].Path
	defer func(o func(string, int, os.FileMode) (*os.File, error)) { openFile = o }(openFile)
	for _, c := range []struct {
		errno syscall.Errno
		fatal string // the run's error, "" for a file error
	}{
		{syscall.EMFILE, "ulimit -n"}, {syscall.ENFILE, "ulimit -n"}, {syscall.ENOMEM, "out of memory"},
		{syscall.EACCES, ""}, {syscall.ENOENT, ""},
	} {
		openFile = func(name string, flag int, perm os.FileMode) (*os.File, error) {
			if name == victim {
				return nil, &os.PathError{Op: "open", Path: name, Err: c.errno}
			}
			return os.OpenFile(name, flag, perm)
		}
		st, err := Run(context.Background(), plan, Options{Workers: 1, Since: NoSince, Until: NoUntil}, func(int) Sink { return &onFirstBatch{f: func() {}} })
		if c.fatal != "" {
			if err == nil || !strings.HasPrefix(err.Error(), "open "+victim+": "+c.errno.Error()+": ") || strings.Count(err.Error(), victim) != 1 ||
				!strings.Contains(err.Error(), c.fatal) {
				t.Errorf("%v: run error %v, want one saying %q", c.errno, err, c.fatal)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", c.errno, err)
		}
		fe := st.Files[1].Err
		if fe == nil || strings.Count(fe.Error(), victim) != 1 || !strings.Contains(fe.Error(), c.errno.Error()) || st.Files[0].Err != nil {
			t.Errorf("%v: file errors %v, %v; want the second file's, naming it once", c.errno, st.Files[0].Err, fe)
		}
	}
}
