package main

import "fmt"

func percent(n, total int64) string {
	if total <= 0 {
		return "100%"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(total))
}

func mbps(bytes int64, seconds float64) string {
	if seconds <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f MB/s", float64(bytes)/1e6/seconds)
}
