//go:build linux

package output

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestFullDisk writes to a 256 KiB tmpfs (as root; otherwise an injected
// ENOSPC): the write fails naming the output, the previous set stays.
func TestFullDisk(t *testing.T) {
	dir := t.TempDir()
	mounted := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=256k") == nil
	if mounted {
		defer syscall.Unmount(dir, 0)
	} else {
		t.Log("cannot mount a tmpfs (not root?): injecting ENOSPC instead")
	}
	a, b := filepath.Join(dir, "a.html"), filepath.Join(dir, "b.parquet")
	writeFile(t, a, "old a", 0o644)
	writeFile(t, b, "old b", 0o644)
	var err error
	if mounted {
		s := NewSet(context.Background())
		fa, ferr := s.File(a)
		must(t, ferr)
		fb, ferr := s.File(b)
		must(t, ferr)
		io.WriteString(fa, "new a")
		must(t, fa.Close())
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for i := 0; i < 64 && err == nil; i++ {
			_, err = fb.Write(chunk)
		}
		if err == nil {
			err = fb.Close()
		}
		s.Abort()
	} else {
		err = WriteFileAtomic(b, func(w io.Writer) error {
			io.WriteString(w, "partial")
			return syscall.ENOSPC
		})
	}
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), b) {
		t.Fatalf("error %v does not name %s and ENOSPC", err, b)
	}
	if content(t, a) != "old a" || content(t, b) != "old b" {
		t.Fatalf("previous set changed")
	}
	noWorkFiles(t, dir)
	if got := entries(t, dir); len(got) != 2 {
		t.Fatalf("left %v", got)
	}
}
