package scan

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/klauspost/compress/gzip"

	"github.com/resreport/resreport/columnar"
)

// collect is a Sink that records the kept rows' timestamps and hosts.
type collect struct {
	mu   *sync.Mutex
	rows map[string]int // "host ts" -> count
}

func (c *collect) Consume(b *columnar.View) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := 0; i < b.Len; i++ {
		c.rows[fmt.Sprintf("%d %d", b.Host[i], b.TS[i])]++
	}
	return nil
}

// lineAt returns exampleLine with a timestamp n seconds after 22:00.
func lineAt(n int) string {
	ts := fmt.Sprintf("2026-05-06T%02d:%02d:%02d.%06d", 22+n/3600, n/60%60, n%60, n)
	return strings.Replace(exampleLine, "2026-05-06T22:30:05.123456", ts, 1)
}

func writeFile(t *testing.T, path string, data []byte, gz bool) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if gz {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(data)
		zw.Close()
		data = buf.Bytes()
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRunShards checks that every line is counted exactly once whatever
// the shard size: lines cut by a range boundary belong to the range they
// start in.
func TestRunShards(t *testing.T) {
	dir := t.TempDir()
	var plain bytes.Buffer
	want := map[string]int{}
	nLines := 0
	for i := 0; i < 300; i++ {
		switch {
		case i%50 == 7:
			plain.WriteString("\n") // empty line
		case i%50 == 13:
			plain.WriteString("garbage line\r\n")
		case i == 150:
			plain.WriteString(strings.Repeat("x", MaxLineBytes+10) + "\n") // too long
		default:
			line := lineAt(i)
			switch i { // records with values nulled: the first is line 201's object_count
			case 200:
				line = strings.Replace(line, "| 183422 | 32212254720 |", "| 18446744073709551615 | null |", 1)
			case 260:
				line = strings.Replace(line, "| 9:177 |", "| 9:x |", 1)
			}
			plain.WriteString(line + "\n")
			ts, _ := columnar.ParseTimestamp([]byte(lineAt(i)[:26]))
			want[fmt.Sprintf("%d %d", 0, ts)]++
		}
		nLines++
	}
	plain.WriteString(lineAt(999)[:100]) // half-written last line
	nLines++
	writeFile(t, filepath.Join(dir, "10.0.0.1", "logs", "resource.log"), plain.Bytes(), false)
	var gzText bytes.Buffer
	for i := 0; i < 100; i++ {
		gzText.WriteString(lineAt(i) + "\n")
		ts, _ := columnar.ParseTimestamp([]byte(lineAt(i)[:26]))
		want[fmt.Sprintf("%d %d", 1, ts)]++
	}
	writeFile(t, filepath.Join(dir, "10.0.0.2", "logs", "resource.20260506220000.log.gz"), gzText.Bytes(), true)
	writeFile(t, filepath.Join(dir, "10.0.0.2", "logs", "kv_resource.log"), []byte("{}\n"), false)

	plan, err := Discover(dir, "resource")
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Files) != 2 || len(plan.Ignored) != 1 || strings.Join(plan.Hosts, ",") != "10.0.0.1,10.0.0.2" {
		t.Fatalf("plan: %+v", plan)
	}
	for _, shard := range []int64{97, 4096, 100000, 1 << 30} {
		for _, workers := range []int{1, 2, 3} {
			var mu sync.Mutex
			got := map[string]int{}
			st, err := Run(context.Background(), plan, Options{Workers: workers, ShardSize: shard, Since: NoSince, Until: NoUntil},
				func(int) Sink { return &collect{mu: &mu, rows: got} })
			if err != nil {
				t.Fatal(err)
			}
			tot := st.Total
			if want := int64(plain.Len() + gzText.Len()); tot.Bytes != want {
				t.Errorf("shard %d workers %d: %d bytes, want %d (the too-long line whole, no '\\n' after the last line)", shard, workers, tot.Bytes, want)
			}
			if tot.Lines != int64(nLines+100) || tot.Kept != int64(len(want)) ||
				tot.Skipped[ReasonEmpty] != 6 || tot.Skipped[ReasonBadTimestamp] != 0 || tot.Skipped[ReasonShort] != 6 ||
				tot.Skipped[ReasonTooLong] != 1 || tot.Skipped[ReasonPartialTail] != 1 {
				t.Fatalf("shard %d workers %d: counts %+v", shard, workers, tot)
			}
			if tot.Lines != tot.Kept+tot.OutOfRange+tot.SkippedTotal() {
				t.Fatalf("accounting does not add up: %+v", tot)
			}
			// line numbers in the file, whatever the ranges
			first := st.Files[0].FirstSkipped
			if first[ReasonEmpty] != 8 || first[ReasonShort] != 14 || first[ReasonTooLong] != 151 || first[ReasonPartialTail] != 301 ||
				first[ReasonBadShape] != 0 || st.Files[1].FirstSkipped != [NumReasons]int64{} || st.Total.FirstSkipped != [NumReasons]int64{} {
				t.Fatalf("shard %d workers %d: first skipped lines %v, %v, total %v", shard, workers, first, st.Files[1].FirstSkipped, st.Total.FirstSkipped)
			}
			if f := st.Files[0]; f.BadValues != 3 || f.FirstBadValue != 201 || FieldName(f.BadField) != "object_count" ||
				st.Files[1].FirstBadValue != 0 || st.Total.BadValues != 3 || st.Total.FirstBadValue != 0 {
				t.Fatalf("shard %d workers %d: bad values %d, first at line %d in %s; %d in the other file; total %d at %d",
					shard, workers, f.BadValues, f.FirstBadValue, FieldName(f.BadField), st.Files[1].FirstBadValue, st.Total.BadValues, st.Total.FirstBadValue)
			}
			if len(got) != len(want) {
				t.Fatalf("shard %d: %d distinct rows, want %d", shard, len(got), len(want))
			}
			for k, n := range got {
				if want[k] != n {
					t.Fatalf("shard %d: row %s seen %d times", shard, k, n)
				}
			}
		}
	}
}

