package replay_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"runtime"
	"testing"

	"github.com/edgerules/edgerules/replay"
)

// sampleText is the sample log, gunzipped.
func sampleText(b *testing.B) []byte {
	b.Helper()
	raw, err := os.ReadFile(sampleLog)
	if err != nil {
		b.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		b.Fatal(err)
	}
	lines, err := io.ReadAll(zr)
	if err != nil {
		b.Fatal(err)
	}
	return lines
}

// BenchmarkReplay reads, decodes and evaluates the sample log's records
// through the seed's rules on one goroutine, from memory: the replay's own
// cost per record, without the disk.
func BenchmarkReplay(b *testing.B) {
	lines := sampleText(b)
	p := replayer(b, seedRules, replay.Decoder{})
	b.SetBytes(int64(len(lines)))
	b.ReportAllocs()
	var records int64
	for b.Loop() {
		_ = replay.Read(bytes.NewReader(lines), func(line []byte, n int64, err error) {
			p.Line(line, "sample", n)
			records++
		})
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkReplayBaseline is BenchmarkReplay with a baseline: both
// rulesets evaluate every record, which is decoded once.
func BenchmarkReplayBaseline(b *testing.B) {
	lines := sampleText(b)
	p := comparer(b)
	b.SetBytes(int64(len(lines)))
	b.ReportAllocs()
	var records int64
	for b.Loop() {
		_ = replay.Read(bytes.NewReader(lines), func(line []byte, n int64, err error) {
			p.Line(line, "sample", n)
			records++
		})
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkReplayParallel replays the sample log from memory with ReadLogs
// on as many workers as GOMAXPROCS (go test -cpu 1,2), the seed's rules
// alone and against a baseline.
func BenchmarkReplayParallel(b *testing.B) {
	// Twenty copies of the sample, 80,000 records: a worker's own counts,
	// made and merged once a replay, weigh on a log as short as the sample.
	lines := bytes.Repeat(sampleText(b), 20)
	log := replay.Log{Name: "sample", Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(lines)), nil }}
	for _, bench := range []struct {
		name string
		make func(testing.TB) *replay.Replayer
	}{
		{"rules", func(t testing.TB) *replay.Replayer { return replayer(t, seedRules, replay.Decoder{}) }},
		{"baseline", comparer},
	} {
		b.Run(bench.name, func(b *testing.B) {
			b.SetBytes(int64(len(lines)))
			b.ReportAllocs()
			var records int64
			for b.Loop() {
				// A replay of its own each time: the counts of one carried
				// into the next would make each slower than the first.
				p := bench.make(b)
				if err := p.ReadLogs([]replay.Log{log}, runtime.GOMAXPROCS(0), func() { records++ }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
