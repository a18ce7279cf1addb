package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/resreport/resreport/agg"
	"github.com/resreport/resreport/bench/loggen"
	"github.com/resreport/resreport/columnar"
)

// runCaptured runs the command line with stderr in a file and returns the
// exit code and what was written to stderr.
func runCaptured(t *testing.T, args ...string) (int, string) {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	var code int
	withStderr(f, func() { code = runCLI(t, args...) })
	f.Close()
	text, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return code, string(text)
}

// editLines applies edit to the lines (numbered from 1) of a file.
func editLines(t *testing.T, path string, edit func(n int, line string) string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	for i, l := range lines[:len(lines)-1] {
		lines[i] = edit(i+1, strings.TrimSuffix(l, "\n")) + "\n"
	}
	must(t, os.WriteFile(path, []byte(strings.Join(lines, "")), 0o644))
}

// TestSkipReasonNamed: the final log line names the main skip reason with
// its first location, as a warning that --quiet still prints, and
// --json's per_file carries the first line of each reason.
func TestSkipReasonNamed(t *testing.T) {
	tmp := t.TempDir()
	logs := filepath.Join(tmp, "logs")
	o := loggen.Options{Hosts: 2, LinesPerHost: 100, Groups: []int{22}, Seed: 7}
	if _, err := loggen.Generate(logs, o); err != nil {
		t.Fatal(err)
	}
	first := filepath.Join(o.HostDir(logs, 0), "resource.log")
	second := filepath.Join(o.HostDir(logs, 1), "resource.log")
	editLines(t, first, func(n int, l string) string {
		switch n {
		case 5, 60:
			return strings.TrimSuffix(deleteSubField(t, l, 0), "\n")
		case 30:
			return strings.TrimSuffix(l, " |") // cut short
		case 31:
			return ""
		}
		return l
	})
	editLines(t, second, func(n int, l string) string {
		if n == 7 {
			return strings.TrimSuffix(deleteSubField(t, l, 0), "\n")
		}
		return l
	})
	js := filepath.Join(tmp, "r.json")
	code, text := runCaptured(t, "report", logs, "-q", "-o", filepath.Join(tmp, "r.html"), "--json", js)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, text)
	}
	lines := strings.Split(strings.TrimSpace(text), "\n")
	want := "5 skipped: 3 bad_shape (first at " + first + ":5), 1 empty, 1 cut"
	if len(lines) != 1 || !strings.Contains(lines[0], "WARN") || !strings.Contains(lines[0], want) {
		t.Fatalf("stderr with -q:\n%s\nwant one warning with %q", text, want)
	}
	d := readDoc(t, js)
	got := map[string]map[string]int64{}
	for _, f := range d.Summary.PerFile {
		got[f.Path] = f.FirstSkipped
	}
	if g := got[first]; len(g) != 3 || g["bad_shape"] != 5 || g["cut"] != 30 || g["empty"] != 31 {
		t.Errorf("first_skipped of %s: %v", first, g)
	}
	if g := got[second]; len(g) != 1 || g["bad_shape"] != 7 {
		t.Errorf("first_skipped of %s: %v", second, g)
	}
}

// setSubField replaces sub-field k of group g of a line with v.
func setSubField(t *testing.T, line string, g, k int, v string) string {
	t.Helper()
	h, gs := groups(t, line)
	subs := strings.Split(gs[g], "/")
	subs[k] = v
	gs[g] = strings.Join(subs, "/")
	return join(h, gs)
}

