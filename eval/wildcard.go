package eval

import (
	"strings"

	"github.com/edgerules/edgerules/internal/asciicase"
	"github.com/edgerules/edgerules/internal/wcsyntax"
)

// A wildcard matches a whole value against a pattern in which * stands for
// any run of bytes; \* is a star and \\ a backslash. The wildcard operator
// ignores ASCII case, strict wildcard does not.
type wildcard struct {
	parts []string // the literal text between the stars, lowered when fold
	fold  bool
}

func compileWildcard(pattern string, fold bool) (*wildcard, error) {
	parts, err := wcsyntax.Split(pattern)
	if err != nil {
		return nil, err
	}
	w := &wildcard{parts: parts, fold: fold}
	for i, p := range parts {
		parts[i] = w.norm(p)
	}
	return w, nil
}

func (w *wildcard) norm(s string) string {
	if w.fold {
		return asciicase.Lower(s)
	}
	return s
}

func (w *wildcard) match(s string) bool {
	first, last := w.parts[0], w.parts[len(w.parts)-1]
	if len(w.parts) == 1 {
		return len(s) == len(first) && w.hasPrefix(s, first)
	}
	if len(s) < len(first)+len(last) || !w.hasPrefix(s, first) || !w.hasPrefix(s[len(s)-len(last):], last) {
		return false
	}
	// Between the ends, each middle part leftmost first: with * as the only
	// wildcard, the leftmost place of each part never loses a match.
	rest := s[len(first) : len(s)-len(last)]
	for _, p := range w.parts[1 : len(w.parts)-1] {
		i := w.index(rest, p)
		if i < 0 {
			return false
		}
		rest = rest[i+len(p):]
	}
	return true
}

func (w *wildcard) hasPrefix(s, prefix string) bool {
	if !w.fold {
		return strings.HasPrefix(s, prefix)
	}
	return hasPrefixFold(s, prefix)
}

func (w *wildcard) index(s, sub string) int {
	if !w.fold {
		return strings.Index(s, sub)
	}
	return indexFold(s, sub)
}

// hasPrefixFold reports whether s starts with prefix, which is lowercase,
// ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}

// indexFold returns the first index of sub, which is lowercase, in s,
// ignoring ASCII case, or -1.
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if hasPrefixFold(s[i:], sub) {
			return i
		}
	}
	return -1
}
