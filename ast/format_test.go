package ast_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/internal/corpus"
	"github.com/edgerules/edgerules/internal/golden"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFormatBuiltTrees checks that Format adds the parentheses a tree built
// in code needs for its structure, where it has no ParenExpr for them.
func TestFormatBuiltTrees(t *testing.T) {
	a, b, c := &ast.Ident{Name: "a"}, &ast.Ident{Name: "b"}, &ast.Ident{Name: "c"}
	and := func(x ...ast.Expr) ast.Expr { return &ast.LogicalExpr{Op: ast.OpAnd, X: x} }
	or := func(x ...ast.Expr) ast.Expr { return &ast.LogicalExpr{Op: ast.OpOr, X: x} }
	not := func(x ast.Expr) ast.Expr { return &ast.NotExpr{X: x} }
	paren := func(x ast.Expr) ast.Expr { return &ast.ParenExpr{X: x} }
	tests := []struct {
		tree ast.Expr
		want string
	}{
		{and(and(a, b), c), `(a and b) and c`},
		{and(a, and(b, c)), `a and (b and c)`},
		{or(and(a, b), c), `a and b or c`},
		{and(or(a, b), c), `(a or b) and c`},
		{and(paren(or(a, b)), c), `(a or b) and c`},
		{not(and(a, b)), `not (a and b)`},
		{not(paren(and(a, b))), `not (a and b)`},
		{not(not(a)), `not not a`},
		{paren(paren(a)), `(a)`},
		{or(paren(paren(and(a, b))), c), `(a and b) or c`},
	}
	for _, tt := range tests {
		f := &ast.Filter{X: tt.tree}
		text := ast.Format(f)
		assert.Equal(t, tt.want, text)
		again := parse(t, text)
		assert.True(t, ast.Equal(f, again), "%s: %s, then %s", text, ast.Dump(f), ast.Dump(again))
	}
}

// TestFormatWidthExample pins the example of FormatWidth's documentation.
func TestFormatWidthExample(t *testing.T) {
	f := parse(t, `(cf.bot_management.score lt 30) and not cf.bot_management.verified_bot and (http.request.uri.path contains "/login" or http.request.uri.path contains "/checkout")`)
	assert.Equal(t, `(cf.bot_management.score lt 30)
and not cf.bot_management.verified_bot
and (http.request.uri.path contains "/login"
  or http.request.uri.path contains "/checkout")`, ast.FormatWidth(f, 80))
}

// wrapCases are expressions to wrap at a width.
var wrapCases = []struct {
	width int
	src   string
}{
	{100, `(cf.bot_management.score lt 30) and not (cf.bot_management.verified_bot) and (http.request.uri.path contains "/login" or http.request.uri.path contains "/checkout")`},
	{100, `(cf.bot_management.score lt 30) and not cf.bot_management.verified_bot`},
	{40, `(a eq 1 and not b) or (c eq 2 and not d)`},
	{30, `(a eq 1 and not b) or (c eq 2 and not d)`},
	{30, `((aaaa eq 1 or bbbb eq 2) and cccc eq 3) or dddd eq 4`},
	{30, `a eq 1 or bbbbbbbb eq 2 and cccccccccccccccc eq 3`},
	{30, `not (aaaaaaaaaaaa eq 1 or bbbbbbbbbbbbbbb eq 2)`},
	{30, `(aaaaaaaaaa eq 1 and bbbbbbbbbbbbbbbbb eq 2)`},
	{30, `((aaaaaaaaaa eq 1 and bbbbbbbbbbbbbbbbb eq 2))`},
	{30, `aaaa eq 1 and (bbbb eq 2 or (cccc eq 3 and dddddddd eq 4))`},
	{30, `a xor b xor ccccccccccccccccccccccccc eq 1`},
	{20, `any(http.request.headers.names[*] in {"aaaaaaaa" "bbbbbbbb"}) or ssl`},
	{20, `f((aaaaaaaa or bbbbbbbb), cccc) and dddddddd`},
	{20, `http.host in {"aaaaaaaa.example" "bbbbbbbb.example"}`},
	{10, `(a and b) or c`},
}

