package main

import (
	"context"

	"errors"
	"fmt"
	"github.com/apache/arrow-go/v18/arrow"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"

	"github.com/urfave/cli/v2"
	"go.uber.org/zap"

	"github.com/resreport/resreport/agg"
	"github.com/resreport/resreport/columnar"
	"github.com/resreport/resreport/htmlreport"
	"github.com/resreport/resreport/output"
)

// outputSpec names what a command writes.
type outputSpec struct {
	HTML       string // -o; "" for none
	JSON       string // --json; "" for none
	ParquetDir string // --parquet-dir; "" for none
	Tables     bool   // cluster_bins.parquet and host_bins.parquet in ParquetDir
	Samples    bool   // samples.parquet in ParquetDir
	Dataset    string // a directory replaced as a whole (convert --partition); "" for none
	Arrow      string // the samples as an Arrow IPC stream (convert --format arrow); "" for none
	NoBins     bool   // no output shows bins (convert): see job.NoBins

	// Meta goes into every Parquet file's footer (and the Arrow stream's
	// schema): the tool and schema version, the bin width, the time range
	// and the input (see fileMetadata).
	Meta map[string]string
}

// outputs are the files of one run, created before the scan as one
// output.Set: the per-host parts (JSON hosts, host_bins rows, samples) are
// written while the logs are read, the rest at the end, and nothing
// replaces the previous outputs unless the whole run succeeds (commit).
type outputs struct {
	ctx  context.Context
	spec outputSpec
	set  *output.Set

	html, json, samples, clusterBins, hostBins *output.File
	dataset                                    *output.Dir
	flags                                      map[string]string // output name -> the flag that named it

	arrow *output.File

	jw *agg.JSONWriter
	sw *columnar.SamplesWriter
	tw *columnar.TableWriter
	aw *columnar.ArrowStreamWriter
}

