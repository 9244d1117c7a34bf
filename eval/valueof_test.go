package eval_test

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/fields"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValueOf(t *testing.T) {
	headers := fields.MapOf(fields.ArrayOf(fields.String))
	for _, c := range []struct {
		typ  fields.Type
		in   any
		want string
	}{
		{fields.String, "/api", `"/api"`},
		{fields.Int, 12, "12"},
		{fields.Int, int64(-3), "-3"},
		{fields.Int, uint64(7), "7"},
		{fields.Int, 30.0, "30"},
		{fields.Int, json.Number("99"), "99"},
		{fields.Bool, true, "true"},
		{fields.IP, "2001:db8::1", "2001:db8::1"},
		{fields.ArrayOf(fields.Int), []any{1, 2.0}, "[1, 2]"},
		{headers, map[string]any{"x-a": []any{"1", "2"}}, `{"x-a": ["1", "2"]}`},
		{fields.Int, nil, "missing"},
	} {
		v, err := eval.ValueOf(c.typ, c.in)
		require.NoError(t, err, "%s %v", c.typ, c.in)
		assert.Equal(t, c.want, v.String(), "%s %v", c.typ, c.in)
	}

	for _, c := range []struct {
		typ  fields.Type
		in   any
		want string
	}{
		{fields.Int, "12", `cannot use "12" as Int`},
		{fields.Int, 1.5, `cannot use 1.5 as Int`},
		{fields.Int, uint64(math.MaxUint64), `cannot use 18446744073709551615 as Int`},
		{fields.Int, 1e19, `cannot use 10000000000000000000 as Int`},
		{fields.Int, json.Number("1e3"), `cannot use 1e3 as Int`},
		{fields.String, 404, `cannot use 404 as String`},
		{fields.Bool, "true", `cannot use "true" as Bool`},
		{fields.IP, "10.0.0.0/8", "`10.0.0.0/8` is not an IP address"},
		{fields.ArrayOf(fields.Int), []any{1, "x"}, `element 1: cannot use "x" as Int`},
		{headers, map[string]any{"x-a": "1"}, `key "x-a": cannot use "1" as Array<String>`},
		{headers, []any{}, `cannot use [] as Map<Array<String>>`},
		{fields.String, make(chan int), `cannot use a chan int as String`},
		{fields.Int, "0123456789012345678901234567890123456789xyz", `cannot use "012345678901234567890123456789012345678… as Int`},
		{fields.ArrayOf(fields.String), []any{"a", nil}, `element 1: cannot use null as String`},
		{headers, map[string]any{"x-a": nil}, `key "x-a": cannot use null as Array<String>`},
	} {
		_, err := eval.ValueOf(c.typ, c.in)
		assert.EqualError(t, err, c.want, "%s %v", c.typ, c.in)
	}
}
