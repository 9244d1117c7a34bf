package main

import (
	"fmt"
	"slices"

	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/lint"
	"github.com/edgerules/edgerules/ruleset"
)

// fixInput makes, in an input's file, the safe fixes of the findings
// reported about it, through the verified rewriter fmt -w uses: every other
// byte stays, and each fixed expression must still check. It returns a line
// for each change it made.
func fixInput(in *input, diags []diagnostic, scheme *fields.Scheme, opts []expr.Option) ([]string, error) {
	edits := map[int][]lint.Edit{} // by unit
	codes := map[int][]string{}
	for _, d := range diags {
		if d.unit > 0 && len(d.edits) > 0 {
			edits[d.unit-1] = append(edits[d.unit-1], d.edits...)
			for range d.edits {
				codes[d.unit-1] = append(codes[d.unit-1], d.Code)
			}
		}
	}
	if len(edits) == 0 {
		return nil, nil
	}
	if in.path == "-" || in.path == "-e" {
		return nil, fmt.Errorf("--fix cannot write back to %s", map[string]string{"-": "standard input", "-e": "-e"}[in.path])
	}
	var changes []string
	next := func(u unit) (string, []diagnostic) {
		text, made := applyEdits(u.expr, edits[u.index], codes[u.index])
		for _, m := range made {
			line, col := u.position(m.Offset)
			// An expression shared through a YAML alias is fixed once.
			change := fmt.Sprintf("%s:%d:%d: fixed %s: `%s` is now `%s`", in.path, line, col, m.code, u.expr[m.Offset:m.Offset+m.Len], m.Text)
			if !slices.Contains(changes, change) {
				changes = append(changes, change)
			}
		}
		return text, nil
	}
	accept := func(x ruleset.Expression, text string) error {
		x.Text = text
		_, err := x.Check(scheme, opts...)
		return err
	}
	text, found, err := rewriteInput(in, next, accept)
	if err == nil && len(found) > 0 {
		err = fmt.Errorf("%s", found[0].Message)
	}
	if err != nil || text == in.text {
		return nil, err
	}
	return changes, writeFile(in.path, []byte(text))
}

// A madeEdit is an edit applied, with the code of its finding.
type madeEdit struct {
	lint.Edit
	code string
}

// applyEdits makes the edits of an expression that do not overlap, in order,
// and returns the new text and the edits made; an edit that overlaps one
// before it waits for another run.
func applyEdits(src string, edits []lint.Edit, codes []string) (string, []madeEdit) {
	made := make([]madeEdit, len(edits))
	for i, e := range edits {
		made[i] = madeEdit{e, codes[i]}
	}
	slices.SortStableFunc(made, func(a, b madeEdit) int { return a.Offset - b.Offset })
	var out []byte
	var kept []madeEdit
	last := 0
	for _, m := range made {
		if m.Offset < last || m.Offset+m.Len > len(src) {
			continue
		}
		out = append(append(out, src[last:m.Offset]...), m.Text...)
		last = m.Offset + m.Len
		kept = append(kept, m)
	}
	return string(append(out, src[last:]...)), kept
}
