// Package htmlreport renders the aggregates of a run (agg.Result) as one
// self-contained HTML page: the sections of the reference report, the metric
// groups it never showed, a per-host drill-down for every per-host metric, a
// per-bin detail table and an accounting footer.
//
// The page needs no network: ECharts (vendored from the npm registry under
// assets/, with its licenses; assets/update.sh refreshes it) and the page's
// own script and style are embedded with go:embed and inlined, and a
// Content-Security-Policy forbids every fetch. The data go in as one JSON
// document (encoding/json inside html/template, read with JSON.parse), so no
// host name, worker id or value can add markup or script, and NaN or ±Inf
// are null.
//
// Where the page differs from the reference report:
//
//   - Every chart shares one time axis of all bins from the first to the last,
//     also bins where no host logged: a host (or the cluster) without records
//     in a bin is a gap, not a shifted line. The reference took the per-host
//     chart's axis from the first host.
//   - Titles name the real bin width ("Detail per 10 min", not "Hourly").
//   - The detail table's queue columns show the pools' peak queue
//     (maxWaiting, average and worst sample); the reference read a key that
//     does not exist and always showed 0.
//   - Cache hits count a counter reset (worker restart) as the new value, as
//     package agg computes them; the reference clamped the bin to 0.
//   - Bins without a value are N/A in tables and gaps in charts, never 0; the
//     first bin of a host has no counter growth, so no hit rate.
//   - New sections for spill disk, shared disk, SC local cache, stream count
//     and stream-cache memory, OBS success rate, the four stream-cache thread
//     pools, the stream remote send rate and the stream leak / deferred
//     cleanup counters; the per-host drill-down covers every agg.HostMetrics
//     entry and the per-host hit rate, not only memory.
//   - Charts have a zoom slider and draw long lines with LTTB sampling, so a
//     day of 1-minute bins for 500 hosts stays responsive; per-host series
//     are embedded with 4 significant digits and runs of bins.
//   - The footer lists the input accounting and the skipped lines by reason.
package htmlreport
