// Package scan finds resource logs under a log directory, cuts them into
// work (byte ranges of big plain files at line boundaries, one pipelined
// stream per gzip file), and parses their lines with zero-allocation
// byte-slice parsers into columnar batches, accounting for every line: a
// record kept, a record outside the time range, or a line skipped for a
// named reason.
package scan