func TestRunTruncatedGzip(t *testing.T) {
	dir := t.TempDir()
	var text bytes.Buffer
	for i := 0; i < 3000; i++ {
		text.WriteString(lineAt(i) + "\n")
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(text.Bytes())
	zw.Close()
	cut := buf.Bytes()[:buf.Len()/2]
	writeFile(t, filepath.Join(dir, "resource.log.gz"), cut, false)
	plan, err := Discover(dir, "resource")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	got := map[string]int{}
	st, err := Run(context.Background(), plan, Options{Since: NoSince, Until: NoUntil}, func(int) Sink { return &collect{mu: &mu, rows: got} })
	if err != nil {
		t.Fatal(err)
	}
	fs := st.Files[0]
	if fs.Err == nil || !strings.Contains(fs.Err.Error(), "compressed offset") {
		t.Fatalf("want a file error with the offset, got %v", fs.Err)
	}
	if fs.Kept == 0 || fs.Kept >= 3000 || fs.Lines != fs.Kept+fs.SkippedTotal() {
		t.Fatalf("counts %+v", fs.Counts)
	}
}

func TestHostOf(t *testing.T) {
	for rel, want := range map[string]string{
		"10.0.0.1/logs":             "10.0.0.1",
		"wrap/192.168.1.10/logs":    "192.168.1.10",
		"worker_1_2/logs":           "worker_1_2",
		".":                         "localhost",
		"":                          "localhost",
		"logs":                      "localhost",
		"logs/archive":              "localhost",
		"nodeA/logs":                "nodeA",
		"./nodeA/logs":              "nodeA",
		"wrap/nodeA/logs":           "nodeA",
		"nodeA/logs/archive":        "nodeA",
		"logs/logs":                 "logs",
		"x":                         "x",
		"a/b/c":                     "a/b/c",
		"10.0.0.1-old/logs":         "10.0.0.1-old",
		"w\xff/10.0.0.\xff1x/logs":  `10.0.0.\xff1x`,
		"node\\A/logs":              `node\\A`,
		"x/10.1.2.3\xffabc/logs":    "10.1.2.3\\xffabc",
		"kvcache_logs/worker_3_4/x": "worker_3_4",
	} {
		if got := HostOf(rel); got != want {
			t.Errorf("HostOf(%q) = %q, want %q", rel, got, want)
		}
	}
}

func TestDiscoverDotAndSlash(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "10.0.0.1", "logs", "resource.log"), []byte(lineAt(1)+"\n"), false)
	writeFile(t, filepath.Join(dir, "10.0.0.2", "logs", "resource.log"), []byte(lineAt(1)+"\n"), false)
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	for _, root := range []string{".", "./", dir + "/", dir} {
		plan, err := Discover(root, "resource")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(plan.Hosts, ",") != "10.0.0.1,10.0.0.2" {
			t.Fatalf("Discover(%q) hosts = %v", root, plan.Hosts)
		}
	}
}

