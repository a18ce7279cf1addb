package output

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.json")
	if err := WriteFileAtomic(path, func(w io.Writer) error { _, err := io.WriteString(w, "ok"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "ok" {
		t.Fatalf("content %q", b)
	}
	// a failing writer (a full disk) leaves the old file and no temporary
	err := WriteFileAtomic(path, func(w io.Writer) error {
		io.WriteString(w, "partial")
		return syscall.ENOSPC
	})
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), path) {
		t.Fatalf("error %v does not name the file and the cause", err)
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Fatalf("left %v", got)
	}
	if b, _ := os.ReadFile(path); string(b) != "ok" {
		t.Fatalf("old content replaced by %q", b)
	}
}
