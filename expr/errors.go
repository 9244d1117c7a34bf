package expr

import (
	"fmt"
	"strings"
	"unicode/utf8"
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
	text, start := lineAt(e.src, e.Offset)
	text, from, to := clip(text, e.Offset-start, e.Offset+e.Len-start)
	var b strings.Builder
	fmt.Fprintf(&b, "Filter parsing error (%d:%d):\n%s\n%s\n%s",
		e.Line, e.Col, text, caretLine(text, from, to), e.Msg)
	if e.Hint != "" {
		b.WriteString("; " + e.Hint)
	}
	return b.String()
}

// locate fills in the line, the column and the source of e from src.
func (e *Error) locate(src string) *Error {
	e.src = src
	e.Line, e.Col = locate(src, e.Offset)
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

// errUnexpectedChar reports the character at the start of rest.
func errUnexpectedChar(off int, rest string) *Error {
	hints := map[rune]string{
		'=':  "did you mean `==`?",
		'|':  "did you mean `||`?",
		'^':  "did you mean `^^`?",
		'\'': "strings are written in double quotes",
	}
	c, size := utf8.DecodeRuneInString(rest)
	return newError(ErrUnexpectedChar, off, size, hints[c], "unexpected character %s", quoteChar(c, rest[:size]))
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
	return newError(ErrUnexpectedToken, off, len("strict"), "", "expected `wildcard` after `strict`")
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
		"%s can only follow `in`, not `%s`", what, op)
}

func errCIDROutsideSet(t token, lhs string) *Error {
	return newError(ErrValuePlacement, t.Pos.Offset, len(t.Value),
		fmt.Sprintf("write `%s in {%s}`", lhs, t.Value), "a CIDR is only allowed inside a set")
}

func errInNeedsSetOrList(t token) *Error {
	return newError(ErrValuePlacement, t.Pos.Offset, len(t.Value), "write `in {…}` or `in $list_name`",
		"expected a set `{…}` or a list `$name` after `in`, found %s", describe(t))
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
