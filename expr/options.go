package expr

import (
	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/fields"
)

// The default limits, as Cloudflare documents them (length) and as its
// engine sets them (depth). The compiled size of a regular expression is
// limited too, by eval.DefaultMaxRegexSize unless MaxRegexSize says otherwise.
const (
	DefaultMaxLength       = 4096  // bytes in one expression
	DefaultMaxDepth        = 128   // levels of parentheses, not and function calls
	DefaultMaxRegexes      = 64    // regular expressions in one expression
	DefaultMaxStringLength = 4096  // bytes in one string literal, quotes included
	DefaultMaxSetSize      = 10000 // elements of one set {…}
)

// An Option changes a limit or a setting of Parse, Check or Compile. Every
// function of this package takes the same options and ignores those of
// another stage, so one list of options serves the whole pipeline.
type Option struct{ set func(*config) }

// config is the settings of every stage; compile is what eval.Compile is
// given, so that the compiler's settings are the fields of eval.Config and
// nothing else.
type config struct {
	maxLength       int
	maxDepth        int
	maxRegexes      int
	maxStringLength int
	maxSetSize      int
	// declaredListsOnly makes a list the scheme does not declare an error.
	declaredListsOnly bool
	// result is the type CheckValue requires; Invalid allows any.
	result  fields.Type
	compile eval.Config
}

func newConfig(opts []Option) config {
	cfg := config{maxLength: DefaultMaxLength, maxDepth: DefaultMaxDepth, maxRegexes: DefaultMaxRegexes,
		maxStringLength: DefaultMaxStringLength, maxSetSize: DefaultMaxSetSize}
	for _, opt := range opts {
		opt.set(&cfg)
	}
	return cfg
}

// limit returns an option that sets *field(c) to n, or keeps the default
// when n is below 1.
func limit(n int, field func(c *config) *int) Option {
	return Option{func(c *config) {
		if n > 0 {
			*field(c) = n
		}
	}}
}

// The limits. Each is an option; a value below 1 keeps the default, and
// each has an error code of its own whose message names it.

// MaxLength sets the most bytes an expression may have (DefaultMaxLength);
// a longer one is the error ErrTooLong.
func MaxLength(n int) Option { return limit(n, func(c *config) *int { return &c.maxLength }) }

// MaxDepth sets how deep parentheses, not and function calls may nest
// (DefaultMaxDepth); deeper is the error ErrNestingDepth.
func MaxDepth(n int) Option { return limit(n, func(c *config) *int { return &c.maxDepth }) }

// MaxRegexes sets how many regular expressions (matches and regex_replace)
// one expression may hold (DefaultMaxRegexes); more is the error
// ErrTooManyRegexes.
func MaxRegexes(n int) Option { return limit(n, func(c *config) *int { return &c.maxRegexes }) }

// MaxStringLength sets the most bytes a string literal may have, quotes
// included (DefaultMaxStringLength); a longer one is the error
// ErrStringTooLong.
func MaxStringLength(n int) Option {
	return limit(n, func(c *config) *int { return &c.maxStringLength })
}

// MaxSetSize sets how many elements a set {…} may have (DefaultMaxSetSize);
// more is the error ErrSetTooLarge.
func MaxSetSize(n int) Option { return limit(n, func(c *config) *int { return &c.maxSetSize }) }

// MaxRegexSize sets how many instructions a regular expression may compile
// to (eval.DefaultMaxRegexSize); a larger one is the error ErrRegexTooLarge.
func MaxRegexSize(n int) Option {
	return limit(n, func(c *config) *int { return &c.compile.MaxRegexSize })
}

// DeclaredListsOnly makes `in $name` an error unless the scheme declares the
// list (fields.Definition.Lists). By default any list name is accepted,
// since lists live in the account, not in the rule.
func DeclaredListsOnly() Option { return Option{func(c *config) { c.declaredListsOnly = true }} }

// Result makes CheckValue and CompileValue require a value expression of
// type t, as the value of a header or a rewritten path must be a String.
func Result(t fields.Type) Option { return Option{func(c *config) { c.result = t }} }

// Lists binds `in $name` to lists when the expression compiles, so that
// no list is looked up by name per request; a list l lacks is then the error
// ErrUnknownList. Without it, lists come from the evaluation context
// (eval.Context.SetLists).
func Lists(l eval.Lists) Option { return Option{func(c *config) { c.compile.Lists = l }} }

// Memo makes the compiled filter share the answers of conditions with the
// other filters compiled with m: a condition they have in common runs once
// per request. Build m with eval.NewMemo over all the checked expressions.
func Memo(m *eval.Memo) Option { return Option{func(c *config) { c.compile.Memo = m }} }

// Trace makes the compiled expression report each value it computes to
// trace, in evaluation order, for explaining a result. A filter compiled
// without it pays nothing.
func Trace(trace func(x ast.Expr, v eval.Value)) Option {
	return Option{func(c *config) { c.compile.Trace = trace }}
}
