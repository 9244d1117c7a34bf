package ruleset

import (
	"strings"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/expr"
)

// Canonical formats an expression as edgerules fmt does, for the tests:
// wrapped where its string shows line breaks as they are, on one line
// elsewhere, keeping the line breaks that end it. An expression that does
// not parse, or that Terraform computes, stays as it is.
func Canonical(_ *Rule, x Expression) string {
	body := strings.TrimRight(x.Text, "\n")
	tree, err := expr.Parse(body, expr.MaxLength(1<<20))
	if err != nil || x.Source != nil && x.Source.Computed() {
		return x.Text
	}
	if x.Source != nil && x.Source.Lines() {
		return ast.FormatWidth(tree, 100) + x.Text[len(body):]
	}
	return ast.Format(tree) + x.Text[len(body):]
}
