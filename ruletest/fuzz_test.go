package ruletest_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/ruletest"
)

// FuzzParse reads any bytes as a suite and runs what parses against the
// rules of testdata: no panic, and an error lies on a line of the input,
// lines ending as YAML ends them.
func FuzzParse(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*.test.yaml")
	paths = append(paths, "../examples/rules/bot-management.test.yaml")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"rules": "r.json", "cases": [{"name": "a", "values": {"ip.src": "1.2.3.4"}, "action": "none"}]}`))
	f.Add([]byte("x: 1\u2029y\u0085z\u2028"))
	f.Add([]byte("rules: r.json\nlists: {a: {kind: ip, items: [1.2.3.4]}}\ncases: [{name: a, action: block, rule: x, logged: [y]}]"))
	rules, err := filepath.Abs("testdata/rules.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		suite, err := ruletest.Parse("s.test.yaml", data)
		if err == nil {
			// Whatever the values, the cases run against a real ruleset.
			suite.Rules = []string{rules}
			if _, err := suite.Run(fields.Cloudflare()); err != nil {
				var e *ruletest.Error
				if !errors.As(err, &e) {
					t.Fatalf("%T is not a *ruletest.Error: %v", err, err)
				}
			}
			return
		}
		e, ok := err.(*ruletest.Error)
		if !ok {
			t.Fatalf("%T is not a *ruletest.Error: %v", err, err)
		}
		lines := yamlLines(string(data))
		if e.Line < 1 || e.Line > lines || e.Column < 1 {
			t.Fatalf("error at %d:%d, outside %d lines: %v", e.Line, e.Column, lines, e)
		}
	})
}

// yamlLines counts the lines of text as YAML breaks them: at \r\n, \r, \n,
// NEL, LS and PS.
func yamlLines(text string) int {
	n := 1
	for _, r := range strings.ReplaceAll(text, "\r\n", "\n") {
		switch r {
		case '\n', '\r', '\u0085', '\u2028', '\u2029':
			n++
		}
	}
	return n
}
