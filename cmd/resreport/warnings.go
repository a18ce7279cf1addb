package main

import (
	"fmt"
	"strings"

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

// strictShown is how many paths a --strict message names of each kind.
const strictShown = 5

// strictProblems says what fails a --strict run, "" for nothing: skipped
// lines, values stored as null, files read in part or not at all,
// unreadable paths and host names of two directories (a duplicate, read
// once, does not fail it), e.g. "211 skipped: cut (first at a:3); 1
// unreadable path: b (permission denied)".
func strictProblems(s *agg.Summary) string {
	var parts, failed, unreadable, twice []string
	if note := lineNotes(s); note != "" {
		parts = append(parts, note)
	}
	for _, f := range s.PerFile {
		if f.Error != "" {
			failed = append(failed, f.Path)
		}
	}
	for _, w := range s.Warnings {
		switch w.Kind {
		case scan.WarnUnreadable:
			unreadable = append(unreadable, w.Path+" ("+w.Reason+")")
		case scan.WarnSameHost:
			twice = append(twice, w.Path+" (host "+w.Host+")")
		}
	}
	parts = appendList(parts, failed, "file read in part or not at all", "files read in part or not at all")
	parts = appendList(parts, unreadable, "unreadable path", "unreadable paths")
	parts = appendList(parts, twice, "directory of a host found in another", "directories of hosts found in others")
	return strings.Join(parts, "; ")
}

// appendList adds "N what: a, b, … and K more" to parts, when items has any.
func appendList(parts, items []string, one, many string) []string {
	if len(items) == 0 {
		return parts
	}
	what := many
	if len(items) == 1 {
		what = one
	}
	shown := strings.Join(items[:min(len(items), strictShown)], ", ")
	if len(items) > strictShown {
		shown += fmt.Sprintf(" and %d more", len(items)-strictShown)
	}
	return append(parts, fmt.Sprintf("%d %s: %s", len(items), what, shown))
}