// TestBadValuesLocated: values stored as null (null, N/A, ULONG_MAX) are
// located as skipped lines are: each file's first in --json's per_file
// (line and field) and in the page, the first of all in a warning that
// -q prints; --strict fails, naming it.
func TestBadValuesLocated(t *testing.T) {
	tmp := t.TempDir()
	logs := filepath.Join(tmp, "logs")
	o := loggen.Options{Hosts: 2, LinesPerHost: 100, Groups: []int{22}, Seed: 7}
	if _, err := loggen.Generate(logs, o); err != nil {
		t.Fatal(err)
	}
	field := func(g, k int) string { return columnar.Metrics[int(columnar.GroupStart[g])+k].Name }
	first := filepath.Join(o.HostDir(logs, 0), "resource.log")
	second := filepath.Join(o.HostDir(logs, 1), "resource.log")
	editLines(t, first, func(n int, l string) string {
		switch n {
		case 5:
			return setSubField(t, l, 0, 1, "null")
		case 40:
			return setSubField(t, l, 2, 0, "18446744073709551615") // ULONG_MAX: beyond int64
		}
		return l
	})
	editLines(t, second, func(n int, l string) string {
		if n == 9 {
			return setSubField(t, l, 3, 0, "N/A")
		}
		return l
	})
	js, page := filepath.Join(tmp, "r.json"), filepath.Join(tmp, "r.html")
	code, text := runCaptured(t, "report", logs, "-q", "-o", page, "--json", js)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, text)
	}
	note := "3 bad values stored as null (first at " + first + ":5, field " + field(0, 1) + ")"
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "WARN") || !strings.Contains(lines[0], "parsed; "+note) {
		t.Fatalf("stderr with -q:\n%s\nwant one warning with %q", text, note)
	}
	d := readDoc(t, js)
	want := map[string]agg.BadValueAt{first: {Line: 5, Field: field(0, 1)}, second: {Line: 9, Field: field(3, 0)}}
	for _, f := range d.Summary.PerFile {
		if f.FirstBadValue == nil || *f.FirstBadValue != want[f.Path] || f.BadValues != map[string]int64{first: 2, second: 1}[f.Path] {
			t.Errorf("%s: %d bad values, first at %+v; want %+v", f.Path, f.BadValues, f.FirstBadValue, want[f.Path])
		}
	}
	if d.Summary.BadValues != 3 || d.Summary.Records != 200 {
		t.Errorf("summary: %d bad values, %d records", d.Summary.BadValues, d.Summary.Records)
	}
	row := `<tr><td class="name">` + first + `</td><td class="name">` + d.Summary.PerFile[0].Host +
		`</td><td>2</td><td>5</td><td class="name">` + field(0, 1) + `</td></tr>`
	if p := string(must2(os.ReadFile(page))); !strings.Contains(p, `id="bad-values"`) || !strings.Contains(p, row) {
		t.Errorf("the page lacks the row %q", row)
	}
	for _, args := range [][]string{{"report", "-o", page}, {"convert", "--parquet-dir", filepath.Join(tmp, "parts"), "--partition"}} {
		code, text = runCaptured(t, append(args, logs, "-q", "--strict")...)
		if want := "resreport: --strict: " + note + "\n"; code != 1 || !strings.Contains(text, want) || !strings.Contains(text, "WARN") {
			t.Errorf("%s --strict: exit %d, stderr:\n%s\nwant a warning and %q", args[0], code, text, want)
		}
	}
}

// TestUnreadableTreeQuiet: with -q, a tree of lines resreport cannot read
// ends in one line that gives the reason and where it first occurs.
func TestUnreadableTreeQuiet(t *testing.T) {
	tmp := t.TempDir()
	logs := filepath.Join(tmp, "logs")
	o := loggen.Options{Hosts: 1, LinesPerHost: 50, Layout: 3, Groups: []int{22}, Seed: 8}
	if _, err := loggen.Generate(logs, o); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(logs, "resource.log")
	editLines(t, path, func(_ int, l string) string { return strings.TrimSuffix(deleteSubField(t, l, 0), "\n") })
	code, text := runCaptured(t, "report", logs, "-q", "-o", filepath.Join(tmp, "r.html"))
	if code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, text)
	}
	want := "resreport: no records in range in " + logs + " (50 lines read, 0 outside the time range, 50 skipped: bad_shape (first at " + path + ":1))"
	if !strings.Contains(text, want+"\n") {
		t.Fatalf("stderr:\n%s\nwant the line %q", text, want)
	}
}

