package bench

import (
	"bufio"
	"io"
	"os"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"

	"github.com/resreport/resreport/scan"
)

// Drain reads every file of plan to nowhere, decompressing .gz files, with
// the given number of goroutines taking files in turn, and returns the
// bytes of text: the cost of just getting the text, without parsing.
func Drain(plan *scan.Plan, workers int) (int64, error) {
	var total atomic.Int64
	var firstErr error
	var mu sync.Mutex
	next := make(chan scan.File)
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range next {
				n, err := drainFile(f)
				total.Add(n)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, f := range plan.Files {
		next <- f
	}
	close(next)
	wg.Wait()
	return total.Load(), firstErr
}

func drainFile(f scan.File) (int64, error) {
	fh, err := os.Open(f.Path)
	if err != nil {
		return 0, err
	}
	defer fh.Close()
	var r io.Reader = fh
	if f.Gzip {
		zr, err := gzip.NewReader(bufio.NewReaderSize(fh, 256<<10))
		if err != nil {
			return 0, err
		}
		r = zr
	}
	return io.Copy(io.Discard, r)
}
