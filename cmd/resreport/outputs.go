package main

import (
	"context"
	"path/filepath"
	"sync"

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
}

// outputs are the files of one run, created before the scan as one
// output.Set: the per-host parts (JSON hosts, host_bins rows, samples) are
// written while the logs are read, the rest at the end, and nothing
// replaces the previous outputs unless the whole run succeeds (commit).
type outputs struct {
	spec outputSpec
	set  *output.Set

	html, json, samples, clusterBins, hostBins *output.File

	jw *agg.JSONWriter
	sw *columnar.SamplesWriter
	tw *columnar.TableWriter
}

// openOutputs creates the outputs of spec for a run over hosts; slice is
// the samples file's time slice (columnar.WithTimeSlices).
func openOutputs(ctx context.Context, spec outputSpec, hosts []string, slice int64) (_ *outputs, err error) {
	o := &outputs{spec: spec, set: output.NewSet(ctx)}
	defer func() {
		if err != nil {
			o.abort() // o, not the nil result
		}
	}()
	file := func(path string) (*output.File, error) {
		if path == "" {
			return nil, nil
		}
		return o.set.File(path)
	}
	if o.html, err = file(spec.HTML); err != nil {
		return nil, err
	}
	if o.json, err = file(spec.JSON); err != nil {
		return nil, err
	}
	if o.json != nil {
		o.jw = agg.NewJSONWriter(o.json)
	}
	if spec.ParquetDir == "" {
		return o, nil
	}
	if spec.Samples {
		if o.samples, err = file(filepath.Join(spec.ParquetDir, "samples.parquet")); err != nil {
			return nil, err
		}
		if o.sw, err = columnar.NewSamplesWriter(o.samples, hosts, columnar.WithTimeSlices(slice)); err != nil {
			return nil, err
		}
	}
	if spec.Tables {
		if o.clusterBins, err = file(filepath.Join(spec.ParquetDir, "cluster_bins.parquet")); err != nil {
			return nil, err
		}
		if o.hostBins, err = file(filepath.Join(spec.ParquetDir, "host_bins.parquet")); err != nil {
			return nil, err
		}
		if o.tw, err = columnar.NewTableWriter(o.hostBins, hosts, agg.HostTableColumns()); err != nil {
			return nil, err
		}
	}
	return o, nil
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
func (o *outputs) finish(res *agg.Result, summary *agg.Summary, findings []agg.Finding, page *htmlreport.Input) error {
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
	if o.tw != nil {
		tasks = append(tasks, o.tw.Close, func() error { return columnar.WriteTable(o.clusterBins, res.ClusterTable()) })
	}
	if o.html != nil {
		tasks = append(tasks, func() error { return htmlreport.Write(o.html, page) })
	}
	if err := parallel(tasks); err != nil {
		return err
	}
	for _, f := range []*output.File{o.html, o.json, o.samples, o.clusterBins, o.hostBins} {
		if f == nil {
			continue
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return o.set.Commit()
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
