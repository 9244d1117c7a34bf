package eval

import (
	"regexp/syntax"
	"testing"

	"github.com/stretchr/testify/require"
)

func mustParse(t *testing.T, p string) *syntax.Regexp {
	t.Helper()
	re, err := syntax.Parse(p, syntax.Perl)
	require.NoError(t, err)
	return re.Simplify()
}
