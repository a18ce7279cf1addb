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
