package expr

import (
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/edgerules/edgerules/ast"
)

// Parse parses an expression of the rules language into a syntax tree. It
// knows no fields: any name parses, and values stay as written until a
// checker decodes them by the type of their left side. An error is an *Error
// with the position of the first problem in src.
func Parse(src string, opts ...Option) (*ast.Filter, error) {
	return parse(src, newConfig(opts))
}

func parse(src string, cfg config) (*ast.Filter, error) {
	if len(src) > cfg.maxLength {
		return nil, errTooLong(len(src), cfg.maxLength).locate(src)
	}
	scanned := scan(src, cfg)
	x, err := parseTokens(scanned.tokens)
	// The scanner stops at its first error, so the parser sees the input end
	// there; whichever problem comes first in the text is the one reported.
	if e := scanned.err; e != nil && (err == nil || e.Offset <= err.Offset) {
		err = e
	}
	if err == nil {
		err = checkDepth(src, x, cfg.maxDepth)
	}
	if err != nil {
		return nil, err.locate(src)
	}
	return &ast.Filter{Source: src, X: x}, nil
}

// parseTokens parses a whole expression from tokens that end with EOF.
func parseTokens(tokens []token) (ast.Expr, *Error) {
	lex, err := lexer.Upgrade(&tokenList{tokens: tokens})
	if err != nil {
		return nil, explain(err, tokens)
	}
	x, err := parseExpr(lex)
	if err == nil && !lex.Peek().EOF() {
		err = unexpected(lex.Peek())
	}
	if err != nil {
		return nil, explain(err, tokens)
	}
	return x, nil
}

// checkDepth reports the first node nested deeper than limit, counting
// parentheses, not and function calls as Cloudflare's engine does.
func checkDepth(src string, x ast.Expr, limit int) *Error {
	v := &depthVisitor{src: src, limit: limit}
	ast.Walk(v, x)
	return v.err
}

// A depthVisitor counts the levels the walk is in; opened records, for each
// node on the path from the root, whether it opened a level.
type depthVisitor struct {
	src          string
	depth, limit int
	opened       []bool
	err          *Error
}

func (v *depthVisitor) Visit(n ast.Node) ast.Visitor {
	if n == nil {
		if v.opened[len(v.opened)-1] {
			v.depth--
		}
		v.opened = v.opened[:len(v.opened)-1]
		return nil
	}
	if v.err != nil {
		return nil
	}
	// The span of the token that opens a level.
	off, length := -1, 0
	switch n := n.(type) {
	case *ast.ParenExpr:
		off, length = n.Lparen, 1
	case *ast.NotExpr:
		off, length = n.OpPos, 1
		if not := ast.OpNot.String(); strings.HasPrefix(v.src[off:], not) {
			length = len(not)
		}
	case *ast.CallExpr:
		off, length = n.Pos(), n.Lparen+1-n.Pos()
	}
	if off >= 0 {
		if v.depth == v.limit {
			v.err = errNestingDepth(off, length, v.limit)
			return nil
		}
		v.depth++
	}
	v.opened = append(v.opened, off >= 0)
	return v
}