// openOutputs creates the outputs of spec for a run over hosts; slice is
// the samples file's time slice (columnar.WithTimeSlices). Their
// directories are created and their locks taken here, and outputs that
// collide are found (output.ErrConflict), before the scan. Errors name the
// flag of the output (see outputError).
func openOutputs(ctx context.Context, spec outputSpec, hosts []string, slice int64) (o *outputs, err error) {
	set := output.NewSet(ctx)
	o = &outputs{ctx: ctx, spec: spec, set: set, flags: map[string]string{}}
	defer func() {
		if err != nil {
			set.Abort() // not o.abort: o is nil when returned with err
		}
	}()
	file := func(flag, path string) (*output.File, error) {
		if path == "" {
			return nil, nil
		}
		f, err := o.set.File(path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", flag, err)
		}
		o.flags[f.Name()] = flag
		return f, nil
	}
	pq := func(name string) string { return filepath.Join(spec.ParquetDir, name) }
	// the Parquet files first: -o or --json equal to one of them is
	// reported as the later flag's mistake
	if spec.ParquetDir != "" && spec.Samples {
		if o.samples, err = file("--parquet-dir", pq("samples.parquet")); err != nil {
			return nil, err
		}
	}
	if spec.ParquetDir != "" && spec.Tables {
		if o.clusterBins, err = file("--parquet-dir", pq("cluster_bins.parquet")); err != nil {
			return nil, err
		}
		if o.hostBins, err = file("--parquet-dir", pq("host_bins.parquet")); err != nil {
			return nil, err
		}
	}
	if spec.Dataset != "" {
		if o.dataset, err = o.set.Dir(spec.Dataset); err != nil {
			return nil, fmt.Errorf("--parquet-dir: %w", err)
		}
		o.flags[o.dataset.Name()] = "--parquet-dir"
	}
	if o.json, err = file("--json", spec.JSON); err != nil {
		return nil, err
	}
	if o.arrow, err = file("-o", spec.Arrow); err != nil {
		return nil, err
	}
	if o.arrow != nil {
		o.aw = columnar.NewArrowStreamWriter(o.arrow, spec.Meta)
	}
	if o.html, err = file("-o", spec.HTML); err != nil {
		return nil, err
	}
	if o.json != nil {
		o.jw = agg.NewJSONWriter(o.json)
	}
	if o.samples != nil {
		meta := maps.Clone(spec.Meta)
		meta[columnar.MetadataSliceMS] = strconv.FormatInt(slice/1000, 10)
		if o.sw, err = columnar.NewSamplesWriter(o.samples, hosts, columnar.WithTimeSlices(slice), columnar.WithContext(ctx),
			columnar.WithFileMetadata(meta)); err != nil {
			return nil, err
		}
	}
	if o.hostBins != nil {
		if o.tw, err = columnar.NewTableWriter(o.hostBins, hosts, agg.HostTableColumns(), spec.Meta); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// logCleaned logs what the set removed or restored of runs that did not
// finish (SIGKILL, out of memory).
func (o *outputs) logCleaned(log *zap.Logger) {
	for _, msg := range o.set.Cleaned() {
		log.Info(msg)
	}
}

// logNotes warns of outputs that lose what is written to them without
// failing (standard output that is /dev/null opened read-write).
func (o *outputs) logNotes(log *zap.Logger) {
	notes := o.set.Notes()
	for _, name := range slices.Sorted(maps.Keys(notes)) {
		log.Warn(o.flags[name] + ": " + notes[name])
	}
}

// logLayout warns of rows that samples.parquet could not lay out by time
// slice (columnar.SamplesWriter.StrayRows).
func (o *outputs) logLayout(log *zap.Logger) {
	if o.sw == nil {
		return
	}
	if n := o.sw.StrayRows(); n > 0 {
		log.Warn("rows with timestamps scattered over more time slices than samples.parquet keeps open went to row groups of several slices: --from-parquet may give their bins another longest gap between samples than the logs",
			zap.Int("rows", n))
	}
}

// outputError maps an error of openOutputs: outputs that conflict are a
// usage error (exit 2), anything else (a lock held by another run, a
// directory that cannot be created) exit 1.
func outputError(c *cli.Context, err error) error {
	if errors.Is(err, output.ErrConflict) {
		return usage(c, "%v", err)
	}
	return cli.Exit(err.Error(), 1)
}

// checkInput fails when an output would replace the input file at path
// (info from os.Stat; nil to stat it here): the output is the file, or a
// directory output holds it.
func (o *outputs) checkInput(c *cli.Context, path string, info os.FileInfo) error {
	if info == nil {
		var err error
		if info, err = os.Stat(path); err != nil {
			return nil // reading it will say what is wrong
		}
	}
	if name := o.set.Overlaps(path, info); name != "" {
		return usage(c, "%s %s would replace the input %s: choose another output", o.flags[name], name, path)
	}
	return nil
}

// samplesSink returns the consumer of the run's record batches
// (agg.RunOptions.Samples): the samples file, the Arrow stream, or nil.
func (o *outputs) samplesSink() func([]arrow.RecordBatch) error {
	switch {
	case o.sw != nil:
		return o.sw.WriteRecords
	case o.aw != nil:
		return o.aw.WriteRecords
	}
	return nil
}

// hostInOrder writes a host's rows to the outputs with a row per host and
// bin; nil when there is none.
func (o *outputs) hostInOrder() func(*agg.HostResult) error {
	if o.jw == nil && o.tw == nil {
		return nil
	}
	return func(h *agg.HostResult) error {
		if o.jw != nil {
			if err := o.jw.Host(h); err != nil {
				return err
			}
		}
		if o.tw != nil {
			return agg.HostRows(o.tw, h)
		}
		return nil
	}
}

// finish writes what comes at the end (the cluster bins, findings,
// summary and the HTML page), completes every output and commits the set.
func (o *outputs) finish(res *agg.Result, summary *agg.Summary, findings []agg.Finding, page *htmlreport.Input) (err error) {
	writeHeapProfile()
	defer func() {
		if err != nil {
			o.abort()
		}
	}()
	if findings == nil {
		findings = []agg.Finding{} // "findings": [], not null
	}
	var tasks []func() error
	if o.jw != nil {
		tasks = append(tasks, func() error { return o.jw.Finish(res, findings, summary) })
	}
	if o.sw != nil {
		tasks = append(tasks, o.sw.Close)
	}
	if o.aw != nil {
		tasks = append(tasks, o.aw.Close)
	}
	if o.tw != nil {
		tasks = append(tasks, o.tw.Close, func() error {
			t := res.ClusterTable()
			t.Meta = o.spec.Meta
			return columnar.WriteTableContext(o.ctx, o.clusterBins, t)
		})
	}
	if o.html != nil {
		tasks = append(tasks, func() error { return htmlreport.WriteContext(o.ctx, o.html, page) })
	}
	// after a signal, encoders still running are not waited for: they
	// stop at their next write, which the set refuses
	if _, err := await(o.ctx, func() (struct{}, error) { return struct{}{}, parallel(tasks) }); err != nil {
		return err
	}
	// closed at once: each waits for its fsync, which overlap on disk
	var closes []func() error
	for _, f := range []*output.File{o.html, o.json, o.samples, o.clusterBins, o.hostBins, o.arrow} {
		if f != nil {
			closes = append(closes, f.Close)
		}
	}
	if err := parallel(closes); err != nil {
		return err
	}
	if o.dataset != nil {
		if err := o.dataset.Close(); err != nil {
			return err
		}
	}
	return o.set.Commit()
}

// await runs f in its own goroutine and returns its results, or ctx's
// error as soon as ctx is done. It is for work that does not check the
// context all the way through (merging the workers' aggregates, the
// findings, encoders between writes): a signal then ends the run within a
// second. Abandoned work writes only to the outputs, which refuse writes
// once ctx is done, and ends with the process.
func await[T any](ctx context.Context, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// abort drops the outputs: the previous ones stay as they were.
func (o *outputs) abort() { o.set.Abort() }

// parallel runs the tasks, which touch different outputs, at once.
func parallel(tasks []func() error) error {
	errs := make([]error, len(tasks))
	var wg sync.WaitGroup
	for i, t := range tasks {
		wg.Go(func() { errs[i] = t() })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// perHost takes what the outputs need of each host when the run finishes
// it (agg.RunOptions.Host), so that no host's full result outlives that
// call: its findings, its view in the HTML drill-down, and counts for the
// summary.
type perHost struct {
	interval int64 // µs
	findings *agg.FindingSet
	html     bool // keep views for the page

	mu          sync.Mutex
	views       []htmlreport.HostView
	hosts       int   // with records
	first, last int64 // over all hosts' samples
}

func newPerHost(th agg.Thresholds, intervalMS int64, html bool) *perHost {
	iv := intervalMS * 1000
	return &perHost{interval: iv, findings: agg.NewFindingSet(th, iv), html: html, first: 1<<63 - 1, last: -1 << 63}
}

// host is agg.RunOptions.Host: called from the workers, concurrently.
func (p *perHost) host(h *agg.HostResult) error {
	p.findings.AddHost(h)
	var v htmlreport.HostView
	if p.html {
		v = htmlreport.NewHostView(h, p.interval)
	}
	n := len(h.Start)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hosts++
	if n > 0 {
		p.first, p.last = min(p.first, h.First[0]), max(p.last, h.Last[n-1])
	}
	if p.html {
		p.views = append(p.views, v)
	}
	return nil
}

// fileMetadata is what every Parquet file of a run records of it.
func fileMetadata(j *job, input string) map[string]string {
	return map[string]string{
		columnar.MetadataVersion:       buildVersion(),
		columnar.MetadataSchemaVersion: strconv.Itoa(columnar.SchemaVersion),
		columnar.MetadataIntervalMS:    strconv.FormatInt(j.IntervalMS, 10),
		columnar.MetadataSince:         j.SinceText,
		columnar.MetadataUntil:         j.UntilText,
		columnar.MetadataLogDir:        input,
	}
}
