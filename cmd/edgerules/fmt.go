package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

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
	fl := newFlags("fmt", s)
	write := fl.Bool("w", false, "write the result back to each file")
	list := fl.Bool("l", false, "name the files whose expressions are not in canonical form, and exit 1 when there is one (unless -w)")
	one := fl.String("e", "", "format this expression")
	varFiles := varFileFlag(fl)
	files, status, done := parseFlags(fl, args, s.out)
	if done {
		return status
	}
	if *one != "" {
		tree, err := expr.Parse(*one, expr.MaxLength(maxLength))
		if err != nil {
			s.err.Write([]byte(err.Error() + "\n"))
			return exitFindings
		}
		s.out.Write([]byte(ast.FormatWidth(tree, ruleset.FormatWidth) + "\n"))
		return exitOK
	}
	if len(files) == 0 {
		return s.fail("name the files to format, or use -e EXPRESSION")
	}
	inputs, err := readInputs(files, s.in, *varFiles)
	if err != nil {
		return s.fail("%v", err)
	}
	status = exitOK
	for _, in := range inputs {
		text, diags, err := formatInput(in)
		if len(diags) > 0 {
			writeText(s.err, diags, summary{files: 1, expressions: len(in.units)})
			status = exitFindings
			continue
		}
		if err != nil {
			fmt.Fprintf(s.err, "%s: not formatted, the file is left as it was: %v\n", in.path, err)
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
			if err := writeFile(in.path, []byte(text)); err != nil {
				return s.fail("%v", err)
			}
		}
	}
	return status
}

// formatInput returns the text of an input with every expression in
// canonical form, or the diagnostics of those that do not parse, or why the
// new text could not be verified.
func formatInput(in *input) (string, []diagnostic, error) {
	return rewriteInput(in, func(u unit) (string, []diagnostic) {
		text, err := u.x.Formatted(expr.MaxLength(maxLength))
		if err != nil {
			return u.expr, exprErrors(in, u, err)
		}
		return text, nil
	}, ruleset.SameMeaning)
}

// rewriteInput returns the text of an input with each expression replaced
// by what next returns for it, every other byte as it was, each new
// expression verified by accept; or the diagnostics next reports; or why
// the new text could not be verified, and then no text. An expression
// Terraform computes is not rewritten: its literal parts are formatted
// where they are written.
func rewriteInput(in *input, next func(u unit) (string, []diagnostic), accept func(x ruleset.Expression, text string) error) (string, []diagnostic, error) {
	if in.files == nil && in.loadErrs != nil {
		return "", in.loadErrs, nil
	}
	var diags []diagnostic
	if in.files != nil || in.terraform {
		units := map[*ruleset.Rule]map[string]unit{}
		for _, u := range in.units {
			if units[u.rule] == nil {
				units[u.rule] = map[string]unit{}
			}
			units[u.rule][u.x.Key] = u
		}
		text, err := ruleset.EditAll(in.files, func(r *ruleset.Rule, x ruleset.Expression) string {
			if x.Source != nil && x.Source.Computed() {
				return x.Text
			}
			text, found := next(units[r][x.Key])
			diags = append(diags, found...)
			return text
		}, accept)
		if len(diags) > 0 {
			return "", diags, nil
		}
		if len(in.files) == 0 {
			text = in.text // a Terraform file with no ruleset
		}
		return text, nil, err
	}
	lines := strings.SplitAfter(in.text, "\n")
	for _, u := range in.units {
		line := lines[u.line-1]
		ending := line[len(strings.TrimRight(line, "\r\n")):]
		text, found := next(u)
		diags = append(diags, found...)
		lines[u.line-1] = text + ending
	}
	if len(diags) > 0 {
		return "", diags, nil
	}
	text := strings.Join(lines, "")
	return text, nil, verifyLines(in, text, accept)
}

// verifyLines reads a rewritten file of expressions back: the same lines,
// each expression's new text accepted, every other line unchanged.
func verifyLines(in *input, text string, accept func(x ruleset.Expression, text string) error) error {
	before, after := strings.Split(in.text, "\n"), strings.Split(text, "\n")
	if len(before) != len(after) {
		return fmt.Errorf("the rewritten file would have %d lines instead of %d", len(after), len(before))
	}
	exprs := map[int]unit{}
	for _, u := range in.units {
		exprs[u.line-1] = u
	}
	for i := range before {
		u, isExpr := exprs[i]
		switch {
		case !isExpr && before[i] != after[i]:
			return fmt.Errorf("line %d would change, and it holds no expression", i+1)
		case isExpr && before[i] != after[i]:
			if err := accept(u.x, strings.TrimSuffix(after[i], "\r")); err != nil {
				return fmt.Errorf("line %d: %v", i+1, err)
			}
		}
	}
	return nil
}

// writeFile replaces a file with data in one step: data goes to a new file
// beside it, with the old file's mode and, where it may, owner, which then
// takes the old one's name, so that the file is never seen half written. A
// symbolic link is followed to the file it names, which is the one
// replaced. A file with other hard links is written in place instead, so
// that they all keep seeing it.
func writeFile(path string, data []byte) error {
	path, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st, ok := info.Sys().(*syscall.Stat_t); ok && st.Nlink > 1 {
		return os.WriteFile(path, data, info.Mode().Perm())
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(info.Mode().Perm())
	}
	if st, ok := info.Sys().(*syscall.Stat_t); ok && err == nil {
		_ = tmp.Chown(int(st.Uid), int(st.Gid)) // only a privileged user may; the file is then the writer's
	}
	if err == nil {
		err = tmp.Sync()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	return err
}
