package main

import (
	"errors"
	"fmt"

	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/lint"
	"github.com/edgerules/edgerules/ruleset"
)

// A diagnostic is one finding about one file, in the form every output
// format reads: where (file line and column, and offset and length in the
// expression), how bad, which code, and what to do.
type diagnostic struct {
	File      string    `json:"file"`
	Line      int       `json:"line"`
	Column    int       `json:"column"`
	EndLine   int       `json:"end_line"`
	EndColumn int       `json:"end_column"`
	Offset    int       `json:"offset"`
	Length    int       `json:"length"`
	Severity  string    `json:"severity"`
	Code      string    `json:"code"`
	Message   string    `json:"message"`
	Hint      string    `json:"hint,omitempty"`
	Rule      *ruleInfo `json:"rule,omitempty"`
	// Computed is set for an expression Terraform computes (with
	// interpolation or a function): its excerpt is the computed text, and
	// its line and column those of what computes the part concerned.
	Computed bool   `json:"computed,omitempty"`
	expr     string // the expression, for the excerpt of the text format
	unit     int    // the index of the expression's unit in its input, from 1; 0 for none
	edits    []lint.Edit
}

// ruleInfo names the rule of a diagnostic in a ruleset.
type ruleInfo struct {
	Index int    `json:"index"` // from 1
	Ref   string `json:"ref,omitempty"`
	ID    string `json:"id,omitempty"`
	// Resource is the rule's Terraform address, such as
	// cloudflare_ruleset.waf.rules[2].
	Resource string `json:"resource,omitempty"`

	rule *ruleset.Rule
}

// infoOf names a rule of a ruleset.
func infoOf(f *ruleset.File, r *ruleset.Rule) *ruleInfo {
	info := &ruleInfo{Index: r.Index + 1, Ref: r.Ref, ID: r.ID, rule: r}
	if f != nil && f.Address != "" {
		info.Resource = f.Address
		if f.Shape == ruleset.RulesetsShape {
			info.Resource += fmt.Sprintf(".rules[%d]", r.Index)
		}
	}
	return info
}

// The codes of problems with files and rules rather than expressions, and
// of what could not be checked.
const (
	codeInvalidFile = "invalid-file"
	codeInvalidRule = "invalid-rule"
	codeNotChecked  = "not-checked"
)

// severityNote is the severity of what could not be checked, such as a
// Terraform value known only when it applies: reported, never a failure.
const severityNote = "note"

// at makes a diagnostic for the bytes [off, off+length) of a unit's expression.
func at(in *input, u unit, severity, code string, off, length int, msg, hint string) diagnostic {
	d := diagnostic{File: in.path, Offset: off, Length: length, Severity: severity, Code: code,
		Message: msg, Hint: hint, expr: u.expr}
	d.Line, d.Column = u.position(off)
	d.Computed = u.x.Source != nil && u.x.Source.Computed()
	d.EndLine, d.EndColumn = u.position(off + length)
	if r := u.rule; r != nil {
		d.Rule = infoOf(u.file, r)
	}
	return d
}

// exprErrors turns the errors of compiling a unit into diagnostics.
func exprErrors(in *input, u unit, err error) []diagnostic {
	var list expr.ErrorList
	if !errors.As(err, &list) {
		var e *expr.Error
		if !errors.As(err, &e) {
			return []diagnostic{at(in, u, "error", codeInvalidRule, 0, 0, err.Error(), "")}
		}
		list = expr.ErrorList{e}
	}
	out := make([]diagnostic, len(list))
	for i, e := range list {
		msg, hint, off, length := e.Msg, e.Hint, e.Offset, e.Len
		if e.Code == expr.ErrTooLong {
			// The command's own reading limit is no user's business: the
			// limit that matters is Cloudflare's.
			msg = fmt.Sprintf("the expression is %d bytes long; Cloudflare accepts at most %d", len(u.expr), lint.CloudflareMaxLength)
			hint = "split it into several rules, or move its values into a list"
			off, length = lint.CloudflareMaxLength, len(u.expr)-lint.CloudflareMaxLength
		}
		out[i] = at(in, u, "error", string(e.Code), off, length, msg, hint)
	}
	return out
}

func findingDiagnostic(in *input, u unit, f lint.Finding) diagnostic {
	d := at(in, u, string(f.Severity), f.Code, f.Offset, f.Len, f.Message, f.Fix)
	d.unit, d.edits = u.index+1, f.Edits
	return d
}

// keyDiagnostic places a finding about a rule's parameter, rather than
// an expression, at the value of the parameter's key.
func keyDiagnostic(in *input, u unit, f lint.Finding) diagnostic {
	line, col := f.Rule.Position(f.Key)
	d := atPoint(in.path, f.Code, line, col, f.Message)
	d.Severity, d.Hint, d.Rule, d.unit = string(f.Severity), f.Fix, infoOf(u.file, f.Rule), u.index+1
	return d
}

// ruleDiagnostic places a problem of a rule at the part of it the problem
// is with: the expression for a missing one, or the value of its key.
func ruleDiagnostic(in *input, f *ruleset.File, e *ruleset.RuleError) diagnostic {
	line, col := e.Rule.Position(e.Key)
	d := atPoint(in.path, codeInvalidRule, line, col, e.Err.Error())
	d.Rule = infoOf(f, e.Rule)
	return d
}

// fileErrors makes diagnostics of a file that could not be read as a
// ruleset, or whose shape is not a ruleset's, at the lines and columns its
// errors name.
func fileErrors(path string, err error) []diagnostic {
	var list ruleset.ErrorList
	var syntax *ruleset.SyntaxError
	switch {
	case errors.As(err, &list):
	case errors.As(err, &syntax):
		list = ruleset.ErrorList{syntax}
	default:
		return []diagnostic{atPoint(path, codeInvalidFile, 1, 1, err.Error())}
	}
	out := make([]diagnostic, len(list))
	for i, e := range list {
		out[i] = atPoint(path, codeInvalidFile, e.Line, e.Column, e.Msg)
	}
	return out
}

// atPoint makes an error diagnostic at one line and column of a file,
// outside any expression.
func atPoint(path, code string, line, col int, msg string) diagnostic {
	return diagnostic{File: path, Line: line, Column: col, EndLine: line, EndColumn: col,
		Severity: "error", Code: code, Message: msg}
}
