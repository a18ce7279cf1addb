package main

import (
	"bytes"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/resreport/resreport/agg"
	"github.com/resreport/resreport/bench/loggen"
)

// hostTotals sums each host's records and memory hits over its bins.
func hostTotals(d *jsonDoc) map[string][2]float64 {
	out := map[string][2]float64{}
	for h, bins := range d.Hosts {
		var s [2]float64
		for _, b := range bins {
			r, _ := b["records"].(float64)
			hit, _ := b["oc_mem_hit_delta"].(float64)
			s[0], s[1] = s[0]+r, s[1]+hit
		}
		out[h] = s
	}
	return out
}

// TestNamedHostDirs: hosts in directories not named like an IP (nodeA,
// rack/nodeB) are hosts of their own, with the numbers of the same logs
// under IP names, not one "localhost" of interleaved counters.
func TestNamedHostDirs(t *testing.T) {
	tmp := t.TempDir()
	runOn := func(layout int, names ...string) *jsonDoc {
		logs := filepath.Join(tmp, names[0])
		o := loggen.Options{Hosts: 2, LinesPerHost: 120, Layout: layout, Seed: 5, HostNames: func(i int) string { return names[i] }}
		if _, err := loggen.Generate(logs, o); err != nil {
			t.Fatal(err)
		}
		js := filepath.Join(tmp, names[0]+".json")
		if code := runCLI(t, "report", logs, "-q", "--json", js, "-o", filepath.Join(tmp, names[0]+".html")); code != 0 {
			t.Fatalf("exit %d", code)
		}
		return readDoc(t, js)
	}
	ips := hostTotals(runOn(1, "10.0.0.1", "10.0.0.2"))
	for _, layout := range []int{1, 2} {
		d := runOn(layout, "nodeA"+string(rune('0'+layout)), "nodeB")
		got := hostTotals(d)
		if d.Summary.HostsFound != 2 || len(got) != 2 || len(d.Summary.Warnings) != 0 {
			t.Fatalf("layout %d: hosts %v, warnings %v", layout, got, d.Summary.Warnings)
		}
		if a, b := got["nodeA"+string(rune('0'+layout))], got["nodeB"]; a != ips["10.0.0.1"] || b != ips["10.0.0.2"] || a[1] == 0 {
			t.Errorf("layout %d: records and hits %v %v, want %v %v", layout, a, b, ips["10.0.0.1"], ips["10.0.0.2"])
		}
	}
}

// TestPlanWarningsReported: what discovery left out or doubts (a FIFO, a
// dangling link, a gzipped copy beside its log, one IP under two
// wrappers) is in the JSON summary, in the page and, by path and
// reason, in the --strict message; -q still logs it; the copy is not
// counted twice.
func TestPlanWarningsReported(t *testing.T) {
	tmp := t.TempDir()
	logs := filepath.Join(tmp, "logs")
	o := loggen.Options{Hosts: 1, LinesPerHost: 100, RotateLines: 50, Layout: 2, Seed: 6}
	if _, err := loggen.Generate(logs, o); err != nil {
		t.Fatal(err)
	}
	dir := o.HostDir(logs, 0)
	rotated, _ := filepath.Glob(filepath.Join(dir, "resource.2*.log"))
	if len(rotated) != 1 {
		t.Fatalf("rotated files %v", rotated)
	}
	fifo, dangling := filepath.Join(dir, "resource.fifo.log"), filepath.Join(dir, "resource.gone.log")
	must(t, syscall.Mkfifo(fifo, 0o644))
	must(t, os.Symlink(filepath.Join(dir, "missing"), dangling))
	host := filepath.Base(filepath.Dir(dir))
	other := filepath.Join(logs, "w2", host)
	must(t, os.MkdirAll(filepath.Join(other, "logs"), 0o755))
	must(t, os.Rename(rotated[0], filepath.Join(other, "logs", filepath.Base(rotated[0]))))
	gzipCopy(t, filepath.Join(dir, "resource.log"))

	js, page := filepath.Join(tmp, "r.json"), filepath.Join(tmp, "r.html")
	code, text := runCaptured(t, "report", logs, "-q", "--strict", "--json", js, "-o", page)
	want := "resreport: --strict: 2 unreadable paths: " + fifo + " (a named pipe (FIFO), not a regular file), " +
		dangling + " (a dangling symbolic link); 1 directory of a host found in another: " + other + " (host " + host + ")\n"
	if code != 1 || !strings.Contains(text, want) {
		t.Fatalf("exit %d, stderr:\n%s\nwant %q", code, text, want)
	}
	for _, p := range []string{fifo, dangling, other, filepath.Join(dir, "resource.log.gz")} {
		if !strings.Contains(text, p) || !strings.Contains(string(must2(os.ReadFile(page))), p) {
			t.Errorf("%s is not in the -q log or in the page", p)
		}
	}
	d := readDoc(t, js)
	kinds := map[string]int{}
	for _, w := range d.Summary.Warnings {
		kinds[w.Kind]++
		if w.Host != host || w.Reason == "" {
			t.Errorf("warning %+v", w)
		}
	}
	if kinds["unreadable"] != 2 || kinds["duplicate"] != 1 || kinds["same_host"] != 1 || d.Summary.Records != 100 {
		t.Errorf("warnings %+v, %d records; want 4 warnings and 100 records", d.Summary.Warnings, d.Summary.Records)
	}
}

