package main

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/lint"
	"github.com/edgerules/edgerules/ruleset"
	"github.com/edgerules/edgerules/terraform"
)

// maxLength is the longest expression the command reads. It is above
// Cloudflare's 4,096 bytes so that a longer rule is still checked, and then
// reported by the too-long rule of lint.
const maxLength = 1 << 16

// checkCommand validates every expression of every file, and with lint
// (the lint command, or check --lint) reports warnings too.
func checkCommand(args []string, withLint bool, s streams) int {
	name := "check"
	if withLint {
		name = "lint"
	}
	fl := newFlags(name, s)
	schemePath := schemeFlag(fl)
	listsPath := fl.String("lists", "", "a JSON file of the lists rules may name, {\"name\": \"ip|hostname|asn|string\"}")
	format := formatFlag(fl)
	fl.BoolVar(&withLint, "lint", withLint, "report warnings about valid rules that are probably wrong")
	one := fl.String("e", "", "check this expression too, as the one line of a file named -e")
	flags := &lintConfig{}
	fl.Var((*codeList)(&flags.Disable), "disable", "lint `codes` not to report, comma-separated")
	fl.Var((*codeList)(&flags.Enable), "enable", "lint `codes` to report, those off by default or turned off in "+configName)
	fl.Var((*codeList)(&flags.Error), "error", "lint `codes` to report as errors")
	varFiles := varFileFlag(fl)
	zone := fl.Bool("zone", false, "the files and folders are one zone, a ruleset per phase: report two rulesets of one phase, and the rulesets of phases a zone does not run")
	fix := fl.Bool("fix", false, "make the safe fixes of what is reported in the files, checked before they are written, and say what changed")
	files, status, done := parseFlags(fl, args, s.out)
	if done {
		return status
	}
	out, err := outputFor(*format)
	if err != nil {
		return s.fail("%v", err)
	}
	if len(files) == 0 && *one == "" {
		return s.fail("name the files to check, or - for standard input, or give -e EXPRESSION")
	}
	scheme, opts, err := loadScheme(*schemePath, *listsPath)
	if err != nil {
		return s.fail("%v", err)
	}
	inputs, err := readInputs(files, s.in, *varFiles)
	if *one != "" {
		inputs = append(inputs, expressionInput(*one))
	}
	if err != nil {
		return s.fail("%v", err)
	}
	var diags []diagnostic
	units, failed := 0, false
	cfgs := &configs{flags: flags, byDir: map[string]*lintConfig{}}
	for _, in := range inputs {
		cfg, err := cfgs.forFile(in.path)
		if err != nil {
			return s.fail("%v", err)
		}
		found := reported(configure(in, checkInput(in, scheme, opts), cfg, flags), withLint)
		if *fix {
			changes, err := fixInput(in, found, scheme, opts)
			if err != nil {
				fmt.Fprintf(s.err, "%s: not fixed, the file is left as it was: %v\n", in.path, err)
				failed = true
			}
			for _, c := range changes {
				fmt.Fprintln(s.out, c)
			}
			if len(changes) > 0 {
				if in, err = readInput(in.path, s.in, *varFiles); err != nil {
					return s.fail("%v", err)
				}
				found = reported(configure(in, checkInput(in, scheme, opts), cfg, flags), withLint)
			}
		}
		diags = append(diags, found...)
		units += len(in.units)
	}
	if *zone {
		diags = append(diags, zoneDiagnostics(files, *varFiles, scheme, opts)...)
	}
	out(s.out, diags, summary{files: len(inputs), expressions: units})
	for _, d := range diags {
		if d.Severity == string(lint.Error) {
			failed = true
		}
	}
	if failed {
		return exitFindings
	}
	return exitOK
}

