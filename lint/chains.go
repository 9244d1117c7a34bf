package lint

import (
	"fmt"
	"math"
	"strconv"

	"github.com/edgerules/edgerules/ast"
)

// Conditions that contradict each other in one and chain, or together
// always hold in one or chain, and conditions a chain repeats.

// chains calls visit with each and and or chain of x: its operator and
// its operands, with the chains of the same operator inside parentheses
// flattened into it (a and (b and c) is one chain of three).
func chains(x ast.Expr, visit func(op ast.Op, parts []ast.Expr)) {
	ast.Inspect(x, func(n ast.Node) bool {
		l, ok := n.(*ast.LogicalExpr)
		if !ok || l.Op == ast.OpXor {
			return n != nil
		}
		parts := flatten(l.Op, l)
		visit(l.Op, parts)
		for _, p := range parts {
			chains(p, visit)
		}
		return false
	})
}

// flatten returns the operands of a chain of op, through parentheses.
func flatten(op ast.Op, x ast.Expr) []ast.Expr {
	l, ok := ast.Unparen(x).(*ast.LogicalExpr)
	if !ok || l.Op != op {
		return []ast.Expr{x}
	}
	var parts []ast.Expr
	for _, p := range l.X {
		parts = append(parts, flatten(op, p)...)
	}
	return parts
}

// chainFindings lints every and and or chain of an expression.
func chainFindings(c *ast.Checked) []Finding {
	var out []Finding
	chains(c.X, func(op ast.Op, parts []ast.Expr) {
		out = append(out, repeated(op, parts)...)
		out = append(out, conflicts(c, op, parts)...)
	})
	return out
}

// repeated flags an operand that an earlier operand of the chain already
// is: it changes nothing, and often stands where another was meant.
func repeated(op ast.Op, parts []ast.Expr) []Finding {
	var out []Finding
	seen := map[string]bool{}
	for _, p := range parts {
		key := ast.Dump(ast.Unparen(p))
		if seen[key] {
			off, n := span(p)
			out = append(out, Finding{Code: Repeated, Severity: Warning, Offset: off, Len: n,
				Message: fmt.Sprintf("`%s` is already a condition of this %s", ast.Format(ast.Unparen(p)), op),
				Fix:     "remove it, or write the condition that was meant"})
		}
		seen[key] = true
	}
	return out
}

// An atom is a comparison of one side with one value that the chains
// reason about: eq, ne, lt, le, gt, ge.
type atom struct {
	node *ast.CompareExpr
	side string // the compared side's structure (ast.Dump)
	op   ast.Op
	key  string // the value's valueKey
	n    int64  // the value, for an Int
	int  bool
}

// negated maps an operator to the one that holds exactly when it does not.
var negated = map[ast.Op]ast.Op{
	ast.OpEq: ast.OpNe, ast.OpNe: ast.OpEq, ast.OpLt: ast.OpGe, ast.OpGe: ast.OpLt, ast.OpLe: ast.OpGt, ast.OpGt: ast.OpLe,
}

// asAtom returns the atom p is, if it is one. In an or chain (negate), the
// atom is the negation of p, and the compared side must always have a
// value: no index, which may be missing and then fails eq and ne alike.
func asAtom(c *ast.Checked, p ast.Expr, negate bool) (atom, bool) {
	x, ok := ast.Unparen(p).(*ast.CompareExpr)
	if !ok {
		return atom{}, false
	}
	lit, ok := x.Y.(*ast.Literal)
	op, reasoned := negated[x.Op]
	if !ok || !reasoned || (negate && hasIndex(x.X)) {
		return atom{}, false
	}
	if !negate {
		op = x.Op
	}
	t := typeOf(c, x.X)
	key, ok := valueKey(t, lit)
	a := atom{node: x, side: ast.Dump(ast.Unparen(x.X)), op: op, key: key}
	if a.int = key != "" && key[0] == 'i'; a.int {
		a.n, _ = strconv.ParseInt(key[1:], 10, 64)
	} else if op != ast.OpEq && op != ast.OpNe {
		return atom{}, false
	}
	return a, ok
}

// hasIndex reports whether x reads an index of an array or a map.
func hasIndex(x ast.Expr) bool {
	found := false
	ast.Inspect(x, func(n ast.Node) bool {
		_, isIndex := n.(*ast.IndexExpr)
		found = found || isIndex
		return !found
	})
	return found
}

