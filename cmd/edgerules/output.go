package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/edgerules/edgerules/expr"
)

// A summary counts what a check read.
type summary struct{ files, expressions int }

// An output renders diagnostics in one --format.
type output func(io.Writer, []diagnostic, summary)

// outputs are the outputs of each --format.
var outputs = map[string]output{
	"text":   writeText,
	"json":   writeJSON,
	"sarif":  writeSARIF,
	"github": writeGitHub,
}

// formatFlag adds --format, for the outputs of diagnostics, to fl.
func formatFlag(fl *flag.FlagSet) *string {
	return fl.String("format", "text", "text, json, sarif or github")
}

// outputFor returns the output a --format names.
func outputFor(format string) (output, error) {
	out, ok := outputs[format]
	if !ok {
		return nil, fmt.Errorf("unknown --format %q: use text, json, sarif or github", format)
	}
	return out, nil
}

// writeText prints each diagnostic as file:line:col with its severity and
// code, the line of the expression with carets under the problem, and the
// hint; then a count.
func writeText(w io.Writer, diags []diagnostic, sum summary) {
	errs, warns, notes := 0, 0, 0
	for _, d := range diags {
		fmt.Fprintf(w, "%s:%d:%d: %s[%s]: %s\n", d.File, d.Line, d.Column, d.Severity, d.Code, d.Message)
		if d.expr != "" {
			line, carets := expr.Excerpt(d.expr, d.Offset, d.Length)
			fmt.Fprintf(w, "    %s\n    %s\n", line, carets)
			if d.Computed {
				fmt.Fprintln(w, "    (the expression as Terraform computes it)")
			}
		}
		if d.Hint != "" {
			fmt.Fprintf(w, "    hint: %s\n", d.Hint)
		}
		fmt.Fprintln(w)
		switch d.Severity {
		case "error":
			errs++
		case severityNote:
			notes++
		default:
			warns++
		}
	}
	noted := ""
	if notes > 0 {
		noted = ", " + count(notes, "note")
	}
	fmt.Fprintf(w, "%s, %s%s in %s (%s)\n", count(errs, "error"), count(warns, "warning"), noted,
		count(sum.files, "file"), count(sum.expressions, "expression"))
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// writeJSON prints an array with one object per diagnostic.
func writeJSON(w io.Writer, diags []diagnostic, _ summary) {
	if diags == nil {
		diags = []diagnostic{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(diags)
}

// descriptions say what each code means, for SARIF's rule list.
var descriptions = map[string]string{
	string(expr.ErrTooLong):            "The expression is longer than the parser accepts.",
	string(expr.ErrNestingDepth):       "The expression nests deeper than the parser accepts.",
	string(expr.ErrUnexpectedChar):     "A character no token starts with.",
	string(expr.ErrUnterminatedString): "A string has no closing quote.",
	string(expr.ErrBadEscape):          "A string holds an escape it may not.",
	string(expr.ErrRawStringHashes):    "A raw string has more than 255 #.",
	string(expr.ErrBadName):            "A malformed field, function or list name.",
	string(expr.ErrUnexpectedToken):    "The grammar wants something else here.",
	string(expr.ErrKeywordCase):        "An operator or keyword in capitals.",
	string(expr.ErrFunctionAsOperator): "A function written as an operator.",
	string(expr.ErrValuePlacement):     "A set, list or CIDR where it may not stand.",
	string(expr.ErrUnknownField):       "A field the scheme does not have.",
	string(expr.ErrUnknownFunction):    "A function the scheme does not have.",
	string(expr.ErrNotCondition):       "A value where a condition must stand.",
	string(expr.ErrTypeMismatch):       "An operator or function given a type it does not take.",
	string(expr.ErrBadValue):           "A value that does not decode as the type it must have.",
	string(expr.ErrArgumentCount):      "Too few or too many arguments.",
	string(expr.ErrArgumentKind):       "A literal where a field must be, or the reverse.",
	string(expr.ErrStar):               "[*] where it may not stand.",
	string(expr.ErrListKind):           "A list that holds another type than its field.",
	string(expr.ErrBadPattern):         "A regular expression or wildcard that does not compile.",
	string(expr.ErrTooManyRegexes):     "More regular expressions than one expression may hold.",
	string(expr.ErrUnknownList):        "A list that is not declared.",
	string(expr.ErrStringTooLong):      "A string literal longer than the limit.",
	string(expr.ErrSetTooLarge):        "A set with more elements than the limit.",
	string(expr.ErrRegexTooLarge):      "A regular expression that compiles to more instructions than the limit.",
	codeInvalidFile:                    "A file that is not a ruleset in JSON, YAML or Terraform.",
	codeInvalidRule:                    "A rule with no expression, an unknown action or a repeated ref.",
	codeNotChecked:                     "A Terraform value known only when Terraform applies, which is not checked.",
	codeCaseFailed:                     "A test case whose request gets another decision than the one it expects.",
	codeInvalidSuite:                   "A test suite that cannot be read or run.",
	"deprecated-field":                 "A deprecated field name.",
	"no-verified-bot-exemption":        "A bot-score rule that blocks or challenges verified bots too.",
	"score-range":                      "A bot-score condition that never or always holds.",
	"leading-zero":                     "An integer with a leading zero, which is octal.",
	"tab":                              "A tab inside an expression.",
	"regex-is-string-test":             "A regular expression that is a plain string test.",
	"shadowed-rule":                    "A rule an earlier rule keeps from acting.",
	"response-field":                   "A response field in a rule of a request phase, where it never has a value.",
	"legacy-action":                    "The legacy allow or bypass action in a Rulesets API phase.",
	"rewrite-function":                 "A function Cloudflare accepts only in rewrite expressions, used in a filter.",
}

// writeSARIF prints a SARIF 2.1.0 log for code scanning.
func writeSARIF(w io.Writer, diags []diagnostic, _ summary) {
	type (
		message struct {
			Text string `json:"text"`
		}
		region struct {
			StartLine   int `json:"startLine"`
			StartColumn int `json:"startColumn"`
			EndLine     int `json:"endLine"`
			EndColumn   int `json:"endColumn"`
		}
		artifact struct {
			URI string `json:"uri"`
		}
		physical struct {
			ArtifactLocation artifact `json:"artifactLocation"`
			Region           region   `json:"region"`
		}
		logical struct {
			FullyQualifiedName string `json:"fullyQualifiedName"`
			Kind               string `json:"kind"`
		}
		location struct {
			PhysicalLocation physical  `json:"physicalLocation"`
			LogicalLocations []logical `json:"logicalLocations,omitempty"`
		}
		result struct {
			RuleID    string     `json:"ruleId"`
			Level     string     `json:"level"`
			Message   message    `json:"message"`
			Locations []location `json:"locations"`
		}
		rule struct {
			ID               string  `json:"id"`
			ShortDescription message `json:"shortDescription"`
		}
	)
	results := []result{}
	used := map[string]bool{}
	for _, d := range diags {
		text := d.Message
		if d.Hint != "" {
			text += "; " + d.Hint
		}
		loc := location{PhysicalLocation: physical{artifact{d.File}, region{d.Line, d.Column, d.EndLine, max(d.EndColumn, d.Column+1)}}}
		if d.Rule != nil && d.Rule.Resource != "" {
			// The Terraform address of the rule, which code scanning shows.
			loc.LogicalLocations = []logical{{d.Rule.Resource, "resource"}}
		}
		results = append(results, result{RuleID: d.Code, Level: d.Severity, Message: message{text}, Locations: []location{loc}})
		used[d.Code] = true
	}
	rules := []rule{}
	for _, code := range slices.Sorted(maps.Keys(used)) {
		rules = append(rules, rule{code, message{descriptions[code]}})
	}
	log := map[string]any{
		"version": "2.1.0",
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"runs": []any{map[string]any{
			"tool": map[string]any{"driver": map[string]any{
				"name": "edgerules", "informationUri": "https://github.com/edgerules/edgerules", "rules": rules}},
			"results": results,
		}},
	}
	data, _ := json.MarshalIndent(log, "", "  ")
	fmt.Fprintf(w, "%s\n", data)
}

// writeGitHub prints workflow commands that annotate the files of a pull request.
func writeGitHub(w io.Writer, diags []diagnostic, _ summary) {
	for _, d := range diags {
		text := d.Message
		if d.Hint != "" {
			text += "; " + d.Hint
		}
		level := d.Severity
		if level == severityNote {
			level = "notice" // GitHub's name for it
		}
		fmt.Fprintf(w, "::%s file=%s,line=%d,col=%d,endLine=%d,endColumn=%d,title=%s::%s\n",
			level, ghProperty(d.File), d.Line, d.Column, d.EndLine, d.EndColumn,
			ghProperty("edgerules "+d.Code), ghData(text))
	}
}

// ghData and ghProperty escape text as workflow commands require.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProperty(s string) string {
	return strings.NewReplacer(":", "%3A", ",", "%2C").Replace(ghData(s))
}
