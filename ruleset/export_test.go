package ruleset

// Canonical formats an expression as edgerules fmt does, for the tests of
// rewriting: one that does not parse, or that Terraform computes, stays as
// it is.
func Canonical(_ *Rule, x Expression) string {
	if x.Source != nil && x.Source.Computed() {
		return x.Text
	}
	text, err := x.Formatted()
	if err != nil {
		return x.Text
	}
	return text
}
