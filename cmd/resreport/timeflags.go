package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/resreport/resreport/columnar"
	"github.com/resreport/resreport/scan"
)

// parseBound parses a --since/--until value (YYYY-MM-DDTHH:MM:SS with an
// optional fraction, naive local time). Empty means unbounded (def).
func parseBound(flag, s string, def int64) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, nil
	}
	ts, ok := columnar.ParseTimestamp([]byte(s))
	if !ok {
		return 0, fmt.Errorf("--%s %q: want YYYY-MM-DDTHH:MM:SS[.ffffff] (local time, no zone)", flag, s)
	}
	return ts, nil
}

// parseRange parses --since and --until and checks since < until.
func parseRange(since, until string) (int64, int64, error) {
	s, err := parseBound("since", since, scan.NoSince)
	if err != nil {
		return 0, 0, err
	}
	u, err := parseBound("until", until, scan.NoUntil)
	if err != nil {
		return 0, 0, err
	}
	if s >= u {
		return 0, 0, fmt.Errorf("--since %s is not before --until %s", since, until)
	}
	return s, u, nil
}

// maxIntervalMS is the widest bin: 31 days (the bin arithmetic is in
// microseconds, and a wider bin would hold a month's logs in one point).
const maxIntervalMS = 31 * 24 * 3600 * 1000

// parseInterval parses --interval: a whole number of milliseconds, as in
// the reference (60000 = 1 min), or a Go duration such as 10s, 5m, 1h;
// at most 31 days.
func parseInterval(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n <= 0 {
			return 0, fmt.Errorf("--interval %s: must be a positive number of milliseconds", s)
		}
		if n > maxIntervalMS {
			return 0, fmt.Errorf("--interval %s: at most 31 days (%d ms)", s, int64(maxIntervalMS))
		}
		return n, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("--interval %q: want milliseconds (60000) or a duration (10s, 5m, 1h)", s)
	}
	if d <= 0 {
		return 0, fmt.Errorf("--interval %s: must be positive", s)
	}
	if d%time.Millisecond != 0 {
		return 0, fmt.Errorf("--interval %s: must be a whole number of milliseconds", s)
	}
	if d.Milliseconds() > maxIntervalMS {
		return 0, fmt.Errorf("--interval %s: at most 31 days (744h)", s)
	}
	return d.Milliseconds(), nil
}

// flagInterval writes ms as --interval takes it (10m, 1h, 30s, 500ms).
func flagInterval(ms int64) string {
	for _, u := range []struct {
		ms   int64
		unit string
	}{{3600000, "h"}, {60000, "m"}, {1000, "s"}} {
		if ms%u.ms == 0 {
			return strconv.FormatInt(ms/u.ms, 10) + u.unit
		}
	}
	return strconv.FormatInt(ms, 10) + "ms"
}

// formatInterval names a bin width for titles: 500ms, 10s, 1min, 10min, 1h, 1.5h.
func formatInterval(ms int64) string {
	switch {
	case ms < 1000:
		return strconv.FormatInt(ms, 10) + "ms"
	case ms < 60000:
		return strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64) + "s"
	case ms < 3600000:
		return strconv.FormatFloat(float64(ms)/60000, 'f', -1, 64) + "min"
	}
	return strconv.FormatFloat(float64(ms)/3600000, 'f', -1, 64) + "h"
}
