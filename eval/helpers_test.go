package eval_test

import (
	"net/netip"
	"testing"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
	"github.com/stretchr/testify/require"
)

// values are the fields of one request, by name.
type values map[string]eval.Value

func newContext(t testing.TB, vs values) *eval.Context {
	t.Helper()
	c := eval.NewContext(fields.Cloudflare())
	for name, v := range vs {
		require.NoError(t, c.SetName(name, v), name)
	}
	return c
}

// match compiles src with the standard scheme and matches it against vs.
func match(t testing.TB, src string, vs values) bool {
	t.Helper()
	f, err := expr.Compile(src, fields.Cloudflare())
	require.NoError(t, err, src)
	return f.Match(newContext(t, vs))
}

// evalValue compiles a value expression and evaluates it against vs.
func evalValue(t testing.TB, src string, vs values) eval.Value {
	t.Helper()
	p, err := expr.CompileValue(src, fields.Cloudflare())
	require.NoError(t, err, src)
	return p.Eval(newContext(t, vs))
}

func ip(s string) eval.Value { return eval.IP(netip.MustParseAddr(s)) }

func compile(t testing.TB, src string) *eval.Filter {
	t.Helper()
	f, err := expr.Compile(src, fields.Cloudflare())
	require.NoError(t, err, src)
	return f
}
