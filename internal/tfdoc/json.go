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
						out = append(out, e.resourceSets(typ.Text, typ.Text+"."+name.Text, jsonBody{body}, sc, body.Pos)...)
					}
				}
			}
		}
	}
	return out
}

// A jsonBody is a resource's body in JSON syntax.
type jsonBody struct{ n *doc.Node }

func (j jsonBody) attr(e *evaluator, name string, sc *scope) *doc.Node {
	if v := j.n.Get(name); v != nil {
		return e.evalJSON(v, sc)
	}
	return nil
}

func (j jsonBody) object(e *evaluator, sc *scope, keys []string) *doc.Node {
	return e.jsonObject(j.n, sc, keys)
}

// filter reads "filter_id": "${cloudflare_filter.NAME.id}".
func (j jsonBody) filter(e *evaluator, sc *scope) (*doc.Node, *doc.Node) {
	id := j.n.Get("filter_id")
	if id == nil {
		return nil, nil
	}
	key := doc.NewString("filter", id.Pos, nil)
	if id.Kind == doc.String {
		x, diags := hclsyntax.ParseTemplate([]byte(id.Text), sc.src.path, hcl.InitialPos)
		if w, ok := x.(*hclsyntax.TemplateWrapExpr); ok && !diags.HasErrors() {
			if t, ok := w.Wrapped.(*hclsyntax.ScopeTraversalExpr); ok {
				return key, e.filterOf(t.Traversal, id.Pos, sc)
			}
		}
	}
	return key, e.evalJSON(id, sc)
}

// jsonObject returns the object a block's body in JSON syntax stands for;
// keys, when not nil, are those kept. Blocks of a type are the values of
// its key and of its dynamic blocks, in the order of the body's keys, as
// HCL reads them; a "//" key is a comment.
func (e *evaluator) jsonObject(body *doc.Node, sc *scope, keys []string) *doc.Node {
	kept := func(k string) bool { return k != "//" && (keys == nil || slices.Contains(keys, k)) }
	dynamic := body.Get("dynamic")
	if dynamic != nil && dynamic.Kind != doc.Map {
		dynamic = nil
	}
	blocks := map[string][]*doc.Node{} // the blocks of each dynamic block's type
	n := &doc.Node{Kind: doc.Map, Pos: body.Pos}
	add := func(k *doc.Node, items ...*doc.Node) {
		if _, seen := blocks[k.Text]; !seen {
			n.Keys = append(n.Keys, k)
			n.Values = append(n.Values, nil) // set once all are known
		}
		blocks[k.Text] = append(blocks[k.Text], items...)
	}
	for i, k := range body.Keys {
		switch {
		case k.Text == "dynamic" && dynamic != nil:
			for j, label := range dynamic.Keys {
				if kept(label.Text) {
					for _, b := range jsonBlocks(dynamic.Values[j]) {
						add(label, e.jsonDynamic(label.Text, b, sc)...)
					}
				}
			}
		case !kept(k.Text):
		case dynamic != nil && dynamic.Get(k.Text) != nil || k.Text == "rules":
			// Blocks of a type that dynamic blocks make too, and rules,
			// which is always a list: an object is one block, and the
			// objects of a list are blocks whose "//" keys are comments.
			switch raw := body.Values[i]; raw.Kind {
			case doc.Map:
				add(k, e.jsonObject(raw, sc, nil))
			case doc.List:
				for _, item := range raw.Items {
					if item.Kind == doc.Map {
						add(k, e.jsonObject(item, sc, nil))
					} else {
						add(k, e.evalJSON(item, sc))
					}
				}
			default:
				v := e.evalJSON(raw, sc)
				if v.Kind == doc.List {
					add(k, v.Items...)
				} else {
					add(k, v)
				}
			}
		default:
			n.Keys = append(n.Keys, k)
			n.Values = append(n.Values, e.evalJSON(body.Values[i], sc))
		}
	}
	for i, k := range n.Keys {
		if n.Values[i] == nil {
			n.Values[i] = blockValue(k.Text, blocks[k.Text], k.Pos)
		}
	}
	return n
}

// jsonDynamic returns the blocks a dynamic block in JSON syntax makes.
func (e *evaluator) jsonDynamic(label string, b *doc.Node, sc *scope) []*doc.Node {
	content := b.Get("content")
	name := label
	if it := b.Get("iterator"); it != nil && it.Kind == doc.String {
		name = it.Text
	}
	var coll *doc.Node
	if forEach := b.Get("for_each"); forEach != nil && content != nil && content.Kind == doc.Map {
		coll = e.evalJSON(forEach, sc)
	}
	return e.expand(coll, name, sc, b.Pos, func(sc *scope) *doc.Node { return e.jsonObject(content, sc, nil) })
}
