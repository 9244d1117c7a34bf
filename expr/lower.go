package expr

import (
	"strings"

	"github.com/edgerules/edgerules/ast"
)

// lowerOperand turns a parsed operand into ast nodes, checking where values
// may stand: a set or a list only after in, a CIDR only inside a set.
func lowerOperand(g *operandG) (ast.Expr, error) {
	if g.Left.Call != nil && g.Left.Head.Type != tokIdent {
		return nil, unexpected(&g.Left.Call.Lparen)
	}
	x := lowerPrimary(g.Left)
	if g.Op.Type != tokCompare {
		return x, nil
	}
	opText := g.Op.Value
	if strings.ContainsAny(opText, " \t\r\n") { // strict wildcard, maybe over a line break
		opText = strings.Join(strings.Fields(opText), " ")
	}
	op, _ := ast.LookupOp(opText)
	y, err := lowerValue(g, op, opText, x)
	if err != nil {
		return nil, err
	}
	return &ast.CompareExpr{X: x, Op: op, OpPos: g.Op.Pos.Offset, OpEnd: g.Op.Pos.Offset + len(g.Op.Value), Y: y}, nil
}

func lowerPrimary(g *primaryG) ast.Expr {
	var x ast.Expr
	switch {
	case g.Call != nil:
		x = &ast.CallExpr{
			Fun:    ident(g.Head),
			Lparen: g.Call.Lparen.Pos.Offset,
			Args:   g.Call.Args,
			Rparen: g.Call.Rparen.Pos.Offset,
		}
	case g.Head.Type == tokIdent:
		x = ident(g.Head)
	default:
		x = literal(g.Head)
	}
	for _, ix := range g.Index {
		index := &ast.IndexExpr{X: x, Lbrack: ix.Lbrack.Pos.Offset, Rbrack: ix.Rbrack.Pos.Offset}
		if ix.Key.Value != "*" {
			index.Index = literal(ix.Key)
		}
		x = index
	}
	return x
}

func lowerValue(g *operandG, op ast.Op, opText string, x ast.Expr) (ast.Expr, error) {
	if g.Set != nil {
		set := &ast.SetLit{Lbrace: g.Set.Lbrace.Pos.Offset, Rbrace: g.Set.Rbrace.Pos.Offset}
		if op != ast.OpIn {
			return nil, errNotAfterIn(set.Pos(), set.End()-set.Pos(), "a set `{…}`", opText)
		}
		for _, e := range g.Set.Elems {
			set.Elems = append(set.Elems, literal(e.Tok))
		}
		return set, nil
	}
	t := g.Value
	switch {
	case t.Type == tokList && op != ast.OpIn:
		return nil, errNotAfterIn(t.Pos.Offset, len(t.Value), "a list `"+t.Value+"`", opText)
	case t.Type == tokList:
		return &ast.ListRef{DollarPos: t.Pos.Offset, Name: t.Value[1:]}, nil
	case op == ast.OpIn:
		return nil, errInNeedsSetOrList(t)
	case t.Type == tokUnquoted && strings.Contains(t.Value, "/"):
		return nil, errCIDROutsideSet(t, ast.Format(x))
	}
	return literal(t), nil
}

func ident(t token) *ast.Ident {
	return &ast.Ident{NamePos: t.Pos.Offset, Name: t.Value}
}

// literal makes a Literal of a value token, decoding a string: the scanner
// has checked its escapes and found its end, and this is the one place its
// value is computed.
func literal(t token) *ast.Literal {
	lit := &ast.Literal{Kind: ast.Unquoted, ValuePos: t.Pos.Offset, Raw: t.Value, Value: t.Value}
	switch t.Type {
	case tokString:
		lit.Kind = ast.String
		lit.Value = unquote(t.Value, false)
	case tokRegex:
		lit.Kind = ast.RegexString
		lit.Value = unquote(t.Value, true)
	case tokRaw:
		lit.Kind = ast.RawString
		lit.Value = unquoteRaw(t.Value)
	}
	return lit
}
