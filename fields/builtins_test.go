package fields_test

// Package eval declares the built-in functions with their implementations
// and registers them when it is initialised; the tests of schemes need them.
import _ "github.com/edgerules/edgerules/eval"
