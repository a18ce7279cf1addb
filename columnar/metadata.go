package columnar

import (
	"maps"
	"slices"

	"github.com/parquet-go/parquet-go/format"
)

// SchemaVersion is the version of the layout of the files resreport
// writes (columns, types, order); it is in every file's metadata under
// MetadataSchemaVersion. 2: the source column, INT64 counts, time-sliced
// samples.
const SchemaVersion = 2

// Keys of the footer (or Arrow schema) metadata of resreport's files.
const (
	MetadataVersion       = "resreport.version"
	MetadataSchemaVersion = "resreport.schema_version"
	MetadataIntervalMS    = "resreport.interval_ms"
	MetadataSince         = "resreport.since"
	MetadataUntil         = "resreport.until"
	MetadataLogDir        = "resreport.log_dir"
	MetadataSliceMS       = "resreport.row_group_slice_ms" // samples.parquet's time slice
)

// keyValues returns m as footer key-values, sorted by key, so that the
// same metadata give the same bytes.
func keyValues(m map[string]string) []format.KeyValue {
	var out []format.KeyValue
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, format.KeyValue{Key: k, Value: m[k]})
	}
	return out
}

// WithFileMetadata adds the key-values of m (sorted by key) to the file's
// footer metadata.
func WithFileMetadata(m map[string]string) SamplesOption {
	return func(c *samplesConfig) { c.file.meta = append(c.file.meta, keyValues(m)...) }
}