// conflicts flags the atom of an and chain that no value can satisfy
// together with the earlier ones (score lt 30 and score gt 50), and the
// atom of an or chain whose negation does so, which makes the chain always
// hold (x ne "a" or x ne "b").
func conflicts(c *ast.Checked, op ast.Op, parts []ast.Expr) []Finding {
	var out []Finding
	ranges := map[string]*valueRange{}
	for _, p := range parts {
		a, ok := asAtom(c, p, op == ast.OpOr)
		if !ok {
			continue
		}
		r := ranges[a.side]
		if r == nil {
			r = newRange()
			ranges[a.side] = r
		}
		if other := r.add(a); other != nil {
			out = append(out, conflict(op, other, a.node))
			delete(ranges, a.side) // one finding per side
		}
	}
	return out
}

// conflict describes two comparisons that contradict each other (in an and
// chain) or that together always hold (in an or chain).
func conflict(op ast.Op, first, second *ast.CompareExpr) Finding {
	a, b := ast.Format(first), ast.Format(second)
	off, n := span(second)
	f := Finding{Severity: Warning, Offset: off, Len: n}
	pairOp := ast.OpEq // x eq a and x eq b: x in {a b} was meant
	if op == ast.OpOr {
		pairOp = ast.OpNe // x ne a or x ne b: not x in {a b} was meant
	}
	both := first.Op == pairOp && second.Op == pairOp
	set := fmt.Sprintf("%s in {%s %s}", ast.Format(first.X), first.Y.(*ast.Literal).Raw, second.Y.(*ast.Literal).Raw)
	if op == ast.OpAnd {
		f.Code, f.Message = Contradiction, fmt.Sprintf("`%s` and `%s` never hold together, so this and never matches", a, b)
		f.Fix = "check the values and the operators; perhaps or was meant"
		if both {
			f.Fix = "to accept either value, write `" + set + "`"
		}
		return f
	}
	f.Code, f.Message = Tautology, fmt.Sprintf("`%s` or `%s` always holds: every value satisfies one of them", a, b)
	f.Fix = "check the values and the operators; perhaps and was meant"
	if both {
		f.Fix = "to exclude both values, write `not " + set + "`"
	}
	return f
}

// A valueRange is what the atoms so far allow one side to be: an integer
// range, the value it must equal, the values it must not, and the atom that
// set each bound.
type valueRange struct {
	lo, hi     int64
	loBy, hiBy *ast.CompareExpr
	eq         string
	eqBy       *ast.CompareExpr
	ne         map[string]*ast.CompareExpr
}

func newRange() *valueRange {
	return &valueRange{lo: math.MinInt64, hi: math.MaxInt64, ne: map[string]*ast.CompareExpr{}}
}

// add narrows the range by a and returns the earlier atom that leaves no
// value with it, or nil.
func (r *valueRange) add(a atom) *ast.CompareExpr {
	switch a.op {
	case ast.OpEq:
		if r.eqBy != nil && r.eq != a.key {
			return r.eqBy
		}
		if by := r.ne[a.key]; by != nil {
			return by
		}
		r.eq, r.eqBy = a.key, a.node
		if a.int {
			return r.narrow(a.n, a.n, a.node)
		}
	case ast.OpNe:
		if r.eqBy != nil && r.eq == a.key {
			return r.eqBy
		}
		if a.int && r.lo == a.n && r.hi == a.n {
			return r.loBy
		}
		r.ne[a.key] = a.node
	case ast.OpLt:
		if a.n > math.MinInt64 {
			return r.narrow(math.MinInt64, a.n-1, a.node)
		}
	case ast.OpLe:
		return r.narrow(math.MinInt64, a.n, a.node)
	case ast.OpGt:
		if a.n < math.MaxInt64 {
			return r.narrow(a.n+1, math.MaxInt64, a.node)
		}
	case ast.OpGe:
		return r.narrow(a.n, math.MaxInt64, a.node)
	}
	return nil
}

// narrow intersects the integer range with [lo, hi] and returns the atom
// whose bound leaves it empty, or nil.
func (r *valueRange) narrow(lo, hi int64, by *ast.CompareExpr) *ast.CompareExpr {
	switch {
	case hi < r.lo:
		return r.loBy
	case lo > r.hi:
		return r.hiBy
	}
	if lo > r.lo {
		r.lo, r.loBy = lo, by
	}
	if hi < r.hi {
		r.hi, r.hiBy = hi, by
	}
	if r.lo == r.hi {
		if ne := r.ne["i"+strconv.FormatInt(r.lo, 10)]; ne != nil {
			return ne
		}
	}
	return nil
}
