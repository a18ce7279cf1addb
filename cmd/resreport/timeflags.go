package main

import (
	"fmt"
	"math"
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

// maxIntervalMS is the widest bin: a day. Bins are aligned to midnight
// (agg.Binner), so a wider one would still hold one day, while the page,
// the JSON and the Parquet metadata named the wider width.
const maxIntervalMS = 24 * 3600 * 1000

// intervalLimit names the limit and its reason, for errors.
const intervalLimit = "at most 24h (1d): bins are aligned to midnight, so a wider bin would still be one day"

// parseInterval parses --interval: a whole number of milliseconds, as in
// the reference (60000 = 1 min), a Go duration such as 10s, 5m, 1h, or a
// whole number of days (1d); at most a day.
func parseInterval(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n <= 0 {
			return 0, fmt.Errorf("--interval %s: must be a positive number of milliseconds", s)
		}
		if n > maxIntervalMS {
			return 0, fmt.Errorf("--interval %s ms: %s", s, intervalLimit)
		}
		return n, nil
	}
	d, err := parseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("--interval %q: want milliseconds (60000), a duration (10s, 5m, 1h) or 1d", s)
	}
	if d <= 0 {
		return 0, fmt.Errorf("--interval %s: must be positive", s)
	}
	if d%time.Millisecond != 0 {
		return 0, fmt.Errorf("--interval %s: must be a whole number of milliseconds", s)
	}
	if d.Milliseconds() > maxIntervalMS {
		return 0, fmt.Errorf("--interval %s: %s", s, intervalLimit)
	}
	return d.Milliseconds(), nil
}

// parseDuration is time.ParseDuration that also takes whole days ("1d").
func parseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseInt(days, 10, 64)
		if err != nil || n > math.MaxInt64/int64(24*time.Hour) || n < -math.MaxInt64/int64(24*time.Hour) {
			return 0, fmt.Errorf("bad number of days %q", days)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
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
