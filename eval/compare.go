package eval

import (
	"cmp"
	"net/netip"
	"strings"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/fields"
)

// Comparisons fold their value into a closure made for the operator and the
// type of the left side. A missing left side makes every comparison false,
// ne included, as Cloudflare documents.

func (c *compiler) compare(x *ast.CompareExpr) *node {
	n := c.comparison(x)
	if x.Op == ast.OpNe && c.checked.Scheme.NotEqualMissing() {
		// A missing left side makes ne true: the comparison is false only
		// when a value is there and equal.
		lhs, b := c.compile(x.X).value(), n.b
		n.b = func(c *Context) bool { return b(c) || lhs(c).Missing() }
	}
	return n
}

// comparison compiles a comparison on which a missing left side is false.
func (c *compiler) comparison(x *ast.CompareExpr) *node {
	if lit, ok := x.Y.(*ast.Literal); ok && (x.Op == ast.OpEq || x.Op == ast.OpNe || x.Op == ast.OpContains) {
		if arg, upper := c.caseMapped(x.X); arg != nil && c.trace == nil {
			return &node{t: fields.Bool, b: c.compareCaseMapped(x.Op, arg, upper, c.decoded(lit).str)}
		}
	}
	lhs := c.compile(x.X)
	var b func(*Context) bool
	switch y := x.Y.(type) {
	case *ast.ListRef:
		b = c.inList(lhs, y)
	case *ast.SetLit:
		b = inSet(lhs, c.checked.Sets[y])
	case *ast.Literal:
		v := c.decoded(y)
		switch lhs.t {
		case fields.String:
			b = c.compareString(x.Op, lhs.s, v.str, y)
		case fields.Int:
			b = compareInt(x.Op, lhs.i, v.num)
		case fields.IP:
			b = compareIP(x.Op, lhs.ip, v.ip)
		}
	}
	return (&node{t: fields.Bool, b: b}).over(lhs)
}

// ordered compares a value with the literal k by eq, ne, lt, le, gt or ge,
// each operator its own closure; it returns nil for the other operators.
func ordered[T cmp.Ordered](op ast.Op, f func(*Context) (T, bool), k T) func(*Context) bool {
	switch op {
	case ast.OpEq:
		return func(c *Context) bool { v, ok := f(c); return ok && v == k }
	case ast.OpNe:
		return func(c *Context) bool { v, ok := f(c); return ok && v != k }
	case ast.OpLt:
		return func(c *Context) bool { v, ok := f(c); return ok && v < k }
	case ast.OpLe:
		return func(c *Context) bool { v, ok := f(c); return ok && v <= k }
	case ast.OpGt:
		return func(c *Context) bool { v, ok := f(c); return ok && v > k }
	case ast.OpGe:
		return func(c *Context) bool { v, ok := f(c); return ok && v >= k }
	}
	return nil
}

func compareInt(op ast.Op, f func(*Context) (int64, bool), k int64) func(*Context) bool {
	if b := ordered(op, f, k); b != nil {
		return b
	}
	return func(c *Context) bool { n, ok := f(c); return ok && n&k != 0 } // bitwise_and
}

func compareIP(op ast.Op, f func(*Context) (netip.Addr, bool), k netip.Addr) func(*Context) bool {
	if op == ast.OpNe {
		return func(c *Context) bool { a, ok := f(c); return ok && a != k }
	}
	return func(c *Context) bool { a, ok := f(c); return ok && a == k }
}

func (c *compiler) compareString(op ast.Op, f func(*Context) (string, bool), k string, lit *ast.Literal) func(*Context) bool {
	if b := ordered(op, f, k); b != nil {
		return b
	}
	switch op {
	case ast.OpContains:
		return func(c *Context) bool { s, ok := f(c); return ok && strings.Contains(s, k) }
	case ast.OpMatches:
		re, parsed, ok := c.compileRegex(lit, k, c.checked.Regexps[lit])
		if !ok {
			return nil
		}
		match := matcher(re, parsed)
		return func(c *Context) bool { s, ok := f(c); return ok && match(s) }
	}
	// The checker has refused a pattern that does not split.
	w, _ := compileWildcard(k, op == ast.OpWildcard)
	return func(c *Context) bool { s, ok := f(c); return ok && w.match(s) }
}

// inSet tests the left side's value against the elements of a set.
func inSet(lhs *node, elems []ast.ConstRange) func(*Context) bool {
	ranges := make([]Range, len(elems))
	for i, e := range elems {
		ranges[i] = Range{fromConst(e.Lo), fromConst(e.Hi)}
	}
	switch lhs.t {
	case fields.Int:
		s, f := newIntSet(ranges), lhs.i
		return func(c *Context) bool { n, ok := f(c); return ok && s.contains(n) }
	case fields.IP:
		s, f := newIPSet(ranges), lhs.ip
		return func(c *Context) bool { a, ok := f(c); return ok && s.contains(a) }
	}
	s, f := newStringSet(ranges), lhs.s
	return func(c *Context) bool {
		str, ok := f(c)
		if !ok {
			return false
		}
		_, in := s[str]
		return in
	}
}

// inList binds a list when the compiler was given lists, and otherwise
// asks the context's lists by name at each evaluation.
func (c *compiler) inList(lhs *node, ref *ast.ListRef) func(*Context) bool {
	v := lhs.value()
	if c.lists != nil {
		l, ok := c.lists.List(ref.Name)
		if !ok {
			c.fail(ref, "unknown-list", "no list is called `$%s`", ref.Name)
			return nil
		}
		return func(c *Context) bool { x := v(c); return !x.Missing() && l.Contains(x) }
	}
	name := ref.Name
	return func(c *Context) bool {
		if c.lists == nil {
			return false
		}
		l, ok := c.lists.List(name)
		if !ok {
			return false
		}
		x := v(c)
		return !x.Missing() && l.Contains(x)
	}
}
