package ruleset

import (
	"slices"
	"strconv"
	"strings"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/internal/doc"
)

// An Expression is one expression a rule holds: its filter, or one of the
// expressions of its parameters, such as the dynamic path of a URL rewrite.
type Expression struct {
	// Key is where the expression stands in the rule, a dotted path:
	// "expression", "ratelimit.counting_expression",
	// "action_parameters.headers.X-Bot-Score.expression".
	Key string
	// Text is the expression.
	Text string
	// Filter is true for a condition, which a request matches or not;
	// false for a value expression, which computes a string.
	Filter bool
	// AnyType is true for a value expression of any type: a rate limiting
	// rule's characteristic, which is part of a counter's key.
	AnyType bool
	// Source is where the expression stands in the rule's file; nil for a
	// rule made in code.
	Source *Location

	path []string
}

// Comments returns the comments written in and just before the rule, in
// a YAML file: each line, with its #.
func (r *Rule) Comments() []string {
	if r.node == nil {
		return nil
	}
	var out []string
	var walk func(n *doc.Node)
	walk = func(n *doc.Node) {
		out = append(out, n.Comments...)
		for _, x := range n.Items {
			walk(x)
		}
		for i := range n.Keys {
			walk(n.Keys[i])
			walk(n.Values[i])
		}
	}
	walk(r.node.Node)
	return out
}

// A place is where the Rulesets API keeps an expression in a rule's
// parameters; "*" stands for any key, such as a header's name, and "#" for
// any item of a list.
type place struct {
	path    []string
	filter  bool
	anyType bool
}

// places are the expressions of a rule's parameters that Cloudflare
// documents: the counting expression and characteristics of rate limiting
// rules (but cf.colo.id and cf.unique_visitor_id, which are no fields), the username
// and password of exposed-credential checks, the dynamic path and query of
// URL rewrites, the dynamic values of request and response header
// modification, the dynamic target of single redirects, and the key of bulk
// redirects.
var places = []place{
	{path: []string{"ratelimit", "counting_expression"}, filter: true},
	{path: []string{"ratelimit", "characteristics", "#"}, anyType: true},
	{path: []string{"exposed_credential_check", "username_expression"}},
	{path: []string{"exposed_credential_check", "password_expression"}},
	{path: []string{"action_parameters", "uri", "path", "expression"}},
	{path: []string{"action_parameters", "uri", "query", "expression"}},
	{path: []string{"action_parameters", "headers", "*", "expression"}},
	{path: []string{"action_parameters", "from_value", "target_url", "expression"}},
	{path: []string{"action_parameters", "from_list", "key"}},
}

// Expressions returns every expression of the rule: its filter first, then
// those of its parameters in the order of places, headers by name.
func (r *Rule) Expressions() []Expression {
	out := []Expression{{Key: "expression", Text: r.Expression, Filter: true, Source: r.Source, path: r.expressionPath()}}
	root := map[string]any{"action_parameters": r.ActionParameters, "ratelimit": r.Ratelimit,
		"exposed_credential_check": r.ExposedCredentialCheck}
	for _, p := range places {
		for _, found := range find(root, p.path, nil) {
			if p.anyType && !isField(found.text) {
				continue
			}
			x := Expression{Key: strings.Join(found.path, "."), Text: found.text, Filter: p.filter, AnyType: p.anyType, path: found.path}
			if r.node != nil {
				x.Source = r.locate(found.path)
			}
			out = append(out, x)
		}
	}
	return out
}

type found struct {
	path []string
	text string
}

// find returns the strings at path under v, with the path each stands at.
func find(v any, path []string, at []string) []found {
	if len(path) == 0 {
		if s, ok := v.(string); ok {
			return []found{{slices.Clone(at), s}}
		}
		return nil
	}
	if l, ok := v.([]any); ok && path[0] == "#" {
		var out []found
		for i, x := range l {
			out = append(out, find(x, path[1:], append(at, strconv.Itoa(i)))...)
		}
		return out
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	keys := []string{path[0]}
	if path[0] == "*" {
		keys = keys[:0]
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
	}
	var out []found
	for _, k := range keys {
		out = append(out, find(m[k], path[1:], append(at, k))...)
	}
	return out
}

// isField reports whether a characteristic is an expression of the
// scheme: all but cf.colo.id and cf.unique_visitor_id.
func isField(characteristic string) bool {
	c := strings.TrimSpace(characteristic)
	return c != ColoCharacteristic && c != VisitorCharacteristic
}

// Check parses and checks an expression the way its place needs: a filter
// must be a condition, a characteristic may be of any type, another value
// expression must give a String (the value of
// a header, a path, a query, a redirect's target or a credential). The
// checked tree is what the linter and the compilers read.
func (x Expression) Check(scheme *fields.Scheme, opts ...expr.Option) (*ast.Checked, error) {
	tree, err := expr.Parse(x.Text, opts...)
	if err != nil {
		return nil, err
	}
	switch {
	case x.Filter:
		return expr.Check(tree, scheme, opts...)
	case x.AnyType:
		return expr.CheckValue(tree, scheme, opts...)
	}
	return expr.CheckValue(tree, scheme, append(slices.Clip(opts), expr.Result(fields.String))...)
}

// Compile checks an expression as Check does and compiles it, so that a
// regular expression that does not compile is found too; it returns the
// checked tree.
func (x Expression) Compile(scheme *fields.Scheme, opts ...expr.Option) (*ast.Checked, error) {
	c, err := x.Check(scheme, opts...)
	if err != nil {
		return nil, err
	}
	if x.Filter {
		_, err = expr.CompileChecked(c, opts...)
	} else {
		_, err = expr.CompileValueChecked(c, opts...)
	}
	return c, err
}
