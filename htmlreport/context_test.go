package htmlreport

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

// TestWriteContextStops: a cancelled context stops the page before it is
// written, with the context's error; the same input writes a page when
// not cancelled.
func TestWriteContextStops(t *testing.T) {
	r, s := aggregate(t, generate(genOptions{hosts: 20, minutes: 120, stepSec: 10}), 60_000)
	in := &Input{Title: "t", Result: r, Summary: s}
	var page bytes.Buffer
	if err := WriteContext(context.Background(), &page, in); err != nil || page.Len() == 0 {
		t.Fatalf("write: %v, %d bytes", err, page.Len())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var cut bytes.Buffer
	if err := WriteContext(ctx, &cut, in); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if cut.Len() != 0 {
		t.Fatalf("wrote %d bytes after the cancel", cut.Len())
	}
}

// TestWriteFailsMidway: a write error anywhere in the page (the head, the
// cluster columns, the drill-down's series, the tail) is returned, and
// the background encoders have ended when WriteContext returns.
func TestWriteFailsMidway(t *testing.T) {
	r, s := aggregate(t, generate(genOptions{hosts: 40, minutes: 600, stepSec: 10}), 60_000)
	in := &Input{Title: "t", Result: r, Summary: s}
	var page bytes.Buffer
	if err := WriteContext(context.Background(), &page, in); err != nil {
		t.Fatal(err)
	}
	for _, frac := range []float64{0.01, 0.3, 0.6, 0.9, 0.999} {
		w := &failWriter{left: int(frac * float64(page.Len()))}
		if err := WriteContext(context.Background(), w, in); !errors.Is(err, errDiskFull) {
			t.Fatalf("failing after %.0f%% of the page: got %v", 100*frac, err)
		}
		if n := background.Load(); n != 0 {
			t.Fatalf("failing after %.0f%% of the page: %d background goroutines still running", 100*frac, n)
		}
	}
}
