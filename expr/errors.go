package expr

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/fields"
)

// Code classifies an Error. Codes are stable: tools match on them (they are
// the rule IDs of the CLI's SARIF output), never on message text.
type Code string

// The error codes of the parser.
const (
	ErrTooLong            Code = "too-long"             // the expression exceeds MaxLength
	ErrNestingDepth       Code = "nesting-depth"        // nesting exceeds MaxDepth
	ErrUnexpectedChar     Code = "unexpected-character" // a character no token starts with
	ErrUnterminatedString Code = "unterminated-string"  // a string with no closing quote
	ErrBadEscape          Code = "bad-escape"           // an escape a string may not hold
	ErrRawStringHashes    Code = "raw-string-hashes"    // a raw string with more than 255 #
	ErrBadName            Code = "bad-name"             // a malformed field, function or list name
	ErrUnexpectedToken    Code = "unexpected-token"     // a token where the grammar wants another
	ErrKeywordCase        Code = "keyword-case"         // AND for and
	ErrFunctionAsOperator Code = "function-as-operator" // x ends_with "y"
	ErrValuePlacement     Code = "value-placement"      // a set or list not after in, a CIDR outside a set
)

// An Error is a problem in an expression, with where it is. It is data:
// Error() renders it the way Cloudflare does, and other renderers (JSON,
// SARIF, annotations) read its fields.
type Error struct {
	Code   Code   // what kind of problem
	Offset int    // byte offset of the problem, from 0
	Len    int    // bytes the problem covers; 0 at the end of the input
	Line   int    // 1-based line of Offset
	Col    int    // 1-based column of Offset, in bytes
	Msg    string // what was expected and what was found
	Hint   string // how to fix it, if known
	src    string // the expression, for rendering
}

// Error renders e as a header with the line and column, the source line, a
// caret run under the problem, and the message:
//
//	Filter parsing error (1:28):
//	cf.bot_management.score lt
//	                           ^
//	expected a value after `lt`, found end of input
func (e *Error) Error() string {
	line, carets := Excerpt(e.src, e.Offset, e.Len)
	var b strings.Builder
	fmt.Fprintf(&b, "Filter parsing error (%d:%d):\n%s\n%s\n%s", e.Line, e.Col, line, carets, e.Msg)
	if e.Hint != "" {
		b.WriteString("; " + e.Hint)
	}
	return b.String()
}

// locate fills in the line, the column and the source of e from src.
func (e *Error) locate(src string) *Error {
	e.src = src
	e.Line, e.Col = Position(src, e.Offset)
	return e
}

func newError(code Code, off, length int, hint, format string, args ...any) *Error {
	return &Error{Code: code, Offset: off, Len: length, Msg: fmt.Sprintf(format, args...), Hint: hint}
}

// Every message of the parser is written by one of the functions below.

func errTooLong(size, limit int) *Error {
	return newError(ErrTooLong, limit, size-limit, "",
		"the expression is %d bytes long; the limit (MaxLength) is %d bytes", size, limit)
}

func errNestingDepth(off, length, limit int) *Error {
	return newError(ErrNestingDepth, off, length, "",
		"the expression nests deeper than %d levels, the limit (MaxDepth)", limit)
}

func errStringTooLong(off, size, limit int) *Error {
	return newError(ErrStringTooLong, off, size, "",
		"the string is %d bytes long; the limit (MaxStringLength) is %d bytes", size, limit)
}

func errSetTooLarge(set *ast.SetLit, limit int) *Error {
	return nodeError(ErrSetTooLarge, set, "keep long lists of values in a list and write `in $name`",
		"the set has %d elements; the limit (MaxSetSize) is %d", len(set.Elems), limit)
}

// errUnexpectedChar reports the character at the start of rest, which no
// symbol starts: the hint names the operator that starts with it (= for ==).
func errUnexpectedChar(off int, rest string) *Error {
	c, size := utf8.DecodeRuneInString(rest)
	hint := ""
	switch c {
	case '\'':
		hint = "strings are written in double quotes"
	case '#':
		hint = "an expression has no comments: write the comment on a line of its own in the file (# in a list of expressions or in YAML)"
	}
	for _, sym := range symbols {
		if sym.op != ast.OpInvalid && sym.text[0] == rest[0] {
			hint = "did you mean `" + sym.text + "`?"
			break
		}
	}
	return newError(ErrUnexpectedChar, off, size, hint, "unexpected character %s", quoteChar(c, rest[:size]))
}

func errUnterminatedString(off, end int, closing string) *Error {
	return newError(ErrUnterminatedString, off, end-off, "", "unterminated string: no closing %s", closing)
}

