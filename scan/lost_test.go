package scan

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTruncatedNamesLostBytes truncates a log of 12 ranges to nothing
// while its first range is read: the error names the bytes lost, from the
// first not read to the file's end (not the range of the first unit to
// fail, from the new size), and those read add up to where they start.
func TestTruncatedNamesLostBytes(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "resource.log")
	text := bigLog(t, path, 20000) // ~12 MB
	plan, err := Discover(dir, "resource")
	if err != nil {
		t.Fatal(err)
	}
	sink := &onFirstBatch{f: func() { os.Truncate(path, 0) }}
	st, err := Run(context.Background(), plan, Options{Workers: 1, Since: NoSince, Until: NoUntil, ShardSize: 1 << 20},
		func(int) Sink { return sink })
	if err != nil {
		t.Fatal(err)
	}
	f := st.Files[0]
	want := fmt.Sprintf("; bytes %d-%d not read", f.Bytes, len(text))
	if f.Err == nil || !strings.Contains(f.Err.Error(), "truncated while read") || !strings.HasSuffix(f.Err.Error(), want) {
		t.Fatalf("file error %v, want one ending %q", f.Err, want)
	}
	if f.Bytes == 0 || f.Bytes >= int64(len(text)) {
		t.Fatalf("%d of %d bytes read", f.Bytes, len(text))
	}
	t.Log(f.Err)
}

// TestFileErrorRanges: a file's error has the cause of its earliest lost
// range and the union of the ranges, merged whatever the order the units
// failed in.
func TestFileErrorRanges(t *testing.T) {
	late, early := errors.New("late"), fmt.Errorf("read x at byte 100: %w", fs.ErrClosed)
	e := &fileError{}
	for _, l := range []*lostRange{{late, 300, 400}, {late, 500, 600}, {early, 100, 200}, {late, 200, 300}, {late, 550, 700}} {
		e.add(l)
	}
	if got, want := e.Error(), "read x at byte 100: file already closed; bytes 100-400, 500-700 not read"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	if !errors.Is(e, fs.ErrClosed) {
		t.Error("the cause is not wrapped")
	}
	gz := &fileError{}
	gz.add(&lostRange{err: errors.New("gzip x: at compressed offset 7: unexpected EOF")})
	if got := gz.Error(); got != "gzip x: at compressed offset 7: unexpected EOF" {
		t.Errorf("gzip: %q", got)
	}
}