// checkInput returns every finding about an input: its errors, and the
// warnings of the linter.
func checkInput(in *input, scheme *fields.Scheme, opts []expr.Option) []diagnostic {
	diags := slices.Clone(in.loadErrs)
	filters := map[*ruleset.File][]*ast.Checked{} // each rule's, for the lints of a ruleset
	for _, f := range in.files {
		if len(f.Rules) > ruleset.DefaultMaxRules {
			err := ruleset.TooManyRules(len(f.Rules), ruleset.DefaultMaxRules)
			diags = append(diags, atPoint(in.path, codeInvalidFile, 1, 1, err.Error()))
		}
		for _, e := range f.Validate() {
			diags = append(diags, ruleDiagnostic(in, f, e))
		}
		for _, n := range f.Notes {
			d := atPoint(in.path, codeNotChecked, n.Line, n.Column, n.Msg)
			d.Severity = severityNote
			diags = append(diags, d)
		}
		filters[f] = make([]*ast.Checked, len(f.Rules))
	}
	for _, u := range in.units {
		if u.rule != nil && u.x.Key == "expression" && strings.TrimSpace(u.expr) == "" {
			continue // Validate reported it
		}
		c, err := u.x.Compile(scheme, opts...)
		if err != nil {
			diags = append(diags, exprErrors(in, u, err)...)
			continue
		}
		var found []lint.Finding
		switch {
		case u.file == nil:
			found = lint.Expression(c)
		case u.x.Key == "expression":
			filters[u.file][u.rule.Index] = c
		default:
			found = lint.Parameter(u.file.Phase, u.rule, u.x, c)
		}
		for _, f := range found {
			diags = append(diags, findingDiagnostic(in, u, f))
		}
	}
	units := map[*ruleset.Rule]unit{}
	for _, u := range in.units {
		if u.x.Key == "expression" {
			units[u.rule] = u
		}
	}
	for _, file := range in.files {
		for _, f := range lint.Rules(file.Ruleset, filters[file]) {
			if f.Key != "" {
				diags = append(diags, keyDiagnostic(in, units[f.Rule], f))
				continue
			}
			diags = append(diags, findingDiagnostic(in, units[f.Rule], f))
		}
	}
	return dedupe(diags)
}

// The codes of what check --zone finds in a zone as a whole.
const (
	codeDuplicatePhase = "duplicate-phase"
	codeIgnoredPhase   = "ignored-phase"
)

// zoneDiagnostics reads the files as one zone, as the commands that run a
// zone read it, and reports each ruleset of a phase another ruleset has
// already (an error, at the second one's file), and each ruleset of a
// phase a zone does not run (a note). What keeps a file from being read or
// compiled is reported by the checks of each file.
func zoneDiagnostics(files, varFiles []string, scheme *fields.Scheme, opts []expr.Option) []diagnostic {
	z, zfiles, err := terraform.LoadZone(files, varFiles...)
	if err != nil {
		var out []diagnostic
		errs := []error{err}
		if joined, ok := err.(interface{ Unwrap() []error }); ok {
			errs = joined.Unwrap()
		}
		for _, e := range errs {
			var dup *terraform.PhaseError
			if errors.As(e, &dup) {
				path, _, _ := strings.Cut(dup.Second, "#")
				out = append(out, atPoint(path, codeDuplicatePhase, 1, 1, dup.Error()))
			}
		}
		return out
	}
	engine, err := ruleset.CompileZone(z, scheme, ruleset.ExprOptions(opts...))
	if err != nil {
		return nil
	}
	var out []diagnostic
	for _, ig := range engine.Ignored() {
		i := slices.IndexFunc(zfiles, func(f terraform.ZoneFile) bool { return f.Ruleset == ig.Ruleset })
		path, _, _ := strings.Cut(zfiles[i].Path, "#")
		d := atPoint(path, codeIgnoredPhase, 1, 1, fmt.Sprintf("a zone does not run the phase %s: %s", ig.Phase, ig.Why))
		d.Severity = severityNote
		out = append(out, d)
	}
	return out
}

// dedupe passes by the diagnostics that say again what one before them
// said at the same place: a Terraform string read by two rulesets, such as
// a local that a resource reads, or each instance of a resource with count.
func dedupe(diags []diagnostic) []diagnostic {
	type key struct {
		line, col  int
		code, text string
	}
	seen := map[key]bool{}
	kept := diags[:0]
	for _, d := range diags {
		k := key{d.Line, d.Column, d.Code, d.Message}
		if !seen[k] {
			seen[k] = true
			kept = append(kept, d)
		}
	}
	return kept
}

// reported returns the diagnostics a run reports, in the order of the
// file: all of them when it lints, only the errors when it does not.
func reported(diags []diagnostic, withLint bool) []diagnostic {
	if !withLint {
		kept := diags[:0]
		for _, d := range diags {
			if d.Severity == string(lint.Error) || d.Severity == severityNote {
				kept = append(kept, d)
			}
		}
		diags = kept
	}
	slices.SortStableFunc(diags, func(a, b diagnostic) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	return diags
}
