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
// Compiling turns every field into a slot index and folds every literal into
// the closure that uses it: sets become hash sets or sorted ranges, regular
// expressions and wildcards compile once, and patterns that are literals run
// as byte searches. A Config changes how a tree compiles: lists bound at
// compile time, a Memo shared by the filters of a ruleset, a trace of every
// value for explaining a result, the largest regular expression. Errors the
// checker cannot see (a pattern that does not compile) are CompileErrors.
//
// At run time a Context holds the request's values, set eagerly or computed
// by a resolver the first time a filter reads the field (SetResolver); a
// field the request does not carry has the missing value, on which a
// comparison is false.
package eval
