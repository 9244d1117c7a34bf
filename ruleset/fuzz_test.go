package ruleset_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/internal/rewritetest"
	"github.com/edgerules/edgerules/internal/valuetest"
	"github.com/edgerules/edgerules/ruleset"
)

// FuzzRewrite mutates rule files in every YAML and JSON style and formats
// their expressions: Rewrite may refuse, but what it returns must hold, read
// by the formats' own decoders, every value as it was but the expressions,
// each in canonical form and meaning what it meant.
func FuzzRewrite(f *testing.F) {
	for _, pattern := range []string{"../testdata/styles/*", "../examples/rules/*", "../testdata/rulesets/*"} {
		paths, _ := filepath.Glob(pattern)
		for _, p := range paths {
			if format, ok := ruleset.FormatOf(p); ok {
				data, err := os.ReadFile(p)
				if err != nil {
					f.Fatal(err)
				}
				f.Add(data, format == ruleset.YAML)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, yaml bool) {
		format, decoded := ruleset.JSON, valuetest.JSON
		if yaml {
			format, decoded = ruleset.YAML, valuetest.YAML
		}
		file, _ := ruleset.Parse(data, format)
		if file == nil || valuetest.Compare(decoded, string(data), string(data), 100) != nil {
			return // not a document the formats' own decoders read
		}
		out, err := file.Rewrite(rewritetest.Canonical)
		if err != nil {
			return // refused: nothing would be written
		}
		if err := valuetest.Compare(decoded, string(data), out, 100); err != nil {
			t.Fatalf("%v\nbefore:\n%s\nafter:\n%s", err, data, out)
		}
	})
}

// FuzzZone reads a ruleset of any phase, compiles it into a zone beside
// the custom rules of the seed, and runs a request and its response
// through it: nothing panics, and what the zone decides is one of its rules.
func FuzzZone(f *testing.F) {
	for _, text := range []string{redirects, rewrites, custom, limits, headers, responses} {
		f.Add([]byte(text))
	}
	seed, err := ruleset.Parse([]byte(`{"phase": "http_request_firewall_custom", "rules": [
	 {"action": "block", "expression": "http.request.uri.path eq \"/admin\""}]}`), ruleset.JSON)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, _ := ruleset.Parse(data, ruleset.JSON)
		if file == nil {
			return
		}
		rulesets := []*ruleset.Ruleset{file.Ruleset}
		if ruleset.PhaseOf(file.Ruleset) != ruleset.CustomPhase {
			rulesets = append(rulesets, seed.Ruleset)
		}
		z, err := ruleset.NewZone(rulesets...)
		if err != nil {
			return
		}
		e, err := ruleset.CompileZone(z, fields.Cloudflare())
		if err != nil {
			return
		}
		c := zoneRequest("192.0.2.1", "/v1/admin", "a=1&b", 12)
		o := e.Request(c)
		_ = c.SetName("http.response.code", eval.Int(200))
		e.Response(c, &o)
		for _, r := range append(append(append([]*ruleset.Rule{}, o.Logged...), o.Applied...), o.Rule) {
			if r != nil && (r.ZoneIndex >= len(e.Rules()) || e.Rules()[r.ZoneIndex] != r) {
				t.Fatalf("the outcome holds a rule that is not the zone's: %+v", r)
			}
		}
	})
}
