package ruleset_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
		out, err := file.Rewrite(ruleset.Canonical)
		if err != nil {
			return // refused: nothing would be written
		}
		if err := valuetest.Compare(decoded, string(data), out, 100); err != nil {
			t.Fatalf("%v\nbefore:\n%s\nafter:\n%s", err, data, out)
		}
	})
}

// FuzzTerraform reads mutated Terraform files, native and JSON: no panic,
// every problem, note and expression byte placed inside the file, and a
// rewrite of their expressions, when it is not refused, reads back with
// each literal expression in canonical form.
func FuzzTerraform(f *testing.F) {
	paths, _ := filepath.Glob("../testdata/terraform/*/*")
	for _, p := range paths {
		if format, ok := ruleset.FormatOf(p); ok && format == ruleset.Terraform {
			data, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data, filepath.Ext(p) == ".json")
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, json bool) {
		// A folder that does not exist: the file is its module's only one.
		path := filepath.Join("testdata", "no such folder", "main.tf")
		if json {
			path += ".json"
		}
		files, err := ruleset.ParseTerraform(path, data)
		text := string(data)
		lines := len(splitLines(text))
		inside := func(what string, line, col int) {
			if line < 1 || line > lines || col < 1 || col > len(splitLines(text)[line-1])+1 {
				t.Fatalf("%s at %d:%d, outside the file of %d lines:\n%s", what, line, col, lines, text)
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
		out, err := ruleset.EditAll(files, ruleset.Canonical, ruleset.SameMeaning)
		if err != nil {
			return // refused: nothing would be written
		}
		again, _ := ruleset.ParseTerraform(path, []byte(out))
		for _, file := range again {
			for _, r := range file.Rules {
				for _, x := range r.Expressions() {
					if x.Source != nil && !x.Source.Computed() && ruleset.Canonical(r, x) != x.Text {
						t.Fatalf("%s %s is not canonical after the rewrite: %q\nbefore:\n%s\nafter:\n%s", file.Address, x.Key, x.Text, data, out)
					}
				}
			}
		}
	})
}

// splitLines splits a text at its line breaks, as positions count lines.
func splitLines(text string) []string { return strings.Split(text, "\n") }
