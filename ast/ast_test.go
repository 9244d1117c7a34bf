package ast_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/expr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLookupOp(t *testing.T) {
	pairs := map[string]string{
		"or": "||", "xor": "^^", "and": "&&", "not": "!", "eq": "==", "ne": "!=",
		"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "matches": "~", "bitwise_and": "&",
	}
	for english, symbol := range pairs {
		a, ok := ast.LookupOp(english)
		require.True(t, ok, english)
		b, ok := ast.LookupOp(symbol)
		require.True(t, ok, symbol)
		assert.Equal(t, a, b, "%s and %s", english, symbol)
		assert.Equal(t, english, a.String(), "the English spelling is canonical")
	}
	for _, s := range []string{"contains", "in", "wildcard", "strict wildcard"} {
		op, ok := ast.LookupOp(s)
		require.True(t, ok, s)
		assert.Equal(t, s, op.String())
		assert.True(t, op.IsComparison())
	}
	_, ok := ast.LookupOp("AND")
	assert.False(t, ok, "keywords are lowercase")
	assert.Equal(t, "invalid operator", ast.Op(999).String())
}

func TestSpellings(t *testing.T) {
	n := 0
	for op := range ast.Ops() {
		spellings := op.Spellings()
		require.NotEmpty(t, spellings, "%d", op)
		assert.Equal(t, op.String(), spellings[0], "the canonical spelling comes first")
		for _, s := range spellings {
			got, ok := ast.LookupOp(s)
			assert.True(t, ok && got == op, s)
		}
		n++
	}
	assert.Equal(t, int(ast.OpBitwiseAnd), n, "Ops yields every operator")
	assert.Nil(t, ast.OpInvalid.Spellings())
}

func TestPrecedence(t *testing.T) {
	order := []ast.Op{ast.OpOr, ast.OpXor, ast.OpAnd, ast.OpNot, ast.OpEq}
	for i := 1; i < len(order); i++ {
		assert.Less(t, order[i-1].Precedence(), order[i].Precedence(), "%s binds looser than %s", order[i-1], order[i])
	}
	assert.Equal(t, ast.OpEq.Precedence(), ast.OpStrictWildcard.Precedence())
	assert.True(t, ast.OpXor.IsLogical())
	assert.False(t, ast.OpNot.IsLogical(), "not is unary")
}

func parse(t *testing.T, src string) *ast.Filter {
	t.Helper()
	f, err := expr.Parse(src)
	require.NoError(t, err)
	return f
}

// name describes a node in a traversal.
func name(n ast.Node) string {
	switch n := n.(type) {
	case *ast.Ident:
		return n.Name
	case *ast.Literal:
		return n.Raw
	case *ast.LogicalExpr:
		return n.Op.String()
	case *ast.CompareExpr:
		return n.Op.String()
	}
	return fmt.Sprintf("%T", n)[len("*ast."):]
}

func TestInspectOrder(t *testing.T) {
	f := parse(t, `(a lt 1) and not f(b[0], x in {2}) or c in $l`)
	var seen []string
	ast.Inspect(f, func(n ast.Node) bool {
		if n != nil {
			seen = append(seen, name(n))
		}
		return true
	})
	assert.Equal(t, []string{"Filter", "or", "and", "ParenExpr", "lt", "a", "1", "NotExpr", "CallExpr", "f",
		"IndexExpr", "b", "0", "in", "x", "SetLit", "2", "in", "c", "ListRef"}, seen)
}

func TestInspectSkipsChildren(t *testing.T) {
	f := parse(t, `any(x[*] eq 1) and y eq 2`)
	var seen []string
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			return false
		}
		seen = append(seen, name(n))
		_, isCall := n.(*ast.CallExpr)
		return !isCall
	})
	assert.Equal(t, []string{"Filter", "and", "CallExpr", "eq", "y", "2"}, seen)
}

func TestPreorderStopsEarly(t *testing.T) {
	f := parse(t, `a eq 1 or b eq 2 or c eq 3`)
	var idents []string
	for n := range ast.Preorder(f) {
		if id, ok := n.(*ast.Ident); ok {
			idents = append(idents, id.Name)
			if len(idents) == 2 {
				break
			}
		}
	}
	assert.Equal(t, []string{"a", "b"}, idents)
	assert.Len(t, slices.Collect(ast.Preorder(f)), 11)
}

type foreign struct{ ast.Ident }

func TestWalkPanicsOnUnknownNodes(t *testing.T) {
	assert.PanicsWithValue(t, "ast.Walk: unexpected node type *ast_test.foreign", func() {
		ast.Inspect(&foreign{}, func(ast.Node) bool { return true })
	})
}

func TestQuoteLiteral(t *testing.T) {
	tests := []struct {
		kind       ast.LitKind
		value, out string
	}{
		{ast.String, `plain`, `"plain"`},
		{ast.String, `say "hi" \ bye`, `"say \"hi\" \\ bye"`},
		{ast.String, "tab\tnew\nline", `"tab\x09new\x0aline"`},
		{ast.String, "\xff\x00", `"\xff\x00"`},
		{ast.String, "ünï ✓", `"ünï ✓"`},
		{ast.RegexString, `^/a\.b"c$`, `"^/a\.b\"c$"`},
		{ast.RegexString, `[^"]`, `"[^\"]"`},
		{ast.RawString, `a\b`, `r"a\b"`},
		{ast.RawString, `say "hi"`, `r#"say "hi""#`},
		{ast.RawString, `a"#b`, `r##"a"#b"##`},
		{ast.Unquoted, `192.0.2.0/24`, `192.0.2.0/24`},
	}
	for _, tt := range tests {
		out := ast.QuoteLiteral(tt.kind, tt.value)
		assert.Equal(t, tt.out, out)
		if tt.kind == ast.Unquoted {
			continue
		}
		// The quoted text reads back as the same value in its context.
		op := "eq"
		if tt.kind == ast.RegexString {
			op = "matches"
		}
		f := parse(t, "x "+op+" "+out)
		lit := f.X.(*ast.CompareExpr).Y.(*ast.Literal)
		assert.Equal(t, tt.value, lit.Value)
		assert.Equal(t, tt.kind, lit.Kind)
	}
}

func TestEqualIgnoresPositionsAndParens(t *testing.T) {
	assert.True(t, ast.Equal(parse(t, `((a eq 1))`), parse(t, "  a   ==\n1")))
	assert.False(t, ast.Equal(parse(t, `a eq 1`), parse(t, `a eq 2`)))
	assert.False(t, ast.Equal(parse(t, `x eq "a"`), parse(t, `x eq r"a"`)), "the kind of string counts")
	assert.False(t, ast.Equal(parse(t, `(a and b) and c`), parse(t, `a and b and c`)))
}

func TestSpansOfHandBuiltNodes(t *testing.T) {
	b := &ast.BoolLit{ValuePos: 3, Value: false}
	assert.Equal(t, 8, b.End())
	l := &ast.ListRef{DollarPos: 10, Name: "cf.vpn"}
	assert.Equal(t, 17, l.End())
	assert.Equal(t, &ast.Ident{Name: "x"}, ast.Unparen(&ast.ParenExpr{X: &ast.ParenExpr{X: &ast.Ident{Name: "x"}}}))
}
