package eval

import (
	"regexp"
	"testing"

	"github.com/edgerules/edgerules/internal/resyntax"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// regexSeeds are patterns of the shapes rules use, with and without a
// fast path, and values to try them on.
var regexSeeds = []struct{ pattern, value string }{
	{`(?i)(curl|wget|python-requests)`, "Mozilla/5.0 (X11) Gecko/20100101 Firefox/125.0"},
	{`(?i)(curl|wget|python-requests)`, "Python-Requests/2.31"},
	{`(?i)requests`, "python-requeſts/2"}, // long s folds to s
	{`(?i)kit`, "AppleWebKit"},            // Kelvin sign K
	{`(?i)kit`, "AppleWeb\u212Ait"},
	{`^/api`, "/api/v1"},
	{`^/api`, "/v1/api"},
	{`\.php$`, "/index.php"},
	{`\.php$`, "/index.php\n"},
	{`^/login$`, "/login"},
	{`^(/a|/b)$`, "/b"},
	{`(?i)^/ADMIN`, "/admin/x"},
	{`[0-9]`, "abc7"},
	{`a|b|`, "zzz"},
	{``, ""},
	{`^$`, ""},
	{`^/api/v[0-9]+/`, "/api/v12/users"},
	{`^/api/v[0-9]+/`, "/api/vx/"},
	{`(?m)^x`, "a\nx"},
	{`(?u)\p{Hangul}+`, "한국어"},
	{`é`, "caf\xc3\xa9"},
	{`abc`, "ab\xffc abc"},
	{`(?i)straße`, "STRASSE"},
	{`(?s)a.b`, "a\nb"},
	{`(?i)(cat|dog)s?`, "HOTDOGS"},
}

func TestMatcherAgreesWithRegexp(t *testing.T) {
	for _, s := range regexSeeds {
		match, err := compileMatcher(s.pattern)
		require.NoError(t, err, s.pattern)
		want := regexp.MustCompile(resyntax.DropUnicodeFlag(s.pattern)).MatchString(s.value)
		assert.Equal(t, want, match(s.value), "%q on %q", s.pattern, s.value)
	}
}

// FuzzMatcher checks that compileMatcher answers as regexp does for any
// pattern and value.
func FuzzMatcher(f *testing.F) {
	for _, s := range regexSeeds {
		f.Add(s.pattern, s.value)
	}
	f.Fuzz(func(t *testing.T, pattern, value string) {
		re, err := regexp.Compile(resyntax.DropUnicodeFlag(pattern))
		if err != nil {
			return
		}
		match, err := compileMatcher(pattern)
		if err != nil {
			t.Fatalf("%q compiles with regexp but not here: %v", pattern, err)
		}
		if got, want := match(value), re.MatchString(value); got != want {
			t.Fatalf("%q on %q: fast path says %v, regexp %v", pattern, value, got, want)
		}
	})
}

func TestFastPathsAreTaken(t *testing.T) {
	for _, p := range []string{`(?i)(curl|wget|python-requests)`, `^/api`, `\.php$`, `^/login$`, `^(/a|/b)$`, `[0-9]`} {
		re := regexp.MustCompile(p)
		parsed := mustParse(t, p)
		assert.NotNil(t, literalMatcher(parsed, re), p)
	}
	for _, p := range []string{`^/api/v[0-9]+/`, `(?s)a.b`, `(?m)^x`, `x*`} {
		assert.Nil(t, literalMatcher(mustParse(t, p), regexp.MustCompile(p)), p)
	}
	assert.Equal(t, "/api/v", requiredLiteral(mustParse(t, `^/api/v[0-9]+/`)))
}
