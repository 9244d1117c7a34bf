package eval_test

import (
	"fmt"
	"testing"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUserFunctionReplacesBuiltin registers a user's function under the
// name of every built-in, taking each type of argument, and calls it with a
// field and with literals on an empty request and on a full one: the
// checker and the compiler both take the user's function, so it is what
// runs, and matching never panics.
func TestUserFunctionReplacesBuiltin(t *testing.T) {
	str, integer, boolean := fields.String, fields.Int, fields.Bool
	args := []struct {
		typ   fields.Type
		value eval.Value // the value of field x in the full request
		forms []string   // arguments besides x
	}{
		{str, eval.String("a"), []string{`"a"`, `words[0]`}},
		{integer, eval.Int(1), []string{`1`, `-1`}},
		{boolean, eval.Bool(true), []string{`true`, `not x`}},
		{fields.IP, ip("192.0.2.1"), []string{`192.0.2.1`}},
		{fields.ArrayOf(str), eval.Strings("a", "b"), []string{`words`}},
		{fields.ArrayOf(integer), eval.Ints(1, 2), nil},
		{fields.ArrayOf(boolean), array(t, boolean, eval.Bool(true), eval.Bool(false)), []string{`words[*] eq "a"`}},
		{fields.ArrayOf(fields.IP), array(t, fields.IP, ip("192.0.2.1")), nil},
		{fields.MapOf(fields.ArrayOf(str)), eval.StringsMap(map[string][]string{"k": {"v"}}), nil},
	}
	for _, name := range fields.Cloudflare().FunctionNames() {
		for _, arg := range args {
			calls := 0
			user := &fields.Function{
				Name:   name,
				Params: []fields.Param{{Name: "v", Types: []fields.Type{arg.typ}}},
				Result: str,
				Impl: eval.Func(func([]eval.Value) eval.Value {
					calls++
					return eval.String("user's " + name)
				}),
			}
			s, err := fields.NewScheme(fields.Definition{
				Fields:    map[string]fields.Type{"x": arg.typ, "words": fields.ArrayOf(str)},
				Functions: []*fields.Function{user},
			})
			require.NoError(t, err)
			empty, full := eval.NewContext(s), eval.NewContext(s)
			require.NoError(t, full.SetName("x", arg.value))
			require.NoError(t, full.SetName("words", eval.Strings("a", "b")))
			for _, form := range append([]string{"x"}, arg.forms...) {
				src := fmt.Sprintf(`%s(%s) eq "user's %s"`, name, form, name)
				f, err := expr.Compile(src, s)
				require.NoError(t, err, src)
				for _, c := range []*eval.Context{empty, full} {
					calls = 0
					assert.NotPanics(t, func() { assert.True(t, f.Match(c), src) }, src)
					assert.Equal(t, 1, calls, src)
				}
			}
		}
	}
}

func array(t *testing.T, elem fields.Type, elems ...eval.Value) eval.Value {
	v, err := eval.Array(elem, elems...)
	require.NoError(t, err)
	return v
}

// callRules call a built-in of each kind of implementation: a plain
// function, a case mapping compared letter by letter, one prepared with its
// literal arguments, and a quantifier over [*].
var callRules = []struct{ name, src string }{
	{"starts_with", `starts_with(http.request.uri.path, "/products/")`},
	{"lower", `lower(http.user_agent) contains "curl"`},
	{"cidr", `cidr(ip.src, 24, 64) eq 203.0.113.0`},
	{"any", `any(http.request.headers.names[*] eq "x-debug")`},
}

func BenchmarkCall(b *testing.B) {
	c := benchContext(b)
	if err := c.SetName("http.request.headers.names", eval.Strings("accept", "user-agent", "x-debug")); err != nil {
		b.Fatal(err)
	}
	for _, r := range callRules {
		f, err := expr.Compile(r.src, fields.Cloudflare())
		if err != nil {
			b.Fatal(err)
		}
		b.Run("compile/"+r.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := expr.Compile(r.src, fields.Cloudflare()); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("match/"+r.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				f.Match(c)
			}
		})
	}
}

// TestNestedCallsShareNoArguments: calls inside the arguments of calls,
// over array elements too, each see their own arguments, evaluation after
// evaluation, and a call costs no allocation of its arguments.
func TestNestedCallsShareNoArguments(t *testing.T) {
	s := fields.Cloudflare()
	p, err := expr.CompileValue(`concat(to_string(len(http.request.uri.path)), "-", concat(substring(http.host, 0, 3), to_string(len(concat("ab", "c")))), "-", join(http.request.headers.names, ","))`, s)
	require.NoError(t, err)
	c := eval.NewContext(s)
	for _, tc := range []struct{ path, host, want string }{
		{"/abcd", "example.com", "5-exa3-a,b"},
		{"/", "shop.example.com", "1-sho3-a,b"},
	} {
		c.Reset()
		require.NoError(t, c.SetName("http.request.uri.path", eval.String(tc.path)))
		require.NoError(t, c.SetName("http.host", eval.String(tc.host)))
		require.NoError(t, c.SetName("http.request.headers.names", eval.Strings("a", "b")))
		assert.Equal(t, tc.want, p.Eval(c).Str())
	}
	f, err := expr.Compile(`len(http.request.uri.path) lt 3 and len(http.host) lt 100`, s)
	require.NoError(t, err)
	assert.True(t, f.Match(c))
	assert.Zero(t, testing.AllocsPerRun(100, func() { f.Match(c) }))
}
