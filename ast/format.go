package ast

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Format returns the canonical text of n on one line: English operators,
// single spaces, strings quoted the canonical way, and the grouping
// parentheses of n kept as written, a doubled pair such as ((x)) printed
// once. Where a tree built in code needs parentheses for its structure but
// has no ParenExpr, Format adds them. Parsing the result gives a tree Equal
// to n with the same parentheses but for doubled ones, and formatting that
// tree gives the same text again. FormatWidth breaks the text into lines.
func Format(n Node) string {
	var b strings.Builder
	format(&b, n, 0)
	return b.String()
}

// format writes n. outer is the precedence of the operator n is an operand
// of (0 where n stands alone), which decides whether n needs parentheses.
func format(b *strings.Builder, n Node, outer int) {
	switch n := n.(type) {
	case *Filter:
		format(b, n.X, 0)
	case *LogicalExpr:
		if needParens(n, outer) {
			b.WriteByte('(')
			defer b.WriteByte(')')
		}
		for i, x := range n.X {
			if i > 0 {
				b.WriteString(" " + n.Op.String() + " ")
			}
			format(b, x, n.Op.Precedence())
		}
	case *NotExpr:
		b.WriteString(OpNot.String() + " ")
		format(b, n.X, OpNot.Precedence())
	case *ParenExpr:
		b.WriteByte('(')
		format(b, Unparen(n.X), 0)
		b.WriteByte(')')
	case *CompareExpr:
		format(b, n.X, 0)
		b.WriteString(" " + n.Op.String() + " ")
		format(b, n.Y, 0)
	case *Ident:
		b.WriteString(n.Name)
	case *IndexExpr:
		format(b, n.X, 0)
		b.WriteByte('[')
		if n.Index == nil {
			b.WriteByte('*')
		} else {
			format(b, n.Index, 0)
		}
		b.WriteByte(']')
	case *CallExpr:
		b.WriteString(n.Fun.Name)
		b.WriteByte('(')
		for i, x := range n.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			format(b, x, 0)
		}
		b.WriteByte(')')
	case *BoolLit:
		fmt.Fprint(b, n.Value)
	case *Literal:
		b.WriteString(QuoteLiteral(n.Kind, n.Value))
	case *SetLit:
		b.WriteByte('{')
		for i, x := range n.Elems {
			if i > 0 {
				b.WriteByte(' ')
			}
			format(b, x, 0)
		}
		b.WriteByte('}')
	case *ListRef:
		b.WriteString("$" + n.Name)
	default:
		panic(fmt.Sprintf("ast.Format: unexpected node type %T", n))
	}
}

// needParens reports whether x, an operand of an operator of precedence
// outer, needs parentheses it has no ParenExpr for. A logical operand of a
// tighter or equal operator does; equal because runs of one operator form
// one node, so (a and b) and c has a structure a and b and c lacks.
func needParens(x *LogicalExpr, outer int) bool { return x.Op.Precedence() <= outer }

// FormatWidth returns the text of Format(n), broken into lines where its one
// line is wider than width columns. A chain of and, or or xor that does not
// fit in the columns left is written one operand a line, each continuation
// line starting with the operator:
//
//	(cf.bot_management.score lt 30)
//	and not cf.bot_management.verified_bot
//	and (http.request.uri.path contains "/login"
//	  or http.request.uri.path contains "/checkout")
//
// The continuation lines of the outermost chain are not indented; those of
// a chain inside parentheses, or inside another chain, are indented two
// spaces for each level of nesting, and a closing parenthesis stays at the
// end of the last operand's line. Comparisons, calls, sets and the other
// parts that are not logical chains are never broken, so a line may still
// be wider than width. Columns count characters.
//
// Joining the lines, each without its leading spaces, with single spaces
// gives Format(n), and no line ends with a space (unless a raw string holds
// a line break of its own, which it keeps as it is). Parsing the result gives
// a tree Equal to n, and FormatWidth of that tree at the same width gives
// the same text again.
func FormatWidth(n Node, width int) string {
	w := wrapper{width: width}
	w.node(n, 0, 0, 0)
	return w.b.String()
}

// A wrapper writes the lines of FormatWidth.
type wrapper struct {
	b     strings.Builder
	width int // the columns a line should fit in
	col   int // the columns the current line has
}

// write writes s, which holds no line break.
func (w *wrapper) write(s string) {
	w.b.WriteString(s)
	w.col += utf8.RuneCountInString(s)
}

// node writes n, an operand of an operator of precedence outer. level is the
// nesting level a chain starting here has, and trail the number of columns
// that follow n on its last line (closing parentheses).
func (w *wrapper) node(n Node, outer, level, trail int) {
	switch n := n.(type) {
	case *Filter:
		w.node(n.X, 0, level, trail)
	case *ParenExpr:
		w.write("(")
		w.node(Unparen(n.X), 0, max(level, 1), trail+1)
		w.write(")")
	case *NotExpr:
		w.write(OpNot.String() + " ")
		w.node(n.X, OpNot.Precedence(), level, trail)
	case *LogicalExpr:
		var flat strings.Builder
		format(&flat, n, outer)
		if w.col+utf8.RuneCountInString(flat.String())+trail <= w.width {
			w.write(flat.String())
			return
		}
		if needParens(n, outer) {
			w.write("(")
			level, trail = max(level, 1), trail+1
			defer w.write(")")
		}
		for i, x := range n.X {
			xtrail := 0
			if i > 0 {
				w.b.WriteString("\n" + strings.Repeat(" ", 2*level))
				w.col = 2 * level
				w.write(n.Op.String() + " ")
			}
			if i == len(n.X)-1 {
				xtrail = trail
			}
			w.node(x, n.Op.Precedence(), level+1, xtrail)
		}
	default:
		var flat strings.Builder
		format(&flat, n, outer)
		w.write(flat.String())
	}
}

// QuoteLiteral returns the canonical source text of a literal of kind k whose
// decoded value is v. An Unquoted value is returned as it is.
func QuoteLiteral(k LitKind, v string) string {
	switch k {
	case String:
		return quoteString(v)
	case RegexString:
		return quoteRegex(v)
	case RawString:
		return quoteRaw(v)
	}
	return v
}

// quoteString escapes a quote, a backslash and every byte that is not part
// of a printable character as \xHH.
func quoteString(v string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(v); {
		r, size := utf8.DecodeRuneInString(v[i:])
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == utf8.RuneError || !unicode.IsPrint(r):
			for _, c := range []byte(v[i : i+size]) {
				fmt.Fprintf(&b, `\x%02x`, c)
			}
		default:
			b.WriteString(v[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
	return b.String()
}

// quoteRegex writes a regular expression for the right side of matches,
// where \" stands for a quote and every other escape pair is the pattern's.
func quoteRegex(v string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '"':
			b.WriteString(`\"`)
		case c == '\\' && i+1 < len(v):
			b.WriteString(v[i : i+2])
			i++
		case c == '\\':
			b.WriteString(`\\`) // a lone final backslash; no parsed pattern has one
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// quoteRaw writes a raw string with the fewest # that let it end where v ends.
func quoteRaw(v string) string {
	hashes := ""
	for strings.Contains(v, `"`+hashes) {
		hashes += "#"
	}
	return "r" + hashes + `"` + v + `"` + hashes
}
