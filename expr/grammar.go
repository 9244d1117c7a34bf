package expr

import (
	"errors"
	"io"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
	"github.com/edgerules/edgerules/ast"
)

// The grammar below the logical operators, in participle's notation. An expr
// (the logical operators or, xor, and, not, the parentheses and true/false)
// is parsed by the precedence climber in climb.go, which participle calls
// wherever the grammar asks for an ast.Expr.
//
//	operand = primary [ Compare ( set | value ) ] .
//	primary = ( Ident | String | Raw | Unquoted ) [ call ] { index } .
//	call    = "(" [ expr { "," expr } ] ")" .
//	index   = "[" ( Unquoted | String | "*" ) "]" .
//	value   = List | String | Regex | Raw | Unquoted .
//	set     = "{" { String | Raw | Unquoted } "}" .
//
// These types never leave this package: lower.go turns them into ast nodes.

type operandG struct {
	Left  *primaryG `parser:"@@"`
	Op    token     `parser:"( @Compare"`
	Set   *setG     `parser:"  ( @@"`
	Value token     `parser:"  | @(List | String | Regex | Raw | Unquoted) ) )?"`
}

type primaryG struct {
	Head  token     `parser:"@(Ident | String | Raw | Unquoted)"`
	Call  *callG    `parser:"@@?"`
	Index []*indexG `parser:"@@*"`
}

type callG struct {
	Lparen token      `parser:"@'('"`
	Args   []ast.Expr `parser:"( @@ ( ',' @@ )* )?"`
	Rparen token      `parser:"@')'"`
}

type indexG struct {
	Lbrack token `parser:"@'['"`
	Key    token `parser:"@(Unquoted | String | '*')"`
	Rbrack token `parser:"@']'"`
}

type setG struct {
	Lbrace token    `parser:"@'{'"`
	Elems  []*elemG `parser:"@@*"`
	Rbrace token    `parser:"@'}'"`
}

type elemG struct {
	Tok token `parser:"@(String | Raw | Unquoted)"`
}

// tokenTypes tells participle the names of the scanner's token types, which
// the grammar's tags use. participle never scans: parseTokens hands it the
// scanner's tokens (tokenList), so Lex, which the interface requires, is
// never called.
type tokenTypes struct{}

func (tokenTypes) Symbols() map[string]lexer.TokenType {
	return map[string]lexer.TokenType{
		"EOF": lexer.EOF, "Ident": tokIdent, "String": tokString, "Regex": tokRegex, "Raw": tokRaw,
		"Unquoted": tokUnquoted, "List": tokList, "Logical": tokLogical, "Not": tokNot,
		"Compare": tokCompare, "Bool": tokBool, "Punct": tokPunct,
	}
}

func (tokenTypes) Lex(string, io.Reader) (lexer.Lexer, error) {
	return nil, errors.New("expr: the grammar parses the scanner's tokens only")
}

// tokenList replays scanned tokens to participle; the last one is EOF.
type tokenList struct {
	tokens []token
	next   int
}

func (l *tokenList) Next() (token, error) {
	t := l.tokens[min(l.next, len(l.tokens)-1)]
	l.next++
	return t, nil
}

// operandParser parses one operand. It is built in init because the climber
// it calls for nested expressions refers to it in turn. The grammar is LL(1),
// so a branch that has taken one token is committed to (lookahead 0): an
// error is then reported where it is, not where the branch began.
var operandParser *participle.Parser[operandG]

func init() {
	operandParser = participle.MustBuild[operandG](
		participle.Lexer(tokenTypes{}),
		participle.ParseTypeWith(parseExpr),
		participle.UseLookahead(0),
	)
}
