package eval

import "github.com/edgerules/edgerules/ast"

// DefaultMaxRegexSize is how many instructions a regular expression may
// compile to unless Config.MaxRegexSize says otherwise.
const DefaultMaxRegexSize = 100_000

// A Config holds the settings of the compiler; the zero Config is what
// Compile and CompileValue use. expr.Compile fills one from its options
// (expr.Lists, expr.Memo, expr.Trace, expr.MaxRegexSize); fill one yourself
// only to compile a checked tree here.
type Config struct {
	// Lists binds `in $name` to lists when the expression compiles, so no
	// name is looked up per request; a list missing from it is then the
	// error unknown-list. When nil, lists come from the Context.
	Lists Lists

	// Memo makes the filter share the answers of conditions with the other
	// filters compiled with the same Memo (see NewMemo).
	Memo *Memo

	// Trace, when set, is given each value the compiled expression
	// computes, in evaluation order, for explaining a result. The
	// decoration happens at compile time: a filter compiled without it pays
	// nothing.
	Trace func(x ast.Expr, v Value)

	// MaxRegexSize is how many instructions a regular expression may
	// compile to; a larger one is the error regex-too-large. Below 1 means
	// DefaultMaxRegexSize.
	MaxRegexSize int
}
