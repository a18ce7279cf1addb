package main

import (
	"strings"
	"testing"
)

// TestParseInterval: milliseconds, durations and whole days up to a day;
// wider bins are refused naming the limit and why.
func TestParseInterval(t *testing.T) {
	for s, want := range map[string]int64{"60000": 60000, "10s": 10000, "1h": 3600000, "24h": 86400000, "86400000": 86400000, "1d": 86400000, " 1d ": 86400000} {
		if got, err := parseInterval(s); err != nil || got != want {
			t.Errorf("parseInterval(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for s, want := range map[string]string{
		"86400001":           "at most 24h (1d): bins are aligned to midnight",
		"24h1ms":             "at most 24h (1d)",
		"48h":                "at most 24h (1d)",
		"744h":               "at most 24h (1d)",
		"2d":                 "at most 24h (1d)",
		"0d":                 "must be positive",
		"-1d":                "must be positive",
		"1.5d":               "want milliseconds",
		"d":                  "want milliseconds",
		"99999999999999999d": "want milliseconds",
		"0":                  "positive",
		"1us":                "whole number of milliseconds",
	} {
		if _, err := parseInterval(s); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseInterval(%q): %v; want an error with %q", s, err, want)
		}
	}
}