// TestNoRecordsNamesFailures: a run whose every file failed (a .gz that
// is plain text) says so in its last line, how many of how many and the
// first with its reason, for report and convert --partition.
func TestNoRecordsNamesFailures(t *testing.T) {
	tmp := t.TempDir()
	logs := filepath.Join(tmp, "logs")
	o := loggen.Options{Hosts: 2, LinesPerHost: 20, Seed: 8}
	if _, err := loggen.Generate(logs, o); err != nil {
		t.Fatal(err)
	}
	var first string
	for i := range 2 {
		path := filepath.Join(o.HostDir(logs, i), "resource.log")
		must(t, os.Rename(path, path+".gz"))
		if i == 0 {
			first = path + ".gz"
		}
	}
	want := "resreport: no records in range in " + logs + " (0 lines read, 0 outside the time range, 0 skipped): " +
		"2 of 2 files failed, the first: gzip " + first + ": gzip: invalid header\n"
	for _, args := range [][]string{{"report", "-o", filepath.Join(tmp, "r.html")}, {"convert", "--parquet-dir", filepath.Join(tmp, "parts"), "--partition"}} {
		code, text := runCaptured(t, append(args, logs, "-q")...)
		if code != 1 || !strings.HasSuffix(text, want) {
			t.Errorf("%s: exit %d, stderr:\n%s\nwant it to end in %q", args[0], code, text, want)
		}
	}
}

// TestDocstringFormat: logs in the reference script's docstring format (no
// trailing " |") give the same numbers as the same logs with it.
func TestDocstringFormat(t *testing.T) {
	tmp := t.TempDir()
	var docs [2]*jsonDoc
	for i, noPipe := range []bool{false, true} {
		logs := filepath.Join(tmp, "logs", []string{"pipe", "nopipe"}[i])
		o := loggen.Options{Hosts: 3, LinesPerHost: 400, Groups: []int{21, 22, 25}, Gzip: true, RotateLines: 150, Seed: 9,
			NoTrailingPipe: noPipe, Anomalies: []loggen.Anomaly{{Kind: loggen.Restart, Host: 1, From: 200}}}
		if _, err := loggen.Generate(logs, o); err != nil {
			t.Fatal(err)
		}
		js := filepath.Join(tmp, []string{"pipe", "nopipe"}[i]+".json")
		if code := runCLI(t, "report", logs, "-q", "-o", filepath.Join(tmp, "r.html"), "--json", js); code != 0 {
			t.Fatalf("exit %d", code)
		}
		docs[i] = readDoc(t, js)
	}
	for _, d := range docs {
		if s := d.Summary; s.Records != 1200 || s.SkippedTotal != 0 || s.BadValues != 0 {
			t.Fatalf("summary %+v", s)
		}
	}
	// equal but for the last bits of float sums, which are taken in the
	// order the workers finish
	if !approxEqual(docs[0].Bins, docs[1].Bins) || !approxEqual(docs[0].Hosts, docs[1].Hosts) || !approxEqual(docs[0].Findings, docs[1].Findings) {
		t.Fatal("the two formats give different numbers")
	}
}

// approxEqual compares two values as JSON, numbers with numEqual.
func approxEqual(a, b any) bool {
	return approxJSON(toJSON(a), toJSON(b))
}

func toJSON(v any) (out any) {
	data, _ := json.Marshal(v)
	json.Unmarshal(data, &out)
	return out
}

func approxJSON(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k := range x {
			if !approxJSON(x[k], y[k]) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !approxJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return numEqual(a, b)
}

// TestFailureNote: the files that failed and the unreadable paths are
// counted and the first of each named with its reason; a file's error
// that does not name it gets its path; duplicates are no failure.
func TestFailureNote(t *testing.T) {
	s := &agg.Summary{Files: 3, FilesFailed: 2, PerFile: []agg.FileSummary{{Path: "a.log"},
		{Path: "b.log", Error: "b.log was replaced since discovery (rotated?)"}, {Path: "c.log", Error: "EOF"}},
		Warnings: []agg.PathWarning{{Path: "x.log.gz", Kind: "duplicate"}, {Path: "d", Kind: "unreadable", Reason: "permission denied"}}}
	want := "2 of 3 files failed, the first: b.log was replaced since discovery (rotated?); 1 unreadable path left out, the first: d (permission denied)"
	if got := failureNote(s); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	s.PerFile[1].Error = ""
	s.Warnings = append(s.Warnings, agg.PathWarning{Path: "e", Kind: "unreadable", Reason: "a dangling symbolic link"})
	want = "2 of 3 files failed, the first: c.log: EOF; 2 unreadable paths left out, the first: d (permission denied)"
	if got := failureNote(s); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if got := failureNote(&agg.Summary{Warnings: s.Warnings[:1]}); got != "" {
		t.Errorf("a duplicate is a failure: %q", got)
	}
}
