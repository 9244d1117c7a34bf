package ast

import (
	"fmt"
	"strconv"
	"strings"
)

// Dump returns a compact one-line form of the structure of n, without
// positions and without grouping parentheses:
//
//	and{lt{cf.bot_management.score 30} not{cf.bot_management.verified_bot}}
//
// Strings are shown Go-quoted after a prefix for their kind: "" for a quoted
// string, re"" for a regex string, r"" for a raw string.
func Dump(n Node) string {
	var b strings.Builder
	dump(&b, n)
	return b.String()
}

// Equal reports whether a and b have the same structure and values,
// ignoring positions and grouping parentheses.
func Equal(a, b Node) bool { return Dump(a) == Dump(b) }

func dump(b *strings.Builder, n Node) {
	switch n := n.(type) {
	case *Filter:
		dump(b, n.X)
	case *LogicalExpr:
		b.WriteString(n.Op.String())
		dumpList(b, "{", n.X, " ", "}")
	case *NotExpr:
		b.WriteString("not{")
		dump(b, n.X)
		b.WriteByte('}')
	case *ParenExpr:
		dump(b, n.X)
	case *CompareExpr:
		b.WriteString(n.Op.String())
		dumpList(b, "{", []Expr{n.X, n.Y}, " ", "}")
	case *Ident:
		b.WriteString(n.Name)
	case *IndexExpr:
		dump(b, n.X)
		if n.Index == nil {
			b.WriteString("[*]")
		} else {
			dumpList(b, "[", []Expr{n.Index}, "", "]")
		}
	case *CallExpr:
		b.WriteString(n.Fun.Name)
		dumpList(b, "(", n.Args, ", ", ")")
	case *BoolLit:
		fmt.Fprint(b, n.Value)
	case *Literal:
		switch n.Kind {
		case Unquoted:
			b.WriteString(n.Raw)
		case String:
			b.WriteString(strconv.Quote(n.Value))
		case RegexString:
			b.WriteString("re" + strconv.Quote(n.Value))
		case RawString:
			b.WriteString("r" + strconv.Quote(n.Value))
		}
	case *SetLit:
		elems := make([]Expr, len(n.Elems))
		for i, e := range n.Elems {
			elems[i] = e
		}
		dumpList(b, "{", elems, " ", "}")
	case *ListRef:
		b.WriteString("$" + n.Name)
	default:
		panic(fmt.Sprintf("ast.Dump: unexpected node type %T", n))
	}
}

func dumpList(b *strings.Builder, open string, xs []Expr, sep, close string) {
	b.WriteString(open)
	for i, x := range xs {
		if i > 0 {
			b.WriteString(sep)
		}
		dump(b, x)
	}
	b.WriteString(close)
}
