// Package resyntax holds what both the lexer and the regex compiler need
// to know of regular-expression syntax: where a character class starts.
package resyntax

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