func errBadEscape(off int, esc string) *Error {
	return newError(ErrBadEscape, off, len(esc), "",
		"invalid escape `%s` in a string: expected `\\\"`, `\\\\`, `\\xHH` or `\\OOO`", esc)
}

func errOctalRange(off int, esc string) *Error {
	return newError(ErrBadEscape, off, len(esc), "", "octal escape `%s` is out of range: the largest is `\\377`", esc)
}

func errRawStringHashes(off, hashes int) *Error {
	return newError(ErrRawStringHashes, off, 1+hashes, "",
		"a raw string may have at most %d `#`, found %d", maxRawHashes, hashes)
}

func errTrailingDot(off, length int) *Error {
	return newError(ErrBadName, off, length, "", "a name cannot end with `.`")
}

func errEmptyListName(off int) *Error {
	return newError(ErrBadName, off, 1, "", "expected a list name after `$`")
}

func errStrictWithoutWildcard(off int) *Error {
	return newError(ErrUnexpectedToken, off, len(strictWord), "", "expected `%s` after `%s`", wildcardWord, strictWord)
}

// errExpected says what the grammar wanted at token t and what it found.
func errExpected(t token, what, hint string) *Error {
	return newError(ErrUnexpectedToken, t.Pos.Offset, len(t.Value), hint, "expected %s, found %s", what, describe(t))
}

func errKeywordCase(t token, keyword string) *Error {
	return newError(ErrKeywordCase, t.Pos.Offset, len(t.Value), fmt.Sprintf("did you mean `%s`?", keyword),
		"`%s` is not an operator: operators and keywords are lowercase", t.Value)
}

func errFunctionAsOperator(t token, call string) *Error {
	return newError(ErrFunctionAsOperator, t.Pos.Offset, len(t.Value), "write `"+call+"`",
		"`%s` is a function, not an operator", t.Value)
}

func errNotAfterIn(off, length int, what, op string) *Error {
	return newError(ErrValuePlacement, off, length, "",
		"%s can only follow `%s`, not `%s`", what, ast.OpIn, op)
}

func errCIDROutsideSet(t token, lhs string) *Error {
	return newError(ErrValuePlacement, t.Pos.Offset, len(t.Value),
		fmt.Sprintf("write `%s in {%s}`", lhs, t.Value), "a CIDR is only allowed inside a set")
}

func errInNeedsSetOrList(t token) *Error {
	in := ast.OpIn.String()
	return newError(ErrValuePlacement, t.Pos.Offset, len(t.Value), "write `"+in+" {…}` or `"+in+" $list_name`",
		"expected a set `{…}` or a list `$name` after `%s`, found %s", in, describe(t))
}

// quoteChar shows the character c, written as raw, in a message, spelling
// out the invisible ones and bytes that are not UTF-8.
func quoteChar(c rune, raw string) string {
	switch {
	case c == utf8.RuneError && len(raw) == 1:
		return fmt.Sprintf("byte 0x%02X (not UTF-8)", raw[0])
	case c < ' ' || c == 0x7f:
		return fmt.Sprintf("U+%04X", c)
	}
	return "`" + raw + "`"
}

// The error codes of the checker and the compiler.
const (
	ErrUnknownField    Code = "unknown-field"    // a name the scheme does not have
	ErrUnknownFunction Code = "unknown-function" // a call of a function the scheme does not have
	ErrNotCondition    Code = "not-condition"    // a value where a condition must stand
	ErrTypeMismatch    Code = "type-mismatch"    // an operator or function given a type it does not take
	ErrBadValue        Code = "bad-value"        // a value that does not decode as the type it must have
	ErrArgumentCount   Code = "argument-count"   // too few or too many arguments
	ErrArgumentKind    Code = "argument-kind"    // a literal where a field must be, or the reverse
	ErrStar            Code = "star"             // [*] where it may not stand
	ErrListKind        Code = "list-kind"        // a list that holds another type than its field
	ErrBadPattern      Code = "bad-pattern"      // a regular expression or wildcard that does not compile
	ErrTooManyRegexes  Code = "too-many-regexes" // more regular expressions than MaxRegexes
	ErrUnknownList     Code = "unknown-list"     // a list the lists given to the compiler lack
	ErrStringTooLong   Code = "string-too-long"  // a string literal longer than MaxStringLength
	ErrSetTooLarge     Code = "set-too-large"    // a set with more elements than MaxSetSize
	ErrRegexTooLarge   Code = "regex-too-large"  // a regular expression larger than MaxRegexSize
)

// MaxErrors is how many errors an ErrorList shows before "and N more".
const MaxErrors = 10

// An ErrorList is every error found in one expression, in source order.
type ErrorList []*Error

// Add appends an error.
func (l *ErrorList) Add(e *Error) { *l = append(*l, e) }