// asUnprivileged returns a runner of the command line for which a chmod
// 000 directory is unreadable: in-process when the tests do not run as
// root, else the built binary as user nobody (dir, which holds the
// inputs and outputs, must let nobody in); it skips when neither works.
func asUnprivileged(t *testing.T, dir string) func(args ...string) (int, string) {
	t.Helper()
	if os.Geteuid() != 0 {
		return func(args ...string) (int, string) { return runCaptured(t, args...) }
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Skipf("running as root without a user nobody: %v", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	bin := filepath.Join(dir, "resreport")
	must(t, os.Rename(buildBinary(t), bin))
	return func(args ...string) (int, string) {
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		cmd.Run()
		return cmd.ProcessState.ExitCode(), stderr.String()
	}
}

// TestUnreadableHostDir: a host whose logs directory cannot be read
// (chmod 000, as another user than root) is found: counted in
// hosts_found, listed in summary.warnings and the page. When no host
// can be read, the message names the unreadable paths.
func TestUnreadableHostDir(t *testing.T) {
	dir, err := os.MkdirTemp("", "resreport-unreadable-")
	must(t, err)
	must(t, os.Chmod(dir, 0o777)) // the outputs are written here by nobody too
	logs := filepath.Join(dir, "logs")
	o := loggen.Options{Hosts: 3, LinesPerHost: 30, Seed: 4}
	if _, err := loggen.Generate(logs, o); err != nil {
		t.Fatal(err)
	}
	hidden := o.HostDir(logs, 1) // DIR/logs/HOST/logs
	t.Cleanup(func() {
		for i := range 3 {
			os.Chmod(o.HostDir(logs, i), 0o755)
		}
		os.RemoveAll(dir)
	})
	run := asUnprivileged(t, dir)
	must(t, os.Chmod(hidden, 0))
	js, page := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.html")
	code, text := run("report", logs, "-q", "--json", js, "-o", page)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, text)
	}
	s := readDoc(t, js).Summary
	host := filepath.Base(filepath.Dir(hidden))
	if s.HostsFound != 3 || s.Hosts != 2 || len(s.Warnings) != 1 || s.Warnings[0].Path != hidden || s.Warnings[0].Host != host ||
		s.Warnings[0].Kind != "unreadable" || s.Warnings[0].Reason != "permission denied" {
		t.Fatalf("hosts_found %d, hosts %d, warnings %+v; want 3, 2 and %s unreadable", s.HostsFound, s.Hosts, s.Warnings, hidden)
	}
	p := string(must2(os.ReadFile(page)))
	for _, want := range []string{"2 (1 more found without a record in range", `<td class="name">` + hidden + `</td><td class="name">` + host + `</td><td>unreadable</td>`} {
		if !strings.Contains(p, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for i := range 3 {
		must(t, os.Chmod(o.HostDir(logs, i), 0))
	}
	code, text = run("report", logs, "-q", "-o", page)
	want := "resreport: no resource log files found in " + logs + ` (pattern "resource"): 3 unreadable paths left out, the first: ` +
		o.HostDir(logs, 0) + " (permission denied)\n"
	if code != 1 || !strings.HasSuffix(text, want) {
		t.Errorf("exit %d, stderr:\n%s\nwant it to end in %q", code, text, want)
	}
}

// gzipCopy writes path.gz beside path, as gzip -k does.
func gzipCopy(t *testing.T, path string) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(must2(os.ReadFile(path)))
	must(t, zw.Close())
	must(t, os.WriteFile(path+".gz", buf.Bytes(), 0o644))
}

func must2[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestStrictProblems: the --strict message names what failed, readably,
// at most five paths of a kind; a duplicate alone does not fail.
func TestStrictProblems(t *testing.T) {
	s := &agg.Summary{SkippedTotal: 214, Skipped: map[string]int64{"cut": 211, "empty": 3}, BadValues: 2,
		PerFile: []agg.FileSummary{{Path: "a.log", FirstSkipped: map[string]int64{"cut": 4}},
			{Path: "b.log.gz", Error: "gzip b.log.gz: unexpected EOF"},
			{Path: "c.log", BadValues: 2, FirstBadValue: &agg.BadValueAt{Line: 7, Field: "oc_miss"}}}}
	for i := range 7 {
		s.Warnings = append(s.Warnings, agg.PathWarning{Path: "d" + strconv.Itoa(i), Kind: "unreadable", Reason: "permission denied"})
	}
	s.Warnings = append(s.Warnings, agg.PathWarning{Path: "x.log.gz", Kind: "duplicate", Reason: "a gzipped copy"})
	want := "214 skipped: 211 cut (first at a.log:4), 3 empty; 2 bad values stored as null (first at c.log:7, field oc_miss); " +
		"1 file read in part or not at all: b.log.gz; " +
		"7 unreadable paths: d0 (permission denied), d1 (permission denied), d2 (permission denied), d3 (permission denied), d4 (permission denied) and 2 more"
	if got := strictProblems(s); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	dup := &agg.Summary{Warnings: s.Warnings[7:]}
	if got := strictProblems(dup); got != "" {
		t.Errorf("a duplicate fails --strict: %q", got)
	}
	one := &agg.Summary{BadValues: 1, PerFile: []agg.FileSummary{{Path: "d.log", BadValues: 1, FirstBadValue: &agg.BadValueAt{Line: 1, Field: "pid"}}}}
	if got, want := strictProblems(one), "1 bad value stored as null (first at d.log:1, field pid)"; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// TestFromParquetOnce: a --from-parquet path given twice, or inside
// another, is read once (a duplicate warning); a directory holding both
// samples.parquet and host= partitions is an error naming both.
func TestFromParquetOnce(t *testing.T) {
	tmp := t.TempDir()
	logs, pq, parts := filepath.Join(tmp, "logs"), filepath.Join(tmp, "pq"), filepath.Join(tmp, "parts")
	if _, err := loggen.Generate(logs, loggen.Options{Hosts: 2, LinesPerHost: 50, Seed: 9}); err != nil {
		t.Fatal(err)
	}
	if runCLI(t, "convert", logs, "--parquet-dir", pq, "-q") != 0 || runCLI(t, "convert", logs, "--parquet-dir", parts, "--partition", "-q") != 0 {
		t.Fatal("convert failed")
	}
	dates, _ := filepath.Glob(filepath.Join(parts, "date=*"))
	js := filepath.Join(tmp, "r.json")
	wd, _ := os.Getwd()
	rel, err := filepath.Rel(wd, pq)
	if err != nil {
		t.Fatal(err)
	}
	for _, from := range [][]string{{pq, pq + "/"}, {parts, dates[0]}, {pq, "./" + rel}} {
		if code := runCLI(t, "report", "-q", "--from-parquet", strings.Join(from, ","), "--json", js, "-o", filepath.Join(tmp, "r.html")); code != 0 {
			t.Fatalf("%v: exit %d", from, code)
		}
		s := readDoc(t, js).Summary
		if s.Records != 100 || len(s.Warnings) != 1 || s.Warnings[0].Kind != "duplicate" || s.Warnings[0].Path != filepath.Clean(from[1]) {
			t.Errorf("%v: %d records, warnings %+v; want 100 and one duplicate", from, s.Records, s.Warnings)
		}
	}
	mixed := filepath.Join(parts, "samples.parquet")
	must(t, os.WriteFile(mixed, must2(os.ReadFile(filepath.Join(pq, "samples.parquet"))), 0o644))
	code, text := runCaptured(t, "report", "-q", "--from-parquet", parts, "-o", filepath.Join(tmp, "r.html"))
	if code != 1 || !strings.Contains(text, "resreport: --from-parquet: "+parts+" holds both samples.parquet and host= partitions (") ||
		!strings.Contains(text, "give "+mixed+" alone") {
		t.Errorf("exit %d, stderr:\n%s", code, text)
	}
	if code := runCLI(t, "report", "-q", "--from-parquet", mixed, "--json", js, "-o", filepath.Join(tmp, "r.html")); code != 0 || readDoc(t, js).Summary.Records != 100 {
		t.Errorf("--from-parquet %s alone: exit %d", mixed, code)
	}
}
