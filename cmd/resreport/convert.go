package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/urfave/cli/v2"
	"go.uber.org/zap"

	"github.com/resreport/resreport/agg"
	"github.com/resreport/resreport/columnar"
	"github.com/resreport/resreport/output"
	"github.com/resreport/resreport/scan"
)

func convertCommand() *cli.Command {
	return &cli.Command{
		Name:      "convert",
		Usage:     "write the samples only: DIR/samples.parquet, Hive-partitioned DIR/date=…/host=…/part-00000.parquet, or an Arrow IPC stream (--format arrow -o FILE|-)",
		ArgsUsage: "LOG_DIR",
		Flags: append(commonFlags(),
			&cli.StringFlag{Name: "parquet-dir", Usage: "output directory (required for --format parquet)", EnvVars: env("parquet-dir")},
			&cli.BoolFlag{Name: "partition", Usage: "Hive-partition by date= and host= (readable as one table by DuckDB, Spark, Trino); replaces DIR as a whole", EnvVars: env("partition")},
			&cli.StringFlag{Name: "format", Value: "parquet", Usage: "parquet, or arrow: an Arrow IPC stream (pyarrow, polars, DuckDB read it without a copy) to -o", EnvVars: env("format")},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "the Arrow stream's file, or - for standard output (--format arrow)", EnvVars: env("output")},
		),
		Action: convertAction,
	}
}

func convertAction(c *cli.Context) error {
	switch c.String("format") {
	case "parquet":
	case "arrow":
		return convertArrow(c)
	default:
		return usage(c, "--format %q: want parquet or arrow", c.String("format"))
	}
	dir := c.String("parquet-dir")
	if dir == "" {
		return usage(c, "convert needs --parquet-dir DIR")
	}
	if !c.Bool("partition") {
		o, err := runCommand(c, outputSpec{ParquetDir: dir, Samples: true, NoBins: true})
		if err != nil {
			return err
		}
		defer o.out.abort() // after a failure; nothing once committed
		if err := o.out.finish(o.Result, o.Summary, nil, nil); err != nil {
			return err
		}
		o.out.logLayout(o.log)
		o.log.Info("wrote", zap.String("path", filepath.Join(dir, "samples.parquet")))
		return strictCheck(c, o)
	}
	log, j, err := prepare(c, true)
	if err != nil {
		return err
	}
	j.NoBins = true
	if err := checkDataset(c, dir); err != nil {
		return err
	}
	plan, err := discover(j)
	if plan != nil {
		logPlan(log, plan)
	}
	if err != nil {
		return cli.Exit(err.Error(), 1)
	}
	out, err := openOutputs(c.Context, outputSpec{Dataset: dir}, nil, 0)
	if err != nil {
		return outputError(c, err)
	}
	defer out.abort()
	out.logCleaned(log)
	in := &input{plan: plan}
	if err := in.checkOutputs(c, out); err != nil {
		return err
	}
	skips := newSkipTotal() // of all hosts, for the message below
	records, err := convertHosts(c, log, j, plan, out.dataset.Root(), skips)
	if err != nil {
		return err
	}
	if note := lineNotes(skips); note != "" { // a warning, so that --quiet still says why
		log.Warn("converted; " + note)
	}
	skips.Warnings = summaryWarnings(plan.Warnings)
	if records == 0 {
		return cli.Exit(noRecords(j.LogDir, skips), 1)
	}
	if err := out.finish(nil, nil, nil, nil); err != nil {
		return err
	}
	log.Info("wrote", zap.String("path", dir))
	if p := strictProblems(skips); c.Bool("strict") && p != "" {
		return cli.Exit("--strict: "+p, 1)
	}
	return nil
}

// convertArrow is `convert --format arrow -o FILE|-`: the samples as an
// Arrow IPC stream, in the order they are read (host by host).
func convertArrow(c *cli.Context) error {
	path := c.String("output")
	if path == "" {
		return usage(c, "convert --format arrow needs -o FILE (or - for standard output)")
	}
	if c.String("parquet-dir") != "" || c.Bool("partition") {
		return usage(c, "convert --format arrow writes -o, not --parquet-dir")
	}
	o, err := runCommand(c, outputSpec{Arrow: path, NoBins: true})
	if err != nil {
		return err
	}
	defer o.out.abort() // after a failure; nothing once committed
	if err := o.out.finish(o.Result, o.Summary, nil, nil); err != nil {
		return err
	}
	o.log.Info("wrote", zap.String("path", path))
	return strictCheck(c, o)
}

