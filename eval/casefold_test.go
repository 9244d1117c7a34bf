package eval_test

import (
	"testing"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCaseMappedComparisons checks lower(x)/upper(x) compared with a
// literal, which compile to a letter-by-letter comparison, against the
// plain path (a traced filter takes it) on many values.
func TestCaseMappedComparisons(t *testing.T) {
	rules := []string{
		`lower(http.host) eq "shop.example.com"`,
		`lower(http.host) eq "Shop.example.com"`,
		`lower(http.host) ne "shop.example.com"`,
		`upper(http.host) eq "SHOP.EXAMPLE.COM"`,
		`upper(http.host) ne "shop"`,
		`lower(http.host) contains "example"`,
		`lower(http.host) contains "EXAMPLE"`,
		`upper(http.host) contains "P.EX"`,
		`lower(http.host) eq "été"`,
		`lower(http.host) eq 61:62`,
	}
	hosts := []string{"shop.example.com", "SHOP.Example.COM", "shop.example.co", "ÉTÉ", "été", "Été", "", "x", "shop", "AB"}
	for _, src := range rules {
		tree, err := expr.Parse(src)
		require.NoError(t, err)
		checked, err := expr.Check(tree, fields.Cloudflare())
		require.NoError(t, err)
		fast, err := eval.Compile(checked)
		require.NoError(t, err)
		plain, err := eval.Config{Trace: func(ast.Expr, eval.Value) {}}.Compile(checked)
		require.NoError(t, err)
		for _, h := range hosts {
			c := newContext(t, values{"http.host": eval.String(h)})
			assert.Equal(t, plain.Match(c), fast.Match(c), "%s with host %q", src, h)
		}
		empty := newContext(t, values{})
		assert.False(t, fast.Match(empty), "%s on a missing host", src)
	}
	assert.True(t, match(t, `lower(http.host) eq "shop.example.com"`, values{"http.host": eval.String("SHOP.Example.COM")}))
	assert.False(t, match(t, `lower(http.host) eq "Shop.example.com"`, values{"http.host": eval.String("Shop.example.com")}),
		"lower() never gives a capital")
	assert.True(t, match(t, `lower(http.host) eq 61:62`, values{"http.host": eval.String("AB")}), "a byte string is its bytes, ab")
}
