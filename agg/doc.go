// Package agg computes the report's aggregates from batches of samples:
// per-time-bin cluster statistics and per-host per-bin statistics, with the
// reference script's semantics (bins aligned to midnight; gauges averaged,
// maxed and minned over the samples of a bin; OC_HIT_NUM counters turned
// into per-host deltas between bins). Each parser goroutine feeds its own
// Partial through vectorised kernels that loop over one column at a time;
// partials merge at the end, so no lock is taken per line and memory is
// bounded by hosts × bins × metrics, never by the input size.
package agg
