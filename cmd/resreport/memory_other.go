//go:build !linux

package main

// physicalMemory is unknown here: no limit is set and no check is made.
func physicalMemory() int64 { return 0 }
