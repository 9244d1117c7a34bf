package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/ruleset"
	"github.com/edgerules/edgerules/ruletest"
)

// The codes of test failures, in the JSON, SARIF and GitHub formats.
const (
	codeCaseFailed   = "case-failed"
	codeInvalidSuite = "invalid-suite"
)

// testCommand runs test suites: each case's field values go through the
// suite's ruleset and the decision is compared with the one the case
// expects. In text it reports like go test; the other formats give one
// diagnostic per failure.
func testCommand(args []string, s streams) int {
	fl := newFlags("test", s)
	schemePath := schemeFlag(fl)
	format := formatFlag(fl)
	verbose := fl.Bool("v", false, "name every case, the passed ones too")
	suites, status, done := parseFlags(fl, args, s.out)
	if done {
		return status
	}
	out, err := outputFor(*format)
	if err != nil {
		return s.fail("%v", err)
	}
	if len(suites) == 0 {
		return s.fail("name the test suites (*.test.yaml, *.test.yml, *.test.json) or their folders")
	}
	scheme, opts, err := loadScheme(*schemePath, "")
	if err != nil {
		return s.fail("%v", err)
	}
	var paths []string
	for _, a := range suites {
		if a == "-" {
			return s.fail("a test suite names its ruleset by a path beside it, so it cannot come from standard input")
		}
		expanded, err := expand(a, ruletest.IsSuite, "test suite (*.test.yaml, *.test.yml or *.test.json)")
		if err != nil {
			return s.fail("%v", err)
		}
		paths = append(paths, expanded...)
	}
	var t tally
	for _, path := range paths {
		t.suite(path, scheme, ruleset.ExprOptions(opts...))
	}
	if *format == "text" {
		t.writeText(s.out, *verbose)
	} else {
		out(s.out, t.diags, summary{})
	}
	if len(t.diags) > 0 {
		return exitFindings
	}
	return exitOK
}

// A tally gathers what the suites of one run did.
type tally struct {
	suites []suiteRun
	diags  []diagnostic
	passed int
}

// A suiteRun is one suite's results, or the error that kept it from running.
type suiteRun struct {
	path    string
	results []ruletest.Result
	broken  *diagnostic
}

// suite loads and runs the suite at path.
func (t *tally) suite(path string, scheme *fields.Scheme, opts ruleset.Option) {
	run := suiteRun{path: path}
	suite, err := ruletest.Load(path)
	if err == nil {
		run.results, err = suite.Run(scheme, opts)
	}
	if err != nil {
		d := suiteDiagnostic(path, codeInvalidSuite, err)
		run.broken = &d
		t.diags = append(t.diags, d)
	}
	t.suites = append(t.suites, run)
	for _, r := range run.results {
		if r.Err == nil {
			t.passed++
			continue
		}
		d := suiteDiagnostic(path, codeCaseFailed, r.Err)
		d.Message = fmt.Sprintf("case %q: %s", r.Case.Name, d.Message)
		t.diags = append(t.diags, d)
	}
}

// suiteDiagnostic places err at its line and column in the suite, or at
// the top of the file when it has no position (a file that cannot be read).
func suiteDiagnostic(path, code string, err error) diagnostic {
	var e *ruletest.Error
	if errors.As(err, &e) {
		return atPoint(path, code, e.Line, e.Column, e.Msg)
	}
	return atPoint(path, code, 1, 1, err.Error())
}

// writeText reports like go test: each failed case (each case with
// verbose), a line per suite, and the totals.
func (t *tally) writeText(w io.Writer, verbose bool) {
	failed := 0
	for _, run := range t.suites {
		if d := run.broken; d != nil {
			fmt.Fprintf(w, "%s:%d:%d: %s\nFAIL  %s: the suite did not run\n", d.File, d.Line, d.Column, d.Message, run.path)
			continue
		}
		bad := 0
		for _, r := range run.results {
			switch {
			case r.Err != nil:
				bad++
				fmt.Fprintf(w, "--- FAIL: %s (%s:%d:%d)\n    %s\n", r.Case.Name, run.path, r.Err.Line, r.Err.Column, r.Err.Msg)
			case verbose:
				fmt.Fprintf(w, "--- PASS: %s (%s:%d:%d)\n", r.Case.Name, run.path, r.Case.At.Line, r.Case.At.Column)
			}
		}
		failed += bad
		if bad > 0 {
			fmt.Fprintf(w, "FAIL  %s: %d of %s failed\n", run.path, bad, count(len(run.results), "case"))
		} else {
			fmt.Fprintf(w, "ok    %s: %s passed\n", run.path, count(len(run.results), "case"))
		}
	}
	fmt.Fprintf(w, "%s, %s: %d passed, %d failed", count(len(t.suites), "suite"), count(t.passed+failed, "case"), t.passed, failed)
	if broken := len(t.diags) - failed; broken > 0 {
		fmt.Fprintf(w, "; %s did not run", count(broken, "suite"))
	}
	fmt.Fprintln(w)
}
