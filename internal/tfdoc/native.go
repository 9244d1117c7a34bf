package tfdoc

import (
	"slices"
	"strings"

	"github.com/edgerules/edgerules/internal/doc"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// This file reads the rulesets of a file in Terraform's native syntax.

// nativeFile returns the rulesets of a native file: its resources, then
// the values of its locals, variables, module calls and .tfvars that hold
// objects with expressions, in the order they are written.
func (e *evaluator) nativeFile(src *source) []Ruleset {
	sc := &scope{src: src, raw: src.text}
	var out []Ruleset
	if src.vars || !isTF(src.path) {
		// A .tfvars file, or another HCL file such as Terragrunt's, holds
		// values only.
		for _, a := range sortedAttrs(src.native) {
			out = e.objects(out, a.Name, tfvar(src, a.Name), e.eval(a.Expr, sc))
		}
		for _, b := range src.native.Blocks {
			for _, a := range sortedAttrs(b.Body) {
				out = e.objects(out, b.Type+"."+a.Name, "", e.eval(a.Expr, sc))
			}
		}
		return out
	}
	for _, block := range src.native.Blocks {
		switch {
		case block.Type == "resource" && len(block.Labels) == 2 && ruleTypes[block.Labels[0]]:
			out = append(out, e.resourceSets(block.Labels[0], block.Labels[0]+"."+block.Labels[1], nativeBody{block}, sc, block.DefRange().Start.Byte)...)
		case block.Type == "locals":
			for _, a := range sortedAttrs(block.Body) {
				out = e.objects(out, "local."+a.Name, "local."+a.Name, e.value(e.m.locals[a.Name]))
			}
		case block.Type == "variable" && len(block.Labels) == 1:
			if a := block.Body.Attributes["default"]; a != nil {
				out = e.objects(out, "var."+block.Labels[0], "var."+block.Labels[0], e.eval(a.Expr, sc))
			}
		case block.Type == "module" && len(block.Labels) == 1:
			for _, a := range sortedAttrs(block.Body) {
				if !slices.Contains(moduleMeta, a.Name) {
					out = e.objects(out, "module."+block.Labels[0]+"."+a.Name, "", e.eval(a.Expr, sc))
				}
			}
		}
	}
	return out
}

// isTF reports whether a native file is a Terraform configuration file.
func isTF(path string) bool { return strings.HasSuffix(strings.ToLower(path), ".tf") }

// tfvar is the variable a .tfvars file's attribute sets, "var.NAME", or
// empty for another HCL file's, such as Terragrunt's.
func tfvar(src *source, name string) string {
	if src.vars {
		return "var." + name
	}
	return ""
}

// A nativeBody is a resource's body in native syntax.
type nativeBody struct{ b *hclsyntax.Block }

func (n nativeBody) attr(e *evaluator, name string, sc *scope) *doc.Node {
	if a := n.b.Body.Attributes[name]; a != nil {
		return e.eval(a.Expr, sc)
	}
	return nil
}

func (n nativeBody) object(e *evaluator, sc *scope, keys []string) *doc.Node {
	return e.bodyNode(n.b.Body, sc, n.b.DefRange().Start.Byte, keys)
}

func (n nativeBody) filter(e *evaluator, sc *scope) (*doc.Node, *doc.Node) {
	a := n.b.Body.Attributes["filter_id"]
	if a == nil {
		return nil, nil
	}
	key := doc.NewString("filter", a.SrcRange.Start.Byte, nil)
	if t, ok := a.Expr.(*hclsyntax.ScopeTraversalExpr); ok {
		return key, e.filterOf(t.Traversal, a.SrcRange.Start.Byte, sc)
	}
	return key, e.eval(a.Expr, sc)
}

// filterOf returns the filter a firewall rule's filter_id refers to, as an
// object with its expression: cloudflare_filter.NAME.id names a filter of
// the module, in either syntax.
func (e *evaluator) filterOf(t hcl.Traversal, pos int, sc *scope) *doc.Node {
	if t.RootName() != typeFilter || len(t) < 2 {
		return unknown(pos, "depends on %s", traversalText(t))
	}
	attr, _ := t[1].(hcl.TraverseAttr)
	for _, s := range e.m.sources {
		fsc := &scope{src: s, raw: s.text}
		var v *doc.Node
		if s.json {
			for _, types := range jsonBlocks(s.root.Get("resource")) {
				for _, named := range jsonBlocks(types.Get(typeFilter)) {
					for _, body := range jsonBlocks(named.Get(attr.Name)) {
						if x := body.Get("expression"); x != nil {
							v = e.evalJSON(x, fsc)
						}
					}
				}
			}
		} else if !s.vars {
			for _, b := range s.native.Blocks {
				if b.Type == "resource" && len(b.Labels) == 2 && b.Labels[0] == typeFilter && b.Labels[1] == attr.Name {
					if a := b.Body.Attributes["expression"]; a != nil {
						v = e.eval(a.Expr, fsc)
					}
				}
			}
		}
		if v == nil {
			continue
		}
		if s != sc.src {
			v = e.relocate(v, pos)
		}
		return &doc.Node{Kind: doc.Map, Pos: pos, Keys: []*doc.Node{doc.NewString("expression", pos, nil)}, Values: []*doc.Node{v}}
	}
	return unknown(pos, "depends on %s", traversalText(t))
}

// bodyNode returns the object a block's body stands for: its attributes
// (only those of keys, when keys is not nil) and its nested blocks, a
// dynamic block standing for the blocks it makes. A block type written
// once is an object, but for rules, which is always a list, and headers,
// an object of header names; written more than once, a list.
func (e *evaluator) bodyNode(body *hclsyntax.Body, sc *scope, pos int, keys []string) *doc.Node {
	n := &doc.Node{Kind: doc.Map, Pos: pos}
	type entry struct {
		key   *doc.Node
		value *doc.Node
		at    int
	}
	var entries []entry
	for _, a := range sortedAttrs(body) {
		if keys != nil && !slices.Contains(keys, a.Name) {
			continue
		}
		entries = append(entries, entry{doc.NewString(a.Name, a.SrcRange.Start.Byte, nil), e.eval(a.Expr, sc), a.SrcRange.Start.Byte})
	}
	blocks := map[string][]*doc.Node{}
	seen := map[string]bool{}
	for _, b := range body.Blocks {
		typ := b.Type
		if typ == "dynamic" && len(b.Labels) == 1 {
			typ = b.Labels[0]
		}
		if keys != nil && !slices.Contains(keys, typ) {
			continue
		}
		if !seen[typ] {
			seen[typ] = true
			entries = append(entries, entry{doc.NewString(typ, b.TypeRange.Start.Byte, nil), nil, b.TypeRange.Start.Byte})
		}
		var made []*doc.Node
		if b.Type == "dynamic" {
			made = e.dynamic(b, sc)
		} else {
			made = []*doc.Node{e.bodyNode(b.Body, sc, b.TypeRange.Start.Byte, nil)}
		}
		if sc.src == e.src {
			for _, n := range made {
				e.spans[n] = [2]int{b.Range().Start.Byte, b.Range().End.Byte}
			}
		}
		blocks[typ] = append(blocks[typ], made...)
	}
	for _, en := range entries {
		v := en.value
		if v == nil {
			v = blockValue(en.key.Text, blocks[en.key.Text], en.at)
		}
		n.Keys = append(n.Keys, en.key)
		n.Values = append(n.Values, v)
	}
	return n
}

// blockValue returns the value nested blocks of one type stand for.
func blockValue(typ string, items []*doc.Node, pos int) *doc.Node {
	if typ == "headers" {
		// Provider v4 writes each header as a block with its name.
		m := &doc.Node{Kind: doc.Map, Pos: pos}
		for _, item := range items {
			name := item.Get("name")
			if item.Kind != doc.Map || name == nil || name.Kind != doc.String {
				return &doc.Node{Kind: doc.List, Pos: pos, Items: items}
			}
			h := &doc.Node{Kind: doc.Map, Pos: item.Pos}
			for i, k := range item.Keys {
				if k.Text != "name" {
					h.Keys = append(h.Keys, k)
					h.Values = append(h.Values, item.Values[i])
				}
			}
			m.Keys = append(m.Keys, doc.NewString(name.Text, name.Pos, nil))
			m.Values = append(m.Values, h)
		}
		return m
	}
	if len(items) == 1 && typ != "rules" && items[0].Kind != doc.Unknown {
		return items[0]
	}
	return &doc.Node{Kind: doc.List, Pos: pos, Items: items}
}

// dynamic returns the blocks a dynamic block makes: its content for each
// element of its for_each, with the iterator (named by iterator, or the
// block's label) bound to the element's key and value.
func (e *evaluator) dynamic(b *hclsyntax.Block, sc *scope) []*doc.Node {
	var content *hclsyntax.Block
	for _, c := range b.Body.Blocks {
		if c.Type == "content" {
			content = c
		}
	}
	name := b.Labels[0]
	if it := b.Body.Attributes["iterator"]; it != nil {
		if kw := hcl.ExprAsKeyword(it.Expr); kw != "" {
			name = kw
		}
	}
	var coll *doc.Node
	if a := b.Body.Attributes["for_each"]; a != nil && content != nil {
		coll = e.eval(a.Expr, sc)
	}
	return e.expand(coll, name, sc, b.TypeRange.Start.Byte, func(sc *scope) *doc.Node {
		return e.bodyNode(content.Body, sc, content.TypeRange.Start.Byte, nil)
	})
}
