// Package jsonesc decodes the escapes of JSON strings, for the parts of
// edgerules that walk JSON text by hand: the log decoder of replay and the
// locator that maps a rule's expression back to its bytes in a ruleset file.
package jsonesc

import (
	"unicode/utf16"
	"unicode/utf8"
)

// Decode decodes the escape whose backslash is b[i]. It returns the rune the
// escape stands for and the bytes it takes, 0 when it is malformed or cut
// short. A \u escape of a high surrogate takes the \u escape of a low one
// after it too; a surrogate without its pair stands for U+FFFD, as
// encoding/json decodes it.
func Decode(b []byte, i int) (rune, int) {
	if i+1 >= len(b) || b[i] != '\\' {
		return 0, 0
	}
	switch e := b[i+1]; e {
	case '"', '\\', '/':
		return rune(e), 2
	case 'b':
		return '\b', 2
	case 'f':
		return '\f', 2
	case 'n':
		return '\n', 2
	case 'r':
		return '\r', 2
	case 't':
		return '\t', 2
	case 'u':
		return unicode(b, i)
	}
	return 0, 0
}

func unicode(b []byte, i int) (rune, int) {
	r, ok := hex4(b, i)
	if !ok {
		return 0, 0
	}
	if !utf16.IsSurrogate(r) {
		return r, 6
	}
	if i+12 <= len(b) && b[i+6] == '\\' && b[i+7] == 'u' {
		if low, ok := hex4(b, i+6); ok {
			if pair := utf16.DecodeRune(r, low); pair != utf8.RuneError {
				return pair, 12
			}
		}
	}
	return utf8.RuneError, 6
}

// hex4 reads the four hex digits of the \u escape at i.
func hex4(b []byte, i int) (rune, bool) {
	if i+6 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i+2 : i+6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
