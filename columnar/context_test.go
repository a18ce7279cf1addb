package columnar

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// cancelWriter cancels ctx after n bytes have been written to it.
type cancelWriter struct {
	bytes.Buffer
	n      int
	cancel context.CancelFunc
}

func (w *cancelWriter) Write(p []byte) (int, error) {
	if w.Len()+len(p) >= w.n {
		w.cancel()
	}
	return w.Buffer.Write(p)
}

// TestWritersStopWhenCancelled: the table and samples writers return the
// context's error at their next pass once it is cancelled, without
// encoding the rest.
func TestWritersStopWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := WriteTableContext(ctx, &bytes.Buffer{}, testTable(true)); !errors.Is(err, context.Canceled) {
		t.Fatalf("table: %v", err)
	}

	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	g := newSampleGen(4, 3, 100, 0)
	out := &cancelWriter{n: 1, cancel: cancel}
	w, err := NewSamplesWriter(out, g.hosts, WithRowGroupRows(BatchRows), WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	bs := genBatches(g, BatchRows, BatchRows)
	for _, b := range append(bs, bs...) {
		if err = w.Write(b); err != nil {
			break
		}
	}
	if err == nil {
		err = w.Close()
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("samples: %v", err)
	}
	if w.Rows() > int64(2*BatchRows) {
		t.Fatalf("wrote %d rows after the cancel", w.Rows())
	}
}

// TestMetadataRoundTrip: a value given WithMetadata is read back by
// ReadMetadata.
func TestMetadataRoundTrip(t *testing.T) {
	host := string(bytes.Repeat([]byte("h\xff/"), 120))
	var buf bytes.Buffer
	w, err := NewSamplesWriter(&buf, nil, WithMetadata(MetadataHost, host))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(testBatch(10, 1)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "p.parquet")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	got, ok, err := ReadMetadata(path, MetadataHost)
	if err != nil || !ok || got != host {
		t.Fatalf("got %q %v %v", got, ok, err)
	}
	if _, ok, _ := ReadMetadata(path, "absent"); ok {
		t.Fatal("absent key found")
	}
}
