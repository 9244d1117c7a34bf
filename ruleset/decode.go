package ruleset

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/internal/doc"
)

// A Shape is the API a ruleset file was exported from.
type Shape int

// The shapes of ruleset files.
const (
	// RulesetsShape: the Rulesets API's rules, with expression and action.
	RulesetsShape Shape = iota
	// FirewallRulesShape: the legacy Firewall Rules API's rules, whose
	// expression is in a filter object and which are paused rather than
	// disabled.
	FirewallRulesShape
	// FiltersShape: the legacy Filters API's filters, expressions without
	// actions.
	FiltersShape
	// ObjectsShape: the objects of a Terraform value (a local, a
	// variable's default, a module's argument) that carry an expression,
	// with a rule's keys; their actions are checked where they have one.
	ObjectsShape
)

// The keys of each object of a ruleset file that edgerules knows, from
// Cloudflare's API documentation. An unknown key is an error, with the
// nearest known one.
var (
	envelopeKeys     = []string{"result", "success", "errors", "messages", "result_info"}
	rulesetKeys      = []string{"id", "name", "description", "kind", "phase", "rules", "version", "last_updated"}
	ruleKeys         = []string{"id", "ref", "description", "expression", "action", "action_parameters", "enabled", "logging", "ratelimit", "version", "last_updated", "categories", "exposed_credential_check", "position"}
	firewallRuleKeys = []string{"id", "ref", "description", "action", "paused", "priority", "products", "filter", "created_on", "modified_on", "index"}
	filterKeys       = []string{"id", "ref", "description", "expression", "paused", "created_on", "modified_on"}
)

// A ruleNode is the object a rule was read from, for positions.
type ruleNode struct {
	*doc.Node
	text  string
	shape Shape
	// misspelt are the known keys that an unknown key was reported as a
	// misspelling of.
	misspelt []string
}

// at returns the value at path under the rule, or nil.
func (n *ruleNode) at(path []string) *doc.Node {
	if n == nil {
		return nil
	}
	v := n.Node
	for _, k := range path {
		if v != nil && v.Kind == doc.Unknown {
			return v // what Terraform knows only when it applies
		}
		if i, err := strconv.Atoi(k); err == nil && v != nil && v.Kind == doc.List {
			if i < 0 || i >= len(v.Items) {
				return nil
			}
			v = v.Items[i]
			continue
		}
		v = v.Get(k)
	}
	return v
}

// expressionPath is where a rule keeps its filter expression.
func (r *Rule) expressionPath() []string {
	if r.node != nil && r.node.shape == FirewallRulesShape {
		return []string{"filter", "expression"}
	}
	return []string{"expression"}
}

// A decoder reads a ruleset from a document, collecting every problem of
// its shape with its position.
type decoder struct {
	text  string
	yaml  bool // the document is YAML, whose 1.1 Booleans include yes and no
	errs  ErrorList
	notes []Note
}

func (d *decoder) errorf(n *doc.Node, format string, args ...any) {
	d.errs = append(d.errs, errorAt(d.text, n.Pos, format, args...))
}

// unknown notes a value of a Terraform file that only apply knows, and
// reports whether n is one; key is what it is (Note.Key).
func (d *decoder) unknown(n *doc.Node, key string) bool {
	if n == nil || n.Kind != doc.Unknown {
		return false
	}
	what, ok := map[string]string{"ruleset": "the ruleset is", "rules": "the rules are", "rule": "a rule is",
		"expression": "the expression is", "action": "the action is", "filter": "the filter is",
		"enabled": "whether the rule is enabled is", "paused": "whether the rule is paused is",
		"action_parameters": "the action's parameters are"}[key]
	if !ok {
		what = fmt.Sprintf("%q is", key)
	}
	line, col := expr.Position(d.text, n.Pos)
	note := Note{Line: line, Column: col, Key: key, Msg: fmt.Sprintf("%s not checked: %s", what, n.Text)}
	if !slices.Contains(d.notes, note) {
		d.notes = append(d.notes, note)
	}
	return true
}

// file reads the top of a document: a list of rules, a ruleset, or an API
// response holding either.
func (d *decoder) file(root *doc.Node) *Ruleset {
	switch {
	case root == nil:
		return &Ruleset{}
	case root.Kind == doc.List:
		return d.list(root)
	case root.Kind != doc.Map:
		d.errorf(root, "a ruleset file holds a list of rules or a ruleset object, found %s", root.Kind.Name())
		return &Ruleset{}
	case root.Get("result") != nil:
		d.keys(root, "an API response", envelopeKeys)
		if result := root.Get("result"); result.Kind == doc.List {
			return d.list(result)
		} else if result.Kind == doc.Map {
			return d.ruleset(result)
		} else {
			d.errorf(result, `"result" must be a ruleset or a list of rules, found %s`, result.Kind.Name())
			return &Ruleset{}
		}
	case root.Get("rules") == nil:
		d.errorf(root, `the file is not a ruleset: a ruleset is an object with "rules", a list of rules`)
		d.errs[len(d.errs)-1].err = ErrNotRuleset
		return &Ruleset{}
	}
	return d.ruleset(root)
}

