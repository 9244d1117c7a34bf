package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
)

// evalCommand evaluates one expression against field values given as JSON
// and prints the result: true or false for a condition, the value for a
// value expression. With --explain it prints every part of the expression
// with the value it had.
func evalCommand(args []string, s streams) int {
	fl := newFlags("eval", s)
	schemePath := schemeFlag(fl)
	valuesPath := fl.String("values", "", "a JSON object of field values, or - for standard input")
	explain := fl.Bool("explain", false, "print every part of the expression with its value")
	rest, status, done := parseFlags(fl, args, s.out)
	if done {
		return status
	}
	if len(rest) != 1 {
		return s.fail("give one expression to evaluate (quote it for the shell)")
	}
	src := rest[0]
	scheme, opts, err := loadScheme(*schemePath, "")
	if err != nil {
		return s.fail("%v", err)
	}
	ctx := eval.NewContext(scheme)
	if *valuesPath != "" {
		if err := setValues(ctx, *valuesPath, s.in); err != nil {
			return s.fail("%v", err)
		}
	}
	trace := map[ast.Expr][]eval.Value{}
	if *explain {
		opts = append(opts, expr.Trace(func(x ast.Expr, v eval.Value) { trace[x] = append(trace[x], v) }))
	}
	tree, err := expr.Parse(src, opts...)
	var checked *ast.Checked
	if err == nil {
		checked, err = expr.CheckValue(tree, scheme, opts...)
	}
	var result string
	if err == nil && checked.Types[tree.X] == (ast.TypeInfo{Type: fields.Bool}) {
		var f *eval.Filter
		if f, err = expr.CompileChecked(checked, opts...); err == nil {
			result = fmt.Sprint(f.Match(ctx))
		}
	} else if err == nil {
		var p *eval.Program
		if p, err = expr.CompileValueChecked(checked, opts...); err == nil {
			result = p.Eval(ctx).String()
		}
	}
	if err != nil {
		fmt.Fprintln(s.err, err)
		return exitFindings
	}
	fmt.Fprintln(s.out, result)
	if *explain {
		explainTree(s.out, tree.X, trace, "")
	}
	return exitOK
}

// explainTree prints each part of x that computes something, indented by
// depth, with the values it had, or that it was not evaluated.
func explainTree(w io.Writer, x ast.Expr, trace map[ast.Expr][]eval.Value, indent string) {
	x = ast.Unparen(x)
	var children []ast.Expr
	switch x := x.(type) {
	case *ast.Literal, *ast.BoolLit:
		return
	case *ast.LogicalExpr:
		children = x.X
	case *ast.NotExpr:
		children = []ast.Expr{x.X}
	case *ast.CompareExpr:
		children = []ast.Expr{x.X}
	case *ast.IndexExpr:
		children = []ast.Expr{x.X}
	case *ast.CallExpr:
		children = x.Args
	}
	values, seen := trace[x]
	shown := "not evaluated"
	if seen {
		parts := make([]string, len(values))
		for i, v := range values {
			parts[i] = v.String()
		}
		shown = strings.Join(parts, ", ")
	}
	fmt.Fprintf(w, "%s%s = %s\n", indent, ast.Format(x), shown)
	if !seen {
		return
	}
	for _, c := range children {
		explainTree(w, c, trace, indent+"  ")
	}
}

// setValues reads a JSON object of field values and sets them in ctx, each
// decoded by its field's type.
func setValues(ctx *eval.Context, path string, stdin io.Reader) error {
	data, err := readFile(path, stdin)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return fmt.Errorf("%s: the values must be a JSON object of field names: %v", path, err)
	}
	for _, name := range slices.Sorted(maps.Keys(raw)) {
		f, ok := ctx.Scheme().Field(name)
		if !ok {
			if near := ctx.Scheme().Suggest(name); len(near) > 0 {
				return fmt.Errorf("%s: unknown field %s; did you mean %s?", path, name, strings.Join(near, " or "))
			}
			return fmt.Errorf("%s: unknown field %s", path, name)
		}
		value := raw[name]
		if m, isMap := value.(map[string]any); isMap && fields.LowercasedKeys(f.Name()) {
			value = lowercaseKeys(m)
		}
		v, err := eval.ValueOf(f.Type(), value)
		if err != nil {
			return fmt.Errorf("%s: field %s: %v", path, name, err)
		}
		if err := ctx.Set(f, v); err != nil {
			return err
		}
	}
	return nil
}

// lowercaseKeys gives a header map the keys Cloudflare gives it: header
// names in lower case, the values of names that differ only in case joined.
func lowercaseKeys(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		lk := strings.ToLower(k)
		prev, seen := out[lk].([]any)
		next, isList := m[k].([]any)
		if seen && isList {
			out[lk] = append(prev, next...)
			continue
		}
		out[lk] = m[k]
	}
	return out
}
