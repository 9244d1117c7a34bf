package eval

import (
	"regexp/syntax"

	"testing"

	"github.com/edgerules/edgerules/ast"

	"github.com/stretchr/testify/require"
)

func mustParse(t *testing.T, p string) *syntax.Regexp {
	t.Helper()
	re, err := syntax.Parse(p, syntax.Perl)
	require.NoError(t, err)
	return re.Simplify()
}

// compileMatcher compiles a pattern as a rule's matches does.
func compileMatcher(pattern string) (func(string) bool, error) {
	c := &compiler{maxRegexSize: DefaultMaxRegexSize}
	re, parsed, ok := c.regex(&ast.Ident{}, pattern)
	if !ok {
		return nil, c.errs
	}
	return matcher(re, parsed), nil
}
