// Package bench holds resreport's benchmarks: the line parser, the
// aggregation kernels, the Parquet writer and the whole report on plain and
// gzip input, over data from the generator in bench/loggen. bench/run
// prints them in benchstat format; bench/compare REF gates a change
// against the ref in bench/baseline-ref (see bench/README.md).
package bench
