package ruletest_test

import (
	"testing"

	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/ruletest"
)

// BenchmarkRun runs the seed's suite of nine cases: loading and compiling
// its ruleset, then every case.
func BenchmarkRun(b *testing.B) {
	suite, err := ruletest.Load("../examples/rules/bot-management.test.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := suite.Run(fields.Cloudflare()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse reads a suite of one case.
func BenchmarkParse(b *testing.B) {
	data := []byte(`rules: bot-management.json
cases:
  - name: the mobile app is challenged when it is likely automated
    values: {cf.bot_management.score: 20, http.user_agent: App_Name 2.0 (iOS 17), http.request.uri.path: /home}
    action: challenge
    rule: mobile-challenge
`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ruletest.Parse("s.test.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}
