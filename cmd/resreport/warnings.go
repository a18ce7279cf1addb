package main

import (
	"github.com/resreport/resreport/agg"
	"github.com/resreport/resreport/scan"
)

// summaryWarnings is the plan's warnings as the summary has them: never
// nil, so that the JSON says [].
func summaryWarnings(ws []scan.Warning) []agg.PathWarning {
	out := make([]agg.PathWarning, len(ws))
	for i, w := range ws {
		out[i] = agg.PathWarning{Path: w.Path, Host: w.Host, Kind: w.Kind, Reason: w.Reason}
	}
	return out
}
