// Package resyntax holds what the lexer, the checker, the regex compiler
// and the linter share about regular-expression syntax: where a character
// class starts, how a pattern of the language reads as Go's, and a
// pattern's anchors.
package resyntax

import (
	"errors"
	"fmt"
	"regexp/syntax"
	"strings"
)

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

// Parse parses a pattern of the language as Go's regexp package will
// compile DropUnicodeFlag(pattern): RE2 syntax with Perl's flags. An error
// names what is wrong and the part of the pattern at fault.
func Parse(pattern string) (*syntax.Regexp, error) {
	re, err := syntax.Parse(DropUnicodeFlag(pattern), syntax.Perl)
	var serr *syntax.Error
	if errors.As(err, &serr) {
		err = fmt.Errorf("%s: `%s`", serr.Code, serr.Expr)
	}
	return re, err
}

// DropUnicodeFlag returns a pattern of the language as Go reads it.
// Cloudflare's engine matches bytes unless a pattern asks for Unicode with
// the u flag; Go always matches UTF-8 and has no u flag, so u is dropped
// from flag groups: (?u) and (?iu:…) read as () and (?i:…).
func DropUnicodeFlag(p string) string {
	if !strings.Contains(p, "(?") {
		return p
	}
	var b strings.Builder
	copied := 0 // p[:copied] is in b, as Go reads it
	inClass := false
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == '\\' && i+1 < len(p):
			i++
			continue
		case !inClass && p[i] == '[':
			// A class is no place for flags: skip it whole, with a ] right
			// after [ or [^ being a member.
			i += ClassOpenLen(p[i:]) - 1
			inClass = true
			continue
		case inClass:
			inClass = p[i] != ']'
			continue
		}
		if !strings.HasPrefix(p[i:], "(?") {
			continue
		}
		// A flag group is (?flags) or (?flags:…); flags are letters and -.
		j := i + 2
		for j < len(p) && (p[j] >= 'a' && p[j] <= 'z' || p[j] >= 'A' && p[j] <= 'Z' || p[j] == '-') {
			j++
		}
		if j == len(p) || (p[j] != ')' && p[j] != ':') || !strings.Contains(p[i+2:j], "u") {
			i++
			continue
		}
		b.WriteString(p[copied:i])
		flags := strings.ReplaceAll(p[i+2:j], "u", "")
		switch {
		case p[j] == ')' && strings.Trim(flags, "-") == "":
			// (?u) alone: nothing is left of it.
		case p[j] == ':' && strings.Trim(flags, "-") == "":
			b.WriteString("(?:")
		default:
			b.WriteString("(?" + flags + string(p[j]))
		}
		i = j
		copied = j + 1
	}
	if copied == 0 {
		return p // no u flag: the pattern is Go's as it is
	}
	b.WriteString(p[copied:])
	return b.String()
}
