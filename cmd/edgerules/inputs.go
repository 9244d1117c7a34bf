package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/ruleset"
	"github.com/edgerules/edgerules/ruletest"
	"github.com/edgerules/edgerules/terraform"
)

// An input is one file of expressions or one ruleset.
type input struct {
	path string
	text string
	// files are the rulesets of a ruleset file: one, or a Terraform
	// file's any number; nil for a file of expressions.
	files []*ruleset.File
	// terraform is set for a Terraform file, which may hold no ruleset.
	terraform bool
	units     []unit
	// loadErrs are why a ruleset could not be read (bad JSON or YAML, and
	// then file is nil), or the problems of its shape; loadErr is the error
	// they come from.
	loadErrs []diagnostic
	loadErr  error
}

// A unit is one expression of an input.
type unit struct {
	expr  string
	file  *ruleset.File      // the ruleset it belongs to, in a ruleset file
	rule  *ruleset.Rule      // the rule it belongs to, in a ruleset
	x     ruleset.Expression // the expression, and in a ruleset which of the rule's it is
	line  int                // its line, in a file of expressions
	index int                // its place in the input's units
}

// position returns the line and column in the input's file of byte off of
// the unit's expression.
func (u unit) position(off int) (line, col int) {
	if u.x.Source != nil {
		return u.x.Source.Position(off)
	}
	if u.rule != nil {
		return u.rule.Position(u.x.Key)
	}
	l, c := expr.Position(u.expr, off)
	return u.line + l - 1, c
}

// varFileFlag adds --var-file, Terraform's -var-file, to fl.
func varFileFlag(fl *flag.FlagSet) *[]string {
	return listFlag(fl, "var-file", "a .tfvars `file` whose values Terraform files are read with, as terraform's -var-file (may be repeated)")
}

// listFlag defines a flag that may be repeated, each value added to the list.
func listFlag(fl *flag.FlagSet, name, usage string) *[]string {
	var values []string
	fl.Func(name, usage, func(v string) error {
		values = append(values, v)
		return nil
	})
	return &values
}

// readInputs reads the files the arguments name. A folder stands for its
// files; dir/... for those of its subfolders too. A JSON or YAML file found
// in a folder that is no ruleset at all (an object without "rules", such as
// a file of lists or a scheme) is passed by; named, it is an error.
func readInputs(args []string, stdin io.Reader, varFiles []string) ([]*input, error) {
	var inputs []*input
	for _, a := range args {
		expanded, err := expand(a, checked, "a .txt, .expr, .json, .yaml, .yml or Terraform file")
		if err != nil {
			return nil, err
		}
		for _, p := range expanded {
			in, err := readInput(p, stdin, varFiles)
			if err != nil {
				return nil, err
			}
			if p != a && (errors.Is(in.loadErr, ruleset.ErrNotRuleset) || in.terraform && in.loadErr == nil && len(in.files) == 0) {
				continue // no ruleset, such as a Terraform file of providers
			}
			inputs = append(inputs, in)
		}
	}
	return inputs, nil
}

// expressionInput is the input of check -e: one expression, named -e in
// diagnostics.
func expressionInput(src string) *input {
	return &input{path: "-e", text: src,
		units: []unit{{expr: src, x: ruleset.Expression{Text: src, Filter: true}, line: 1}}}
}

// known reports whether edgerules reads files with the extension of path.
func known(path string) bool {
	_, isRuleset := ruleset.FormatOf(path)
	ext := strings.ToLower(filepath.Ext(path))
	return isRuleset || ext == ".txt" || ext == ".expr"
}

// checked reports whether check, lint and fmt read path when it is found in
// a folder: a file of expressions or a ruleset, not a test suite.
func checked(path string) bool { return known(path) && !ruletest.IsSuite(path) }

// expand returns the files an argument names: itself, the files of a folder
// that wanted chooses, or with dir/... those of its subfolders too. what
// says in an error what the folder lacks.
func expand(arg string, wanted func(string) bool, what string) ([]string, error) {
	root, recursive := strings.CutSuffix(arg, "/...")
	if arg == "-" {
		return []string{"-"}, nil
	}
	info, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		if recursive {
			return nil, fmt.Errorf("%s is not a folder", root)
		}
		return []string{arg}, nil
	}
	var paths []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && p != root && (!recursive || tool(d.Name())):
			return filepath.SkipDir
		case !d.IsDir() && wanted(p):
			paths = append(paths, p)
		}
		return nil
	})
	slices.Sort(paths)
	if err == nil && len(paths) == 0 {
		err = fmt.Errorf("%s holds no %s", arg, what)
	}
	return paths, err
}

// tool reports whether a folder is one a tool keeps its copies in:
// Terraform's downloaded modules and Terragrunt's cache hold other people's
// rules, checked where they are written.
func tool(name string) bool { return name == ".terraform" || name == ".terragrunt-cache" }

// readFile reads a file, or standard input for -.
func readFile(path string, stdin io.Reader) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(stdin)
	}
	return os.ReadFile(path)
}

// readInput reads one file; varFiles are .tfvars files for a Terraform
// file, as Terraform's -var-file.
func readInput(path string, stdin io.Reader, varFiles []string) (*input, error) {
	if ruletest.IsSuite(path) {
		return nil, fmt.Errorf("%s is a test suite: run it with edgerules test", path)
	}
	data, err := readFile(path, stdin)
	if err != nil {
		return nil, err
	}
	in := &input{path: path, text: string(data)}
	format, isRuleset := ruleset.FormatOf(path)
	if path == "-" {
		// An expression never starts with { or [: a JSON ruleset does.
		trimmed := bytes.TrimSpace(data)
		format, isRuleset = ruleset.JSON, len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[')
	}
	switch {
	case isRuleset:
		if format == ruleset.Terraform {
			in.terraform = true
			in.files, err = terraform.Parse(path, data, varFiles...)
		} else {
			var f *ruleset.File
			if f, err = ruleset.Parse(data, format); f != nil {
				in.files = []*ruleset.File{f}
			}
		}
		if err != nil {
			in.loadErr, in.loadErrs = err, fileErrors(path, err)
		}
		for _, f := range in.files {
			for _, r := range f.Rules {
				for _, x := range r.Expressions() {
					in.units = append(in.units, unit{expr: x.Text, file: f, rule: r, x: x, index: len(in.units)})
				}
			}
		}
	case known(path) || path == "-":
		for i, text := range strings.Split(string(data), "\n") {
			text = strings.TrimSuffix(text, "\r")
			if strings.TrimSpace(text) != "" && !strings.HasPrefix(strings.TrimSpace(text), "#") {
				in.units = append(in.units, unit{expr: text, x: ruleset.Expression{Text: text, Filter: true}, line: i + 1, index: len(in.units)})
			}
		}
	default:
		return nil, fmt.Errorf("%s: edgerules reads .txt, .expr, .json, .yaml and .yml files, and Terraform's .tf, .tf.json, .tfvars and .hcl", path)
	}
	return in, nil
}