// Sort orders the errors by their offset; errors at one offset keep their order.
func (l ErrorList) Sort() {
	slices.SortStableFunc(l, func(a, b *Error) int { return a.Offset - b.Offset })
}

// Err returns nil for an empty list, the error itself for one, and the
// list for several.
func (l ErrorList) Err() error {
	switch len(l) {
	case 0:
		return nil
	case 1:
		return l[0]
	}
	return l
}

// Error renders up to MaxErrors errors, each as *Error renders it.
func (l ErrorList) Error() string {
	var parts []string
	for _, e := range l[:min(len(l), MaxErrors)] {
		parts = append(parts, e.Error())
	}
	if len(l) > MaxErrors {
		parts = append(parts, fmt.Sprintf("and %d more errors", len(l)-MaxErrors))
	}
	return strings.Join(parts, "\n\n")
}

// Unwrap returns the errors, so that errors.As finds an *Error in the list.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

func nodeError(code Code, n ast.Node, hint, format string, args ...any) *Error {
	return newError(code, n.Pos(), n.End()-n.Pos(), hint, format, args...)
}

func didYouMean(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return "did you mean `" + strings.Join(names, "` or `") + "`?"
}

func errUnknownField(id *ast.Ident, suggestions []string) *Error {
	return nodeError(ErrUnknownField, id, didYouMean(suggestions), "unknown field `%s`", id.Name)
}

func errFieldCalled(id *ast.Ident) *Error {
	return nodeError(ErrUnknownFunction, id, "", "`%s` is a field, not a function", id.Name)
}

func errFunctionNotCalled(id *ast.Ident) *Error {
	return nodeError(ErrNotCondition, id, "call it: `"+id.Name+"(…)`", "`%s` is a function", id.Name)
}

func errUnknownFunction(id *ast.Ident, suggestions []string) *Error {
	return nodeError(ErrUnknownFunction, id, didYouMean(suggestions), "unknown function `%s`", id.Name)
}

func errNotCondition(x ast.Expr, t ast.TypeInfo) *Error {
	hint := ""
	switch {
	case t.Mapped:
		return nodeError(ErrStar, x, "put it inside any(…) or all(…)",
			"a condition over `[*]` gives one answer per element")
	case t.Type.IsScalar():
		hint = "compare it: `" + ast.Format(x) + " eq …`"
	case t.Type.IsArray() || t.Type.IsMap():
		hint = "test its elements: `any(" + ast.Format(x) + "[*] eq …)`"
	}
	return nodeError(ErrNotCondition, x, hint, "a condition must be Bool, but `%s` is %s", ast.Format(x), t.Type)
}

func errResultType(x ast.Expr, t, want fields.Type) *Error {
	hint := ""
	if want == fields.String && t.IsScalar() {
		hint = "convert it: `to_string(" + ast.Format(x) + ")`"
	}
	return nodeError(ErrTypeMismatch, x, hint, "the value must be %s, but `%s` is %s", want, ast.Format(x), t)
}

func errMixedStar(x ast.Node) *Error {
	return nodeError(ErrStar, x, "put each part over `[*]` inside its own any(…) or all(…)",
		"a condition over `[*]` cannot be combined with a single condition")
}

func errStarArrays(op ast.Op, x, first, other ast.Expr) *Error {
	return nodeError(ErrStar, x, "put each part inside its own any(…) or all(…)",
		"conditions over `[*]` combined with `%s` must run over one array, but this one runs over `%s` and the first over `%s`",
		op, ast.Format(other), ast.Format(first))
}

func errBoolCompared(c *ast.CompareExpr) *Error {
	bare := ast.Format(c.X)
	return nodeError(ErrTypeMismatch, c, "a Boolean is used bare: write `"+bare+"` or `not "+bare+"`",
		"`%s` is not defined on Bool", c.Op)
}

func errContainerCompared(c *ast.CompareExpr, t fields.Type) *Error {
	x := ast.Format(c.X)
	hint := fmt.Sprintf("compare its elements: `any(%s[*] %s …)`, or one: `%s[0]`", x, c.Op, x)
	if t.IsMap() {
		hint = fmt.Sprintf("compare the value of one key: `%s[\"name\"]`", x)
	}
	return nodeError(ErrTypeMismatch, c.X, hint, "`%s` is %s, which `%s` cannot compare", x, t, c.Op)
}

func errOperatorType(c *ast.CompareExpr, t fields.Type, hint string) *Error {
	return newError(ErrTypeMismatch, c.OpPos, c.OpEnd-c.OpPos, hint,
		"`%s` is not defined on %s (the type of `%s`)", c.Op, t, ast.Format(c.X))
}

