package columnar

import (
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
)

// ArrowStreamWriter writes record batches of ArrowSchema as an Arrow IPC
// stream, the format pyarrow (pa.ipc.open_stream), polars
// (pl.read_ipc_stream) and DuckDB read without converting: the batches go
// out as they are, uncompressed, the host column as a dictionary sent once.
type ArrowStreamWriter struct {
	w *ipc.Writer
}

// NewArrowStreamWriter starts a stream on w; meta is stored as the
// schema's key-value metadata (see FileMetadata).
func NewArrowStreamWriter(w io.Writer, meta map[string]string) *ArrowStreamWriter {
	keys := slices.Sorted(maps.Keys(meta))
	vals := make([]string, len(keys))
	for i, k := range keys {
		vals[i] = meta[k]
	}
	md := arrow.NewMetadata(keys, vals)
	schema := arrow.NewSchema(arrowSchema.Fields(), &md)
	return &ArrowStreamWriter{w: ipc.NewWriter(w, ipc.WithSchema(schema))}
}

// WriteRecords appends the record batches, in order.
func (a *ArrowStreamWriter) WriteRecords(recs []arrow.RecordBatch) error {
	for _, r := range recs {
		if err := a.w.Write(r); err != nil {
			return fmt.Errorf("arrow stream: %w", err)
		}
	}
	return nil
}

// Close ends the stream (it does not close the underlying writer).
func (a *ArrowStreamWriter) Close() error {
	if err := a.w.Close(); err != nil {
		return fmt.Errorf("arrow stream: %w", err)
	}
	return nil
}
