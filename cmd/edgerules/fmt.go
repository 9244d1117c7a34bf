package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/ruleset"
)

// fmtCommand prints expressions in canonical form: one given with -e, or
// those of files, whose other text stays as it is. With -w it writes the
// files back; with -l it names the files that are not canonical instead of
// printing them, and fails unless -w fixed them. An expression that does not
// parse is reported and its file left alone.
func fmtCommand(args []string, s streams) int {
	fl := flag.NewFlagSet("fmt", flag.ContinueOnError)
	fl.SetOutput(s.err)
	write := fl.Bool("w", false, "write the result back to each file")
	list := fl.Bool("l", false, "name the files whose expressions are not in canonical form, and exit 1 when there is one (unless -w)")
	one := fl.String("e", "", "format this expression")
	if fl.Parse(args) != nil {
		return exitUsage
	}
	if *one != "" {
		tree, err := expr.Parse(*one, expr.MaxLength(maxLength))
		if err != nil {
			s.err.Write([]byte(err.Error() + "\n"))
			return exitFindings
		}
		s.out.Write([]byte(ast.Format(tree) + "\n"))
		return exitOK
	}
	if fl.NArg() == 0 {
		return s.fail("name the files to format, or use -e EXPRESSION")
	}
	inputs, err := readInputs(fl.Args(), s.in)
	if err != nil {
		return s.fail("%v", err)
	}
	status := exitOK
	for _, in := range inputs {
		text, diags := formatInput(in)
		if len(diags) > 0 {
			writeText(s.err, diags, summary{files: 1, expressions: len(in.units)})
			status = exitFindings
			continue
		}
		changed := text != in.text
		if *list && changed {
			fmt.Fprintln(s.out, in.path)
			if !*write {
				status = exitFindings
			}
		}
		switch {
		case !*write:
			if !*list {
				s.out.Write([]byte(text))
			}
		case in.path == "-":
			return s.fail("-w cannot write back to standard input")
		case changed:
			info, err := os.Stat(in.path)
			if err == nil {
				err = os.WriteFile(in.path, []byte(text), info.Mode().Perm())
			}
			if err != nil {
				return s.fail("%v", err)
			}
		}
	}
	return status
}

// formatInput returns the text of an input with every expression in
// canonical form, or the diagnostics of those that do not parse.
func formatInput(in *input) (string, []diagnostic) {
	if in.loadErr != nil {
		return "", []diagnostic{*in.loadErr}
	}
	var diags []diagnostic
	canonical := func(u unit) string {
		if strings.TrimSpace(u.expr) == "" {
			return u.expr // check reports a rule with no expression
		}
		tree, err := expr.Parse(u.expr, expr.MaxLength(maxLength))
		if err != nil {
			diags = append(diags, exprErrors(in, u, err)...)
			return u.expr
		}
		return ast.Format(tree)
	}
	if in.file != nil {
		text := in.file.Rewrite(func(r *ruleset.Rule) string { return canonical(in.units[r.Index]) })
		return text, diags
	}
	lines := strings.SplitAfter(in.text, "\n")
	for _, u := range in.units {
		line := lines[u.line-1]
		ending := line[len(strings.TrimRight(line, "\r\n")):]
		lines[u.line-1] = canonical(u) + ending
	}
	return strings.Join(lines, ""), diags
}
