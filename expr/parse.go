package expr

import (
	"github.com/alecthomas/participle/v2/lexer"
	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/fields"
)

// The default limits, as Cloudflare documents them (length) and as its
// engine sets them (depth).
const (
	DefaultMaxLength       = 4096    // bytes in one expression
	DefaultMaxDepth        = 128     // levels of parentheses, not and function calls
	DefaultMaxRegexes      = 64      // regular expressions in one expression
	DefaultMaxStringLength = 4096    // bytes in one string literal, quotes included
	DefaultMaxSetSize      = 10000   // elements of one set {…}
	DefaultMaxRegexSize    = 100_000 // instructions one regular expression compiles to
)

// An Option changes a limit of the parser, the checker or the compiler.
type Option func(*config)

type config struct {
	maxLength       int
	maxDepth        int
	maxRegexes      int
	maxStringLength int
	maxSetSize      int
	maxRegexSize    int
	lists           eval.Lists
	// declaredListsOnly makes a list the scheme does not declare an error.
	declaredListsOnly bool
	trace             func(ast.Expr, eval.Value)
	memo              *eval.Memo
	// result is the type CheckValue requires; Invalid allows any.
	result fields.Type
}

func newConfig(opts []Option) config {
	cfg := config{maxLength: DefaultMaxLength, maxDepth: DefaultMaxDepth, maxRegexes: DefaultMaxRegexes,
		maxStringLength: DefaultMaxStringLength, maxSetSize: DefaultMaxSetSize, maxRegexSize: DefaultMaxRegexSize}
	for _, opt := range opts {
		opt(&cfg)
	}
	return cfg
}

// limit returns an option that sets one limit; a value below 1 keeps the
// default.
func limit(field func(*config) *int) func(n int) Option {
	return func(n int) Option {
		return func(c *config) {
			if n > 0 {
				*field(c) = n
			}
		}
	}
}

// The limits. Each is an option; a value below 1 keeps the default, and
// each has an error code of its own that names it.
var (
	// MaxLength sets the most bytes an expression may have (DefaultMaxLength).
	MaxLength = limit(func(c *config) *int { return &c.maxLength })
	// MaxDepth sets how deep parentheses, not and function calls may nest
	// (DefaultMaxDepth).
	MaxDepth = limit(func(c *config) *int { return &c.maxDepth })
	// MaxRegexes sets how many regular expressions (matches and
	// regex_replace) one expression may hold (DefaultMaxRegexes).
	MaxRegexes = limit(func(c *config) *int { return &c.maxRegexes })
	// MaxStringLength sets the most bytes a string literal may have, quotes
	// included (DefaultMaxStringLength).
	MaxStringLength = limit(func(c *config) *int { return &c.maxStringLength })
	// MaxSetSize sets how many elements a set {…} may have (DefaultMaxSetSize).
	MaxSetSize = limit(func(c *config) *int { return &c.maxSetSize })
	// MaxRegexSize sets how many instructions a regular expression may
	// compile to (DefaultMaxRegexSize).
	MaxRegexSize = limit(func(c *config) *int { return &c.maxRegexSize })
)

// DeclaredListsOnly makes `in $name` an error unless the scheme declares the
// list (fields.Definition.Lists). By default any list name is accepted,
// since lists live in the account, not in the rule.
func DeclaredListsOnly() Option { return func(c *config) { c.declaredListsOnly = true } }

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
		if v.src[off] == 'n' {
			length = len("not")
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
