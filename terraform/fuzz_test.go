package terraform_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgerules/edgerules/internal/rewritetest"
	"github.com/edgerules/edgerules/ruleset"
	"github.com/edgerules/edgerules/terraform"
)

// FuzzParse reads mutated Terraform files, native and JSON: no panic,
// every problem, note and expression byte placed inside the file, and a
// rewrite of their expressions, when it is not refused, reads back with
// each literal expression in canonical form.
func FuzzParse(f *testing.F) {
	paths, _ := filepath.Glob("../testdata/terraform/*/*")
	for _, p := range paths {
		if ruleset.IsTerraform(p) {
			data, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data, strings.HasSuffix(p, ".json"))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, json bool) {
		// A folder that does not exist: the file is its module's only one.
		path := filepath.Join("testdata", "no such folder", "main.tf")
		if json {
			path += ".json"
		}
		files, err := terraform.Parse(path, data)
		text := string(data)
		lines := strings.Split(text, "\n")
		inside := func(what string, line, col int) {
			if line < 1 || line > len(lines) || col < 1 || col > len(lines[line-1])+1 {
				t.Fatalf("%s at %d:%d, outside the file of %d lines:\n%s", what, line, col, len(lines), text)
			}
		}
		var list ruleset.ErrorList
		var syntax *ruleset.SyntaxError
		switch {
		case errors.As(err, &list):
			for _, e := range list {
				inside("an error", e.Line, e.Column)
			}
		case errors.As(err, &syntax):
			inside("a syntax error", syntax.Line, syntax.Column)
		}
		for _, file := range files {
			for _, n := range file.Notes {
				inside("a note", n.Line, n.Column)
			}
			for _, r := range file.Rules {
				for _, x := range r.Expressions() {
					if x.Source == nil {
						continue
					}
					for i := range len(x.Text) + 1 {
						line, col := x.Source.Position(i)
						inside("an expression's byte", line, col)
					}
				}
			}
		}
		if len(files) == 0 {
			return
		}
		out, err := ruleset.EditAll(files, rewritetest.Canonical, ruleset.SameMeaning)
		if err != nil {
			return // refused: nothing would be written
		}
		again, _ := terraform.Parse(path, []byte(out))
		for _, file := range again {
			for _, r := range file.Rules {
				for _, x := range r.Expressions() {
					if x.Source != nil && !x.Source.Computed() && rewritetest.Canonical(r, x) != x.Text {
						t.Fatalf("%s %s is not canonical after the rewrite: %q\nbefore:\n%s\nafter:\n%s", file.Address, x.Key, x.Text, data, out)
					}
				}
			}
		}
	})
}
