package eval

import (
	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/internal/asciicase"
)

// lower(x) eq "literal", and upper, ne and contains, are answered by
// comparing x with the literal letter by letter in the one case, without
// building the mapped string.

// A caseMap is the Impl of lower (false) and upper (true).
type caseMap bool

func (upper caseMap) compileCall(c *compiler, x *ast.CallExpr) *node {
	if upper {
		return stringMap(asciicase.Upper).compileCall(c, x)
	}
	return stringMap(asciicase.Lower).compileCall(c, x)
}

// caseMapped returns the argument of lower(x) or upper(x) and the case the
// call maps to, or nil when x is neither (or runs over [*]).
func (c *compiler) caseMapped(x ast.Expr) (arg ast.Expr, upper bool) {
	call, ok := ast.Unparen(x).(*ast.CallExpr)
	if !ok || len(call.Args) != 1 || c.checked.Types[call.Args[0]] != (ast.TypeInfo{Type: fields.String}) {
		return nil, false
	}
	m, isCaseMap := c.checked.Funcs[call].Impl.(caseMap)
	if !isCaseMap {
		return nil, false
	}
	return call.Args[0], bool(m)
}

// compareCaseMapped compiles lower(x) op k (upper(x) op k when upper).
func (c *compiler) compareCaseMapped(op ast.Op, arg ast.Expr, upper bool, k string) func(*Context) bool {
	f := c.compile(arg).s
	mapped := asciicase.Lower(k)
	if upper {
		mapped = asciicase.Upper(k)
	}
	// A letter of k in the other case never appears in the mapped value.
	possible := mapped == k
	switch op {
	case ast.OpEq:
		return func(c *Context) bool { s, ok := f(c); return ok && possible && equalMapped(s, k, upper) }
	case ast.OpNe:
		return func(c *Context) bool { s, ok := f(c); return ok && !(possible && equalMapped(s, k, upper)) }
	}
	lk := asciicase.Lower(k)
	return func(c *Context) bool { s, ok := f(c); return ok && possible && indexFold(s, lk) >= 0 }
}

// equalMapped reports whether s, mapped to one case, equals k.
func equalMapped(s, k string, upper bool) bool {
	if len(s) != len(k) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case upper && c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case !upper && c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		if c != k[i] {
			return false
		}
	}
	return true
}
