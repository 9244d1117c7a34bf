package eval

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"

	"github.com/edgerules/edgerules/internal/asciicase"
	"github.com/edgerules/edgerules/internal/resyntax"
)

// Most patterns in rules are literals in disguise: "^/api", "\.php$",
// "(?i)(curl|wget|python-requests)". compileMatcher answers those by byte
// search, and puts a search for a literal every match must contain in front
// of the others. Either way the answer is exactly regexp's: the fast path
// takes only patterns of ASCII literals, and falls back to regexp where
// Unicode case folding could see what ASCII folding does not.

// maxLiterals bounds how many strings a pattern may expand to.
const maxLiterals = 64

// matcher returns a function that reports whether a compiled pattern
// matches anywhere in a value, by the fastest way that gives its answer.
func matcher(re *regexp.Regexp, parsed *syntax.Regexp) func(string) bool {
	if m := literalMatcher(parsed, re); m != nil {
		return m
	}
	if lit := requiredLiteral(parsed); lit != "" {
		return func(s string) bool { return strings.Contains(s, lit) && re.MatchString(s) }
	}
	return re.MatchString
}

// literalMatcher answers a pattern that is a set of ASCII literals,
// optionally anchored at either end, by searching for them.
func literalMatcher(p *syntax.Regexp, re *regexp.Regexp) func(string) bool {
	parts, begin, end := resyntax.Anchors(p)
	lits, fold, ok := expand(&syntax.Regexp{Op: syntax.OpConcat, Sub: parts})
	if !ok {
		return nil
	}
	set := newLiteralSet(lits, fold)
	search := set.search(begin, end)
	if !fold || !set.unicodeFolds {
		return search
	}
	// A k or an s also matches the Kelvin sign or the long s under
	// Unicode folding: only an ASCII value is safe to search.
	return func(s string) bool {
		if isASCII(s) {
			return search(s)
		}
		return re.MatchString(s)
	}
}

// expand turns a finite pattern of literals, concatenations, alternations,
// groups and small character classes into the strings it matches. fold is
// set when they match ignoring case; a pattern mixing both is refused.
func expand(p *syntax.Regexp) (lits []string, fold bool, ok bool) {
	foldSeen, caseSeen := false, false
	var walk func(p *syntax.Regexp) ([]string, bool)
	walk = func(p *syntax.Regexp) ([]string, bool) {
		switch p.Op {
		case syntax.OpEmptyMatch:
			return []string{""}, true
		case syntax.OpLiteral:
			if p.Flags&syntax.FoldCase != 0 {
				foldSeen = true
			} else {
				caseSeen = true
			}
			s := string(p.Rune)
			return []string{s}, isASCII(s)
		case syntax.OpCharClass:
			var out []string
			for i := 0; i+1 < len(p.Rune); i += 2 {
				for r := p.Rune[i]; r <= p.Rune[i+1]; r++ {
					if r >= 0x80 || len(out) == maxLiterals {
						return nil, false
					}
					out = append(out, string(r))
				}
			}
			caseSeen = true
			return out, true
		case syntax.OpCapture:
			return walk(p.Sub[0])
		case syntax.OpAlternate:
			var out []string
			for _, sub := range p.Sub {
				s, ok := walk(sub)
				if !ok || len(out)+len(s) > maxLiterals {
					return nil, false
				}
				out = append(out, s...)
			}
			return out, true
		case syntax.OpConcat:
			out := []string{""}
			for _, sub := range p.Sub {
				s, ok := walk(sub)
				if !ok || len(out)*len(s) > maxLiterals {
					return nil, false
				}
				var next []string
				for _, a := range out {
					for _, b := range s {
						next = append(next, a+b)
					}
				}
				out = next
			}
			return out, true
		}
		return nil, false
	}
	lits, ok = walk(p)
	if !ok || foldSeen && caseSeen {
		return nil, false, false
	}
	return lits, foldSeen, true
}

// requiredLiteral returns the longest case-sensitive literal of a
// concatenation: every match contains it.
func requiredLiteral(p *syntax.Regexp) string {
	parts := []*syntax.Regexp{p}
	if p.Op == syntax.OpConcat {
		parts = p.Sub
	}
	best := ""
	for _, part := range parts {
		if part.Op == syntax.OpLiteral && part.Flags&syntax.FoldCase == 0 && len(string(part.Rune)) > len(best) {
			best = string(part.Rune)
		}
	}
	return best
}

// A literalSet searches a value for any of its literals.
type literalSet struct {
	lits         []string // lowered when fold
	fold         bool
	unicodeFolds bool      // a letter of a literal has a non-ASCII case partner
	first        [256]bool // the first bytes of the literals
	empty        bool      // the empty string is one of them
}

func newLiteralSet(lits []string, fold bool) *literalSet {
	set := &literalSet{fold: fold}
	seen := map[string]bool{}
	for _, l := range lits {
		if fold {
			l = asciicase.Lower(l)
		}
		if seen[l] {
			continue
		}
		seen[l] = true
		set.lits = append(set.lits, l)
		if l == "" {
			set.empty = true
			continue
		}
		set.first[l[0]] = true
		for _, r := range l {
			set.unicodeFolds = set.unicodeFolds || hasNonASCIIFold(r)
		}
	}
	return set
}

// hasNonASCIIFold reports whether r has a case partner outside ASCII, as k
// has the Kelvin sign.
func hasNonASCIIFold(r rune) bool {
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f >= 0x80 {
			return true
		}
	}
	return false
}

// search returns the test for a value: a literal at its start (begin), at
// its end (end), as all of it (both), or anywhere.
func (set *literalSet) search(begin, end bool) func(string) bool {
	eq, prefix := strings.EqualFold, set.hasPrefix
	if !set.fold {
		eq = func(a, b string) bool { return a == b }
	}
	switch {
	case begin && end:
		return func(s string) bool {
			for _, l := range set.lits {
				if len(s) == len(l) && eq(s, l) {
					return true
				}
			}
			return false
		}
	case begin:
		return func(s string) bool {
			for _, l := range set.lits {
				if prefix(s, l) {
					return true
				}
			}
			return false
		}
	case end:
		return func(s string) bool {
			for _, l := range set.lits {
				if len(s) >= len(l) && prefix(s[len(s)-len(l):], l) {
					return true
				}
			}
			return false
		}
	case len(set.lits) == 1 && !set.fold:
		l := set.lits[0]
		return func(s string) bool { return strings.Contains(s, l) }
	}
	return set.anywhere
}

func (set *literalSet) hasPrefix(s, l string) bool {
	if set.fold {
		return hasPrefixFold(s, l)
	}
	return strings.HasPrefix(s, l)
}

// anywhere scans the value once, trying the literals that start with each byte.
func (set *literalSet) anywhere(s string) bool {
	if set.empty {
		return true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if set.fold && c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if !set.first[c] {
			continue
		}
		for _, l := range set.lits {
			if l[0] == c && set.hasPrefix(s[i:], l) {
				return true
			}
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
