package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/resreport/resreport/agg"
	"github.com/resreport/resreport/bench/loggen"
)

// jsonDoc is the decoded --json document.
type jsonDoc struct {
	Summary  agg.Summary                 `json:"summary"`
	Findings []map[string]any            `json:"findings"`
	Bins     []map[string]any            `json:"bins"`
	Hosts    map[string][]map[string]any `json:"hosts"`
}

// runCLI runs the command line in-process and returns the exit code.
func runCLI(t *testing.T, args ...string) int {
	t.Helper()
	return runMain(append([]string{"resreport"}, args...))
}

func readDoc(t *testing.T, path string) *jsonDoc {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d jsonDoc
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	return &d
}

// injector appends faulty lines to a host's live log and counts them.
type injector struct {
	t        *testing.T
	lines    int64            // lines added
	kept     int64            // of which records
	skipped  map[string]int64 // of which skipped, by reason
	badVals  int64
	template string // a clean line to mutate
}

func (in *injector) add(f *bytes.Buffer, line string, reason string) {
	f.WriteString(line)
	in.lines++
	if reason == "" {
		in.kept++
	} else {
		in.skipped[reason]++
	}
}

// TestFaults mixes every per-line and per-file fault into clean logs: the
// run succeeds (and fails with --strict), the accounting reconciles exactly
// with what was injected, and the numbers of the clean time window equal
// those of a run on the clean logs alone.
func TestFaults(t *testing.T) {
	tmp := t.TempDir()
	clean, faulty := filepath.Join(tmp, "clean"), filepath.Join(tmp, "faulty")
	opts := loggen.Options{Hosts: 3, LinesPerHost: 240, RotateLines: 100, Gzip: true, Groups: []int{22, 24, 25}, Seed: 7}
	_, err := loggen.Generate(clean, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := loggen.Generate(faulty, opts); err != nil {
		t.Fatal(err)
	}
	// the clean window: the generator starts at 00:00 with 5 s period
	since, until := "2026-05-06T00:00:00", "2026-05-06T01:00:00"

	hostDir := opts.HostDir(faulty, 0)
	live := filepath.Join(hostDir, "resource.log")
	data, err := os.ReadFile(live)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	lines = lines[:len(lines)-1] // last element is "" after the final newline
	in := &injector{t: t, skipped: map[string]int64{}, template: strings.TrimSuffix(lines[0], "\n")}
	var f bytes.Buffer
	// a BOM at the start of the file and CRLF endings: records as usual
	f.WriteString("\xef\xbb\xbf")
	for i, l := range lines {
		if i%7 == 3 {
			l = strings.TrimSuffix(l, "\n") + "\r\n"
		}
		f.WriteString(l)
		if i == 10 {
			in.add(&f, "\n", "empty")
			in.add(&f, "   \r\n", "empty")
			in.add(&f, "2026-05-06T00:00:01 | I | only a few | fields\n", "short")
			in.add(&f, strings.Repeat("x|", MaxTestLine)+"\n", "too_long")
			in.add(&f, strings.Replace(lines[i], lines[i][:26], lines[i][:26]+"Z", 1), "bad_timestamp")
			in.add(&f, strings.Replace(lines[i], lines[i][:26], lines[i][:19]+"+08:00", 1), "bad_timestamp")
			in.add(&f, strings.Replace(lines[i], lines[i][:26], "2026-99-06T00:00:00", 1), "bad_timestamp")
			in.add(&f, "\xff\xfe garbage \x00 bytes | | | | | | | |\n", "bad_timestamp")
			// a deleted group: everything after it shifts
			in.add(&f, deleteGroup(t, lines[i], 3), "bad_shape")
			// a deleted sub-field
			in.add(&f, deleteSubField(t, lines[i], 0), "bad_shape")
		}
	}
	// records with bad values, a day later (outside the compared window,
	// inside the run's range)
	for k, bad := range []string{"null", "N/A", "nan", "inf", "\xff\xfe", "-inf", "12abc"} {
		l := strings.Replace(in.template, "2026-05-06T", "2026-05-07T", 1)
		l = replaceGroup(t, l, 2, bad) // ACTIVE_CLIENT_COUNT
		if k == 0 {
			l = replaceGroup(t, l, 10, bad) // and ETCD_REQUEST_SUCCESS_RATE
			in.badVals++
		}
		in.add(&f, l+"\n", "")
		in.badVals++
	}
	// a half-written last line of the live file
	in.add(&f, lines[5][:len(lines[5])/2], "partial_tail")
	if err := os.WriteFile(live, f.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	// per-file faults: a truncated gzip (of lines outside the range), a
	// dangling link, a link loop, the JSON-lines twin
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	var old bytes.Buffer
	for i := 0; i < 2000; i++ {
		old.WriteString(strings.Replace(lines[i%len(lines)], "2026-05-06T", "2026-04-01T", 1))
	}
	zw.Write(old.Bytes())
	zw.Close()
	trunc := filepath.Join(opts.HostDir(faulty, 1), "resource.20260401000000.log.gz")
	if err := os.WriteFile(trunc, gz.Bytes()[:gz.Len()/2], 0o644); err != nil {
		t.Fatal(err)
	}
	must(t, os.Symlink("/nonexistent/resource.log", filepath.Join(opts.HostDir(faulty, 2), "resource.dangling.log")))
	must(t, os.Symlink("..", filepath.Join(opts.HostDir(faulty, 2), "loop")))
	must(t, os.WriteFile(filepath.Join(hostDir, "kv_resource.log"), []byte(`{"a":1}`+"\n"), 0o644))

	cleanJSON, faultyJSON := filepath.Join(tmp, "clean.json"), filepath.Join(tmp, "faulty.json")
	common := []string{"--since", since, "--until", "2026-05-08T00:00:00", "--interval", "60000", "-o", filepath.Join(tmp, "r.html"), "--quiet"}
	if code := runCLI(t, append([]string{clean, "--json", cleanJSON}, common...)...); code != 0 {
		t.Fatalf("clean run: exit %d", code)
	}
	if code := runCLI(t, append([]string{faulty, "--json", faultyJSON}, common...)...); code != 0 {
		t.Fatalf("faulty run: exit %d", code)
	}
	if code := runCLI(t, append([]string{faulty, "--strict"}, common...)...); code == 0 {
		t.Fatal("--strict run with faults exited 0")
	}
	c, d := readDoc(t, cleanJSON), readDoc(t, faultyJSON)

	// accounting
	s := d.Summary
	truncLines := int64(0)
	for _, pf := range s.PerFile {
		if pf.Path == trunc {
			if pf.Error == "" || !strings.Contains(pf.Error, "gzip") {
				t.Errorf("truncated gzip: error %q", pf.Error)
			}
			truncLines = pf.LinesRead
			if pf.OutsideRange+pf.SkippedTotal != pf.LinesRead || pf.Records != 0 {
				t.Errorf("truncated gzip accounting %+v", pf)
			}
		}
		if pf.LinesRead != pf.Records+pf.OutsideRange+pf.SkippedTotal {
			t.Errorf("file %s does not add up: %+v", pf.Path, pf)
		}
	}
	if truncLines == 0 || truncLines >= 2000 {
		t.Errorf("truncated gzip: %d lines read, want some but not all", truncLines)
	}
	if s.FilesFailed != 1 {
		t.Errorf("files_failed = %d, want 1", s.FilesFailed)
	}
	if want := c.Summary.LinesRead + in.lines + truncLines; s.LinesRead != want {
		t.Errorf("lines_read = %d, want %d", s.LinesRead, want)
	}
	if want := c.Summary.Records + in.kept; s.Records != want {
		t.Errorf("records = %d, want %d", s.Records, want)
	}
	if s.BadValues != in.badVals {
		t.Errorf("bad_values = %d, want %d", s.BadValues, in.badVals)
	}
	for reason, n := range in.skipped {
		got := s.Skipped[reason]
		if reason == "partial_tail" || reason == "bad_timestamp" {
			// the truncated gzip's cut line is a partial tail
			if reason == "partial_tail" && (got < n || got > n+1) {
				t.Errorf("skipped[%s] = %d, want %d (+1 for the cut gzip)", reason, got, n)
			}
			if reason == "bad_timestamp" && got != n {
				t.Errorf("skipped[%s] = %d, want %d", reason, got, n)
			}
			continue
		}
		if got != n {
			t.Errorf("skipped[%s] = %d, want %d", reason, got, n)
		}
	}
	if s.LinesRead != s.Records+s.OutsideRange+s.SkippedTotal {
		t.Errorf("total does not add up: %+v", s)
	}

	// numbers of the clean window are unchanged
	cut := "2026-05-06T01:00:00"
	var fb []map[string]any
	for _, b := range d.Bins {
		if b["time"].(string) < cut {
			fb = append(fb, b)
		}
	}
	if len(fb) != len(c.Bins) {
		t.Fatalf("%d bins in the clean window, want %d", len(fb), len(c.Bins))
	}
	for i := range c.Bins {
		for k, v := range c.Bins[i] {
			if !numEqual(fb[i][k], v) {
				t.Fatalf("bin %v key %s = %v, clean run %v", c.Bins[i]["time"], k, fb[i][k], v)
			}
		}
	}
	_ = until
}

// MaxTestLine makes a line longer than scan.MaxLineBytes.
const MaxTestLine = 600 << 10

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// numEqual compares JSON values, numbers within 1e-9 relative (sums
// taken in another order differ in the last digits).
func numEqual(a, b any) bool {
	x, ok1 := a.(float64)
	y, ok2 := b.(float64)
	if ok1 && ok2 {
		return math.Abs(x-y) <= 1e-9*math.Max(1, math.Abs(y))
	}
	return jsonEqual(a, b)
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// groups splits a line into its header and metric groups.
func groups(t *testing.T, line string) (header []string, gs []string) {
	t.Helper()
	body := strings.TrimSuffix(strings.TrimRight(line, "\r\n"), " |")
	parts := strings.Split(body, " | ")
	if len(parts) < 8 {
		t.Fatalf("not a line: %q", line)
	}
	return parts[:7], parts[7:]
}

func join(header, gs []string) string { return strings.Join(append(header, gs...), " | ") + " |" }

func deleteGroup(t *testing.T, line string, g int) string {
	h, gs := groups(t, line)
	return join(h, append(gs[:g:g], gs[g+1:]...)) + "\n"
}

func deleteSubField(t *testing.T, line string, g int) string {
	h, gs := groups(t, line)
	subs := strings.Split(gs[g], "/")
	gs[g] = strings.Join(subs[1:], "/")
	return join(h, gs) + "\n"
}

func replaceGroup(t *testing.T, line string, g int, v string) string {
	h, gs := groups(t, line)
	gs[g] = v
	return join(h, gs)
}
