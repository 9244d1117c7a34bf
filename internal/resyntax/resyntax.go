// Package resyntax holds what the lexer, the regex compiler and the linter
// share about regular-expression syntax: where a character class starts,
// and a pattern's anchors.
package resyntax

import "regexp/syntax"

// ClassOpenLen returns the length of the start of a character class at the
// start of src: "[", "[^", and a "]" right after them, which is a member of
// the class, not its end.
func ClassOpenLen(src string) int {
	n := 1
	if n < len(src) && src[n] == '^' {
		n++
	}
	if n < len(src) && src[n] == ']' {
		n++
	}
	return n
}

// Anchors splits a simplified pattern into the parts between a leading ^
// and a trailing $ (as OneLine reads them: the text's start and end), and
// says which of the two it has.
func Anchors(p *syntax.Regexp) (parts []*syntax.Regexp, begin, end bool) {
	parts = []*syntax.Regexp{p}
	if p.Op == syntax.OpConcat {
		parts = p.Sub
	}
	begin = len(parts) > 0 && parts[0].Op == syntax.OpBeginText
	if begin {
		parts = parts[1:]
	}
	end = len(parts) > 0 && parts[len(parts)-1].Op == syntax.OpEndText
	if end {
		parts = parts[:len(parts)-1]
	}
	return parts, begin, end
}
