package asciicase

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCase(t *testing.T) {
	assert.Equal(t, "curl/8.1 É", Lower("CuRL/8.1 É"), "ASCII letters only")
	assert.Equal(t, "CURL/8.1 é", Upper("cUrl/8.1 é"))
	assert.Equal(t, "[@`{", Lower("[@`{"), "the bytes around the letters stay")
	assert.Equal(t, "[@`{", Upper("[@`{"))
	s := "already lower"
	assert.Equal(t, 0, int(testing.AllocsPerRun(10, func() { s = Lower(s) })), "nothing to change, no copy")
}
