package tfdoc

import (
	"slices"
	"strings"

	"github.com/edgerules/edgerules/internal/doc"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// This file reads the rulesets of a file in Terraform's JSON syntax, where
// every string is a template: "${local.x}" interpolates, "$${" writes ${.

// A jsonString is the JSON string a template is read from: its token, and
// how a new value is written in its place.
type jsonString struct {
	start, end int
	render     func(string) string
}

// evalJSON returns the located value of a JSON value of a Terraform file.
func (e *evaluator) evalJSON(n *doc.Node, sc *scope) *doc.Node {
	switch n.Kind {
	case doc.String:
		return e.jsonTemplate(n, sc)
	case doc.List:
		c := &doc.Node{Kind: doc.List, Pos: n.Pos}
		for _, x := range n.Items {
			c.Items = append(c.Items, e.evalJSON(x, sc))
		}
		return c
	case doc.Map:
		c := &doc.Node{Kind: doc.Map, Pos: n.Pos}
		for i, k := range n.Keys {
			c.Keys = append(c.Keys, k)
			c.Values = append(c.Values, e.evalJSON(n.Values[i], sc))
		}
		return c
	}
	return n
}

// jsonTemplate evaluates a JSON string as the template it is. One without
// template sequences is itself, written back with ${ escaped.
func (e *evaluator) jsonTemplate(n *doc.Node, sc *scope) *doc.Node {
	tok, err := n.Token()
	if err != nil {
		return computed(n.Text, n.Pos)
	}
	js := &jsonString{start: tok.Start, end: tok.End, render: func(v string) string { return tok.Render(escapeTemplate(v)) }}
	if !strings.Contains(n.Text, "${") && !strings.Contains(n.Text, "%{") {
		t := doc.NewToken(tok.Start, tok.End, tok.Offsets, false, js.render)
		return doc.NewString(n.Text, n.Pos, func() (*doc.Token, error) { return t, nil })
	}
	x, diags := hclsyntax.ParseTemplate([]byte(n.Text), sc.src.path, hcl.InitialPos)
	if diags.HasErrors() {
		return unknown(n.Pos, "Terraform cannot evaluate it: %s", diags[0].Summary)
	}
	offs := tok.Offsets
	tsc := &scope{src: sc.src, vars: sc.vars, raw: n.Text, json: js,
		mapOff: func(i int) int { return offs[min(max(i, 0), len(offs)-1)] }}
	// "${local.rules}" is the value itself, of whatever kind.
	return e.eval(x, tsc)
}

// jsonFile returns the rulesets of a file in JSON syntax.
func (e *evaluator) jsonFile(src *source) []Ruleset {
	sc := &scope{src: src, raw: src.text}
	root := src.root
	var out []Ruleset
	if src.vars {
		// Terraform takes a .tfvars.json file's strings as they are.
		for i, k := range root.Keys {
			out = e.objects(out, k.Text, "var."+k.Text, root.Values[i])
		}
		return out
	}
	for i, k := range root.Keys {
		v := root.Values[i]
		switch k.Text {
		case "resource":
			out = append(out, e.jsonResources(v, sc)...)
		case "locals":
			for _, locals := range jsonBlocks(v) {
				for _, name := range locals.Keys {
					out = e.objects(out, "local."+name.Text, "local."+name.Text, e.value(e.m.locals[name.Text]))
				}
			}
		case "variable":
			if v.Kind != doc.Map {
				continue
			}
			for j, name := range v.Keys {
				for _, body := range jsonBlocks(v.Values[j]) {
					if d := body.Get("default"); d != nil {
						out = e.objects(out, "var."+name.Text, "var."+name.Text, d) // as it is written, as Terraform takes it
					}
				}
			}
		case "module":
			if v.Kind != doc.Map {
				continue
			}
			for j, name := range v.Keys {
				for _, body := range jsonBlocks(v.Values[j]) {
					for a, arg := range body.Keys {
						if !slices.Contains(moduleMeta, arg.Text) {
							out = e.objects(out, "module."+name.Text+"."+arg.Text, "", e.evalJSON(body.Values[a], sc))
						}
					}
				}
			}
		}
	}
	return out
}

// jsonResources returns the rulesets of a JSON file's "resource" object:
// {"cloudflare_ruleset": {"waf": {...}}}.
func (e *evaluator) jsonResources(v *doc.Node, sc *scope) []Ruleset {
	var out []Ruleset
	for _, types := range jsonBlocks(v) {
		for i, typ := range types.Keys {
			if !ruleTypes[typ.Text] {
				continue
			}
			for _, named := range jsonBlocks(types.Values[i]) {
				for j, name := range named.Keys {
					for _, body := range jsonBlocks(named.Values[j]) {
						out = append(out, e.jsonResource(typ.Text, typ.Text+"."+name.Text, body, sc)...)
					}
				}
			}
		}
	}
	return out
}

// jsonResource returns the rulesets of one resource body in JSON syntax.
func (e *evaluator) jsonResource(typ, address string, body *doc.Node, sc *scope) []Ruleset {
	var count, forEach *doc.Node
	if c := body.Get("count"); c != nil {
		count = e.evalJSON(c, sc)
	}
	if f := body.Get("for_each"); f != nil {
		forEach = e.evalJSON(f, sc)
	}
	insts, stop := e.instances(address, count, forEach, body.Pos)
	if stop != nil {
		return []Ruleset{{Address: address, Node: stop}}
	}
	var out []Ruleset
	for _, in := range insts {
		isc := sc.with(in.vars)
		var n *doc.Node
		switch typ {
		case typeRuleset:
			n = e.jsonBody(body, isc, rulesetKeys)
		case typeFilter:
			n = &doc.Node{Kind: doc.List, Pos: body.Pos, Items: []*doc.Node{e.jsonBody(body, isc, []string{"description", "expression", "paused", "ref"})}}
		case typeFirewallRule:
			rule := e.jsonBody(body, isc, []string{"description", "action", "paused", "priority", "products"})
			if id := body.Get("filter_id"); id != nil {
				rule.Keys = append(rule.Keys, doc.NewString("filter", id.Pos, nil))
				rule.Values = append(rule.Values, e.jsonFilterOf(id, isc))
			}
			n = &doc.Node{Kind: doc.List, Pos: body.Pos, Items: []*doc.Node{rule}}
		}
		out = append(out, Ruleset{Address: in.address, Type: typ, Node: n})
	}
	return out
}

// jsonBody returns the object a block's body in JSON syntax stands for,
// its dynamic blocks expanded; keys, when not nil, are those kept.
func (e *evaluator) jsonBody(body *doc.Node, sc *scope, keys []string) *doc.Node {
	n := &doc.Node{Kind: doc.Map, Pos: body.Pos}
	dynamic := map[string][]*doc.Node{}
	if d := body.Get("dynamic"); d != nil && d.Kind == doc.Map {
		for i, k := range d.Keys {
			for _, b := range jsonBlocks(d.Values[i]) {
				dynamic[k.Text] = append(dynamic[k.Text], e.jsonDynamic(k.Text, b, sc)...)
			}
		}
	}
	for i, k := range body.Keys {
		if k.Text == "dynamic" || keys != nil && !slices.Contains(keys, k.Text) {
			continue
		}
		v := e.evalJSON(body.Values[i], sc)
		if extra, ok := dynamic[k.Text]; ok {
			items := []*doc.Node{v}
			if v.Kind == doc.List {
				items = v.Items
			}
			v = blockValue(k.Text, append(items, extra...), v.Pos)
			delete(dynamic, k.Text)
		}
		n.Keys = append(n.Keys, k)
		n.Values = append(n.Values, v)
	}
	if d := body.Get("dynamic"); d != nil && d.Kind == doc.Map {
		for _, k := range d.Keys {
			if items, ok := dynamic[k.Text]; ok && (keys == nil || slices.Contains(keys, k.Text)) {
				n.Keys = append(n.Keys, k)
				n.Values = append(n.Values, blockValue(k.Text, items, k.Pos))
				delete(dynamic, k.Text)
			}
		}
	}
	return n
}

// jsonDynamic returns the blocks a dynamic block in JSON syntax makes.
func (e *evaluator) jsonDynamic(label string, b *doc.Node, sc *scope) []*doc.Node {
	forEach, content := b.Get("for_each"), b.Get("content")
	if forEach == nil || content == nil || content.Kind != doc.Map {
		return []*doc.Node{unknown(b.Pos, "Terraform cannot evaluate it: a dynamic block needs for_each and content")}
	}
	name := label
	if it := b.Get("iterator"); it != nil && it.Kind == doc.String {
		name = it.Text
	}
	coll := e.evalJSON(forEach, sc)
	if coll.Kind == doc.Unknown {
		return []*doc.Node{coll}
	}
	var out []*doc.Node
	if stop := elements(coll, b.Pos, func(key, value *doc.Node) *doc.Node {
		it := &doc.Node{Kind: doc.Map, Pos: b.Pos, Keys: []*doc.Node{doc.NewString("key", b.Pos, nil), doc.NewString("value", b.Pos, nil)}, Values: []*doc.Node{key, value}}
		out = append(out, e.jsonBody(content, sc.with(map[string]*doc.Node{name: it}), nil))
		return nil
	}); stop != nil {
		return []*doc.Node{stop}
	}
	return out
}

// jsonFilterOf returns the filter a firewall rule's filter_id in JSON
// syntax refers to: "${cloudflare_filter.NAME.id}".
func (e *evaluator) jsonFilterOf(id *doc.Node, sc *scope) *doc.Node {
	if id.Kind == doc.String {
		x, diags := hclsyntax.ParseTemplate([]byte(id.Text), sc.src.path, hcl.InitialPos)
		if w, ok := x.(*hclsyntax.TemplateWrapExpr); ok && !diags.HasErrors() {
			if t, ok := w.Wrapped.(*hclsyntax.ScopeTraversalExpr); ok {
				return e.filterOf(t.Traversal, id.Pos, sc)
			}
		}
	}
	return e.evalJSON(id, sc)
}
