package eval_test

import (
	"testing"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/fields"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValues(t *testing.T) {
	assert.True(t, eval.Value{}.Missing())
	assert.Equal(t, "missing", eval.Value{}.String())
	assert.Equal(t, `"a\"b"`, eval.String(`a"b`).String())
	assert.Equal(t, int64(-3), eval.Int(-3).Int())
	assert.True(t, eval.Bool(true).Bool())
	assert.Equal(t, "2001:db8::1", ip("2001:db8::1").String())

	arr := eval.Strings("a", "b")
	assert.Equal(t, fields.ArrayOf(fields.String), arr.Type())
	assert.Equal(t, "b", arr.Index(1).Str())
	assert.True(t, arr.Index(2).Missing(), "out of range is missing")
	assert.True(t, arr.Index(-1).Missing())
	assert.True(t, arr.Key("a").Missing(), "an Array has no keys")

	m := eval.StringsMap(map[string][]string{"b": {"2"}, "a": {"1", "x"}})
	assert.Equal(t, []string{"a", "b"}, m.Keys(), "keys are sorted")
	assert.Equal(t, `{"a": ["1", "x"], "b": ["2"]}`, m.String())
	assert.Equal(t, 2, m.Key("a").Len())
	assert.True(t, m.Key("c").Missing(), "an absent key is missing")
	assert.True(t, m.Index(0).Missing(), "a Map has no positions")

	_, err := eval.Array(fields.Int, eval.Int(1), eval.String("2"))
	assert.EqualError(t, err, "element 1 is String, not Int")
	_, err = eval.Map(fields.Int, map[string]eval.Value{"k": eval.Bool(true)})
	assert.EqualError(t, err, `the value of key "k" is Bool, not Int`)
	nested, err := eval.Map(fields.ArrayOf(fields.Int), map[string]eval.Value{"k": eval.Ints(1, 2)})
	require.NoError(t, err)
	assert.Equal(t, "Map<Array<Int>>", nested.Type().String())
}
