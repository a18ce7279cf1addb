package agg

// Summary is the run's accounting: every input line is a record kept, a
// record outside the time range, or a line skipped for a named reason, so
// LinesRead == Records + OutsideRange + SkippedTotal, per file and in total.
type Summary struct {
	LogDir     string `json:"log_dir"`
	Since      string `json:"since,omitempty"`
	Until      string `json:"until,omitempty"`
	IntervalMS int64  `json:"interval_ms"`

	Files       int   `json:"files"`        // files read
	FilesFailed int   `json:"files_failed"` // files that could not be read, or only in part
	HostsFound  int   `json:"hosts_found"`  // hosts with at least one file or an unreadable path (Warnings)
	Hosts       int   `json:"hosts"`        // hosts with at least one record in range
	Bytes       int64 `json:"bytes"`        // bytes of log text read (decompressed)

	LinesRead    int64            `json:"lines_read"`
	Records      int64            `json:"records"`
	OutsideRange int64            `json:"outside_range"`
	SkippedTotal int64            `json:"skipped_total"`
	Skipped      map[string]int64 `json:"skipped"`    // by reason
	BadValues    int64            `json:"bad_values"` // values stored as null in kept records

	FirstRecord string `json:"first_record,omitempty"` // earliest kept timestamp
	LastRecord  string `json:"last_record,omitempty"`  // latest kept timestamp

	// Warnings are the paths left out before reading, or in doubt, in path
	// order: an empty list, never null, when there are none.
	Warnings []PathWarning `json:"warnings"`

	PerFile []FileSummary `json:"per_file"`
}

// PathWarning is a path the run left out before reading it, or a doubt
// about one (scan.Warning): Kind is "unreadable" (a directory or file that
// cannot be read, or not a regular file: skipped), "duplicate" (the same
// input found twice: read once) or "same_host" (a second directory of a
// host name: read as that host's).
type PathWarning struct {
	Path   string `json:"path"`
	Host   string `json:"host,omitempty"` // the host it belongs or would belong to
	Kind   string `json:"kind"`
	Reason string `json:"reason"`
}

// FileSummary is the accounting of one input file.
type FileSummary struct {
	Path         string           `json:"path"`
	Host         string           `json:"host"`
	Bytes        int64            `json:"bytes"`
	LinesRead    int64            `json:"lines_read"`
	Records      int64            `json:"records"`
	OutsideRange int64            `json:"outside_range"`
	SkippedTotal int64            `json:"skipped_total"`
	Skipped      map[string]int64 `json:"skipped"`
	BadValues    int64            `json:"bad_values"`
	Error        string           `json:"error,omitempty"`

	// FirstSkipped is the line number in the file (from 1) of the first
	// line skipped for each reason that occurred.
	FirstSkipped map[string]int64 `json:"first_skipped,omitempty"`
	// FirstBadValue is where the file's first bad value is, nil for none.
	FirstBadValue *BadValueAt `json:"first_bad_value,omitempty"`
}

// BadValueAt locates a value stored as null: the line number in the file
// (from 1) and the field, a metric's column name or pid or tid.
type BadValueAt struct {
	Line  int64  `json:"line"`
	Field string `json:"field"`
}
