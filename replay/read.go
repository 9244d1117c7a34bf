package replay

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
)

// MaxLine is the longest line Read passes on; a longer one is reported as
// malformed and skipped.
const MaxLine = 4 << 20

// ErrLineTooLong is the error of a line over MaxLine.
var ErrLineTooLong = fmt.Errorf("the line is longer than %d bytes", MaxLine)

// ErrTruncated is the error of the last line of a gzip stream that ends
// before its end: the line is cut short, or lost.
var ErrTruncated = errors.New("the gzip stream is truncated: its last line is cut short")

// Read calls line for each line of r, numbered from 1, gunzipping r first
// if it is gzip. A line over MaxLine comes with ErrLineTooLong and no bytes.
// A gzip stream that ends early ends with a line that comes with
// ErrTruncated and no bytes, and Read returns nil. The bytes passed to line
// are valid only until it returns.
func Read(r io.Reader, line func(b []byte, number int64, err error)) error {
	br := bufio.NewReaderSize(r, 1<<20)
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return err
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 1<<20)
	}
	var long []byte
	tooLong := false
	for n := int64(1); ; {
		chunk, err := br.ReadSlice('\n')
		switch {
		case errors.Is(err, io.ErrUnexpectedEOF):
			line(nil, n, ErrTruncated)
			return nil
		case errors.Is(err, bufio.ErrBufferFull):
			// A line longer than the buffer: gather it, up to MaxLine.
			if !tooLong && len(long)+len(chunk) <= MaxLine {
				long = append(long, chunk...)
			} else {
				tooLong, long = true, long[:0]
			}
			continue
		case err != nil && !errors.Is(err, io.EOF):
			return err
		}
		if len(chunk) > 0 || len(long) > 0 || tooLong {
			whole := chunk
			if len(long) > 0 {
				whole = append(long, chunk...)
			}
			if tooLong || len(whole) > MaxLine {
				line(nil, n, ErrLineTooLong)
			} else {
				line(whole, n, nil)
			}
			n++
			long, tooLong = long[:0], false
		}
		if err != nil {
			return nil
		}
	}
}
