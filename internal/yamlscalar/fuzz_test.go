package yamlscalar

import (
	"testing"

	"go.yaml.in/yaml/v3"
)

// FuzzLocate checks, for every string scalar of any document stream yaml.v3
// accepts, that Locate either refuses it or returns offsets that keep their
// invariants, and that Render's token for each new value, spliced in, makes
// the scalar read as that value and leaves every other node as it was.
func FuzzLocate(f *testing.F) {
	for _, c := range locateCases {
		f.Add(c.doc)
	}
	for _, doc := range moreDocs {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		nodes, err := parseAll(doc)
		if err != nil {
			return
		}
		for i, n := range nodes {
			if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
				continue
			}
			s, err := Locate(doc, n)
			if err != nil {
				continue
			}
			if err := checkOffsets(doc, s, n.Value); err != nil {
				t.Fatalf("%q, node %q: %v", doc, n.Value, err)
			}
			for _, value := range append([]string{n.Value}, newValues...) {
				if _, err := checkRender(doc, s, nodes, i, value); err != nil {
					t.Fatalf("%q, node %q to %q: %v", doc, n.Value, value, err)
				}
			}
		}
	})
}
