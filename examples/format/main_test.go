package main

import (
	"strings"
	"testing"

	"github.com/edgerules/edgerules/internal/golden"
	"github.com/stretchr/testify/assert"
)

func TestRun(t *testing.T) {
	t.Chdir("../..")
	var out strings.Builder
	assert.Equal(t, 0, run(nil, &out), "the seed's rules all parse")
	golden.Check(t, "examples/format/testdata/bot-management.golden", out.String())

	out.Reset()
	assert.Equal(t, 1, run([]string{"examples/mistakes/mistakes.txt"}, &out), "every mistake is reported")
	golden.Check(t, "examples/format/testdata/mistakes.golden", out.String())
	assert.Equal(t, 6, strings.Count(out.String(), "Filter parsing error"))

	out.Reset()
	assert.Equal(t, 2, run([]string{"no/such/file.txt"}, &out))

	out.Reset()
	long := "http.host eq \"" + strings.Repeat("a", 1<<16) + "\"\n"
	assert.False(t, formatAll("long.txt", strings.NewReader(long), &out), "a line too long is an error, not silence")
	assert.Contains(t, out.String(), "long.txt: bufio.Scanner: token too long")
}