func errBadValue(lit *ast.Literal, t fields.Type, err error) *Error {
	return nodeError(ErrBadValue, lit, "", "expected %s: %v", article(t), err)
}

func errUnquotedString(lit *ast.Literal) *Error {
	return nodeError(ErrBadValue, lit, "write `\""+lit.Raw+"\"`", "a String value must be quoted")
}

// errFieldAsValue reports a field where a value must stand: quoting it
// would compare with its name, which is never what was meant.
func errFieldAsValue(lit *ast.Literal) *Error {
	return nodeError(ErrBadValue, lit, "compare each field with values; the language has no comparison of one field with another",
		"`%s` is a field, and a field is compared with a value, not with another field", lit.Raw)
}

func errQuotedNonString(lit *ast.Literal, t fields.Type) *Error {
	return nodeError(ErrBadValue, lit, "write it without quotes", "expected %s, found a string", article(t))
}

func errNotPattern(c *ast.CompareExpr) *Error {
	return nodeError(ErrTypeMismatch, c.Y, "", "`%s` takes a quoted pattern", c.Op)
}

func errBadRegex(lit *ast.Literal, err error) *Error {
	return nodeError(ErrBadPattern, lit, "", "invalid regular expression: %v", err)
}

func errBadWildcard(lit *ast.Literal, err error) *Error {
	return nodeError(ErrBadPattern, lit, "", "invalid wildcard pattern: %v", err)
}

func errListKind(ref *ast.ListRef, kind fields.ListKind, t fields.Type) *Error {
	return nodeError(ErrListKind, ref, "", "`$%s` is %s, which holds %s values, not %s", ref.Name, withArticle(kind.String()), kind.ElemType(), t)
}

func errUndeclaredList(ref *ast.ListRef) *Error {
	return nodeError(ErrUnknownList, ref, "declare it with the lists the rules may use", "unknown list `$%s`", ref.Name)
}

func errArgumentCount(call *ast.CallExpr, f *fields.Function) *Error {
	want := fmt.Sprint(f.MinArgs())
	switch max := f.MaxArgs(); {
	case max < 0:
		want += " or more"
	case max != f.MinArgs():
		want = fmt.Sprintf("%d to %d", f.MinArgs(), max)
	}
	noun := "arguments"
	if want == "1" {
		noun = "argument"
	}
	return nodeError(ErrArgumentCount, call, "", "%s takes %s %s, found %d", f.Name, want, noun, len(call.Args))
}

func errArgumentType(call *ast.CallExpr, i int, p fields.Param, t ast.TypeInfo) *Error {
	return nodeError(ErrTypeMismatch, call.Args[i], "", "argument %d (%s) of %s must be %s, found %s",
		i+1, p.Name, call.Fun.Name, p.Describe(), t)
}

func errArgumentNotField(call *ast.CallExpr, i int, p fields.Param) *Error {
	return nodeError(ErrArgumentKind, call.Args[i], "", "argument %d (%s) of %s must come from the request (a field or a call), not a literal",
		i+1, p.Name, call.Fun.Name)
}

func errArgumentNotLiteral(call *ast.CallExpr, i int, p fields.Param) *Error {
	return nodeError(ErrArgumentKind, call.Args[i], "", "argument %d (%s) of %s must be a literal value", i+1, p.Name, call.Fun.Name)
}

func errStarArgument(call *ast.CallExpr, i int) *Error {
	return nodeError(ErrStar, call.Args[i], "", "only the first argument of %s may be over `[*]`", call.Fun.Name)
}

func errStarTwice(ix *ast.IndexExpr) *Error {
	return newError(ErrStar, ix.Lbrack, ix.Rbrack+1-ix.Lbrack, "", "`[*]` over an element of `[*]`: one array at a time")
}

func errNotIndexable(ix *ast.IndexExpr, t fields.Type) *Error {
	return nodeError(ErrTypeMismatch, ix, "", "`%s` is %s, which cannot be indexed", ast.Format(ix.X), t)
}

func errIndexKind(ix *ast.IndexExpr, t fields.Type) *Error {
	if t.IsMap() {
		return nodeError(ErrBadValue, ix.Index, "", "a Map is indexed by a quoted key such as [\"name\"]")
	}
	return nodeError(ErrBadValue, ix.Index, "", "an Array is indexed by a whole number from 0")
}

func errTooManyRegexes(lit ast.Node, limit int) *Error {
	return nodeError(ErrTooManyRegexes, lit, "", "more than %d regular expressions in one expression, the limit (MaxRegexes)", limit)
}

// article names a type with an article: "an Int", "a String".
func article(t fields.Type) string { return withArticle(t.String()) }

func withArticle(s string) string {
	if strings.ContainsRune("AEIOU", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}
