package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/edgerules/edgerules/lint"
	"github.com/edgerules/edgerules/ruleset"
)

// codeUnusedIgnore is the warning of an ignore comment that suppresses
// nothing.
const codeUnusedIgnore = "unused-ignore"

// An ignore is a `# edgerules:ignore CODE[,CODE...] reason` comment: in a
// file of expressions, on the line before the expression it concerns; in a
// YAML ruleset or a Terraform file (where // starts a comment too), in or
// just before the rule it concerns.
type ignore struct {
	text  string        // the comment
	codes []string      // the codes it suppresses
	line  int           // a file of expressions: the comment's line
	at    int           // a file of expressions: the line of the expression it concerns
	rule  *ruleset.Rule // a ruleset: the rule
	file  *ruleset.File // a ruleset: the rule's
	used  bool
}

// parseIgnore reads an ignore comment, with its #: the codes are separated
// by commas (and spaces after them); what follows them is the reason.
func parseIgnore(comment string) ([]string, bool) {
	comment = strings.TrimSpace(comment)
	if c, slashes := strings.CutPrefix(comment, "//"); slashes {
		comment = c
	} else {
		comment = strings.TrimPrefix(comment, "#")
	}
	rest, ok := strings.CutPrefix(strings.TrimSpace(comment), "edgerules:ignore")
	if !ok || !strings.HasPrefix(rest, " ") && !strings.HasPrefix(rest, "\t") {
		return nil, false
	}
	var codes []string
	for {
		rest = strings.TrimLeft(rest, " \t")
		end := strings.IndexAny(rest, " \t,")
		if end < 0 {
			end = len(rest)
		}
		if end > 0 {
			codes = append(codes, rest[:end])
		}
		rest = strings.TrimLeft(rest[end:], " \t")
		if !strings.HasPrefix(rest, ",") {
			return codes, len(codes) > 0
		}
		rest = rest[1:]
	}
}

// ignores returns the ignore comments of an input.
func ignores(in *input) []*ignore {
	var out []*ignore
	if in.files != nil || in.terraform {
		for _, f := range in.files {
			for _, r := range f.Rules {
				for _, c := range r.Comments() {
					if codes, ok := parseIgnore(c); ok {
						out = append(out, &ignore{text: strings.TrimSpace(c), codes: codes, rule: r, file: f})
					}
				}
			}
		}
		return out
	}
	for i, line := range strings.Split(in.text, "\n") {
		codes, ok := parseIgnore(line)
		if !ok {
			continue
		}
		ig := &ignore{text: strings.TrimSpace(line), codes: codes, line: i + 1}
		for _, u := range in.units {
			if u.line > ig.line {
				ig.at = u.line
				break
			}
		}
		out = append(out, ig)
	}
	return out
}

// covers reports whether the ignore suppresses d.
func (ig *ignore) covers(d diagnostic) bool {
	if !slices.Contains(ig.codes, d.Code) {
		return false
	}
	if ig.rule != nil {
		return d.Rule != nil && d.Rule.rule == ig.rule
	}
	return d.Line == ig.at
}

// configure applies the project file and the flags to the diagnostics of
// an input: lints that are off and excluded or ignored findings are passed
// by, warnings named by --error become errors, and ignore comments that
// suppress nothing (or name no lint) are reported.
func configure(in *input, diags []diagnostic, cfg, flags *lintConfig) []diagnostic {
	igs := ignores(in)
	diags = settle(in, diags, cfg, flags, igs)
	var unused []diagnostic
	for _, ig := range igs {
		if ig.used {
			continue
		}
		msg := fmt.Sprintf("`%s` suppresses nothing here", ig.text)
		if err := checkCodes(ig.codes); err != nil {
			msg = fmt.Sprintf("`%s`: %v", ig.text, err)
		}
		line, col := ig.line, 1
		var rule *ruleInfo
		if ig.rule != nil {
			line, col = ig.rule.Position("")
			rule = infoOf(ig.file, ig.rule)
		}
		d := atPoint(in.path, codeUnusedIgnore, line, col, msg)
		d.Severity, d.Rule = string(lint.Warning), rule
		unused = append(unused, d)
	}
	return append(diags, settle(in, unused, cfg, flags, nil)...)
}

// settle passes by the findings whose lint is off, excluded or ignored, and
// makes errors of those --error names; other diagnostics stay as they are.
func settle(in *input, diags []diagnostic, cfg, flags *lintConfig, igs []*ignore) []diagnostic {
	kept := diags[:0]
	for _, d := range diags {
		if !configurable(d.Code) {
			kept = append(kept, d)
			continue
		}
		ref := ""
		if d.Rule != nil {
			ref = d.Rule.Ref
		}
		if !cfg.on(flags, d.Code) || cfg.excluded(in.path, ref, d.Code) || suppressed(igs, d) {
			continue
		}
		if slices.Contains(flags.Error, d.Code) || cfg != nil && slices.Contains(cfg.Error, d.Code) {
			d.Severity = string(lint.Error)
		}
		kept = append(kept, d)
	}
	return kept
}

// suppressed reports whether an ignore comment covers d, and marks it used.
func suppressed(igs []*ignore, d diagnostic) bool {
	for _, ig := range igs {
		if ig.covers(d) {
			ig.used = true
			return true
		}
	}
	return false
}
