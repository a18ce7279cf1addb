package loggen

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Fixture is one committed test data set under testdata/logs.
type Fixture struct {
	Name    string
	Options Options
	// Gunzip lists rotated .gz files (relative paths) stored decompressed,
	// for a mix of plain and gzip rotated files.
	Gunzip []string
	// Since and Until are the time window of the fixture's golden runs.
	Since, Until string
}

// fixtureStart makes the fixtures cross midnight.
var fixtureStart = time.Date(2026, 5, 6, 23, 40, 0, 0, time.UTC)

// Fixtures lists the fixtures: three layouts, plain, gzip and mixed
// rotation, and every worker version.
func Fixtures() []Fixture {
	names := func(ns ...string) func(int) string { return func(i int) string { return ns[i] } }
	return []Fixture{
		{Name: "layout1", Options: Options{Hosts: 3, LinesPerHost: 240, Start: fixtureStart, Period: 10 * time.Second, Layout: 1,
			Gzip: true, RotateLines: 90, Groups: []int{22, 24, 25}, Seed: 1, HostNames: names("10.0.0.1", "10.0.0.2", "worker_1_2")},
			Gunzip: []string{"10.0.0.1/logs/resource.20260507000950.log.gz"},
			Since:  "2026-05-06T23:45:00", Until: "2026-05-07T00:15:30.5"},
		{Name: "layout2", Options: Options{Hosts: 2, LinesPerHost: 240, Start: fixtureStart, Period: 10 * time.Second, Layout: 2,
			Gzip: true, RotateLines: 100, Groups: []int{25}, Seed: 2, EmptyStreamCount: true, EmptySCLocalCache: true,
			HostNames: names("192.168.1.10", "192.168.1.11")},
			Since: "2026-05-06T23:50:00", Until: "2026-05-07T00:10:00"},
		{Name: "layout3", Options: Options{Hosts: 1, LinesPerHost: 240, Start: fixtureStart, Period: 10 * time.Second, Layout: 3,
			Groups: []int{22}, Seed: 3},
			Since: "2026-05-06T23:41:00", Until: "2026-05-07T00:19:00"},
		{Name: "v21", Options: Options{Hosts: 2, LinesPerHost: 240, Start: fixtureStart, Period: 10 * time.Second, Layout: 1,
			Groups: []int{21}, Seed: 4, HostNames: names("10.1.0.1", "10.1.0.2")},
			Since: "2026-05-06T23:45:00", Until: "2026-05-07T00:15:00"},
		// the reference script's docstring format: no trailing " |"
		{Name: "nopipe_layout1", Options: Options{Hosts: 3, LinesPerHost: 240, Start: fixtureStart, Period: 10 * time.Second, Layout: 1,
			Gzip: true, RotateLines: 80, Groups: []int{22, 25, 24}, Seed: 5, NoTrailingPipe: true,
			HostNames: names("10.2.0.1", "10.2.0.2", "worker_2_3")},
			Gunzip: []string{"10.2.0.2/logs/resource.20260506235310.log.gz"},
			Since:  "2026-05-06T23:44:10", Until: "2026-05-07T00:16:00"},
		{Name: "nopipe_layout2", Options: Options{Hosts: 2, LinesPerHost: 240, Start: fixtureStart, Period: 10 * time.Second, Layout: 2,
			Gzip: true, RotateLines: 120, Groups: []int{22}, Seed: 6, EmptyStreamCount: true, NoTrailingPipe: true,
			HostNames: names("192.168.2.10", "192.168.2.11")},
			Since: "2026-05-06T23:52:00", Until: "2026-05-07T00:08:00"},
		{Name: "nopipe_layout3", Options: Options{Hosts: 1, LinesPerHost: 240, Start: fixtureStart, Period: 10 * time.Second, Layout: 3,
			Groups: []int{25}, Seed: 7, NoTrailingPipe: true},
			Since: "2026-05-06T23:40:30", Until: "2026-05-07T00:20:00"},
		// 21 groups with the last one (SC_LOCAL_CACHE) empty: each line ends in
		// "… | " like a trailing-pipe line of 20 groups
		{Name: "nopipe_v21", Options: Options{Hosts: 2, LinesPerHost: 240, Start: fixtureStart, Period: 10 * time.Second, Layout: 1,
			Groups: []int{21}, Seed: 8, EmptySCLocalCache: true, NoTrailingPipe: true, HostNames: names("10.3.0.1", "10.3.0.2")},
			Since: "2026-05-06T23:45:00", Until: "2026-05-07T00:15:00"},
	}
}

// Write generates the fixture into dir.
func (f Fixture) Write(dir string) error {
	if _, err := Generate(dir, f.Options); err != nil {
		return err
	}
	for _, rel := range f.Gunzip {
		p := filepath.Join(dir, rel)
		data, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("fixture %s: %w", f.Name, err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return err
		}
		plain, err := io.ReadAll(zr)
		if err != nil {
			return err
		}
		if err := os.WriteFile(strings.TrimSuffix(p, ".gz"), plain, 0o644); err != nil {
			return err
		}
		if err := os.Remove(p); err != nil {
			return err
		}
	}
	return nil
}
