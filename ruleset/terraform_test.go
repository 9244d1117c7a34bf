package ruleset

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// terraformTestFiles reads the Terraform files of testdata/terraform.
func terraformTestFiles(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	require.NoError(t, filepath.WalkDir("../testdata/terraform", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasSuffix(p, ".golden.json") {
			data, err := os.ReadFile(p)
			out[p] = data
			return err
		}
		return err
	}))
	require.NotEmpty(t, out)
	return out
}

// TestTerraformPositions checks the place of every byte of every
// expression of the Terraform test files against the file: a byte written
// as it is stands at its own byte; one written with an escape (\", \\,
// \u00e9, $${, %%{) at the escape's first byte; a computed one inside the
// file. It counts the expressions checked literally, after evaluation, and
// left as notes.
func TestTerraformPositions(t *testing.T) {
	literal, computed, notes := 0, 0, 0
	for path, data := range terraformTestFiles(t) {
		files, _ := ParseTerraform(path, data)
		text := string(data)
		for _, f := range files {
			notes += len(f.Notes)
			for _, r := range f.Rules {
				for _, x := range r.Expressions() {
					if x.Text == "" && x.Source == nil {
						continue
					}
					require.NotNil(t, x.Source, "%s %s %s", path, f.Address, x.Key)
					offs := x.Source.offsets
					require.Len(t, offs, len(x.Text)+1)
					if x.Source.Computed() {
						computed++
						for _, off := range offs {
							assert.True(t, off >= 0 && off <= len(text), "%s: offset %d outside the file", path, off)
						}
						continue
					}
					literal++
					assert.True(t, slices.IsSorted(offs), "%s %s: offsets out of order", path, x.Key)
					for i := range len(x.Text) {
						off := offs[i]
						c := text[off]
						escaped := c == '\\' || strings.HasPrefix(text[off:], "$${") || strings.HasPrefix(text[off:], "%%{") ||
							c == '\\' && strings.HasPrefix(text[off:], "\\u")
						if c != x.Text[i] && !escaped {
							t.Errorf("%s %s %s: byte %d of %q is %q, but the file has %q at offset %d",
								path, f.Address, x.Key, i, x.Text, x.Text[i], c, off)
						}
					}
				}
			}
		}
	}
	t.Logf("expressions checked literally: %d, after evaluation: %d; notes: %d", literal, computed, notes)
	assert.Positive(t, literal)
	assert.Positive(t, computed)
	assert.Positive(t, notes)
}

// TestTerraformRewriteKeepsBytes formats every expression of the Terraform
// test files that parses and is written as it is, and checks that every
// byte outside the rewritten strings stays: the text between one string's
// token and the next is the same before and after, and each new token
// reads as the formatted expression.
func TestTerraformRewriteKeepsBytes(t *testing.T) {
	rewritten := 0
	for path, data := range terraformTestFiles(t) {
		files, _ := ParseTerraform(path, data)
		if len(files) == 0 {
			continue
		}
		out, err := EditAll(files, Canonical, SameMeaning)
		require.NoError(t, err, path)
		again, err := ParseTerraform(path, []byte(out))
		require.NotNil(t, again, "%s: %v", path, err)
		before, after := spans(t, files), spans(t, again)
		require.Equal(t, len(before), len(after), path)
		text := string(data)
		for i := range before {
			assert.Equal(t, gap(text, before, i), gap(out, after, i), "%s: the text before string %d changed", path, i)
			if before[i].text != after[i].text {
				rewritten++
			}
		}
		assert.Equal(t, text[last(before):], out[last(after):], "%s: the end of the file changed", path)
	}
	assert.Positive(t, rewritten, "no test file has an expression to format")
}

// A span is the token of an expression's string, and the expression.
type span struct {
	start, end int
	text       string
}

// spans returns the tokens of the rulesets' literal expressions, in the
// order of the file, each once.
func spans(t *testing.T, files []*File) []span {
	var out []span
	seen := map[int]bool{}
	for _, f := range files {
		for _, r := range f.Rules {
			for _, x := range r.Expressions() {
				n := r.node.at(x.path)
				if n == nil {
					continue
				}
				tok, err := n.Token()
				if err != nil || tok.Computed || seen[tok.Start] {
					continue
				}
				seen[tok.Start] = true
				out = append(out, span{tok.Start, tok.End, x.Text})
			}
		}
	}
	slices.SortFunc(out, func(a, b span) int { return a.start - b.start })
	return out
}

// gap returns the text between span i-1 (or the start) and span i.
func gap(text string, s []span, i int) string {
	from := 0
	if i > 0 {
		from = s[i-1].end
	}
	return text[from:s[i].start]
}

func last(s []span) int {
	if len(s) == 0 {
		return 0
	}
	return s[len(s)-1].end
}