func (d *decoder) ruleset(n *doc.Node) *Ruleset {
	if d.unknown(n, "ruleset") {
		return &Ruleset{}
	}
	d.keys(n, "a ruleset", rulesetKeys)
	rs := &Ruleset{
		Name:        d.str(n, "name"),
		Description: d.str(n, "description"),
		Kind:        d.str(n, "kind"),
		Phase:       d.str(n, "phase"),
	}
	switch rules := n.Get("rules"); {
	case rules == nil:
		d.errorf(n, `a ruleset has "rules", a list of rules`)
	case rules.Kind == doc.Null, d.unknown(rules, "rules"):
	case rules.Kind != doc.List:
		d.errorf(rules, `"rules" must be a list of rules, found %s`, rules.Kind.Name())
	default:
		rs.Rules = d.list(rules).Rules
	}
	return rs
}

// list reads a list of rules, firewall rules or filters; which of them it
// holds is told by their keys.
func (d *decoder) list(n *doc.Node) *Ruleset {
	return d.rules(n, listShape(n))
}

// rules reads a list of rules of a shape.
func (d *decoder) rules(n *doc.Node, shape Shape) *Ruleset {
	rs := &Ruleset{Shape: shape}
	if d.unknown(n, "rules") {
		return rs
	}
	for _, item := range n.Items {
		if d.unknown(item, "rule") {
			continue
		}
		if item.Kind != doc.Map {
			d.errorf(item, "a rule must be an object, found %s", item.Kind.Name())
			continue
		}
		rs.Rules = append(rs.Rules, d.rule(item, shape))
	}
	return rs
}

// listShape tells the legacy lists from the Rulesets API's: a firewall rule
// holds a "filter" object; a filter is paused, and no filter has an action.
func listShape(n *doc.Node) Shape {
	paused, actions := false, false
	for _, item := range n.Items {
		if item.Get("filter") != nil {
			return FirewallRulesShape
		}
		paused = paused || item.Get("paused") != nil
		actions = actions || item.Get("action") != nil
	}
	if paused && !actions {
		return FiltersShape
	}
	return RulesetsShape
}

func (d *decoder) rule(n *doc.Node, shape Shape) *Rule {
	r := &Rule{node: &ruleNode{Node: n, text: d.text, shape: shape}}
	d.unknowns(n)
	switch shape {
	case RulesetsShape, ObjectsShape:
		r.node.misspelt = d.keys(n, "a rule", ruleKeys)
		r.Expression = d.str(n, "expression")
		r.Action = Action(d.str(n, "action"))
		r.Enabled = d.boolean(n, "enabled")
		r.ActionParameters = d.object(n, "action_parameters")
		r.Ratelimit = d.object(n, "ratelimit")
		if r.Ratelimit != nil {
			for _, k := range d.keys(n.Get("ratelimit"), "a ratelimit object", rateLimitKeys) {
				r.node.misspelt = append(r.node.misspelt, "ratelimit."+k)
			}
		}
		r.ExposedCredentialCheck = d.object(n, "exposed_credential_check")
	case FirewallRulesShape:
		r.node.misspelt = d.keys(n, "a firewall rule", firewallRuleKeys)
		r.Action = Action(d.str(n, "action"))
		r.Enabled = d.notPaused(n)
		if products := d.value(n, "products", doc.List); products != nil {
			r.ActionParameters = map[string]any{"products": plain(products)}
		}
		switch filter := n.Get("filter"); {
		case filter == nil:
		case filter.Kind != doc.Map:
			d.errorf(filter, `"filter" must be an object with an "expression", found %s`, filter.Kind.Name())
		default:
			r.node.misspelt = append(r.node.misspelt, d.keys(filter, "a filter", filterKeys)...)
			r.Expression = d.str(filter, "expression")
		}
	case FiltersShape:
		r.node.misspelt = d.keys(n, "a filter", filterKeys)
		r.Expression = d.str(n, "expression")
		r.Enabled = d.notPaused(n)
	}
	r.ID = d.str(n, "id")
	r.Ref = d.str(n, "ref")
	r.Description = d.str(n, "description")
	return r
}

// unknowns notes the values of a rule that Terraform knows only when it
// applies, where they would be checked or decide what the rule does: its
// expressions, its action, whether it is enabled, and its parameters (a
// skip's say which rules run).
func (d *decoder) unknowns(n *doc.Node) {
	d.unknown(n.Get("expression"), "expression")
	d.unknown(n.Get("action"), "action")
	d.unknown(n.Get("enabled"), "enabled")
	d.unknown(n.Get("paused"), "paused")
	d.unknown(n.Get("action_parameters"), "action_parameters")
	if f := n.Get("filter"); f != nil && !d.unknown(f, "filter") {
		d.unknown(f.Get("expression"), "expression")
	}
	for _, p := range places {
		for _, u := range unknownsAt(n, p.path, nil) {
			d.unknown(u.node, strings.Join(u.path, "."))
		}
	}
}

