// Package htmlreport renders the aggregates of a run (agg.Result) as one
// self-contained HTML page: the sections of the reference report, the metric
// groups it never showed, a per-host drill-down for every per-host metric, a
// per-bin detail table and an accounting footer.
//
// The page needs no network: ECharts (vendored from the npm registry under
// assets/, with its licenses; assets/update.sh refreshes it) and the page's
// own script and style are embedded with go:embed and inlined, and a
// Content-Security-Policy forbids every fetch. html/template writes the
// markup; the data go in as one JSON document (read with JSON.parse) that is
// streamed to the page member by member, strings through encoding/json, so
// no host name, worker id or value can add markup or script, and NaN or
// ±Inf are null.
//
// The page stays small at any scale. Each host is reduced on its own
// (NewHostView, callable once per host while the run goes on) to display
// resolution: M4 columns (first, last, smallest, largest value of each;
// Jugel et al., VLDB 2014) of power-of-two widths on one integer bin axis,
// at most maxSeriesPoints points per series, so the views merge to one
// common width when the page is written. That width is chosen so that all
// hosts' series together make at most hostPointBudget points (two
// characters each, runs shorter), 12-bit codes of each series' range; the
// cluster charts get M4 columns too when a run has more bins than
// maxSeriesPoints. The page says where it reduces; host_bins.parquet and
// --json keep every bin.
//
// Where the page differs from the reference report:
//
//   - The time charts have one axis of all bins from the first to the last
//     (in columns, where reduced), also bins where no host logged: a host
//     (or the cluster) without records in a bin is a gap, not a shifted
//     line. The reference took the per-host chart's axis from the first
//     host.
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
//   - Charts have a zoom slider; long runs and many hosts are drawn at
//     display resolution with every spike kept (M4, above), and the
//     drill-down finds a host by name or worker id and shows the worst N
//     for the chosen metric.
//   - The footer lists the input accounting and the skipped lines by reason.
package htmlreport
