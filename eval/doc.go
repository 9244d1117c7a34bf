// Package eval runs checked expressions: it compiles a checked syntax tree
// into typed closures over a Context of typed slots, and holds the built-in
// functions, the regex, wildcard, set and list matchers.
//
// A tree comes from package expr (expr.Check), or a whole expression through
// expr.Compile, which ends here:
//
//	f, err := eval.Compile(checked)                          // or eval.Config{…}.Compile(checked)
//	ctx := eval.NewContext(scheme)                           // one per request; Reset and reuse it
//	ctx.SetName("cf.bot_management.score", eval.Int(12))     // or ctx.Set(field, eval.Int(12))
//	ok := f.Match(ctx)                                       // no allocation; f is safe for concurrent use
//
// Compile turns a checked condition into a Filter and CompileValue a checked
// value expression into a Program; both are built once and shared.
// Compiling turns every field into a slot index and folds every literal into
// the closure that uses it: sets become hash sets or sorted ranges, regular
// expressions and wildcards compile once, and patterns that are literals run
// as byte searches. A Config changes how a tree compiles: lists bound at
// compile time, a Memo shared by the filters of a ruleset, a trace of every
// value for explaining a result, the largest regular expression.
//
// The checker owns the language's errors. The compiler reads the types,
// fields, decoded literals and parsed patterns that the checker recorded in
// an ast.Checked, decodes nothing, and refuses a checked tree only for what
// the tree cannot tell, as CompileError lists.
//
// At run time a Context holds the request's values, set eagerly or computed
// by a resolver the first time a filter reads the field (SetResolver); a
// field the request does not carry has the missing value, on which a
// comparison is false.
//
// # Functions
//
// A function is declared in one place, a fields.Function: its signature, the
// rules its arguments are checked by and its Impl, which the compiler
// compiles every call through. The checker types a call by the declaration
// it finds in the scheme and records it; the compiler runs that same
// declaration's Impl, so checking and running cannot disagree.
//
// This package declares the built-in functions, each beside its
// implementation, and registers them with fields.RegisterBuiltins when it is
// initialised: package fields imports nothing of the module, so it cannot
// name their implementations, yet every scheme must know them.
//
// A user's function is a fields.Function in the scheme's Definition with a
// Func as its Impl. One with a built-in's name replaces the built-in for
// checking and running alike.
package eval
