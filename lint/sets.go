package lint

import (
	"fmt"
	"net/netip"
	"strconv"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/fields"
)

// valueKey returns a key that is equal for two literals exactly when they
// stand for the same value of type t: strings by their bytes, integers by
// their number (0x1f is 31), IP addresses in canonical form. It reports
// false for values it does not compare (ranges, CIDRs, other types).
func valueKey(t fields.Type, lit *ast.Literal) (string, bool) {
	switch {
	case t == fields.String && lit.Kind.IsString():
		return "s" + lit.Value, true
	case t == fields.Int && lit.Kind == ast.Unquoted:
		n, err := fields.ParseInt(lit.Raw)
		return "i" + strconv.FormatInt(n, 10), err == nil
	case t == fields.IP && lit.Kind == ast.Unquoted:
		a, err := netip.ParseAddr(lit.Raw)
		return "a" + a.Unmap().String(), err == nil
	}
	return "", false
}

// typeOf returns the type of x, or of each element for an x over [*].
func typeOf(c *ast.Checked, x ast.Expr) fields.Type {
	return c.Types[x].Type
}

// setValues flags an empty set, which no value is in, and a value a set
// already holds, often a typo for another value.
func setValues(c *ast.Checked, x *ast.CompareExpr) []Finding {
	set, ok := x.Y.(*ast.SetLit)
	if !ok || x.Op != ast.OpIn {
		return nil
	}
	if len(set.Elems) == 0 {
		off, n := span(x)
		return []Finding{{Code: EmptySet, Severity: Warning, Offset: off, Len: n,
			Message: fmt.Sprintf("`%s` never holds: no value is in an empty set", ast.Format(x)),
			Fix:     "put the values in the set, or remove the condition"}}
	}
	return duplicates(c, x, set)
}

// duplicates flags each value a set holds more than once, at its second
// occurrence, with the number of times it is there.
func duplicates(c *ast.Checked, x *ast.CompareExpr, set *ast.SetLit) []Finding {
	var second []*ast.Literal
	first := map[string]*ast.Literal{}
	count := map[*ast.Literal]int{}
	for _, lit := range set.Elems {
		key, ok := valueKey(typeOf(c, x.X), lit)
		if !ok {
			continue
		}
		f, dup := first[key]
		if !dup {
			first[key] = lit
			f = lit
		}
		if count[f]++; count[f] == 2 {
			second = append(second, lit)
		}
	}
	var out []Finding
	for _, lit := range second {
		key, _ := valueKey(typeOf(c, x.X), lit)
		f := first[key]
		msg := fmt.Sprintf("%s is already in this set, as %s", lit.Raw, f.Raw)
		if n := count[f]; n > 2 {
			msg += fmt.Sprintf(" (%d times in all)", n)
		}
		off, n := span(lit)
		out = append(out, Finding{Code: DuplicateSetValue, Severity: Warning, Offset: off, Len: n,
			Message: msg, Fix: "remove it, or write the value that was meant"})
	}
	return out
}
