package replay

import (
	"fmt"
	"io"
	"sync"
)

// A Log is a log to replay: its name, for the report and malformed lines,
// and how to open it.
type Log struct {
	Name string
	Open func() (io.ReadCloser, error)
}

// batchLines and batchBytes bound a batch of lines handed to a worker.
const (
	batchLines = 2048
	batchBytes = 1 << 20
)

// A batch is lines of one log for a worker.
type batch struct {
	log     int
	name    string
	data    []byte
	ends    []int   // the end of each line in data
	numbers []int64 // the number of each line in its log
}

// ReadLogs replays the logs in turn on jobs workers, each decoding and
// evaluating lines with a Replayer of its own, whose counts are merged into
// p at the end: the report is the one a single worker would make. A replay
// whose rulesets have rate limiting rules takes its records one at a time,
// in order, on one worker, since those rules count each key's requests over
// time. tick, if not nil, is called after each line is read.
func (p *Replayer) ReadLogs(logs []Log, jobs int, tick func()) error {
	if jobs <= 1 || p.ordered || len(p.variants) > 0 {
		return p.readLogs(logs, tick, func(line []byte, name string, n int64) { p.Line(line, name, n) }, nil)
	}
	work := make(chan *batch, jobs)
	free := make(chan *batch, 2*jobs)
	for range 2 * jobs {
		free <- &batch{}
	}
	workers := make([]*Replayer, jobs)
	var wg sync.WaitGroup
	for i := range workers {
		w := p.fork()
		workers[i] = w
		wg.Go(func() {
			for b := range work {
				w.log = b.log
				start := 0
				for i, end := range b.ends {
					w.Line(b.data[start:end], b.name, b.numbers[i])
					start = end
				}
				free <- b
			}
		})
	}
	var current *batch
	send := func() {
		if current != nil && len(current.ends) > 0 {
			work <- current
			current = nil
		}
	}
	err := p.readLogs(logs, tick, func(line []byte, name string, n int64) {
		if current == nil {
			current = <-free
			current.log, current.name = p.log, name
			current.data, current.ends, current.numbers = current.data[:0], current.ends[:0], current.numbers[:0]
		}
		current.data = append(current.data, line...)
		current.ends = append(current.ends, len(current.data))
		current.numbers = append(current.numbers, n)
		if len(current.ends) == batchLines || len(current.data) >= batchBytes {
			send()
		}
	}, send)
	close(work)
	wg.Wait()
	for _, w := range workers {
		p.merge(w)
	}
	return err
}

// readLogs reads each log in turn, passing its lines to line and its lines
// too long to read to p.Malformed; end, if not nil, is called at the end of
// each log.
func (p *Replayer) readLogs(logs []Log, tick func(), line func([]byte, string, int64), end func()) error {
	for i, l := range logs {
		p.log = i
		r, err := l.Open()
		if err != nil {
			return err
		}
		err = Read(r, func(b []byte, n int64, err error) {
			if err != nil {
				p.Malformed(l.Name, n, err)
			} else {
				line(b, l.Name, n)
			}
			if tick != nil {
				tick()
			}
		})
		r.Close()
		if end != nil {
			end()
		}
		if err != nil {
			return fmt.Errorf("%s: %w", l.Name, err)
		}
	}
	return nil
}
