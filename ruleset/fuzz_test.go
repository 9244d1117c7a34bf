package ruleset_test

import (
	"os"
	"path/filepath"
	"testing"

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
