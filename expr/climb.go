package expr

import (
	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
	"github.com/edgerules/edgerules/ast"
)

// parseExpr parses an expression by precedence climbing: or binds loosest,
// then xor, then and, then not. A run of one operator becomes one n-ary
// ast.LogicalExpr. Every error is a *participle.UnexpectedTokenError for the
// token where parsing stopped (worded by explain) or an *Error.
func parseExpr(lex *lexer.PeekingLexer) (ast.Expr, error) {
	return parseLevel(lex, ast.OpOr)
}

// parseLevel parses operands of op, each of which binds tighter than op.
func parseLevel(lex *lexer.PeekingLexer, op ast.Op) (ast.Expr, error) {
	operand := func() (ast.Expr, error) {
		if op == ast.OpAnd {
			return parseUnary(lex)
		}
		return parseLevel(lex, op+1)
	}
	x, err := operand()
	if err != nil {
		return nil, err
	}
	var run *ast.LogicalExpr
	for t := lex.Peek(); t.Type == tokLogical && logicalOp(t) == op; t = lex.Peek() {
		lex.Next()
		y, err := operand()
		if err != nil {
			return nil, err
		}
		if run == nil {
			run = &ast.LogicalExpr{Op: op, X: []ast.Expr{x}}
		}
		run.X = append(run.X, y)
		run.OpPos = append(run.OpPos, t.Pos.Offset)
	}
	if run == nil {
		return x, nil
	}
	return run, nil
}

func logicalOp(t *token) ast.Op {
	op, _ := ast.LookupOp(t.Value)
	return op
}

// parseUnary parses any number of not before a simple expression. It loops
// rather than recursing, so a long run of ! costs no stack.
func parseUnary(lex *lexer.PeekingLexer) (ast.Expr, error) {
	var nots []int
	for lex.Peek().Type == tokNot {
		nots = append(nots, lex.Next().Pos.Offset)
	}
	x, err := parseSimple(lex)
	if err != nil {
		return nil, err
	}
	for i := len(nots) - 1; i >= 0; i-- {
		x = &ast.NotExpr{OpPos: nots[i], X: x}
	}
	return x, nil
}

// parseSimple parses a parenthesised expression, true or false, or an
// operand (a comparison, a field or a call) with the participle grammar.
func parseSimple(lex *lexer.PeekingLexer) (ast.Expr, error) {
	t := lex.Peek()
	switch {
	case t.Type == tokPunct && t.Value == "(":
		lparen := lex.Next().Pos.Offset
		x, err := parseExpr(lex)
		if err != nil {
			return nil, err
		}
		if t := lex.Peek(); t.Type != tokPunct || t.Value != ")" {
			return nil, unexpected(t)
		}
		return &ast.ParenExpr{Lparen: lparen, X: x, Rparen: lex.Next().Pos.Offset}, nil
	case t.Type == tokBool:
		lex.Next()
		return &ast.BoolLit{ValuePos: t.Pos.Offset, Value: t.Value == "true"}, nil
	case t.Type == tokIdent || t.Type == tokString || t.Type == tokRaw || t.Type == tokUnquoted:
		g, err := operandParser.ParseFromLexer(lex, allowTrailing)
		if err != nil {
			return nil, err
		}
		return lowerOperand(g)
	}
	return nil, unexpected(t)
}

// allowTrailing lets an operand end where the climber takes over again.
var allowTrailing = participle.AllowTrailing(true)

func unexpected(t *token) error {
	return &participle.UnexpectedTokenError{Unexpected: *t}
}
