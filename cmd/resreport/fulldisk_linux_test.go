//go:build linux

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/resreport/resreport/bench/loggen"
)

// TestFullDiskKeepsPreviousSet writes the outputs on a small tmpfs (as
// root): a run that fills it exits 1 naming the output and the cause, and
// the previous set stays byte-identical, without temporary files.
func TestFullDiskKeepsPreviousSet(t *testing.T) {
	tmp := t.TempDir()
	disk := filepath.Join(tmp, "disk")
	must(t, os.Mkdir(disk, 0o755))
	if err := syscall.Mount("tmpfs", disk, "tmpfs", 0, "size=8m"); err != nil {
		t.Skipf("cannot mount a tmpfs (%v): the output package's TestFullDisk injects the error instead", err)
	}
	defer syscall.Unmount(disk, 0)
	small, big := filepath.Join(tmp, "small"), filepath.Join(tmp, "big")
	if _, err := loggen.Generate(small, loggen.Options{Hosts: 2, LinesPerHost: 500, Seed: 8}); err != nil {
		t.Fatal(err)
	}
	if _, err := loggen.Generate(big, loggen.Options{Hosts: 8, LinesPerHost: 4000, Seed: 8}); err != nil {
		t.Fatal(err)
	}
	if code := runCLI(t, append([]string{"report", small, "--quiet"}, fullOutputs(disk)...)...); code != 0 {
		t.Fatalf("small run: exit %d", code)
	}
	before := snapshot(t, disk)
	code, stderr := runCLIErr(t, append([]string{"report", big, "--quiet"}, fullOutputs(disk)...)...)
	if code != 1 || !strings.Contains(stderr, "no space left on device") {
		t.Fatalf("full disk: exit %d, %q", code, stderr)
	}
	sameSnapshot(t, before, snapshot(t, disk))
}
