package replay_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"testing"

	"github.com/edgerules/edgerules/replay"
)

// BenchmarkReplay reads, decodes and evaluates the sample log's records
// through the seed's rules on one goroutine, from memory: the replay's own
// cost per record, without the disk.
func BenchmarkReplay(b *testing.B) {
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
