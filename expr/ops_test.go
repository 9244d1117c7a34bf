package expr_test

import (
	"testing"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/expr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEverySpellingParses checks that the scanner reads every spelling of
// ast.Op's table, and as its operator: the table is the lexer's source.
func TestEverySpellingParses(t *testing.T) {
	for op := range ast.Ops() {
		for _, s := range op.Spellings() {
			var src string
			switch {
			case op == ast.OpNot:
				src = s + " a"
			case op.IsLogical():
				src = "a " + s + " b"
			case op == ast.OpIn:
				src = `a ` + s + ` {"x"}`
			default:
				src = `a ` + s + ` "x"`
			}
			tree, err := expr.Parse(src)
			require.NoError(t, err, src)
			var got ast.Op
			switch x := tree.X.(type) {
			case *ast.NotExpr:
				got = ast.OpNot
			case *ast.LogicalExpr:
				got = x.Op
			case *ast.CompareExpr:
				got = x.Op
			}
			assert.Equal(t, op, got, src)
		}
	}
}
