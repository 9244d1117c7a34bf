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

func TestTrace(t *testing.T) {
	tree, err := expr.Parse(`(cf.bot_management.score lt 30) and not (cf.bot_management.verified_bot) or any(lower(http.request.headers.names[*])[*] eq "x")`)
	require.NoError(t, err)
	checked, err := expr.Check(tree, fields.Cloudflare())
	require.NoError(t, err)
	var seen []string
	f, err := eval.Config{Trace: func(x ast.Expr, v eval.Value) {
		seen = append(seen, ast.Format(x)+" = "+v.String())
	}}.Compile(checked)
	require.NoError(t, err)
	assert.True(t, f.Match(newContext(t, values{"cf.bot_management.score": eval.Int(12)})))
	assert.Equal(t, []string{
		"cf.bot_management.score = 12",
		"cf.bot_management.score lt 30 = true",
		"cf.bot_management.verified_bot = false",
		"not (cf.bot_management.verified_bot) = true",
		"(cf.bot_management.score lt 30) and not (cf.bot_management.verified_bot) = true",
		"(cf.bot_management.score lt 30) and not (cf.bot_management.verified_bot) or any(lower(http.request.headers.names[*])[*] eq \"x\") = true",
	}, seen, "or stops after its first true operand, and the trace shows it")
}
