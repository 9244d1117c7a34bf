package terraform_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/edgerules/edgerules/internal/rewritetest"
	"github.com/edgerules/edgerules/ruleset"
	"github.com/edgerules/edgerules/terraform"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testFiles reads the Terraform files of testdata/terraform.
func testFiles(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	require.NoError(t, filepath.WalkDir("../testdata/terraform", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && ruleset.IsTerraform(p) {
			data, err := os.ReadFile(p)
			out[p] = data
			return err
		}
		return err
	}))
	require.NotEmpty(t, out)
	return out
}

// offsets places each byte of an expression (and its end) in its file.
func offsets(text string, x ruleset.Expression) []int {
	starts := []int{0}
	for i, c := range text {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	out := make([]int, len(x.Text)+1)
	for i := range out {
		line, col := x.Source.Position(i)
		out[i] = starts[line-1] + col - 1
	}
	return out
}

// TestPositions checks the place of every byte of every expression of the
// Terraform test files against the file: a byte written as it is stands at
// its own byte; one written with an escape (\", \\, \u00e9, $${, %%{) at
// the escape's first byte; a computed one inside the file. It counts the
// expressions checked literally, after evaluation, and left as notes.
func TestPositions(t *testing.T) {
	literal, computed, notes := 0, 0, 0
	for path, data := range testFiles(t) {
		files, _ := terraform.Parse(path, data)
		text := string(data)
		for _, f := range files {
			notes += len(f.Notes)
			for _, r := range f.Rules {
				for _, x := range r.Expressions() {
					if x.Source == nil {
						continue
					}
					offs := offsets(text, x)
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
						escaped := c == '\\' || strings.HasPrefix(text[off:], "$${") || strings.HasPrefix(text[off:], "%%{")
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

// A span is where the value of a literal expression stands in its file,
// from its first byte to where it ends, and the expression.
type span struct {
	start, end int
	text       string
}

// spans returns the spans of the rulesets' literal expressions, in the
// order of the file, each once.
func spans(text string, files []*ruleset.File) []span {
	var out []span
	seen := map[int]bool{}
	for _, f := range files {
		for _, r := range f.Rules {
			for _, x := range r.Expressions() {
				if x.Source == nil || x.Source.Computed() {
					continue
				}
				offs := offsets(text, x)
				if !seen[offs[0]] {
					seen[offs[0]] = true
					out = append(out, span{offs[0], offs[len(offs)-1], x.Text})
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b span) int { return a.start - b.start })
	return out
}

// TestRewriteKeepsBytes formats every expression of the Terraform test
// files that parses and is written as it is, and checks that no byte
// outside them changes: the text between one expression's value and the
// next is the same before and after.
func TestRewriteKeepsBytes(t *testing.T) {
	rewritten := 0
	for path, data := range testFiles(t) {
		files, _ := terraform.Parse(path, data)
		if len(files) == 0 {
			continue
		}
		out, err := ruleset.EditAll(files, rewritetest.Canonical, ruleset.SameMeaning)
		require.NoError(t, err, path)
		again, err := terraform.Parse(path, []byte(out))
		require.NotNil(t, again, "%s: %v", path, err)
		text := string(data)
		before, after := spans(text, files), spans(out, again)
		require.Equal(t, len(before), len(after), path)
		from, to := 0, 0
		for i := range before {
			assert.Equal(t, text[from:before[i].start], out[to:after[i].start], "%s: the text before expression %d changed", path, i)
			from, to = before[i].end, after[i].end
			if before[i].text != after[i].text {
				rewritten++
			}
		}
		assert.Equal(t, text[from:], out[to:], "%s: the end of the file changed", path)
	}
	assert.Positive(t, rewritten, "no test file has an expression to format")
}

// TestLoad reads one ruleset of a file by its address, and says what a
// file holds when it is not told which.
func TestLoad(t *testing.T) {
	files, err := terraform.Load("../testdata/terraform/v4/main.tf")
	require.NoError(t, err)  // its mistakes are the rules', which Validate finds
	require.Len(t, files, 5) // local.bot_rules and four resources
	one, err := terraform.LoadOne("../testdata/terraform/v4/main.tf#cloudflare_ruleset.redirects")
	require.NoError(t, err)
	assert.Equal(t, "http_request_dynamic_redirect", one.Phase)
	_, err = terraform.LoadOne("../testdata/terraform/v4/main.tf#cloudflare_ruleset.nope")
	assert.EqualError(t, err, "../testdata/terraform/v4/main.tf has no ruleset cloudflare_ruleset.nope")
	_, err = terraform.LoadOne("../testdata/terraform/v5/terraform.tfvars")
	assert.EqualError(t, err, "../testdata/terraform/v5/terraform.tfvars holds no Cloudflare ruleset")
	any, err := terraform.LoadAny("../examples/rules/bot-management.json")
	require.NoError(t, err)
	assert.NotEmpty(t, any.Rules)
}

// BenchmarkParse reads a Terraform ruleset of 1,000 rules in provider v4
// blocks, locating every expression.
func BenchmarkParse(b *testing.B) {
	var tf strings.Builder
	tf.WriteString("resource \"cloudflare_ruleset\" \"big\" {\n  name  = \"big\"\n  phase = \"http_request_firewall_custom\"\n")
	for i := range 1000 {
		expr := fmt.Sprintf(`(cf.bot_management.score lt %d) and not (cf.bot_management.verified_bot) and not (http.request.uri.path contains "/api/%d")`, i%99+1, i)
		fmt.Fprintf(&tf, "\n  rules {\n    ref        = \"r%d\"\n    expression = %q\n    action     = \"log\"\n    enabled    = true\n  }\n", i, expr)
	}
	tf.WriteString("}\n")
	data := []byte(tf.String())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := terraform.Parse("testdata/no such folder/main.tf", data); err != nil {
			b.Fatal(err)
		}
	}
}
