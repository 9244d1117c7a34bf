package ast

import "github.com/edgerules/edgerules/fields"

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