// TestRunGrowingFile appends to a file after discovery: the run reads the
// size seen at discovery, and its accounting stays exact.
func TestRunGrowingFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "resource.log")
	var text bytes.Buffer
	for i := 0; i < 100; i++ {
		text.WriteString(lineAt(i) + "\n")
	}
	writeFile(t, path, text.Bytes(), false)
	plan, err := Discover(dir, "resource")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(lineAt(100) + "\n" + lineAt(101)[:50]) // a new line and a half-written one
	f.Close()
	var mu sync.Mutex
	got := map[string]int{}
	st, err := Run(context.Background(), plan, Options{Since: NoSince, Until: NoUntil, ShardSize: 4096},
		func(int) Sink { return &collect{mu: &mu, rows: got} })
	if err != nil {
		t.Fatal(err)
	}
	if st.Total.Lines != 100 || st.Total.Kept != 100 || st.Total.Bytes != int64(text.Len()) {
		t.Fatalf("counts %+v, want the 100 lines present at discovery", st.Total)
	}
}

// TestRunGzipBomb feeds a small gzip file that inflates to 256 MiB of one
// line without a newline: it is one too-long line, read in bounded memory.
func TestRunGzipBomb(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	chunk := bytes.Repeat([]byte("x"), 1<<20)
	for i := 0; i < 256; i++ {
		zw.Write(chunk)
	}
	zw.Write([]byte("\n" + lineAt(1) + "\n"))
	zw.Close()
	writeFile(t, filepath.Join(dir, "resource.log.gz"), buf.Bytes(), false)
	plan, err := Discover(dir, "resource")
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var mu sync.Mutex
	st, err := Run(context.Background(), plan, Options{Since: NoSince, Until: NoUntil},
		func(int) Sink { return &collect{mu: &mu, rows: map[string]int{}} })
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if st.Total.Lines != 2 || st.Total.Skipped[ReasonTooLong] != 1 || st.Total.Kept != 1 {
		t.Fatalf("counts %+v", st.Total)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Fatalf("allocated %d MiB for a 256 MiB line: not bounded", alloc>>20)
	}
}

// ocSink records each kept row's host, timestamp and OC miss counter.
type ocSink struct {
	mu   *sync.Mutex
	rows map[string]int
}

func (c *ocSink) Consume(b *columnar.View) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	miss := &b.Cols[columnar.MustMetric("oc_miss")]
	for i := 0; i < b.Len; i++ {
		c.rows[fmt.Sprintf("%d %d %v/%d", b.Host[i], b.TS[i], miss.IsValid(i), miss.Ints[i])]++
	}
	return nil
}

