package loggen

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/resreport/resreport/columnar"
	"github.com/resreport/resreport/scan"
)

// readText returns a file's text, decompressed for .gz.
func readText(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	return data
}

func files(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = readText(t, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFixturesMatchGenerator regenerates every committed fixture and
// compares the text, so fixtures and generator cannot drift apart.
func TestFixturesMatchGenerator(t *testing.T) {
	for _, fx := range Fixtures() {
		dir := t.TempDir()
		if err := fx.Write(dir); err != nil {
			t.Fatal(err)
		}
		got, want := files(t, dir), files(t, filepath.Join("..", "..", "testdata", "logs", fx.Name))
		if len(got) != len(want) {
			t.Fatalf("%s: %d files, committed %d (run go run ./bench/loggen/mkfixtures)", fx.Name, len(got), len(want))
		}
		for name, text := range want {
			if !bytes.Equal(got[name], text) {
				t.Fatalf("%s/%s differs from the generator (run go run ./bench/loggen/mkfixtures and testdata/golden/mkgolden.py)", fx.Name, name)
			}
		}
	}
}

var rotated = regexp.MustCompile(`^resource\.\d{14}\.log(\.gz)?$`)

func TestGenerateShapeAndLayout(t *testing.T) {
	for _, layout := range []int{1, 2, 3, 4} {
		noPipe := layout == 4 // layout 1 without the trailing pipe
		if noPipe {
			layout = 1
		}
		dir := t.TempDir()
		hosts := 3
		if layout == 3 {
			hosts = 1
		}
		o := Options{Hosts: hosts, LinesPerHost: 300, Layout: layout, Gzip: true, RotateLines: 100, Groups: []int{21, 22, 24, 25}, Seed: 9,
			NoTrailingPipe: noPipe, EmptySCLocalCache: noPipe}
		st, err := Generate(dir, o)
		if err != nil {
			t.Fatal(err)
		}
		if st.Lines != hosts*300 || st.Files != hosts*3 {
			t.Fatalf("layout %d: stats %+v", layout, st)
		}
		plan, err := scan.Discover(dir, "resource")
		if err != nil {
			t.Fatal(err)
		}
		if len(plan.Hosts) != hosts || len(plan.Files) != hosts*3 {
			t.Fatalf("layout %d: discovered %v, %d files", layout, plan.Hosts, len(plan.Files))
		}
		if layout != 3 && plan.Hosts[0] != o.HostDirName(0) {
			t.Fatalf("layout %d: host %q", layout, plan.Hosts[0])
		}
		p := scan.NewParser(scan.NoSince, scan.NoUntil)
		if noPipe {
			p.StartFile(scan.NoTrailing)
		}
		b := columnar.NewBatch()
		for _, f := range plan.Files {
			base := filepath.Base(f.Path)
			if base != "resource.log" && !rotated.MatchString(base) {
				t.Fatalf("file name %q", base)
			}
			for _, line := range bytes.Split(bytes.TrimSuffix(readText(t, f.Path), []byte("\n")), []byte("\n")) {
				if b.Full() {
					b.Reset()
				}
				if out, reason := p.Parse(line, b, 0, false); out != scan.Kept {
					t.Fatalf("generated line not kept (%v): %s", reason, line)
				}
			}
		}
		if p.BadValues != 0 {
			t.Fatalf("%d bad values in generated lines", p.BadValues)
		}
	}
}

// TestNoTrailingPipe: the option drops each line's trailing " |" and
// changes nothing else.
func TestNoTrailingPipe(t *testing.T) {
	o := Options{Hosts: 4, LinesPerHost: 200, Groups: []int{21, 22, 24, 25}, Seed: 3, EmptySCLocalCache: true,
		Anomalies: []Anomaly{{Kind: Restart, Host: 1, From: 20}}}
	a, b := t.TempDir(), t.TempDir()
	if _, err := Generate(a, o); err != nil {
		t.Fatal(err)
	}
	o.NoTrailingPipe = true
	if _, err := Generate(b, o); err != nil {
		t.Fatal(err)
	}
	fa, fb := files(t, a), files(t, b)
	for k, v := range fa {
		want := strings.ReplaceAll(string(v), " |\n", "\n")
		if string(fb[k]) != want {
			t.Fatalf("%s: lines without the trailing pipe differ in more than it", k)
		}
	}
}

func TestDeterministic(t *testing.T) {
	o := Options{Hosts: 2, LinesPerHost: 50, Seed: 5, Anomalies: []Anomaly{{Kind: Restart, Host: 1, From: 20}}}
	a, b := t.TempDir(), t.TempDir()
	if _, err := Generate(a, o); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(b, o); err != nil {
		t.Fatal(err)
	}
	fa, fb := files(t, a), files(t, b)
	for k, v := range fa {
		if !bytes.Equal(v, fb[k]) {
			t.Fatalf("%s differs between runs", k)
		}
	}
}

func TestLineSize(t *testing.T) {
	o := Options{Hosts: 1}
	g := NewHost(&o, 0)
	var n, total int
	var buf []byte
	for ; n < 2000; n++ {
		buf, _ = g.AppendLine(buf[:0])
		total += len(buf)
	}
	avg := float64(total) / float64(n)
	if avg < 600 || avg > 760 {
		t.Fatalf("average line %.0f bytes, want about 680 (20 hosts × 50,000 lines ≈ 680 MB)", avg)
	}
}

// TestNoiseAndOutages checks the options the findings tests use: the noise
// rates, a silence of a given length and a miss surge on every host, and
// that options without them leave the clean lines as they were.
func TestNoiseAndOutages(t *testing.T) {
	const n = 6000
	clean := Options{Hosts: 2, LinesPerHost: n, Period: 10 * time.Second, Groups: []int{22}, Seed: 3}
	noisy := clean
	noisy.Noise = Noise{SuccessDips: 0.01, QueueBlips: 0.05}
	noisy.Anomalies = []Anomaly{{Kind: Silent, Host: 1, From: 1000, Records: 150}, {Kind: MissSurge, Host: AllHosts, From: 3000, Records: 90}}
	var dips, rates, queued, pools int
	var surge, before [2]int64
	for h := 0; h < 2; h++ {
		gc, gn := NewHost(&clean, h), NewHost(&noisy, h)
		var lc, ln []byte
		var prevMiss int64
		lines := 0
		for i := 0; i < n; i++ {
			lc, _ = gc.AppendLine(lc[:0])
			var ok bool
			ln, ok = gn.AppendLine(ln[:0])
			if !ok {
				if h != 1 || i < 1000 || i >= 1150 {
					t.Fatalf("host %d silent at record %d", h, i)
				}
				continue
			}
			lines++
			if h == 1 && i >= 1000 && i < 1150 {
				t.Fatalf("host 1 wrote record %d inside its silence", i)
			}
			fc, fn := strings.Split(strings.TrimSuffix(string(lc), " |\n"), " | "), strings.Split(strings.TrimSuffix(string(ln), " |\n"), " | ")
			if len(fc) != len(fn) {
				t.Fatalf("record %d: %d vs %d fields", i, len(fc), len(fn))
			}
			for k := range fc {
				switch {
				case k == 17 || k == 18: // ETCD and OBS success rates
					if fn[k] != "" {
						rates++
						if fn[k] != "1.000" {
							dips++
						}
					}
				case poolField(k) && fn[k] != "" && fn[k] != "0/0/0/0/0":
					pools++
					if w := strings.Split(fn[k], "/")[3]; w != "0" {
						queued++
					}
				case k == 28: // OC_HIT_NUM
					miss, _ := strconv.ParseInt(strings.Split(fn[k], "/")[4], 10, 64)
					if i > 0 && i < 3000 {
						before[h] += miss - prevMiss
					} else if i >= 3000 && i < 3090 {
						surge[h] += miss - prevMiss
					}
					prevMiss = miss
				default: // the same random numbers until an anomaly changes the sequence
					if (i < 1000 || h == 0 && i < 3000) && fc[k] != fn[k] {
						t.Fatalf("record %d field %d: noise changed %q to %q", i, k, fc[k], fn[k])
					}
				}
			}
		}
		if want := n - 150*h; lines != want {
			t.Errorf("host %d wrote %d lines, want %d", h, lines, want)
		}
	}
	if f := float64(dips) / float64(rates); f < 0.007 || f > 0.013 {
		t.Errorf("%.4f of the success rates dip, want about 0.01", f)
	}
	if f := float64(queued) / float64(pools); f < 0.04 || f > 0.06 {
		t.Errorf("%.4f of the pool samples queue, want about 0.05", f)
	}
	for h := range surge {
		if rate, base := float64(surge[h])/90, float64(before[h])/2999; rate < 10*base {
			t.Errorf("host %d: %.1f misses per record in the surge, %.1f before", h, rate, base)
		}
	}
}

// poolField tells the thread-pool groups among a line's fields: the
// object-cache pools, master async tasks and the stream-cache pools.
func poolField(k int) bool { return k >= 12 && k <= 15 || k == 19 || k >= 21 && k <= 24 }
