package main

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/parquet-go/parquet-go"

	"github.com/resreport/resreport/bench/loggen"
)

// TestHostileNames puts quotes, markup, a newline and invalid UTF-8 in a
// host directory name and a worker id: they come out as valid UTF-8 text
// in JSON, Parquet and HTML.
func TestHostileNames(t *testing.T) {
	tmp := t.TempDir()
	evil := "10.0.0.1\"'<img src=x onerror=alert(1)>\n\xff" // a directory name cannot hold '/'

	logs := filepath.Join(tmp, "logs")
	o := loggen.Options{Hosts: 2, LinesPerHost: 60, Seed: 4, HostNames: func(i int) string { return []string{evil, "10.0.0.2"}[i] }}
	if _, err := loggen.Generate(logs, o); err != nil {
		t.Fatal(err)
	}
	// a worker id with a closing script tag
	live := filepath.Join(o.HostDir(logs, 1), "resource.log")
	data, err := os.ReadFile(live)
	if err != nil {
		t.Fatal(err)
	}
	data = []byte(strings.ReplaceAll(string(data), "searchgenrecallkvworker-21-00002", "w</script><b>x\xfe"))
	must(t, os.WriteFile(live, data, 0o644))

	out := filepath.Join(tmp, "out")
	if code := runCLI(t, "report", logs, "--parquet-dir", out, "--json", filepath.Join(out, "r.json"), "-o", filepath.Join(out, "r.html"), "--quiet"); code != 0 {
		t.Fatalf("exit %d", code)
	}
	want := strings.ReplaceAll(evil, "\xff", `\xff`) // invalid bytes are escaped, not folded to U+FFFD
	doc := readDoc(t, filepath.Join(out, "r.json"))
	if _, ok := doc.Hosts[want]; !ok {
		var names []string
		for h := range doc.Hosts {
			names = append(names, h)
		}
		t.Fatalf("JSON hosts lack %q: %q", want, names)
	}
	raw, _ := os.ReadFile(filepath.Join(out, "r.json"))
	if !utf8.Valid(raw) || strings.Contains(string(raw), "<img") {
		t.Fatal("JSON is not valid UTF-8 or carries raw markup")
	}
	samples := readParquet(t, filepath.Join(out, "samples.parquet"))
	hosts, pods := map[string]bool{}, map[string]bool{}
	hostCol := samples.Column(samples.Schema().FieldIndices("host")[0]).Data()
	podCol := samples.Column(samples.Schema().FieldIndices("pod")[0]).Data()
	for k, ch := range hostCol.Chunks() {
		for i := 0; i < ch.Len(); i++ {
			var h string
			switch a := ch.(type) {
			case *array.Dictionary:
				h = a.Dictionary().(*array.String).Value(a.GetValueIndex(i))
			case *array.String:
				h = a.Value(i)
			}
			hosts[h] = true
			pods[podCol.Chunk(k).(*array.String).Value(i)] = true
		}
	}
	if !hosts[want] || !pods["w</script><b>x\uFFFD"] {
		t.Fatalf("parquet hosts %v pods %v", hosts, pods)
	}
	page, _ := os.ReadFile(filepath.Join(out, "r.html"))
	if !utf8.Valid(page) || strings.Contains(string(page), "<img src=x") || strings.Contains(string(page), "<b>x") {
		t.Fatal("HTML carries the names as markup")
	}
}

func TestEmptyTree(t *testing.T) {
	dir := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(dir, "a", "b"), 0o755))
	if code := runCLI(t, "report", dir, "--quiet", "-o", filepath.Join(dir, "r.html")); code != 1 {
		t.Fatalf("empty tree: exit %d, want 1", code)
	}
	if code := runCLI(t, "report", filepath.Join(dir, "missing"), "--quiet"); code != 1 {
		t.Fatalf("missing dir: exit %d, want 1", code)
	}
	if code := runCLI(t, "report", dir, "--interval", "0"); code != 2 {
		t.Fatalf("--interval 0: exit %d, want 2", code)
	}
	if code := runCLI(t, "report", dir, "--since", "2026-05-06T00:00:00Z"); code != 2 {
		t.Fatalf("--since with a zone: exit %d, want 2", code)
	}
}

// TestScatteredClock converts a host whose first and last lines are an
// hour apart but whose other lines carry timestamps scattered over years
// (a clock gone wrong): the samples file's time slices, chosen from the
// first and last lines, are narrow, and its rows would each open a row
// group; the run warns that rows went to row groups of several slices,
// and every row is read back. A host with a sane clock gets no warning.
func TestScatteredClock(t *testing.T) {
	tmp := t.TempDir()
	logs := filepath.Join(tmp, "logs")
	o := loggen.Options{Hosts: 2, LinesPerHost: 1200, Period: 3 * time.Second, Seed: 6}
	if _, err := loggen.Generate(logs, o); err != nil {
		t.Fatal(err)
	}
	const warning = "went to row groups of several slices"
	if code, stderr := runCLIErr(t, "convert", logs, "-q", "--parquet-dir", filepath.Join(tmp, "sane")); code != 0 || strings.Contains(stderr, warning) {
		t.Fatalf("sane clocks: exit %d, %q", code, stderr)
	}
	live := filepath.Join(o.HostDir(logs, 1), "resource.log")
	data, err := os.ReadFile(live)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	rng := rand.New(rand.NewPCG(6, 6))
	for i := 1; i < len(lines)-1; i++ {
		at := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(int64(30 * 365 * 24 * time.Hour))))
		lines[i] = at.Format("2006-01-02T15:04:05.000000") + lines[i][len("2006-01-02T15:04:05.000000"):]
	}
	if err := os.WriteFile(live, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pq := filepath.Join(tmp, "pq")
	code, stderr := runCLIErr(t, "convert", logs, "-q", "--parquet-dir", pq)
	if code != 0 || !strings.Contains(stderr, warning) {
		t.Fatalf("scattered clock: exit %d, %q: want a warning that rows %s", code, stderr, warning)
	}
	f, err := os.Open(filepath.Join(pq, "samples.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	if n, groups := pf.NumRows(), len(pf.RowGroups()); n != 2*1200 || groups > 300 {
		t.Fatalf("%d rows in %d row groups, want 2,400 in at most ~257", n, groups)
	}
}
