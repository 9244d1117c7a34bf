package yamlerr_test

import (
	"errors"
	"testing"

	"github.com/edgerules/edgerules/internal/yamlerr"
	"github.com/stretchr/testify/assert"
	"go.yaml.in/yaml/v3"
)

func TestSplit(t *testing.T) {
	var v any
	err := yaml.Unmarshal([]byte("a: 1\nb: c: d\n"), &v)
	line, msg := yamlerr.Split(err)
	assert.Equal(t, 2, line)
	assert.Equal(t, "mapping values are not allowed in this context", msg)

	var list []int
	err = yaml.Unmarshal([]byte("- 1\n- x\n- y\n"), &list)
	line, msg = yamlerr.Split(err)
	assert.Equal(t, 2, line)
	assert.Equal(t, "cannot unmarshal !!str `x` into int", msg, "the first problem of a type error")

	line, msg = yamlerr.Split(errors.New("yaml: document contains excessive aliasing"))
	assert.Equal(t, 0, line)
	assert.Equal(t, "document contains excessive aliasing", msg)
}
