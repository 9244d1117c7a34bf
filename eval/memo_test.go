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

// TestMemoSharesConditions compiles three filters that share a condition
// with a counting function: within a request it runs once, and grouping
// parentheses around it do not make it another condition.
func TestMemoSharesConditions(t *testing.T) {
	calls := 0
	probe := &fields.Function{Name: "probe", Params: []fields.Param{{Name: "x", Types: []fields.Type{fields.Int}}}, Result: fields.Bool,
		Impl: eval.Func(func(args []eval.Value) eval.Value { calls++; return eval.Bool(args[0].Int() > 10) })}
	s, err := fields.NewScheme(fields.Definition{Fields: map[string]fields.Type{"n": fields.Int, "m": fields.Int}, Functions: []*fields.Function{probe}})
	require.NoError(t, err)
	srcs := []string{`probe(n) and m eq 1`, `(probe(n)) and m eq 2`, `not (probe(n)) or m eq 3`, `m eq 4`}
	var checked []*ast.Checked
	for _, src := range srcs {
		tree, err := expr.Parse(src)
		require.NoError(t, err)
		c, err := expr.Check(tree, s)
		require.NoError(t, err)
		checked = append(checked, c)
	}
	memo := eval.NewMemo(checked)
	assert.Equal(t, 1, memo.Len(), "only probe(n) stands in more than one")
	var filters []*eval.Filter
	for _, c := range checked {
		f, err := eval.Config{Memo: memo}.Compile(c)
		require.NoError(t, err)
		filters = append(filters, f)
	}
	ctx := eval.NewContext(s)
	for _, tc := range []struct {
		n, m int64
		want []bool
	}{{20, 2, []bool{false, true, false, false}}, {5, 3, []bool{false, false, true, false}}, {50, 1, []bool{true, false, false, false}}} {
		ctx.Reset()
		require.NoError(t, ctx.SetName("n", eval.Int(tc.n)))
		require.NoError(t, ctx.SetName("m", eval.Int(tc.m)))
		calls = 0
		var got []bool
		for _, f := range filters {
			got = append(got, f.Match(ctx))
		}
		assert.Equal(t, tc.want, got, "n=%d m=%d", tc.n, tc.m)
		assert.Equal(t, 1, calls, "the shared condition runs once per request")
	}

	// A filter of another memo on the same context does not read these answers.
	other, err := eval.Config{Memo: eval.NewMemo(checked[:2])}.Compile(checked[0])
	require.NoError(t, err)
	calls = 0
	other.Match(ctx)
	filters[0].Match(ctx)
	assert.Equal(t, 2, calls, "switching memos forgets the answers")

	// Parentheses do not tell conditions apart: not (probe(n)) is shared
	// with not probe(n), besides probe(n).
	tree, err := expr.Parse(`not probe(n) and m eq 5`)
	require.NoError(t, err)
	c, err := expr.Check(tree, s)
	require.NoError(t, err)
	assert.Equal(t, 2, eval.NewMemo([]*ast.Checked{checked[2], c}).Len())
}
