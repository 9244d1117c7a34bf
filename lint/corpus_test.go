package lint_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/internal/corpus"
	"github.com/edgerules/edgerules/lint"
	"github.com/edgerules/edgerules/ruleset"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// neverOnDocs are the codes of the lints that find rules that can never
// (or always) match, or that test what they cannot mean. None may fire on
// an expression of Cloudflare's documentation or of the seed.
var neverOnDocs = []string{
	lint.CaseMismatch, lint.ValueCase, lint.HeaderNameCase, lint.HostValue, lint.URIDelimiter,
	lint.PathSlash, lint.Contradiction, lint.Tautology, lint.Repeated, lint.EmptySet,
	lint.DuplicateSetValue, lint.StarNotWildcard, lint.RegexDoubleEscape,
}

// onDocs are the older codes the documentation's examples do trigger, and
// rightly: the deprecated ip.geoip.* and camelCase names, the rewrite
// functions the functions reference shows outside a rewrite, and the seed's
// bot rules that leave verified bots unexempted, and a regular expression
// (r"/api/login\.aspx$") that ends_with says more simply.
var onDocs = []string{lint.DeprecatedField, lint.RewriteFunction, lint.NoVerifiedBotExempt, lint.RegexIsString}

// checkAny checks src as a filter, or else as a value expression (the
// corpus's :value and :illustrative lines).
func checkAny(t *testing.T, src string, filter bool) *ast.Checked {
	t.Helper()
	tree, err := expr.Parse(src)
	require.NoError(t, err, src)
	s := fields.Cloudflare()
	if filter {
		if c, err := expr.Check(tree, s); err == nil {
			return c
		}
	}
	c, err := expr.CheckValue(tree, s)
	require.NoError(t, err, src)
	return c
}

// assertDocCodes fails for a finding of a never-on-docs code, and for one
// of a code the list above does not expect.
func assertDocCodes(t *testing.T, where, src string, fs []lint.Finding) {
	t.Helper()
	for _, f := range fs {
		assert.NotContains(t, neverOnDocs, f.Code, "%s: %s\n%s: %s", where, src, f.Code, f.Message)
		assert.Contains(t, onDocs, f.Code, "%s: %s\n%s: %s", where, src, f.Code, f.Message)
	}
}

// TestNoFalsePositivesOnCorpus runs every lint over every expression of
// the corpus: Cloudflare's documentation examples and the seed's rules.
func TestNoFalsePositivesOnCorpus(t *testing.T) {
	entries, err := corpus.Load()
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	for _, e := range entries {
		c := checkAny(t, e.Expr, !e.Value())
		assertDocCodes(t, e.Tag, e.Expr, lint.Expression(c))
	}
}

// TestNoFalsePositivesOnRulesets lints the rulesets of Cloudflare's
// documentation as the command does: every rule among the others, in its
// phase, and every expression of the rules' parameters.
func TestNoFalsePositivesOnRulesets(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(corpus.Dir(), "..", "rulesets", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, path := range files {
		f, err := ruleset.Load(path)
		require.NoError(t, err, path)
		var filters []*ast.Checked
		for _, r := range f.Rules {
			filters = append(filters, checkAny(t, r.Expression, true))
			for _, x := range r.Expressions()[1:] {
				fs := lint.Parameter(f.Phase, r, x, checkAny(t, x.Text, x.Filter))
				assertDocCodes(t, path+" "+x.Key, x.Text, fs)
			}
		}
		for _, fd := range lint.Rules(f.Ruleset, filters) {
			assertDocCodes(t, path, fd.Rule.Expression, []lint.Finding{fd})
		}
	}
}

// TestOnDocsDisjoint keeps the two lists apart.
func TestOnDocsDisjoint(t *testing.T) {
	for _, code := range onDocs {
		assert.False(t, slices.Contains(neverOnDocs, code), code)
	}
}
