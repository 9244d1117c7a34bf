package ruleset_test

import "testing"

// BenchmarkEvaluate runs the seed's layered rules on a likely bot on a
// browser path, which the last rule blocks: every rule is evaluated.
func BenchmarkEvaluate(b *testing.B) {
	e := engine(b, load(b, "../examples/rules/bot-management.json").Ruleset)
	c := request{12, false, "/products/shoes", browser}.context(b)
	b.ReportAllocs()
	for b.Loop() {
		if d := e.Evaluate(c); d.Rule == nil {
			b.Fatal("no decision")
		}
	}
}
