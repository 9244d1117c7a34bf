package lint

import (
	"fmt"
	"strings"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/internal/resyntax"
)

// Patterns written where they are not read as patterns, and patterns
// escaped twice.

// urlFields are the fields that hold a host name or a URL, where a * is
// almost always meant as a wildcard: they rarely hold a star themselves.
var urlFields = map[string]bool{
	"http.host": true, "http.request.uri.path": true, "http.request.uri": true, "http.request.full_uri": true,
	"raw.http.request.uri.path": true, "raw.http.request.uri": true, "raw.http.request.full_uri": true,
}

// starPattern gives the wildcard pattern that says what a test with a * in
// its value was probably meant to say, for the tests that read * as a star.
var starPattern = map[string]func(string) string{
	"eq":       func(v string) string { return v },
	"contains": func(v string) string { return "*" + v + "*" },
	startsWith: func(v string) string { return v + "*" },
	endsWith:   func(v string) string { return "*" + v },
}

// starNotWildcard flags a * in a value that eq, contains, starts_with or
// ends_with read as a plain star: http.request.uri.path eq "/api/*".
func starNotWildcard(c *ast.Checked, t strTest) (Finding, bool) {
	name := fieldOf(c, t.x)
	pattern, tested := starPattern[t.op]
	if !urlFields[name] || !tested || !strings.Contains(t.lits[0].Value, "*") {
		return Finding{}, false
	}
	lit := t.lits[0]
	op := "strict wildcard" // as case-sensitive as eq
	if name == "http.host" {
		op = "wildcard" // host names ignore case
	}
	fix := "to match a pattern, use the " + op + " operator"
	if v := lit.Value; !strings.Contains(v, `\`) {
		p := collapseStars(pattern(v))
		fix = "to match a pattern, write `" + render(ast.Format(t.x), op, []string{ast.QuoteLiteral(quoteKind(lit.Kind), p)}) + "`"
	}
	off, n := span(lit)
	return Finding{Code: StarNotWildcard, Severity: Warning, Offset: off, Len: n,
		Message: fmt.Sprintf("%s reads * as a plain star, not a wildcard, so this looks for a star in %s", t.op, name),
		Fix:     fix}, true
}

// collapseStars writes each run of * as one: a wildcard pattern may not
// hold **.
func collapseStars(p string) string {
	for strings.Contains(p, "**") {
		p = strings.ReplaceAll(p, "**", "*")
	}
	return p
}

// regexSpecial are the bytes that a backslash before them makes a
// different pattern of: the metacharacters, / (often escaped out of habit)
// and the class escapes \d \w \s \b and their negations.
const regexSpecial = `.()[]{}*+?|^$/dDwWsSbB`

// regexDoubleEscape flags a regular expression that escapes a backslash
// where it probably meant to escape the next character: "\\.php$" is the
// pattern \\.php$ (a backslash, then any character, then php), not \.php$.
func regexDoubleEscape(t strTest) (Finding, bool) {
	lit := t.lits[0]
	if t.op != "matches" || lit.Kind == ast.String {
		return Finding{}, false
	}
	i := doubleEscape(lit.Value)
	if i < 0 {
		return Finding{}, false
	}
	pair := lit.Value[i : i+3]
	fixed := lit.Value[:i] + lit.Value[i+1:]
	for j := doubleEscape(fixed); j >= 0; j = doubleEscape(fixed) {
		fixed = fixed[:j] + fixed[j+1:]
	}
	how := "after matches, a quoted string keeps each escape pair for the regular expression (only \\\" stands for a quote)"
	if lit.Kind == ast.RawString {
		how = "a raw string hands every backslash to the regular expression"
	}
	off, n := span(lit)
	return Finding{Code: RegexDoubleEscape, Severity: Warning, Offset: off, Len: n,
		Message: fmt.Sprintf("`%s` in this pattern stands for a backslash followed by a bare `%c`, not for an escaped `%c`", pair, pair[2], pair[2]),
		Fix: how + ", so \\\\ matches one backslash; write `" + render(ast.Format(t.x), t.op, []string{ast.QuoteLiteral(lit.Kind, fixed)}) +
			"` (in a JSON file, where \\\\ is one backslash, that is `\\\\" + pair[2:] + "`)"}, true
}

// doubleEscape returns the offset of the first \\ in pattern, outside a
// character class and not part of a longer run of backslashes, that comes
// before a byte of regexSpecial; or -1.
func doubleEscape(pattern string) int {
	inClass := false
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; {
		case c == '\\' && !inClass && strings.HasPrefix(pattern[i:], `\\`) && i+2 < len(pattern) &&
			strings.IndexByte(regexSpecial, pattern[i+2]) >= 0 && (i == 0 || pattern[i-1] != '\\'):
			return i
		case c == '\\':
			i++ // skip the escaped byte
		case c == '[' && !inClass:
			inClass = true
			i += resyntax.ClassOpenLen(pattern[i:]) - 1
		case c == ']' && inClass:
			inClass = false
		}
	}
	return -1
}
