package ast

import (
	"iter"
	"slices"
)

// Op is an operator of the rules language. Every spelling of an operator
// (English and C-like) maps to one Op; String gives the canonical spelling.
// The table of spellings below is the only place the language spells its
// operators: the scanner (package expr) reads its keywords and symbols from
// it, the printer and the error messages their words.
type Op int

// The operators, loosest first within each group.
const (
	OpInvalid Op = iota

	// Logical operators.
	OpOr  // or, ||
	OpXor // xor, ^^
	OpAnd // and, &&
	OpNot // not, !

	// Comparison operators: a left side, the operator and a value.
	OpEq             // eq, ==
	OpNe             // ne, !=
	OpLt             // lt, <
	OpLe             // le, <=
	OpGt             // gt, >
	OpGe             // ge, >=
	OpContains       // contains
	OpMatches        // matches, ~
	OpIn             // in
	OpWildcard       // wildcard
	OpStrictWildcard // strict wildcard
	OpBitwiseAnd     // bitwise_and, &
)

// opSpellings lists every spelling of each operator, the canonical one first.
var opSpellings = [...][]string{
	OpOr:             {"or", "||"},
	OpXor:            {"xor", "^^"},
	OpAnd:            {"and", "&&"},
	OpNot:            {"not", "!"},
	OpEq:             {"eq", "=="},
	OpNe:             {"ne", "!="},
	OpLt:             {"lt", "<"},
	OpLe:             {"le", "<="},
	OpGt:             {"gt", ">"},
	OpGe:             {"ge", ">="},
	OpContains:       {"contains"},
	OpMatches:        {"matches", "~"},
	OpIn:             {"in"},
	OpWildcard:       {"wildcard"},
	OpStrictWildcard: {"strict wildcard"},
	OpBitwiseAnd:     {"bitwise_and", "&"},
}

var opBySpelling = func() map[string]Op {
	m := make(map[string]Op)
	for op, spellings := range opSpellings {
		for _, s := range spellings {
			m[s] = Op(op)
		}
	}
	return m
}()

// LookupOp returns the operator spelled s ("and", "&&", "strict wildcard", ...).
func LookupOp(s string) (Op, bool) {
	op, ok := opBySpelling[s]
	return op, ok
}

// Ops returns every operator, loosest first.
func Ops() iter.Seq[Op] {
	return func(yield func(Op) bool) {
		for op := OpOr; int(op) < len(opSpellings); op++ {
			if !yield(op) {
				return
			}
		}
	}
}

// Spellings returns every spelling of op, the canonical one first: "and"
// and "&&" for OpAnd.
func (op Op) Spellings() []string {
	if op <= OpInvalid || int(op) >= len(opSpellings) {
		return nil
	}
	return slices.Clone(opSpellings[op])
}

// String returns the canonical (English) spelling of op.
func (op Op) String() string {
	if op <= OpInvalid || int(op) >= len(opSpellings) {
		return "invalid operator"
	}
	return opSpellings[op][0]
}

// Precedence returns how tightly op binds: 1 for or, 2 for xor, 3 for and,
// 4 for not and 5 for the comparisons. A higher number binds tighter.
func (op Op) Precedence() int {
	switch {
	case op >= OpOr && op <= OpNot:
		return int(op)
	case op.IsComparison():
		return int(OpNot) + 1
	}
	return 0
}

// IsLogical reports whether op joins Boolean operands (or, xor, and).
func (op Op) IsLogical() bool { return op >= OpOr && op <= OpAnd }

// IsComparison reports whether op compares a left side with a value.
func (op Op) IsComparison() bool { return op >= OpEq && op <= OpBitwiseAnd }
