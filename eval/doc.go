// Package eval runs checked expressions: it compiles a checked syntax tree
// into typed closures over a Context of typed slots, and holds the built-in
// functions, the regex, wildcard, set and list matchers.
//
// The checker owns the language's errors. The compiler reads the types,
// fields, decoded literals and parsed patterns that the checker recorded in
// an ast.Checked, decodes nothing, and refuses a checked tree only for what
// the tree cannot tell, as CompileError lists.
//
// Compile turns a checked condition into a Filter and CompileValue a checked
// value expression into a Program; both are built once and shared. A Context
// holds one request's Values, set by name or by field handle, or computed by
// a Resolver the first time a rule reads them; Filter.Match and Program.Eval
// run against it.
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
