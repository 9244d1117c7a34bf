package lint

import (
	"regexp/syntax"
	"unicode"
)

// An alphabet-restricted value, such as the result of lower() or the path
// of a URI, never holds certain bytes. The functions here tell whether a
// literal or a pattern needs one of them, and so can never match.

// isUpper and isLower report whether r is an ASCII letter of that case:
// lower() and upper() change ASCII letters only.
func isUpper(r rune) bool { return r >= 'A' && r <= 'Z' }
func isLower(r rune) bool { return r >= 'a' && r <= 'z' }

// firstBad returns the offset of the first byte of v that bad rejects, or -1.
// The alphabets are ASCII, so bytes are enough.
func firstBad(v string, bad func(rune) bool) int {
	for i := 0; i < len(v); i++ {
		if bad(rune(v[i])) {
			return i
		}
	}
	return -1
}

// regexNeedsBad reports whether every match of the regular expression
// pattern holds a rune that bad rejects, so that it never matches a value
// without them. A pattern that does not parse here, or whose parts this
// analysis does not follow, is taken to be able to match.
func regexNeedsBad(pattern string, bad func(rune) bool) bool {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return false
	}
	return !canMatch(re.Simplify(), bad)
}

// canMatch reports whether re matches some string of runes bad accepts.
// Assertions (^, $, \b) are taken to hold.
func canMatch(re *syntax.Regexp, bad func(rune) bool) bool {
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if !runeOK(r, re.Flags&syntax.FoldCase != 0, bad) {
				return false
			}
		}
		return true
	case syntax.OpCharClass:
		return classOK(re.Rune, bad)
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if !canMatch(sub, bad) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			if canMatch(sub, bad) {
				return true
			}
		}
		return false
	case syntax.OpStar, syntax.OpQuest:
		return true
	case syntax.OpRepeat:
		return re.Min == 0 || canMatch(re.Sub[0], bad)
	case syntax.OpPlus, syntax.OpCapture:
		return canMatch(re.Sub[0], bad)
	}
	return true
}

// runeOK reports whether a literal rune (in any case, with fold) can be
// matched by a rune bad accepts.
func runeOK(r rune, fold bool, bad func(rune) bool) bool {
	if !bad(r) {
		return true
	}
	if fold {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if !bad(f) {
				return true
			}
		}
	}
	return false
}

// classOK reports whether a character class (pairs of inclusive ranges)
// holds a rune bad accepts. The alphabets reject fewer than 64 runes, so a
// longer range always holds one.
func classOK(ranges []rune, bad func(rune) bool) bool {
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		if hi-lo >= 64 {
			return true
		}
		for r := lo; r <= hi; r++ {
			if !bad(r) {
				return true
			}
		}
	}
	return false
}
