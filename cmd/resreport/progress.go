package main

import (
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"go.uber.org/zap"
	"golang.org/x/term"

	"github.com/resreport/resreport/scan"
)

// progressCounter counts bytes read from disk out of a known total.
type progressCounter struct {
	n     atomic.Int64
	total int64
}

// progressMode is how progress is shown.
type progressMode int

const (
	progressQuiet progressMode = iota // nothing
	progressLog                       // a log line every few seconds (stderr is not a terminal)
	progressBar                       // a bar on the terminal
)

// chooseProgress picks the mode for stderr.
func chooseProgress(quiet bool, stderr *os.File) progressMode {
	switch {
	case quiet:
		return progressQuiet
	case term.IsTerminal(int(stderr.Fd())):
		return progressBar
	}
	return progressLog
}

// progressLogEvery is the period of progress log lines.
var progressLogEvery = 5 * time.Second

// startProgress returns the job's Progress hook and a stop function that
// ends the display (call it before printing anything else).
func startProgress(mode progressMode, out io.Writer, log *zap.Logger) (func(*scan.Plan) *progressCounter, func()) {
	if mode == progressQuiet {
		return nil, func() {}
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	started := false
	hook := func(plan *scan.Plan) *progressCounter {
		pc := &progressCounter{}
		for _, f := range plan.Files {
			pc.total += f.Size
		}
		started = true
		if mode == progressBar {
			go showBar(pc, out, stop, done)
		} else {
			go logProgress(pc, log, stop, done)
		}
		return pc
	}
	return hook, func() {
		if started {
			close(stop)
			<-done
		}
	}
}

func showBar(pc *progressCounter, out io.Writer, stop, done chan struct{}) {
	defer close(done)
	p := mpb.New(mpb.WithOutput(out), mpb.WithWidth(40), mpb.WithRefreshRate(150*time.Millisecond))
	bar := p.AddBar(pc.total,
		mpb.PrependDecorators(decor.Name("parsing "), decor.CountersKibiByte("% .1f / % .1f")),
		mpb.AppendDecorators(decor.Percentage(decor.WC{W: 5}), decor.Name("  "),
			decor.AverageSpeed(decor.SizeB1024(0), "% .1f"), decor.Name("  ETA "), decor.AverageETA(decor.ET_STYLE_GO)),
	)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			bar.SetCurrent(pc.n.Load())
		case <-stop:
			bar.SetCurrent(pc.n.Load())
			bar.SetTotal(-1, true)
			p.Wait()
			return
		}
	}
}

func logProgress(pc *progressCounter, log *zap.Logger, stop, done chan struct{}) {
	defer close(done)
	start := time.Now()
	t := time.NewTicker(progressLogEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			n := pc.n.Load()
			el := time.Since(start).Seconds()
			fields := []zap.Field{zap.Int64("read_bytes", n), zap.Int64("total_bytes", pc.total),
				zap.String("done", percent(n, pc.total)), zap.String("rate", mbps(n, el))}
			if n > 0 && pc.total > n {
				eta := time.Duration(float64(pc.total-n) / (float64(n) / el) * float64(time.Second))
				fields = append(fields, zap.Duration("eta", eta.Round(time.Second)))
			}
			log.Info("progress", fields...)
		case <-stop:
			return
		}
	}
}
