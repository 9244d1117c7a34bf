// Package ast declares the syntax tree of the rules language: node types with
// byte spans, traversal with Walk and Inspect, and the canonical printer Format.
package ast

// Positions are byte offsets into the expression's source text, counted from 0.
// Every node covers the half-open range [Pos(), End()).

// A Node is any node of the syntax tree.
type Node interface {
	Pos() int // offset of the node's first byte
	End() int // offset just past the node's last byte
}

// An Expr is an expression node. Only this package defines expressions.
type Expr interface {
	Node
	exprNode()
}

// A Filter is a whole parsed expression with the text it was parsed from.
type Filter struct {
	Source string // the expression as given to the parser
	X      Expr   // the root expression
}

// Pos returns the offset of the root expression.
func (f *Filter) Pos() int { return f.X.Pos() }

// End returns the end offset of the root expression.
func (f *Filter) End() int { return f.X.End() }

type (
	// A LogicalExpr node represents a run of one logical operator over two or
	// more operands: a and b and c.
	LogicalExpr struct {
		Op    Op     // OpAnd, OpOr or OpXor
		X     []Expr // the operands, at least two
		OpPos []int  // offset of each operator; len(OpPos) == len(X)-1
	}

	// A NotExpr node represents a negation: not x or !x.
	NotExpr struct {
		OpPos int  // offset of "not" or "!"
		X     Expr // the negated operand
	}

	// A ParenExpr node represents a parenthesised expression.
	ParenExpr struct {
		Lparen int  // offset of "("
		X      Expr // the enclosed expression
		Rparen int  // offset of ")"
	}

	// A CompareExpr node represents a comparison of a left side with a value:
	// x lt 30, x in {1 2}, x matches "re", x in $list.
	CompareExpr struct {
		X     Expr // the left side: a field, an index or a call
		Op    Op   // a comparison operator
		OpPos int  // offset of the operator
		OpEnd int  // offset just past the operator ("strict wildcard" is two words)
		Y     Expr // the right side: *Literal, *SetLit or *ListRef
	}

	// An Ident node represents a name: a field, or a function in a CallExpr.
	Ident struct {
		NamePos int    // offset of the name
		Name    string // the dotted name, such as cf.bot_management.score
	}

	// An IndexExpr node represents an index into an array or a map: x[0],
	// x["key"], or x[*] for every element.
	IndexExpr struct {
		X      Expr     // the indexed expression
		Lbrack int      // offset of "["
		Index  *Literal // the index or key; nil for [*]
		Rbrack int      // offset of "]"
	}

	// A CallExpr node represents a function call.
	CallExpr struct {
		Fun    *Ident // the function name
		Lparen int    // offset of "("
		Args   []Expr // the arguments, possibly none
		Rparen int    // offset of ")"
	}

	// A BoolLit node represents the literal expression true or false.
	BoolLit struct {
		ValuePos int  // offset of the literal
		Value    bool // its value
	}

	// A Literal node represents a value as written: a string or an unquoted
	// value (number, IP address, CIDR, range, byte string). An unquoted value is
	// decoded only when the checker knows the type it must have.
	Literal struct {
		Kind     LitKind // how the value was written
		ValuePos int     // offset of the literal's first byte
		Raw      string  // the literal's source text, quotes included
		Value    string  // the decoded bytes of a string; Raw for an unquoted value
	}

	// A SetLit node represents an inline set of literals: {80 443}.
	SetLit struct {
		Lbrace int        // offset of "{"
		Elems  []*Literal // the elements in source order, possibly none
		Rbrace int        // offset of "}"
	}

	// A ListRef node represents a named list: $cf.open_proxies.
	ListRef struct {
		DollarPos int    // offset of "$"
		Name      string // the list's name, without "$"
	}
)

// LitKind tells how a Literal was written.
type LitKind int

// The kinds of literal.
const (
	// Unquoted is a value without quotes: 30, 0x1f, 192.0.2.0/24, 80..90, aa:bb.
	Unquoted LitKind = iota
	// String is a quoted string with the basic escapes \" \\ \xHH \OOO.
	String
	// RegexString is a quoted string on the right of matches: \" stands for a
	// quote and every other escape is kept for the regular expression.
	RegexString
	// RawString is r"…", r#"…"#, …: no escapes at all.
	RawString
)

// IsString reports whether k is one of the string kinds.
func (k LitKind) IsString() bool { return k != Unquoted }

// Pos returns the offset of the first operand.
func (x *LogicalExpr) Pos() int { return x.X[0].Pos() }

// Pos returns the offset of the operator.
func (x *NotExpr) Pos() int { return x.OpPos }

// Pos returns the offset of "(".
func (x *ParenExpr) Pos() int { return x.Lparen }

// Pos returns the offset of the left side.
func (x *CompareExpr) Pos() int { return x.X.Pos() }

// Pos returns the offset of the name.
func (x *Ident) Pos() int { return x.NamePos }

// Pos returns the offset of the indexed expression.
func (x *IndexExpr) Pos() int { return x.X.Pos() }

// Pos returns the offset of the function name.
func (x *CallExpr) Pos() int { return x.Fun.Pos() }

// Pos returns the offset of the literal.
func (x *BoolLit) Pos() int { return x.ValuePos }

// Pos returns the offset of the literal.
func (x *Literal) Pos() int { return x.ValuePos }

// Pos returns the offset of "{".
func (x *SetLit) Pos() int { return x.Lbrace }

// Pos returns the offset of "$".
func (x *ListRef) Pos() int { return x.DollarPos }

// End returns the end of the last operand.
func (x *LogicalExpr) End() int { return x.X[len(x.X)-1].End() }

// End returns the end of the operand.
func (x *NotExpr) End() int { return x.X.End() }

// End returns the offset just past ")".
func (x *ParenExpr) End() int { return x.Rparen + 1 }

// End returns the end of the value.
func (x *CompareExpr) End() int { return x.Y.End() }

// End returns the offset just past the name.
func (x *Ident) End() int { return x.NamePos + len(x.Name) }

// End returns the offset just past "]".
func (x *IndexExpr) End() int { return x.Rbrack + 1 }

// End returns the offset just past ")".
func (x *CallExpr) End() int { return x.Rparen + 1 }

// End returns the offset just past the literal.
func (x *BoolLit) End() int {
	if x.Value {
		return x.ValuePos + len("true")
	}
	return x.ValuePos + len("false")
}

// End returns the offset just past the literal.
func (x *Literal) End() int { return x.ValuePos + len(x.Raw) }

// End returns the offset just past "}".
func (x *SetLit) End() int { return x.Rbrace + 1 }

// End returns the offset just past the name.
func (x *ListRef) End() int { return x.DollarPos + 1 + len(x.Name) }

func (*LogicalExpr) exprNode() {}
func (*NotExpr) exprNode()     {}
func (*ParenExpr) exprNode()   {}
func (*CompareExpr) exprNode() {}
func (*Ident) exprNode()       {}
func (*IndexExpr) exprNode()   {}
func (*CallExpr) exprNode()    {}
func (*BoolLit) exprNode()     {}
func (*Literal) exprNode()     {}
func (*SetLit) exprNode()      {}
func (*ListRef) exprNode()     {}

// Unparen returns x with any enclosing parentheses removed.
func Unparen(x Expr) Expr {
	for {
		p, ok := x.(*ParenExpr)
		if !ok {
			return x
		}
		x = p.X
	}
}
