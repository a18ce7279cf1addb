package htmlreport

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestOpenCommand(t *testing.T) {
	cases := []struct {
		goos   string
		wsl    bool
		distro string
		path   string
		name   string
		args   []string
	}{
		{"linux", false, "", "/home/u/r.html", "xdg-open", []string{"/home/u/r.html"}},
		{"darwin", false, "", "/Users/u/r.html", "open", []string{"/Users/u/r.html"}},
		{"linux", true, "Ubuntu", "/mnt/d/html/report.html", "cmd.exe", []string{"/c", "start", "", "file:///D:/html/report.html"}},
		{"linux", true, "", "/mnt/c/Users/A B/r&1 (x).html", "cmd.exe", []string{"/c", "start", "", "file:///C:/Users/A%20B/r%261%20%28x%29.html"}},
		{"linux", true, "Ubuntu-24.04", "/home/u/r.html", "cmd.exe", []string{"/c", "start", "", "file://wsl.localhost/Ubuntu-24.04/home/u/r.html"}},
		{"linux", true, "", "/home/u/r.html", "xdg-open", []string{"/home/u/r.html"}},
		{"linux", true, "Ubuntu", "/mnt/data/r.html", "cmd.exe", []string{"/c", "start", "", "file://wsl.localhost/Ubuntu/mnt/data/r.html"}}, // not a drive
		{"linux", true, "Ubuntu", "/mnt/e", "cmd.exe", []string{"/c", "start", "", "file:///E:/"}},
		{"windows", false, "", `C:\r\report.html`, "cmd", []string{"/c", "start", "", "file:///C:/r/report.html"}},
	}
	for _, c := range cases {
		name, args, err := openCommand(c.goos, c.wsl, c.distro, c.path)
		if err != nil {
			t.Errorf("%s wsl=%v %s: %v", c.goos, c.wsl, c.path, err)
			continue
		}
		if name != c.name || strings.Join(args, "\x00") != strings.Join(c.args, "\x00") {
			t.Errorf("%s wsl=%v %s: %s %q, want %s %q", c.goos, c.wsl, c.path, name, args, c.name, c.args)
		}
	}
	if _, _, err := openCommand("plan9", false, "", "/r.html"); err == nil {
		t.Error("plan9: no error")
	}
}

// TestOpenRunsOpener runs Open with a fake xdg-open first in PATH.
func TestOpenRunsOpener(t *testing.T) {
	if runtime.GOOS != "linux" || detectWSL() {
		t.Skip("needs Linux outside WSL")
	}
	dir := t.TempDir()
	record := filepath.Join(dir, "args")
	script := "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + record + "\n[ \"$1\" != \"" + filepath.Join(dir, "bad.html") + "\" ] || { echo no browser >&2; exit 3; }\n"
	if err := os.WriteFile(filepath.Join(dir, "xdg-open"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	t.Chdir(dir)
	if err := Open("report.html"); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "report.html") + "\n"; string(got) != want {
		t.Errorf("xdg-open got %q, want %q", got, want)
	}
	if err := Open("bad.html"); err == nil || !strings.Contains(err.Error(), "no browser") {
		t.Errorf("a failing opener gave %v", err)
	}
}
