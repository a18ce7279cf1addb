// Package output writes the outputs of one run as a set, all or nothing.
//
// Every output of a Set is written to a temporary file with a recognisable
// name next to its target (".NAME.resreport-RUN.tmp"), and renamed into
// place by Commit only when the run has succeeded and every output is
// complete. A failed, cancelled or killed run leaves the previous outputs
// as they were: Commit keeps the old files aside (".NAME.resreport-RUN.old")
// until every rename has succeeded and puts them back if one fails.
//
// A Set takes an advisory lock (flock) per target, so two runs writing the
// same output fail fast instead of interleaving, and it removes what dead
// runs (SIGKILL, out of memory) left in its directories: a temporary file is
// a dead run's when no process holds its lock.
//
// Targets that are not regular files are written in place, never replaced:
// "-" is standard output, and an existing device, FIFO or descriptor link
// (/dev/stdout) is opened and written at commit time from a spool in the
// system's temporary directory.
//
// Writes check the Set's context, so a cancelled run stops at its next
// write; Abort removes the temporary files.
//
// Outputs and their atomic commit are this package's job, not the
// encoders': they write to an io.Writer.
package output
