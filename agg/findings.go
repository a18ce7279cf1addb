package agg

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
)

// Severity ranks findings.
type Severity int

const (
	Info Severity = iota
	Warn
	Critical
)

var severityNames = [...]string{"info", "warn", "critical"}

func (s Severity) String() string { return severityNames[s] }

// MarshalJSON writes the severity's name.
func (s Severity) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// ParseSeverity parses "info", "warn" or "critical".
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(s, n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("severity %q: want info, warn or critical", s)
}

// Finding is one episode worth a look: which rule fired, on which hosts
// (none: the cluster as a whole), from when to when, with the evidence. A
// finding with Blips > 0 summarises the short episodes of one rule and
// metric; Value is then the worst of them.
type Finding struct {
	Severity  Severity `json:"severity"`
	Rule      string   `json:"rule"`
	Metric    string   `json:"metric"`
	Hosts     []string `json:"hosts"`
	Start     string   `json:"start"` // start of the first bin (or of the silence)
	End       string   `json:"end"`   // end of the last bin
	Bins      int      `json:"bins"`  // bins where the rule fired, summed over the hosts
	Blips     int      `json:"blips,omitempty"`
	Value     float64  `json:"value"` // the evidence: peak, trough or statistic
	Unit      string   `json:"unit"`  // of Value and Threshold: UnitRatio, UnitSeconds or a count's noun
	PeakAt    string   `json:"peak_at,omitempty"`
	PeakHost  string   `json:"peak_host,omitempty"`
	Threshold float64  `json:"threshold"`
	Message   string   `json:"message"`

	// StartMicros and EndMicros are Start and End as timestamps
	// (microseconds of the logs' naive local time).
	StartMicros int64 `json:"-"`
	EndMicros   int64 `json:"-"`
}

// Counts returns the number of findings of each severity.
func Counts(fs []Finding) [3]int {
	var n [3]int
	for _, f := range fs {
		n[f.Severity]++
	}
	return n
}

// Status is the worst severity among fs, and false when there is none.
func Status(fs []Finding) (Severity, bool) {
	n := Counts(fs)
	for s := Critical; s >= Info; s-- {
		if n[s] > 0 {
			return s, true
		}
	}
	return Info, false
}

// Verdict sums fs up in a line: "CRITICAL: 4 critical, 13 warnings, 0
// notes (17 findings)", or "OK: no findings".
func Verdict(fs []Finding) string {
	s, any := Status(fs)
	if !any {
		return "OK: no findings"
	}
	n := Counts(fs)
	return fmt.Sprintf("%s: %d critical, %d warnings, %d notes (%d findings)", strings.ToUpper(s.String()), n[Critical], n[Warn], n[Info], len(fs))
}

// Units of Finding.Value besides plain counts.
const (
	UnitRatio   = "ratio" // a fraction, shown as a percentage
	UnitSeconds = "s"     // a duration
)

// ValueText is Value with its unit, as the report and `check` show it:
// "90.1%", "25.0 min", "204 tasks".
func (f *Finding) ValueText() string { return valueText(f.Value, f.Unit) }

func valueText(v float64, unit string) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "n/a"
	case unit == UnitRatio:
		return pct(v)
	case unit == UnitSeconds:
		return secs(int64(v * 1e6))
	case unit == "":
		return num(v)
	case v == 1:
		return "1 " + strings.TrimSuffix(unit, "s")
	}
	return num(v) + " " + unit
}

func num(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return count(v)
	}
	return fmt.Sprintf("%.4g", v)
}

func pct(v float64) string { return fmt.Sprintf("%.1f%%", v*100) }

// secs formats a duration in microseconds: "45 s", "12.0 min", "3.5 h".
func secs(us int64) string {
	s := float64(us) / 1e6
	if s < 120 {
		return fmt.Sprintf("%.0f s", s)
	}
	if s < 7200 {
		return fmt.Sprintf("%.1f min", s/60)
	}
	return fmt.Sprintf("%.1f h", s/3600)
}

// Thresholds are the limits of the finding rules; DefaultThresholds holds
// the values the README's Findings section documents.
type Thresholds struct {
	MemWarn, MemCritical   float64 // memory ratio (used / limit)
	LimitMargin            float64 // max usage within this fraction of the limit
	LeakTau                float64 // Kendall tau-b of the rise
	LeakMinBins            int     // bins the rise must span
	LeakMinRise            float64 // rise over the rising stretch, relative to its start
	ObjectDrop             float64 // object count drop between bins (fraction)
	HitWarn, HitCritical   float64 // cache hit rate
	SurgeFactor            float64 // misses or remote hits vs the median of the previous bins
	SurgeMin               float64 // ignore surges smaller than this many requests
	TPUsage                float64 // thread pool utilization
	EtcdQueue              float64 // ETCD queue size relative to its limit
	SuccessWarn, SuccessCr float64 // ETCD / OBS success rate
	GapPeriods             float64 // silence longer than this many sampling periods

	// Sustain is how long an episode must last to be reported on its own
	// (and to be critical); shorter ones are summarised per rule.
	Sustain time.Duration
	// StopMin is the least silence at the end of the data that makes a
	// host "stopped" (besides GapPeriods sampling periods).
	StopMin time.Duration
}

// DefaultThresholds returns the documented defaults.
func DefaultThresholds() Thresholds {
	return Thresholds{
		MemWarn: 0.8, MemCritical: 0.9, LimitMargin: 0.05,
		LeakTau: 0.8, LeakMinBins: 6, LeakMinRise: 0.05, ObjectDrop: 0.5,
		HitWarn: 0.99, HitCritical: 0.95, SurgeFactor: 3, SurgeMin: 100,
		TPUsage: 0.8, EtcdQueue: 0.5, SuccessWarn: 1, SuccessCr: 0.99, GapPeriods: 3,
		Sustain: 5 * time.Minute, StopMin: 5 * time.Minute,
	}
}

// Findings applies the rules to a result: a FindingSet fed every host of
// r, finished at the last sample of any host.
func Findings(r *Result, th Thresholds) []Finding {
	fs := NewFindingSet(th, r.Interval)
	end := int64(math.MinInt64)
	for i := range r.Hosts {
		h := &r.Hosts[i]
		fs.AddHost(h)
		if n := len(h.Last); n > 0 {
			end = max(end, h.Last[n-1])
		}
	}
	return fs.Finish(r, end)
}
