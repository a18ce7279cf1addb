// Package columnar defines the columnar form of resource-log samples: the
// metric catalogue (which groups and sub-fields a line carries and what each
// column is called), the fixed-capacity Batch that parsers fill without
// allocating, its zero-copy conversion to Arrow record batches, and the
// Parquet files written from batches and aggregates.
package columnar
