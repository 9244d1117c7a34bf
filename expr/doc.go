// Package expr is the front end of the rules language: it turns the text of
// an expression into a syntax tree (Parse), types that tree against a scheme
// of fields (Check), and hands it to package eval to become a filter that
// matches requests (Compile does all three).
//
//	f, err := expr.Compile(`cf.bot_management.score lt 30 and not cf.bot_management.verified_bot`, fields.Cloudflare())
//
// # The pipeline
//
// Each stage hands the next one thing, and only Parse, Check and Compile
// are seen from outside:
//
//	source text
//	  │  scan (lexer.go): a context-sensitive scanner. After a comparison
//	  │  operator it reads a value as one token (2001:db8::1, 10.0.0.0/8);
//	  │  after matches or ~ a string follows the regex escaping rule. It
//	  │  checks strings and measures them but does not decode them, and
//	  │  stops at parentheses deeper than MaxDepth, which bounds the
//	  │  parser's recursion.
//	  ▼
//	[]token — each token's Value its source text, the last one EOF
//	  │  parseTokens (parse.go) gives the tokens to the parser:
//	  │  parseExpr (climb.go), a precedence climber, parses or, xor, and,
//	  │  not, parentheses, true and false; for each operand it calls the
//	  │  participle grammar (grammar.go: a comparison, a field, a call, an
//	  │  index, a set), and participle calls parseExpr back for a call's
//	  │  arguments. The climber lowers each operand as soon as it is parsed:
//	  ▼
//	grammar structs (operandG, …), never kept
//	  │  lowerOperand (lower.go) builds ast nodes with byte spans, decodes
//	  │  strings (the one place a string's value is computed) and refuses
//	  │  values out of place (a set not after in).
//	  ▼
//	*ast.Filter — what Parse returns, after checkDepth applies MaxDepth
//	  │  Check (check.go) binds names to the scheme's fields and functions,
//	  │  types every node and decodes each value by the type of its left
//	  │  side, reporting every error it finds.
//	  ▼
//	*ast.Checked — the tree with side tables of types and fields
//	  │  eval.Compile, with an eval.Config that this package's options fill.
//	  ▼
//	*eval.Filter (or *eval.Program for CompileValue)
//
// A failure anywhere becomes an *Error with a code, a byte offset, a line and
// a column: the scanner and lowering make them directly, explain
// (explain.go) rewords participle's errors in the language's words, the
// checker collects an ErrorList, and the compiler's errors are positioned by
// Compile. errors.go writes every message.
//
// # Options and limits
//
// Every function takes the same Options, each stage reading those it needs:
// the limits (MaxLength, MaxDepth, MaxStringLength, MaxSetSize, MaxRegexes,
// MaxRegexSize), what the checker accepts (DeclaredListsOnly, Result) and
// how the compiler binds lists and shares or reports work (Lists, Memo,
// Trace). Every limit has a default (the Default constants) and an error code
// of its own.
package expr
