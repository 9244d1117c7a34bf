// Package wcsyntax reads the patterns of the wildcard operators, for the
// checker, which reports a bad one, and the compiler, which matches with it.
package wcsyntax

import (
	"errors"
	"strings"
)

// Split returns the literal text between the stars of a wildcard pattern,
// in which * stands for any run of bytes, \* is a star and \\ a backslash:
// one part more than there are stars. It reports a backslash before
// anything else, and two stars in a row.
func Split(pattern string) ([]string, error) {
	var parts []string
	var part strings.Builder
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; {
		case c == '\\' && i+1 < len(pattern) && (pattern[i+1] == '*' || pattern[i+1] == '\\'):
			part.WriteByte(pattern[i+1])
			i++
		case c == '\\':
			return nil, errors.New("a backslash in a wildcard pattern escapes only `*` or `\\`")
		case c == '*' && i+1 < len(pattern) && pattern[i+1] == '*':
			return nil, errors.New("`**` is not allowed in a wildcard pattern: one `*` matches any run")
		case c == '*':
			parts = append(parts, part.String())
			part.Reset()
		default:
			part.WriteByte(c)
		}
	}
	return append(parts, part.String()), nil
}