type unknownAt struct {
	path []string
	node *doc.Node
}

// unknownsAt returns the Unknown values on path under n ("*" for any key),
// and the path to each.
func unknownsAt(n *doc.Node, path, at []string) []unknownAt {
	if n == nil {
		return nil
	}
	if n.Kind == doc.Unknown {
		return []unknownAt{{slices.Clone(at), n}}
	}
	if len(path) == 0 || n.Kind != doc.Map {
		return nil
	}
	var out []unknownAt
	for i, k := range n.Keys {
		if path[0] == "*" || k.Text == path[0] {
			out = append(out, unknownsAt(n.Values[i], path[1:], append(at, k.Text))...)
		}
	}
	return out
}

// keys reports each key of n that what (a rule, a ruleset) does not have,
// and returns the known keys it took some of them for. A key that starts
// with x- or . is the file's own, such as a YAML anchor's holder
// (x-defaults: &defaults), as in OpenAPI and Compose files.
func (d *decoder) keys(n *doc.Node, what string, known []string) (misspelt []string) {
	for _, k := range n.Keys {
		if slices.Contains(known, k.Text) || strings.HasPrefix(k.Text, "x-") || strings.HasPrefix(k.Text, ".") {
			continue
		}
		if near := fields.Closest(k.Text, known, 1); len(near) > 0 {
			d.errorf(k, "unknown key %q in %s; did you mean %q?", k.Text, what, near[0])
			misspelt = append(misspelt, near[0])
		} else {
			d.errorf(k, "unknown key %q in %s, which has %s", k.Text, what, strings.Join(known, ", "))
		}
	}
	return misspelt
}

// value returns the value of key when it is of the kind wanted, and reports
// it when it is not; nil, which stands for null too, is no value.
func (d *decoder) value(n *doc.Node, key string, want doc.Kind) *doc.Node {
	v := n.Get(key)
	if v == nil || v.Kind == doc.Null || v.Kind == doc.Unknown {
		return nil
	}
	if v.Kind != want {
		what := map[doc.Kind]string{doc.String: "a string", doc.Bool: "true or false", doc.Map: "an object", doc.List: "a list"}[want]
		d.errorf(v, "%q must be %s, found %s", key, what, v.Kind.Name())
		return nil
	}
	return v
}

func (d *decoder) str(n *doc.Node, key string) string {
	if v := d.value(n, key, doc.String); v != nil {
		return v.Text
	}
	return ""
}

func (d *decoder) boolean(n *doc.Node, key string) *bool {
	if v := n.Get(key); d.yaml && v != nil && v.Kind == doc.String {
		// YAML 1.1, which yaml.v3 still honours when it decodes into a
		// bool, writes Booleans as yes, no, on, off, y and n too.
		switch strings.ToLower(v.Text) {
		case "yes", "on", "y":
			b := true
			return &b
		case "no", "off", "n":
			b := false
			return &b
		}
	}
	v := d.value(n, key, doc.Bool)
	if v == nil {
		return nil
	}
	b := strings.EqualFold(v.Text, "true")
	return &b
}

// notPaused turns a legacy "paused" into whether the rule is enabled.
func (d *decoder) notPaused(n *doc.Node) *bool {
	paused := d.boolean(n, "paused")
	if paused == nil {
		return nil
	}
	enabled := !*paused
	return &enabled
}

func (d *decoder) object(n *doc.Node, key string) map[string]any {
	if v := d.value(n, key, doc.Map); v != nil {
		return plain(v).(map[string]any)
	}
	return nil
}

// plain turns a value into the Go values encoding/json decodes into:
// map[string]any, []any, string, float64, bool and nil.
func plain(n *doc.Node) any {
	switch n.Kind {
	case doc.Map:
		m := make(map[string]any, len(n.Keys))
		for i, k := range n.Keys {
			m[k.Text] = plain(n.Values[i])
		}
		return m
	case doc.List:
		l := make([]any, len(n.Items))
		for i, x := range n.Items {
			l[i] = plain(x)
		}
		return l
	case doc.Number:
		if f, err := strconv.ParseFloat(strings.ReplaceAll(n.Text, "_", ""), 64); err == nil {
			return f
		}
		if i, err := strconv.ParseInt(strings.ReplaceAll(n.Text, "_", ""), 0, 64); err == nil {
			return float64(i)
		}
		return n.Text
	case doc.Bool:
		return strings.EqualFold(n.Text, "true")
	case doc.Null, doc.Unknown:
		return nil
	}
	return n.Text
}