// TestFormatWidth pins wrapped text in testdata/format-width.golden: the
// cases above, and the corpus expressions wider than 100 columns.
func TestFormatWidth(t *testing.T) {
	var out strings.Builder
	show := func(name string, width int, src string) {
		f := parse(t, src)
		text := ast.FormatWidth(f, width)
		checkWrapped(t, f, width, text)
		fmt.Fprintf(&out, "# %s, width %d\n%s\n\n", name, width, text)
	}
	for i, c := range wrapCases {
		show(fmt.Sprintf("case %d", i+1), c.width, c.src)
	}
	entries, err := corpus.Load()
	require.NoError(t, err)
	for _, e := range entries {
		if len(ast.Format(parse(t, e.Expr))) > 100 {
			show(fmt.Sprintf("%s:%d", e.Tag, e.Line), 100, e.Expr)
		}
	}
	golden.Check(t, "testdata/format-width.golden", out.String())
}

// TestFormatWidthInvariants wraps every corpus expression at several widths.
func TestFormatWidthInvariants(t *testing.T) {
	entries, err := corpus.Load()
	require.NoError(t, err)
	for _, e := range entries {
		f := parse(t, e.Expr)
		for _, width := range []int{0, 20, 40, 60, 80, 100, 1000} {
			checkWrapped(t, f, width, ast.FormatWidth(f, width))
		}
	}
}

// checkWrapped checks text, the wrapping of f at width: its lines without
// their leading spaces, joined with single spaces, are Format(f); no line
// ends with a space; text that fits stays on one line; and the text parses
// to a tree Equal to f that wraps to the same text again.
func checkWrapped(t *testing.T, f *ast.Filter, width int, text string) {
	t.Helper()
	lines := strings.Split(text, "\n")
	trimmed := make([]string, len(lines))
	for i, l := range lines {
		assert.False(t, strings.HasSuffix(l, " "), "line %q ends with a space", l)
		trimmed[i] = strings.TrimLeft(l, " ")
	}
	assert.Equal(t, ast.Format(f), strings.Join(trimmed, " "))
	if utf8.RuneCountInString(ast.Format(f)) <= width {
		assert.Equal(t, ast.Format(f), text, "the text fits on one line")
	}
	again, err := expr.Parse(text)
	require.NoError(t, err, "wrapped text %q does not parse", text)
	assert.True(t, ast.Equal(f, again), "wrapping changed the tree:\n%s\n%s", ast.Dump(f), ast.Dump(again))
	assert.Equal(t, text, ast.FormatWidth(again, width), "wrapping is not idempotent")
	assert.Equal(t, ast.Format(f), ast.Format(again))
}

// outerParens counts the grouping parentheses of n that Format keeps: the
// ParenExpr nodes not directly inside another ParenExpr.
func outerParens(n ast.Node) int {
	count := 0
	var parents []ast.Node
	ast.Inspect(n, func(n ast.Node) bool {
		if n == nil {
			parents = parents[:len(parents)-1]
			return true
		}
		if _, ok := n.(*ast.ParenExpr); ok {
			if _, doubled := parents[len(parents)-1].(*ast.ParenExpr); !doubled {
				count++
			}
		}
		parents = append(parents, n)
		return true
	})
	return count
}

// TestFormatCorpus checks, for every corpus expression, that the canonical
// text keeps its grouping parentheses but for doubled ones, and otherwise
// its tree, and that formatting it again changes nothing.
func TestFormatCorpus(t *testing.T) {
	entries, err := corpus.Load()
	require.NoError(t, err)
	for _, e := range entries {
		f := parse(t, e.Expr)
		text := ast.Format(f)
		again := parse(t, text)
		assert.Equal(t, outerParens(f), outerParens(again), "%s:%d: %s", e.Tag, e.Line, text)
		assert.True(t, ast.Equal(f, again), "%s:%d: %s", e.Tag, e.Line, text)
		assert.Equal(t, text, ast.Format(again), "%s:%d", e.Tag, e.Line)
	}
	assert.Equal(t, 4, outerParens(parse(t, `((a)) and not (((b)) or (c))`)), "the count leaves doubled parentheses out")
}
