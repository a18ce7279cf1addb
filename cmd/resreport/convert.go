package main

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/urfave/cli/v2"
	"go.uber.org/zap"

	"github.com/resreport/resreport/columnar"
	"github.com/resreport/resreport/scan"
)

func convertCommand() *cli.Command {
	return &cli.Command{
		Name:      "convert",
		Usage:     "write the samples as Parquet only: DIR/samples.parquet, or Hive-partitioned DIR/date=…/host=…/part-00000.parquet",
		ArgsUsage: "LOG_DIR",
		Flags: append(commonFlags(),
			&cli.StringFlag{Name: "parquet-dir", Required: true, Usage: "output directory", EnvVars: env("parquet-dir")},
			&cli.BoolFlag{Name: "partition", Usage: "Hive-partition by date= and host= (readable as one table by DuckDB, Spark, Trino)", EnvVars: env("partition")},
		),
		Action: convertAction,
	}
}

func convertAction(c *cli.Context) error {
	dir := c.String("parquet-dir")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return cli.Exit(fmt.Sprintf("--parquet-dir: %v", err), 1)
	}
	if !c.Bool("partition") {
		o, err := runCommand(c, outputSpec{ParquetDir: dir, Samples: true})
		if err != nil {
			return err
		}
		if err := o.out.finish(o.Result, o.Summary, nil, nil); err != nil {
			return err
		}
		o.log.Info("wrote", zap.String("path", filepath.Join(dir, "samples.parquet")))
		return strictCheck(c, o)
	}
	log, err := loggerFromFlags(c)
	if err != nil {
		return cli.Exit(err.Error(), 2)
	}
	j, err := jobFromFlags(c)
	if err != nil {
		return cli.Exit(err.Error(), 2)
	}
	plan, err := discover(j)
	if plan != nil {
		logPlan(log, plan)
	}
	if err != nil {
		return cli.Exit(err.Error(), 1)
	}
	// One host at a time: its dates are the only open files, and every
	// worker still helps with each host's files.
	var records int64
	var failed []*outcome
	skips := newSkipTotal() // of all hosts, for the message below
	for h, name := range plan.Hosts {
		sub := *plan
		sub.Files = nil
		for _, f := range plan.Files {
			if int(f.Host) == h {
				sub.Files = append(sub.Files, f)
			}
		}
		parts := &partitioner{dir: dir, host: name}
		j.Samples = parts.writeRecords
		o, err := runPlan(c.Context, j, &sub)
		if cerr := parts.close(err == nil); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		records += o.Summary.Records
		addSkips(skips, o.Summary)
		log.Info("converted", zap.String("host", name), zap.Int64("records", o.Summary.Records), zap.Int("partitions", len(parts.files)))
		o.Plan = &sub
		if o.Summary.SkippedTotal > 0 || o.Summary.FilesFailed > 0 {
			failed = append(failed, o)
		}
	}
	if records == 0 {
		return cli.Exit(fmt.Sprintf("no records in range in %s (%s)", j.LogDir, skipNote(skips)), 1)
	}
	if c.Bool("strict") && (len(failed) > 0 || len(plan.Warnings) > 0) {
		return cli.Exit(fmt.Sprintf("--strict: %d hosts had skipped lines or unreadable files, %d unreadable paths", len(failed), len(plan.Warnings)), 1)
	}
	return nil
}

// partitioner writes one host's samples into one file per date, each
// atomically: a temporary name until the host is done.
type partitioner struct {
	dir, host string
	files     map[string]*partFile // by date
}

type partFile struct {
	tmp, final string
	f          *os.File
	sw         *columnar.SamplesWriter
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
		d := floorDiv(b.TS[lo], day)
		hi := lo + 1
		for hi < b.Len && floorDiv(b.TS[hi], day) == d {
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
	d := filepath.Join(p.dir, "date="+date, "host="+partitionValue(p.host))
	if err := os.MkdirAll(d, 0o755); err != nil {
		return nil, err
	}
	final := filepath.Join(d, "part-00000.parquet")
	f, err := os.CreateTemp(d, ".part-*.tmp")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", final, err)
	}
	sw, err := columnar.NewSamplesWriter(f, nil)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	pf := &partFile{tmp: f.Name(), final: final, f: f, sw: sw}
	p.files[date] = pf
	return pf, nil
}

// close finishes every partition file: renamed into place when ok, removed
// otherwise.
func (p *partitioner) close(ok bool) error {
	dates := make([]string, 0, len(p.files))
	for d := range p.files {
		dates = append(dates, d)
	}
	sort.Strings(dates)
	var first error
	for _, d := range dates {
		pf := p.files[d]
		err := pf.sw.Close()
		if err == nil {
			err = pf.f.Chmod(0o644)
		}
		if err == nil {
			err = pf.f.Sync()
		}
		if cerr := pf.f.Close(); err == nil {
			err = cerr
		}
		if ok && err == nil {
			err = os.Rename(pf.tmp, pf.final)
		}
		if !ok || err != nil {
			os.Remove(pf.tmp)
			if err != nil && first == nil {
				first = fmt.Errorf("write %s: %w", pf.final, err)
			}
		}
	}
	return first
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// findParquet lists the samples files under dirs: DIR/samples.parquet and
// the files of Hive partitions (…/host=H/….parquet).
func findParquet(dirs []string) ([]columnar.SamplesFile, error) {
	var out []columnar.SamplesFile
	for _, dir := range dirs {
		n := len(out)
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !strings.HasSuffix(d.Name(), ".parquet") {
				return nil
			}
			host := ""
			for _, part := range strings.Split(filepath.ToSlash(filepath.Dir(path)), "/") {
				if v, ok := strings.CutPrefix(part, "host="); ok {
					host = unescapePartition(v)
				}
			}
			if host != "" || d.Name() == "samples.parquet" {
				out = append(out, columnar.SamplesFile{Path: path, Host: host})
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("--from-parquet %s: %w", dir, err)
		}
		if len(out) == n {
			return nil, fmt.Errorf("--from-parquet %s: %w (no samples.parquet or host= partitions)", dir, scan.ErrNoFiles)
		}
	}
	return out, nil
}
