package agg

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/resreport/resreport/bench/loggen"
	"github.com/resreport/resreport/scan"
)

func findingsOf(t *testing.T, o loggen.Options, intervalMS int64) ([]Finding, *Result) {
	t.Helper()
	dir := t.TempDir()
	if _, err := loggen.Generate(dir, o); err != nil {
		t.Fatal(err)
	}
	plan, err := scan.Discover(dir, "resource")
	if err != nil {
		t.Fatal(err)
	}
	src := scan.NewLogSource(plan, scan.Options{Since: scan.NoSince, Until: scan.NoUntil})
	r, err := Run(context.Background(), src, RunOptions{Workers: 2, IntervalMS: intervalMS, KeepHosts: true})
	if err != nil {
		t.Fatal(err)
	}
	return Findings(r, DefaultThresholds()), r
}

func anomalyOptions(anomalies ...loggen.Anomaly) loggen.Options {
	return loggen.Options{Hosts: 8, LinesPerHost: 2160, Start: time.Date(2026, 5, 6, 18, 0, 0, 0, time.UTC),
		Period: 10 * time.Second, Groups: []int{22, 24, 25}, Seed: 11, Anomalies: anomalies}
}

func TestFindingsCleanDataHasNone(t *testing.T) {
	for _, iv := range []int64{60000, 300000} {
		fs, _ := findingsOf(t, anomalyOptions(), iv)
		for _, f := range fs {
			t.Errorf("interval %d: finding on clean data: %+v", iv, f)
		}
	}
}

// TestFindingsPlanted plants each problem on one host and checks it is
// found on that host, in the right time range.
func TestFindingsPlanted(t *testing.T) {
	at := func(record int) string {
		return time.Date(2026, 5, 6, 18, 0, 0, 0, time.UTC).Add(time.Duration(record) * 10 * time.Second).Format("2006-01-02T15:04:05")
	}
	fs, r := findingsOf(t, anomalyOptions(
		loggen.Anomaly{Kind: loggen.Leak, Host: 2, From: 600},
		loggen.Anomaly{Kind: loggen.QueueBuildUp, Host: 5, From: 1200, Records: 90},
		loggen.Anomaly{Kind: loggen.EtcdOutage, Host: 0, From: 1500, Records: 60},
		loggen.Anomaly{Kind: loggen.Restart, Host: 7, From: 900},
		loggen.Anomaly{Kind: loggen.Silent, Host: 4, From: 1800},
	), 300000)
	host := func(i int) string { return r.Hosts[i].Name } // hosts sort as generated (10.1.0.1 … 10.1.0.8)
	want := []struct {
		rule, host, start, end string
		sev                    Severity
	}{
		{"leak_suspected", host(2), at(0), "", Warn},
		{"memory_ratio", host(2), "", "", Critical},
		{"thread_pool_queue", host(5), at(1200), at(1290), Warn},
		{"thread_pool_utilization", host(5), at(1200), at(1290), Warn},
		{"etcd_queue", host(0), at(1500), at(1560), Warn},
		{"success_rate", host(0), at(1500), at(1560), Critical},
		{"restart", host(7), at(900), at(930), Warn},
		{"host_stopped", host(4), at(1799)[:15], "", Critical},
	}
	for _, w := range want {
		found := false
		for _, f := range fs {
			if f.Rule != w.rule || len(f.Hosts) != 1 || f.Hosts[0] != w.host || f.Severity != w.sev {
				continue
			}
			if w.start != "" && len(f.Start) >= len(w.start) && f.Start[:len(w.start)] != w.start {
				continue
			}
			if w.end != "" && f.End != w.end {
				continue
			}
			found = true
		}
		if !found {
			t.Errorf("no %v %s finding on %s from %s to %s; got:\n%s", w.sev, w.rule, w.host, w.start, w.end, list(fs))
		}
	}
	// nothing on the untouched hosts
	for _, f := range fs {
		for _, h := range f.Hosts {
			if h == host(1) || h == host(3) || h == host(6) {
				t.Errorf("finding on a clean host: %+v", f)
			}
		}
	}
}

func list(fs []Finding) string {
	s := ""
	for _, f := range fs {
		s += fmt.Sprintf("  %v %s %v %s..%s %.3g\n", f.Severity, f.Rule, f.Hosts, f.Start, f.End, f.Value)
	}
	return s
}
