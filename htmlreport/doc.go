// Package htmlreport renders the aggregates of a run (agg.Result) as one
// self-contained HTML page: the sections of the reference report, the metric
// groups it never showed, a per-host drill-down for every per-host metric, a
// per-bin detail table and an accounting footer.
//
// The page needs no network: ECharts (vendored from the npm registry under
// assets/, with its licenses) and the page's own script and style are
// embedded with go:embed and inlined. The data go in as one JSON document
// (encoding/json inside html/template), so no host name, worker id or value
// can add markup or script, and NaN or ±Inf are null.
package htmlreport
