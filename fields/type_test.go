package fields_test

import (
	"testing"

	"github.com/edgerules/edgerules/fields"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTypes(t *testing.T) {
	nested := fields.MapOf(fields.ArrayOf(fields.String))
	assert.Equal(t, "Map<Array<String>>", nested.String())
	assert.True(t, nested.IsMap())
	assert.Equal(t, fields.ArrayOf(fields.String), nested.Elem())
	assert.Equal(t, fields.String, nested.Elem().Elem())
	assert.Equal(t, fields.Invalid, fields.Int.Elem())
	assert.NotEqual(t, fields.ArrayOf(fields.Int), fields.MapOf(fields.Int))
	assert.True(t, fields.IP.IsScalar())
	assert.False(t, nested.IsScalar())
}

func TestParseType(t *testing.T) {
	for name, want := range map[string]fields.Type{
		"String": fields.String, "Bytes": fields.String, "Integer": fields.Int, "Number": fields.Int,
		"Boolean": fields.Bool, "IP": fields.IP, "Array<Number>": fields.ArrayOf(fields.Int),
		"Map<Array<String>>":         fields.MapOf(fields.ArrayOf(fields.String)),
		" Array< Array<Bytes> > ":    fields.ArrayOf(fields.ArrayOf(fields.String)),
		"Array<Map<Array<Boolean>>>": fields.ArrayOf(fields.MapOf(fields.ArrayOf(fields.Bool))),
	} {
		got, err := fields.ParseType(name)
		require.NoError(t, err, name)
		assert.Equal(t, want, got, name)
	}
	for _, bad := range []string{"", "Float", "Array<>", "Array<Float>", "Map<String", "array<String>",
		"Array<Array<Array<Array<Array<Array<Array<Array<Int>>>>>>>>"} {
		_, err := fields.ParseType(bad)
		assert.Error(t, err, bad)
	}
}
