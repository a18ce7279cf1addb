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

// noRecords is the message of a run without a record in range in where:
// its lines, then what could not be read, e.g. "no records in range in
// logs (0 lines read, 0 outside the time range, 0 skipped): 2 of 2 files
// failed, the first: gzip a.log.gz: gzip: invalid header".
func noRecords(where string, s *agg.Summary) string {
	msg := fmt.Sprintf("no records in range in %s (%d lines read, %d outside the time range, %s)",
		where, s.LinesRead, s.OutsideRange, skipNote(s))
	if note := failureNote(s); note != "" {
		msg += ": " + note
	}
	return msg
}

// failureNote says how many files failed and unreadable paths were left
// out, and the first of each with its reason; "" when there were none.
func failureNote(s *agg.Summary) string {
	var parts []string
	for _, f := range s.PerFile {
		if f.Error != "" {
			parts = append(parts, fmt.Sprintf("%d of %d files failed, the first: %s", s.FilesFailed, s.Files, withPath(f.Path, f.Error)))
			break
		}
	}
	var unreadable []agg.PathWarning
	for _, w := range s.Warnings {
		if w.Kind == scan.WarnUnreadable {
			unreadable = append(unreadable, w)
		}
	}
	if n := len(unreadable); n > 0 {
		what := "unreadable paths"
		if n == 1 {
			what = "unreadable path"
		}
		parts = append(parts, fmt.Sprintf("%d %s left out, the first: %s (%s)", n, what, unreadable[0].Path, unreadable[0].Reason))
	}
	return strings.Join(parts, "; ")
}

// withPath is a file's error naming the file: the errors of package scan
// do ("open PATH: …", "gzip PATH: …"); any other gets "PATH: " before it.
func withPath(path, err string) string {
	if strings.Contains(err, path) {
		return err
	}
	return path + ": " + err
}

// newSkipTotal returns an empty summary for addSkips.
func newSkipTotal() *agg.Summary { return &agg.Summary{Skipped: map[string]int64{}} }

// addSkips adds the accounting of s (lines, skipped lines, bad values,
// files and their failures) and its files to total.
func addSkips(total, s *agg.Summary) {
	total.LinesRead += s.LinesRead
	total.OutsideRange += s.OutsideRange
	total.Files += s.Files
	total.FilesFailed += s.FilesFailed
	total.SkippedTotal += s.SkippedTotal
	total.BadValues += s.BadValues
	for k, n := range s.Skipped {
		total.Skipped[k] += n
	}
	total.PerFile = append(total.PerFile, s.PerFile...)
}