// convertHosts writes the partitions of every host of plan under dir, one
// host at a time: its dates are the only open files, and every worker
// still helps with each host's files. It returns the records written,
// and adds the skipped lines and the files to skips.
func convertHosts(c *cli.Context, log *zap.Logger, j *job, plan *scan.Plan, dir *os.Root, skips *agg.Summary) (records int64, err error) {
	for h, name := range plan.Hosts {
		sub := *plan
		sub.Files = nil
		for _, f := range plan.Files {
			if int(f.Host) == h {
				sub.Files = append(sub.Files, f)
			}
		}
		parts := &partitioner{ctx: c.Context, dir: dir, host: name, meta: fileMetadata(j, j.LogDir)}
		j.Samples = parts.writeRecords
		o, err := await(c.Context, func() (*outcome, error) { return runPlan(c.Context, j, &sub) })
		if c.Context.Err() != nil {
			return 0, c.Context.Err() // the set removes the partitions; the scan may still be stopping
		}
		if cerr := parts.close(); err == nil {
			err = cerr
		}
		if err != nil {
			return 0, cli.Exit(err.Error(), 1)
		}
		records += o.Summary.Records
		addSkips(skips, o.Summary)
		log.Info("converted", zap.String("host", name), zap.Int64("records", o.Summary.Records), zap.Int("partitions", len(parts.files)))
	}
	return records, nil
}

// checkDataset refuses a --parquet-dir for convert --partition that holds
// anything but a previous partitioned data set: it is replaced as a
// whole.
func checkDataset(c *cli.Context, dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil // missing (it is created) or unreadable (opening the output says why)
	}
	for _, e := range entries {
		n := e.Name()
		if (e.IsDir() && strings.HasPrefix(n, "date=")) || n == "_SUCCESS" {
			continue
		}
		return usage(c, "--parquet-dir %s holds %s, which is not a partition: convert --partition replaces the directory as a whole, so give a new or empty directory or a previous convert --partition output", dir, n)
	}
	return nil
}

// partitioner writes one host's samples into one file per date under dir
// (the output set's temporary directory, replaced as a whole at the end).
type partitioner struct {
	ctx   context.Context
	dir   *os.Root
	host  string
	meta  map[string]string    // the run's file metadata
	files map[string]*partFile // by date
}

type partFile struct {
	path string
	f    *os.File
	sw   *columnar.SamplesWriter
}

// maxNameBytes is the longest directory entry name of common file
// systems (ext4, xfs, btrfs, tmpfs).
const maxNameBytes = 255

// hostPartition is the directory name of a host's partition: host= and
// the escaped name, shortened when it would not fit in a directory entry
// to a prefix (no escape cut in two), "~" (never in an escaped name) and
// 16 hex digits of the name's SHA-256. The full name is in every file's
// footer (columnar.MetadataHost).
func hostPartition(host string) string {
	v := "host=" + partitionValue(host)
	if len(v) <= maxNameBytes {
		return v
	}
	sum := sha256.Sum256([]byte(host))
	suffix := "~" + hex.EncodeToString(sum[:8])
	cut := maxNameBytes - len(suffix)
	for v[cut-1] == '%' || v[cut-2] == '%' {
		cut--
	}
	return v[:cut] + suffix
}

// partitionValue escapes a Hive partition value: bytes other than
// letters, digits and ._- become %XX.
func partitionValue(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// unescapePartition reverses partitionValue.
func unescapePartition(s string) string {
	if v, err := url.PathUnescape(s); err == nil {
		return v
	}
	return s
}

func (p *partitioner) writeRecords(recs []arrow.RecordBatch) error {
	var v columnar.View
	for _, r := range recs {
		if err := columnar.ViewOf(r, &v); err != nil {
			return err
		}
		if err := p.write(&v); err != nil {
			return err
		}
	}
	return nil
}

// write appends b's rows to the files of their dates.
func (p *partitioner) write(b *columnar.View) error {
	const day = 86400 * 1000000
	for lo := 0; lo < b.Len; {
		d := columnar.FloorDiv(b.TS[lo], day)
		hi := lo + 1
		for hi < b.Len && columnar.FloorDiv(b.TS[hi], day) == d {
			hi++
		}
		pf, err := p.file(columnar.FormatTimestamp(d * day)[:10])
		if err != nil {
			return err
		}
		if err := pf.sw.WriteRows(b, lo, hi); err != nil {
			return err
		}
		lo = hi
	}
	return nil
}

func (p *partitioner) file(date string) (*partFile, error) {
	if pf, ok := p.files[date]; ok {
		return pf, nil
	}
	if p.files == nil {
		p.files = map[string]*partFile{}
	}
	if err := p.ctx.Err(); err != nil {
		return nil, err
	}
	d := filepath.Join("date="+date, hostPartition(p.host))
	if err := p.dir.MkdirAll(d, 0o777); err != nil {
		return nil, err
	}
	path := filepath.Join(d, "part-00000.parquet")
	f, err := p.dir.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		return nil, err
	}
	sw, err := columnar.NewSamplesWriter(output.NewWriter(p.ctx, f), nil,
		columnar.WithContext(p.ctx), columnar.WithFileMetadata(p.meta), columnar.WithMetadata(columnar.MetadataHost, p.host))
	if err != nil {
		f.Close()
		return nil, err
	}
	pf := &partFile{path: path, f: f, sw: sw}
	p.files[date] = pf
	return pf, nil
}

