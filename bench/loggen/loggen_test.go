package loggen

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

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
	for _, layout := range []int{1, 2, 3} {
		dir := t.TempDir()
		hosts := 3
		if layout == 3 {
			hosts = 1
		}
		o := Options{Hosts: hosts, LinesPerHost: 300, Layout: layout, Gzip: true, RotateLines: 100, Groups: []int{21, 22, 24, 25}, Seed: 9}
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