// TestRunMixedStyles reads a file that changes format mid-file and holds
// an isolated line of the other format on each side of the change, plain
// and gzipped: the isolated lines and the first line of the change are
// cut, every other line is a record with all its groups.
func TestRunMixedStyles(t *testing.T) {
	dir := t.TempDir()
	var text bytes.Buffer
	want := map[string]int{}
	const n = 60
	for i := 1; i <= n; i++ {
		l := lineAt(i)
		if i%3 == 0 {
			l = strings.Replace(l, "T", " ", 1) // a space instead of 'T'
		}
		noPipe := i >= 21 // the change of format
		if i == 11 || i == 41 {
			noPipe = !noPipe // an isolated line of the other format
		}
		if noPipe {
			l = noTrailing(l)
		}
		text.WriteString(l + "\n")
		if i != 11 && i != 21 && i != 41 {
			ts, _ := columnar.ParseTimestamp([]byte(lineAt(i)[:26]))
			want[fmt.Sprintf("0 %d true/42", ts)]++
		}
	}
	writeFile(t, filepath.Join(dir, "plain", "resource.log"), text.Bytes(), false)
	writeFile(t, filepath.Join(dir, "gz", "resource.log.gz"), text.Bytes(), true)
	for _, sub := range []string{"plain", "gz"} {
		plan, err := Discover(filepath.Join(dir, sub), "resource")
		if err != nil {
			t.Fatal(err)
		}
		for _, workers := range []int{1, 2} {
			var mu sync.Mutex
			got := map[string]int{}
			st, err := Run(context.Background(), plan, Options{Workers: workers, Since: NoSince, Until: NoUntil},
				func(int) Sink { return &ocSink{mu: &mu, rows: got} })
			if err != nil {
				t.Fatal(err)
			}
			fs := st.Files[0]
			if fs.Lines != n || fs.Kept != n-3 || fs.Skipped[ReasonCut] != 3 || fs.SkippedTotal() != 3 || fs.FirstSkipped[ReasonCut] != 11 {
				t.Fatalf("%s: counts %+v", sub, fs.Counts)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%s: rows\n%v\nwant\n%v", sub, got, want)
			}
		}
	}
	// Small ranges learn the style from the lines ahead of them, past their
	// end: the accounting stays exact, and far from the change of format
	// the isolated line is still cut.
	plan, err := Discover(filepath.Join(dir, "plain"), "resource")
	if err != nil {
		t.Fatal(err)
	}
	for _, shard := range []int64{97, 700, 4096} {
		var mu sync.Mutex
		st, err := Run(context.Background(), plan, Options{Workers: 2, ShardSize: shard, Since: NoSince, Until: NoUntil},
			func(int) Sink { return &ocSink{mu: &mu, rows: map[string]int{}} })
		if err != nil {
			t.Fatal(err)
		}
		fs := st.Files[0]
		if fs.Lines != n || fs.Lines != fs.Kept+fs.SkippedTotal() || fs.Skipped[ReasonCut] < 2 || fs.FirstSkipped[ReasonCut] != 11 {
			t.Fatalf("shard %d: counts %+v", shard, fs.Counts)
		}
	}
}

// TestLongLineLinear: a line much longer than a range costs reads linear
// in its size. Each range that starts inside it stops at its own end
// (before, each read on to the line's end: quadratic in the line).
func TestLongLineLinear(t *testing.T) {
	dir := t.TempDir()
	var text bytes.Buffer
	for i := 0; i < 10; i++ {
		text.WriteString(lineAt(i) + "\n")
	}
	text.WriteString(strings.Repeat("x", 8<<20) + "\n")
	for i := 10; i < 20; i++ {
		text.WriteString(lineAt(i) + "\n")
	}
	writeFile(t, filepath.Join(dir, "resource.log"), text.Bytes(), false)
	plan, err := Discover(dir, "resource")
	if err != nil {
		t.Fatal(err)
	}
	const shard = 64 << 10
	src := NewLogSource(plan, Options{Since: NoSince, Until: NoUntil, ShardSize: shard})
	w := src.NewReader().(*worker)
	for i := range src.Units() {
		if err := w.ReadUnit(context.Background(), i, func(arrow.RecordBatch) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	c := src.Stats().Total
	if c.Lines != 21 || c.Kept != 20 || c.Skipped[ReasonTooLong] != 1 || src.Stats().Files[0].FirstSkipped[ReasonTooLong] != 11 {
		t.Fatalf("counts %+v", src.Stats().Files[0])
	}
	units := src.Units()
	size := int64(text.Len())
	if read := w.lr.read; read > 2*size+int64(len(units))*4096 {
		t.Fatalf("%d ranges read %d bytes of a %d-byte file: not linear", len(units), read, size)
	}
}
