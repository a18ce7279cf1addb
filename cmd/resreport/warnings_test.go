package main

import (
	"path/filepath"
	"testing"

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
