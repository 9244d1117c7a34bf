package lint

import (
	"strings"

	"github.com/edgerules/edgerules/ast"
)

// A strTest is one test of a string against literal values, in any of the
// forms the language writes it: x eq "v", x ne "v", x contains "v",
// x matches "re", x wildcard "p", x strict wildcard "p", x in {"a" "b"},
// starts_with(x, "v") and ends_with(x, "v").
type strTest struct {
	node ast.Expr       // the comparison or the call
	x    ast.Expr       // the tested side
	op   string         // the operator's canonical spelling, or the function's name
	lits []*ast.Literal // the values: one, or the elements of a set
}

// The names of the functions that test a prefix or a suffix.
const (
	startsWith = "starts_with"
	endsWith   = "ends_with"
)

// stringOps are the comparisons a strTest stands for.
var stringOps = map[ast.Op]bool{
	ast.OpEq: true, ast.OpNe: true, ast.OpContains: true, ast.OpMatches: true,
	ast.OpWildcard: true, ast.OpStrictWildcard: true, ast.OpIn: true,
}

// asStrTest returns the test n makes of a string against quoted literals.
func asStrTest(n ast.Node) (strTest, bool) {
	switch n := n.(type) {
	case *ast.CompareExpr:
		if !stringOps[n.Op] {
			return strTest{}, false
		}
		t := strTest{node: n, x: n.X, op: n.Op.String()}
		switch y := n.Y.(type) {
		case *ast.Literal:
			t.lits = []*ast.Literal{y}
		case *ast.SetLit:
			t.lits = y.Elems
		}
		return t, quoted(t.lits)
	case *ast.CallExpr:
		if (n.Fun.Name != startsWith && n.Fun.Name != endsWith) || len(n.Args) != 2 {
			return strTest{}, false
		}
		lit, ok := n.Args[1].(*ast.Literal)
		return strTest{node: n, x: n.Args[0], op: n.Fun.Name, lits: []*ast.Literal{lit}}, ok && lit.Kind.IsString()
	}
	return strTest{}, false
}

// quoted reports whether there are literals and all of them are strings.
func quoted(lits []*ast.Literal) bool {
	for _, l := range lits {
		if !l.Kind.IsString() {
			return false
		}
	}
	return len(lits) > 0
}

// render writes the test with x as its tested side, op as its operator and
// the values vals (each already quoted).
func render(x, op string, vals []string) string {
	switch op {
	case startsWith, endsWith:
		return op + "(" + x + ", " + vals[0] + ")"
	case ast.OpIn.String():
		return x + " in {" + strings.Join(vals, " ") + "}"
	}
	return x + " " + op + " " + vals[0]
}

// with writes the test with the value of lit replaced by v, the other
// values as they were written.
func (t strTest) with(lit *ast.Literal, v string) string {
	vals := make([]string, len(t.lits))
	for i, l := range t.lits {
		vals[i] = l.Raw
		if l == lit {
			vals[i] = ast.QuoteLiteral(quoteKind(l.Kind), v)
		}
	}
	return render(ast.Format(t.x), t.op, vals)
}

// quoteKind is the kind to write a changed value of kind k in: a raw
// string stays raw, a regular expression keeps its escaping.
func quoteKind(k ast.LitKind) ast.LitKind {
	if k == ast.Unquoted {
		return ast.String
	}
	return k
}

// values returns the values of the test as written.
func (t strTest) values() []string {
	vals := make([]string, len(t.lits))
	for i, l := range t.lits {
		vals[i] = l.Raw
	}
	return vals
}

// span returns the offset and length of a node.
func span(n ast.Node) (int, int) { return n.Pos(), n.End() - n.Pos() }
