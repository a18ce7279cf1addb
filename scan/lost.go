package scan

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// lostRange is a unit's problem with its file: what went wrong, and the
// bytes [from, to) of the file it did not read (from == to when not known
// in file bytes: a gzip stream's error names its compressed offset).
type lostRange struct {
	err      error
	from, to int64
}

// fileError is a file's problem as FileStats.Err reports it: the cause of
// the earliest range lost, and the union of the ranges the file's units
// did not read (a file truncated while read loses the rest of the range
// being read and all ranges after it).
type fileError struct {
	cause error
	at    int64      // from of the cause's range
	lost  [][2]int64 // [from, to), merged, in order
}

// add records a unit's lost range.
func (e *fileError) add(l *lostRange) {
	if e.cause == nil || l.to > l.from && l.from < e.at {
		e.cause, e.at = l.err, l.from
	}
	if l.to <= l.from {
		return
	}
	rs := append(e.lost, [2]int64{l.from, l.to})
	slices.SortFunc(rs, func(a, b [2]int64) int { return cmp.Compare(a[0], b[0]) })
	out := rs[:1]
	for _, r := range rs[1:] {
		if last := &out[len(out)-1]; r[0] <= last[1] {
			last[1] = max(last[1], r[1])
		} else {
			out = append(out, r)
		}
	}
	e.lost = out
}

func (e *fileError) Error() string {
	if len(e.lost) == 0 {
		return e.cause.Error()
	}
	parts := make([]string, len(e.lost))
	for i, r := range e.lost {
		parts[i] = fmt.Sprintf("%d-%d", r[0], r[1])
	}
	return fmt.Sprintf("%v; bytes %s not read", e.cause, strings.Join(parts, ", "))
}

func (e *fileError) Unwrap() error { return e.cause }
