package expr

import (
	"errors"
	"fmt"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// explain turns a parse failure into an *Error that says, in the language's
// words, what was expected where parsing stopped and what was found there.
// participle's own messages name grammar types; users never see them.
// participle's error gives only the token where parsing stopped, so explain
// reads the tokens before it to tell what was open: a set, a call, a group.
func explain(err error, tokens []token) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var perr participle.Error
	if !errors.As(err, &perr) {
		return newError(ErrUnexpectedToken, 0, 0, "", "%s", err)
	}
	i := tokenAt(tokens, perr.Position().Offset)
	t := tokens[i]
	var prev token
	if i > 0 {
		prev = tokens[i-1]
	}
	// NOT ssl stops at ssl, x AND y at AND: either way the word is the problem.
	for _, w := range []token{t, prev} {
		if lower := strings.ToLower(w.Value); w.Type == tokIdent && lower != w.Value {
			if _, ok := keywords[lower]; ok {
				return errKeywordCase(w, lower)
			}
		}
	}
	switch {
	case prev.Type == tokCompare && t.Type == tokBool:
		return errExpected(t, "a value after `"+prev.Value+"`",
			"a Boolean field is used bare: write `ssl` or `not ssl`")
	case prev.Type == tokCompare:
		return errExpected(t, "a value after `"+prev.Value+"`", "")
	case t.Value == "(" && prev.Type == tokUnquoted && i > 1 && tokens[i-2].Type == tokCompare:
		// lower(a) ne lower(b): a call where a value must stand.
		return newError(ErrValuePlacement, prev.Pos.Offset, t.Pos.Offset+1-prev.Pos.Offset,
			"a field or a call goes on the left of a comparison and a value on the right, so two results cannot be compared",
			"a function call cannot stand after `%s`: the right side of a comparison is a value", tokens[i-2].Value)
	case i == 0:
		return errExpected(t, "an expression", "")
	case prev.Type == tokLogical || prev.Type == tokNot || prev.Value == "(" || prev.Value == ",":
		return errExpected(t, "an expression after `"+prev.Value+"`", "")
	case prev.Value == "[":
		return errExpected(t, "an index (a number, a quoted key or `*`)", "")
	case i > 1 && tokens[i-2].Value == "[":
		return errExpected(t, "`]`", "")
	}
	if t.Type == tokIdent && i+1 < len(tokens) && isValueToken(tokens[i+1]) && prev.Type == tokIdent {
		return errFunctionAsOperator(t, fmt.Sprintf("%s(%s, %s)", t.Value, prev.Value, tokens[i+1].Value))
	}
	switch enclosing(tokens[:i]) {
	case "{":
		hint := ""
		if t.Value == "," {
			hint = "set elements are separated by spaces, not commas"
		}
		return errExpected(t, "a set element or `}`", hint)
	case "call":
		return errExpected(t, "an operator, `,` or `)`", "")
	case "(":
		return errExpected(t, "an operator or `)`", "")
	}
	hint := ""
	if t.Value == ")" {
		hint = "this `)` closes no `(`"
	}
	return errExpected(t, "an operator or the end of the expression", hint)
}

// tokenAt returns the index of the token that starts at off.
func tokenAt(tokens []token, off int) int {
	for i, t := range tokens {
		if t.Pos.Offset >= off {
			return i
		}
	}
	return len(tokens) - 1
}

// enclosing returns what the tokens leave open: "{" for a set, "call" for a
// function's arguments, "(" for a group, or "" at the top level.
func enclosing(tokens []token) string {
	var open []string
	for i, t := range tokens {
		if t.Type != tokPunct {
			continue
		}
		switch t.Value {
		case "{", "[":
			open = append(open, t.Value)
		case "(":
			if i > 0 && tokens[i-1].Type == tokIdent {
				open = append(open, "call")
			} else {
				open = append(open, "(")
			}
		case "}", "]", ")":
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
		}
	}
	if len(open) == 0 {
		return ""
	}
	return open[len(open)-1]
}

func isValueToken(t token) bool {
	switch t.Type {
	case tokString, tokRaw, tokUnquoted:
		return true
	}
	return false
}

// describe names a token in a message.
func describe(t token) string {
	const most = 40
	v := t.Value
	if len(v) > most {
		v = v[:most] + "…"
	}
	switch t.Type {
	case lexer.EOF:
		return "end of input"
	case tokString, tokRegex, tokRaw:
		return "string " + v
	case tokList:
		return "list `" + v + "`"
	}
	return "`" + v + "`"
}
