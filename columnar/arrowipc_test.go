package columnar

import (
	"bytes"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
)

// TestArrowStream writes batches as an Arrow IPC stream and as
// samples.parquet, reads the stream back with arrow-go's ipc reader and the
// Parquet file with pqarrow, and compares every cell.
func TestArrowStream(t *testing.T) {
	g := newSampleGen(7, 3, 2, 0.15)
	g.noisy = true
	bs := genBatches(g, 2*BatchRows+300, 0, 3, BatchRows)
	dict := NewHostDict(g.hosts)
	var stream bytes.Buffer
	aw := NewArrowStreamWriter(&stream, map[string]string{"resreport.schema_version": "1"})
	for _, b := range bs {
		b.Retain(1)
		rec := b.Record(dict)
		if err := aw.WriteRecords([]arrow.RecordBatch{rec}); err != nil {
			t.Fatal(err)
		}
		rec.Release()
	}
	if err := aw.Close(); err != nil {
		t.Fatal(err)
	}
	pq := writeSamples(t, g.hosts, bs)
	want := newCursor(readTable(t, pq))

	r, err := ipc.NewReader(&stream)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	if v, ok := r.Schema().Metadata().GetValue("resreport.schema_version"); !ok || v != "1" {
		t.Fatalf("schema metadata %v", r.Schema().Metadata())
	}
	row := 0
	for r.Next() {
		rec := r.RecordBatch()
		for i := range int(rec.NumRows()) {
			for c := range int(rec.NumCols()) {
				got := arrowCell(t, rec.Column(c), i)
				if w := want.cell(t, c, row); got != w {
					t.Fatalf("row %d column %s: stream %v, parquet %v", row, rec.Schema().Field(c).Name, got, w)
				}
			}
			row++
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if row != 3*BatchRows+303 {
		t.Fatalf("read %d rows", row)
	}
}
