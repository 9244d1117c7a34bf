package ast

import (
	"net/netip"
	"regexp/syntax"

	"github.com/edgerules/edgerules/fields"
)

// A Checked is a Filter whose names, types and values a checker has resolved
// against a scheme. The syntax tree is unchanged; what the checker learned is
// in side tables keyed by node, so printers and linters keep working on the
// tree as parsed.
type Checked struct {
	*Filter
	Scheme *fields.Scheme
	Types  map[Expr]TypeInfo       // the type of every expression but the values of comparisons
	Fields map[*Ident]fields.Field // the field each name stands for
	Funcs  map[*CallExpr]*fields.Function
	Values map[*Literal]Const       // the value of every literal outside a set
	Sets   map[*SetLit][]ConstRange // the elements of every set, in source order
	// Regexps holds the syntax tree of the pattern on the right of every
	// matches, parsed with Perl's flags as Go's regexp reads it.
	Regexps map[*Literal]*syntax.Regexp
}

// TypeInfo is what a checker knows of an expression's type.
type TypeInfo struct {
	Type fields.Type
	// Mapped is set for an expression over [*]: it stands for each element
	// of an array in turn, and Type is the type of one element.
	Mapped bool
}

// String describes the type: String, or "each String" for a mapped one.
func (t TypeInfo) String() string {
	if t.Mapped {
		return "each " + t.Type.String() + " of [*]"
	}
	return t.Type.String()
}

// A Const is a literal decoded by the type it must have, which is a String,
// an Int or an IP: the field of Type holds the value.
type Const struct {
	Type fields.Type
	Str  string     // a String: the bytes of a string or a byte string
	Int  int64      // an Int
	IP   netip.Addr // an IP
}

// A ConstRange is what an element of a set stands for, ends included: one
// value (Lo equals Hi), or in a set of Ints or IPs a range lo..hi, or a
// CIDR.
type ConstRange struct{ Lo, Hi Const }

// LiteralArgs returns what a function's Validate reads of a call: for each
// argument that is a literal, its decoded value (a string, or an int64 for
// an Int), nil for any other argument, and nil up to params entries for
// the arguments left out.
func (c *Checked) LiteralArgs(x *CallExpr, params int) []any {
	lits := make([]any, max(params, len(x.Args)))
	for i, a := range x.Args {
		lit, ok := a.(*Literal)
		if !ok {
			continue
		}
		switch v := c.Values[lit]; v.Type {
		case fields.String:
			lits[i] = v.Str
		case fields.Int:
			lits[i] = v.Int
		}
	}
	return lits
}
