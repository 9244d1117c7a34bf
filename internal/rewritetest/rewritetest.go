// Package rewritetest holds what the tests of rewriting rule files share.
package rewritetest

import "github.com/edgerules/edgerules/ruleset"

// Canonical formats an expression as edgerules fmt does, for
// ruleset.File.Rewrite and ruleset.EditAll: one that does not parse, or
// that Terraform computes, stays as it is.
func Canonical(_ *ruleset.Rule, x ruleset.Expression) string {
	if x.Source != nil && x.Source.Computed() {
		return x.Text
	}
	text, err := x.Formatted()
	if err != nil {
		return x.Text
	}
	return text
}
