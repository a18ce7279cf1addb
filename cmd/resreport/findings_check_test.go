package main

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/resreport/resreport/bench/loggen"
)

// captureStdout runs f with os.Stdout going to a file and returns what
// was written.
func captureStdout(t *testing.T, f func()) string {
	t.Helper()
	tmp, err := os.CreateTemp(t.TempDir(), "stdout")
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = tmp
	defer func() { os.Stdout = old }()
	f()
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(tmp)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// checkRow is one row of check's table.
type checkRow struct {
	sev, rule, hosts string
	from             time.Time
	bins             int
	detail           string
}

var cellGap = regexp.MustCompile(`\s{2,}`)

func parseCheck(t *testing.T, out string) (verdict string, rows []checkRow) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	verdict = lines[0]
	if len(lines) < 2 {
		return verdict, nil
	}
	if !strings.HasPrefix(lines[1], "SEVERITY") {
		t.Fatalf("no table header: %q", lines[1])
	}
	for _, l := range lines[2:] {
		c := cellGap.Split(l, 8)
		if len(c) != 8 {
			t.Fatalf("row with %d cells: %q", len(c), l)
		}
		from, err := time.Parse("2006-01-02T15:04:05.999999", c[3])
		if err != nil {
			t.Fatalf("row %q: %v", l, err)
		}
		bins, err := strconv.Atoi(c[5])
		if err != nil {
			t.Fatalf("row %q: %v", l, err)
		}
		rows = append(rows, checkRow{c[0], c[1], c[2], from, bins, c[7]})
	}
	return verdict, rows
}

// TestCheckOnCallDay is the acceptance test of `check` on the noisy day
// with planted anomalies (loggen.OnCallDay), plus a host whose directory
// name holds terminal control characters (a twin of the host that
// restarts): each anomaly is one row with
// the right rule, host and start, at most 40 rows, names escaped, exit 3;
// the same day without anomalies has only warnings (exit 0, or 3 with
// --fail-on warn).
func TestCheckOnCallDay(t *testing.T) {
	dir := t.TempDir()
	o := loggen.OnCallDay()
	if _, err := loggen.Generate(dir, o); err != nil {
		t.Fatal(err)
	}
	evil := "10.1.0.9\x1b[2J\u202egnp.\tx"
	if err := os.MkdirAll(filepath.Join(dir, evil, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	twin, err := os.ReadFile(filepath.Join(o.HostDir(dir, 7), "resource.log")) // the host that restarts
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, evil, "logs", "resource.log"), twin, 0o644); err != nil {
		t.Fatal(err)
	}
	var code int
	out := captureStdout(t, func() { code = runCLI(t, "check", "-q", dir) })
	t.Logf("check output:\n%s", out)
	if code != exitFindings {
		t.Errorf("exit %d, want %d", code, exitFindings)
	}
	if strings.ContainsAny(out, "\x1b\u202e\t") {
		t.Error("the output holds raw control characters from a host name")
	}
	if !strings.Contains(out, `10.1.0.8,10.1.0.9\x1b[2J\u202egnp.\x09x `) {
		t.Error("the restart of the hostile host's twin does not list it, escaped")
	}
	verdict, rows := parseCheck(t, out)
	if !strings.HasPrefix(verdict, "CRITICAL: ") {
		t.Errorf("verdict %q", verdict)
	}
	if len(rows) > 40 {
		t.Errorf("%d rows, want at most 40", len(rows))
	}
	rules := map[loggen.AnomalyKind]string{
		loggen.Leak: "leak_suspected", loggen.Silent: "host_silent", loggen.EtcdOutage: "success_rate",
		loggen.QueueBuildUp: "thread_pool_saturated", loggen.Restart: "restart", loggen.MissSurge: "surge",
	}
	for _, a := range o.Anomalies {
		start := o.Start.Add(time.Duration(a.From) * o.Period)
		tol := 2 * time.Minute
		if a.Kind == loggen.Leak {
			tol = time.Duration(o.LinesPerHost) * o.Period / 10
		}
		host := "(cluster)"
		if a.Host != loggen.AllHosts {
			host = o.HostDirName(a.Host)
		}
		n := 0
		for _, r := range rows {
			if r.rule == rules[a.Kind] && slices.Contains(strings.Split(r.hosts, ","), host) && !strings.Contains(r.detail, " episodes, each ") {
				n++
				if d := r.from.Sub(start); d > tol || d < -tol {
					t.Errorf("planted %v at %s: row from %s", a.Kind, start, r.from)
				}
			}
		}
		if n != 1 {
			t.Errorf("planted %v on %s: %d %s rows, want 1", a.Kind, host, n, rules[a.Kind])
		}
	}

	quiet := loggen.OnCallDay()
	quiet.Anomalies = nil
	qdir := t.TempDir()
	if _, err := loggen.Generate(qdir, quiet); err != nil {
		t.Fatal(err)
	}
	out = captureStdout(t, func() { code = runCLI(t, "check", "-q", qdir) })
	if verdict, rows := parseCheck(t, out); code != 0 || !strings.HasPrefix(verdict, "WARN: 0 critical") || len(rows) > 10 {
		t.Errorf("noise only: exit %d, %d rows, verdict %q:\n%s", code, len(rows), verdict, out)
	}
	captureStdout(t, func() { code = runCLI(t, "check", "-q", "--fail-on", "warn", qdir) })
	if code != exitFindings {
		t.Errorf("noise only, --fail-on warn: exit %d, want %d", code, exitFindings)
	}
}

func TestTerminalSafe(t *testing.T) {
	for in, want := range map[string]string{
		"10.0.0.1":             "10.0.0.1",
		"日本\u00e9 ok":          "日本\u00e9 ok",
		"a\x1b[31mb":           `a\x1b[31mb`,
		"tab\there\nnl\r":      `tab\x09here\x0anl\x0d`,
		"bidi\u202eevil\u200b": `bidi\u202eevil\u200b`,
		"bad\xffutf8\u0085":    `bad\xffutf8\u0085`,
		"\x7f":                 `\x7f`,
	} {
		if got := terminalSafe(in); got != want {
			t.Errorf("terminalSafe(%q) = %q, want %q", in, got, want)
		}
	}
}