// close finishes every partition file of the host. The directory they
// are in is put in place, or removed, as a whole by the output set.
func (p *partitioner) close() error {
	var errs []error
	for _, pf := range p.files {
		if err := pf.sw.Close(); err != nil {
			errs = append(errs, fmt.Errorf("write %s: %w", pf.path, err))
		}
		if err := pf.f.Close(); err != nil {
			errs = append(errs, fmt.Errorf("write %s: %w", pf.path, err))
		}
	}
	return errors.Join(errs...)
}

// findParquet lists the samples files under dirs (see walkParquet), each
// once however often it is found (a path given twice, or inside another
// one: a duplicate warning); a directory holding both samples.parquet
// and host= partitions is an error.
func findParquet(dirs []string) ([]columnar.SamplesFile, []agg.PathWarning, error) {
	var out []columnar.SamplesFile
	var warns []agg.PathWarning
	seen := map[string]bool{}
	for _, dir := range dirs {
		dir = filepath.Clean(dir)
		found, err := walkParquet(dir)
		if err != nil {
			return nil, nil, fmt.Errorf("--from-parquet %s: %w", dir, err)
		}
		if len(found) == 0 {
			return nil, nil, fmt.Errorf("--from-parquet %s: %w (no samples.parquet or host= partitions)", dir, scan.ErrNoFiles)
		}
		dups := 0
		for _, f := range found {
			if key := absPath(f.Path); !seen[key] {
				seen[key] = true
				out = append(out, f)
			} else {
				dups++
			}
		}
		if dups > 0 {
			warns = append(warns, agg.PathWarning{Path: dir, Kind: scan.WarnDuplicate,
				Reason: fmt.Sprintf("%d of its samples files found already by an earlier --from-parquet path: read once", dups)})
		}
	}
	if err := checkMixed(out); err != nil {
		return nil, nil, err
	}
	return out, warns, nil
}

// walkParquet lists the samples files under dir: DIR/samples.parquet and
// the files of Hive partitions (…/host=H/….parquet), whose host is the
// one in their footer (the directory name may be shortened), else the
// unescaped directory name. Hidden and _-prefixed names (work files,
// Spark's _SUCCESS and _temporary) are skipped.
func walkParquet(dir string) ([]columnar.SamplesFile, error) {
	var out []columnar.SamplesFile
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path != dir && (strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_")) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !strings.HasSuffix(d.Name(), ".parquet") {
			return nil
		}
		if info, err := os.Stat(path); err != nil || !info.Mode().IsRegular() {
			if err == nil {
				err = fmt.Errorf("%s is not a regular file", path) // a FIFO would block the read
			}
			return err
		}
		host := ""
		for _, part := range strings.Split(filepath.ToSlash(filepath.Dir(path)), "/") {
			if v, ok := strings.CutPrefix(part, "host="); ok {
				host = unescapePartition(v)
			}
		}
		if host != "" {
			full, ok, err := columnar.ReadMetadata(path, columnar.MetadataHost)
			if err != nil {
				return err
			}
			if ok {
				host = full
			}
		}
		if host != "" || d.Name() == "samples.parquet" {
			out = append(out, columnar.SamplesFile{Path: path, Host: host})
		}
		return nil
	})
	return out, err
}

// absPath is path made absolute, or path when it cannot be.
func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// checkMixed fails when a directory holds both samples.parquet and host=
// partitions (DIR/date=…/host=…/…): two conversions, most likely of the
// same logs, whose samples would be counted twice.
func checkMixed(files []columnar.SamplesFile) error {
	samples := map[string]string{} // directory -> its samples.parquet
	for _, f := range files {
		if f.Host == "" {
			samples[filepath.Dir(absPath(f.Path))] = f.Path
		}
	}
	if len(samples) == 0 {
		return nil
	}
	for _, f := range files {
		root := filepath.Dir(absPath(f.Path)) // the directory above the partitions' key=value levels
		for strings.Contains(filepath.Base(root), "=") && filepath.Dir(root) != root {
			root = filepath.Dir(root)
		}
		if s, ok := samples[root]; ok && f.Host != "" {
			return fmt.Errorf("--from-parquet: %s holds both %s and host= partitions (%s), which would count the same samples twice: "+
				"give %s alone, or move it aside to read the partitions", filepath.Dir(s), filepath.Base(s), f.Path, s)
		}
	}
	return nil
}
