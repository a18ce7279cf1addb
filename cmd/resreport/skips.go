package main

import (
	"fmt"
	"strings"

	"github.com/resreport/resreport/agg"
	"github.com/resreport/resreport/scan"
)

// skipNote says how many lines were skipped, for which main reason (the
// one with the most lines) and where its first line is, e.g.
// "40000 skipped: bad_shape (first at logs/resource.log:1)", then the
// other reasons with their counts; "0 skipped" when none was.
func skipNote(s *agg.Summary) string {
	if s.SkippedTotal == 0 {
		return "0 skipped"
	}
	main := scan.Reason(1)
	for r := main; r < scan.NumReasons; r++ {
		if s.Skipped[r.String()] > s.Skipped[main.String()] {
			main = r
		}
	}
	names := []string{main.String()} // the main reason first, then the others that occurred
	for r := scan.Reason(1); r < scan.NumReasons; r++ {
		if r != main && s.Skipped[r.String()] > 0 {
			names = append(names, r.String())
		}
	}
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = name
		if len(names) > 1 {
			parts[i] = fmt.Sprintf("%d %s", s.Skipped[name], name)
		}
	}
	for _, f := range s.PerFile {
		if line := f.FirstSkipped[names[0]]; line > 0 {
			parts[0] += fmt.Sprintf(" (first at %s:%d)", f.Path, line)
			break
		}
	}
	return fmt.Sprintf("%d skipped: %s", s.SkippedTotal, strings.Join(parts, ", "))
}

// badValueNote says how many values were stored as null and where the
// first is, e.g. "3 bad values stored as null (first at
// logs/resource.log:5, field object_count)"; "" when none was.
func badValueNote(s *agg.Summary) string {
	if s.BadValues == 0 {
		return ""
	}
	note := fmt.Sprintf("%d bad values stored as null", s.BadValues)
	if s.BadValues == 1 {
		note = "1 bad value stored as null"
	}
	for _, f := range s.PerFile {
		if at := f.FirstBadValue; at != nil {
			return note + fmt.Sprintf(" (first at %s:%d, field %s)", f.Path, at.Line, at.Field)
		}
	}
	return note
}

// lineNotes is skipNote and badValueNote for what occurred, joined by
// "; ", or "" when every line was read whole.
func lineNotes(s *agg.Summary) string {
	var notes []string
	if s.SkippedTotal > 0 {
		notes = append(notes, skipNote(s))
	}
	if s.BadValues > 0 {
		notes = append(notes, badValueNote(s))
	}
	return strings.Join(notes, "; ")
}

// newSkipTotal returns an empty summary for addSkips.
func newSkipTotal() *agg.Summary { return &agg.Summary{Skipped: map[string]int64{}} }

// addSkips adds the skipped lines and bad values of s, and its files, to
// total.
func addSkips(total, s *agg.Summary) {
	total.SkippedTotal += s.SkippedTotal
	total.BadValues += s.BadValues
	for k, n := range s.Skipped {
		total.Skipped[k] += n
	}
	total.PerFile = append(total.PerFile, s.PerFile...)
}
