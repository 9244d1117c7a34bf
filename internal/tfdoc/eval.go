package tfdoc

import (
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/edgerules/edgerules/internal/doc"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// This file evaluates Terraform expressions into located values: doc nodes
// that know where each of their bytes was written. Literals, collections,
// references to locals, variables and iterators, for expressions and
// templates are followed by hand, so that a string keeps its place through
// them; anything else (a function call, a condition, an operator) is
// evaluated by HCL with go-cty's functions, and its strings are placed at
// the expression. A value that depends on what only Terraform's apply knows
// is a doc.Unknown node saying what it depends on.

// A scope is where an expression is evaluated: the file it is written in,
// the iterator variables bound around it, and how its byte offsets map to
// the file's (the identity, but for a template inside a JSON string).
type scope struct {
	src    *source
	vars   map[string]*doc.Node
	raw    string        // the text the expression's ranges index
	mapOff func(int) int // from an offset in raw to one in src.text; nil for the identity
	json   *jsonString   // the JSON string a template is read from, or nil
}

// with returns a scope with the iterator variables of s and vars.
func (s *scope) with(vars map[string]*doc.Node) *scope {
	c := *s
	c.vars = make(map[string]*doc.Node, len(s.vars)+len(vars))
	for k, v := range s.vars {
		c.vars[k] = v
	}
	for k, v := range vars {
		c.vars[k] = v
	}
	return &c
}

// off returns the offset in the file of byte i of the scope's raw text.
func (s *scope) off(i int) int {
	if s.mapOff == nil {
		return i
	}
	return s.mapOff(i)
}

// unknown returns a value that is not known before apply, at pos.
func unknown(pos int, format string, args ...any) *doc.Node {
	return &doc.Node{Kind: doc.Unknown, Text: fmt.Sprintf(format, args...), Pos: pos}
}

// eval returns the located value of x.
func (e *evaluator) eval(x hclsyntax.Expression, sc *scope) *doc.Node {
	if e.spend(1) {
		return e.tooLarge(sc.off(x.Range().Start.Byte))
	}
	pos := sc.off(x.Range().Start.Byte)
	switch x := x.(type) {
	case *hclsyntax.TemplateExpr:
		return e.template(x, sc)
	case *hclsyntax.TemplateWrapExpr:
		return e.eval(x.Wrapped, sc)
	case *hclsyntax.ParenthesesExpr:
		return e.eval(x.Expression, sc)
	case *hclsyntax.LiteralValueExpr:
		return fromCty(x.Val, pos, "")
	case *hclsyntax.TupleConsExpr:
		n := &doc.Node{Kind: doc.List, Pos: pos}
		for _, item := range x.Exprs {
			n.Items = append(n.Items, e.eval(item, sc))
		}
		return n
	case *hclsyntax.ObjectConsExpr:
		n := &doc.Node{Kind: doc.Map, Pos: pos}
		if sc.src == e.src && sc.mapOff == nil {
			e.spans[n] = [2]int{x.SrcRange.Start.Byte, x.SrcRange.End.Byte}
		}
		for _, item := range x.Items {
			key := e.objectKey(item.KeyExpr, sc)
			if key.Kind != doc.String {
				return key
			}
			n.Keys = append(n.Keys, key)
			n.Values = append(n.Values, e.eval(item.ValueExpr, sc))
		}
		return n
	case *hclsyntax.ScopeTraversalExpr:
		root := e.root(x.Traversal, sc, pos)
		return traverse(root, x.Traversal[1:], pos)
	case *hclsyntax.RelativeTraversalExpr:
		return traverse(e.eval(x.Source, sc), x.Traversal, pos)
	case *hclsyntax.IndexExpr:
		coll, key := e.eval(x.Collection, sc), e.eval(x.Key, sc)
		if key.Kind == doc.Unknown {
			return key
		}
		return index(coll, key, pos)
	case *hclsyntax.ForExpr:
		return e.forExpr(x, sc)
	case *hclsyntax.FunctionCallExpr:
		if v := e.collection(x, sc); v != nil {
			return v
		}
	}
	return e.compute(x, sc)
}

// collection evaluates the functions that only put values together, by
// hand, so that each value keeps its place and one unknown value leaves
// the others known: concat and flatten of lists, merge of objects. It
// returns nil for any other call, or one it cannot follow.
func (e *evaluator) collection(x *hclsyntax.FunctionCallExpr, sc *scope) *doc.Node {
	if x.ExpandFinal || x.Name != "concat" && x.Name != "flatten" && x.Name != "merge" {
		return nil
	}
	pos := sc.off(x.Range().Start.Byte)
	args := make([]*doc.Node, len(x.Args))
	for i, a := range x.Args {
		args[i] = e.eval(a, sc)
	}
	switch x.Name {
	case "concat":
		out := &doc.Node{Kind: doc.List, Pos: pos}
		for _, a := range args {
			switch a.Kind {
			case doc.List:
				if e.spend(len(a.Items)) {
					return e.tooLarge(pos)
				}
				out.Items = append(out.Items, a.Items...)
			case doc.Unknown:
				out.Items = append(out.Items, a) // its rules are one note
			default:
				return nil
			}
		}
		return out
	case "flatten":
		if len(args) != 1 || args[0].Kind != doc.List {
			return nil
		}
		out := &doc.Node{Kind: doc.List, Pos: pos}
		var flat func(n *doc.Node)
		flat = func(n *doc.Node) {
			for _, item := range n.Items {
				if item.Kind == doc.List {
					flat(item)
				} else {
					out.Items = append(out.Items, item)
				}
			}
		}
		flat(args[0])
		if e.spend(len(out.Items)) {
			return e.tooLarge(pos)
		}
		return out
	}
	out := &doc.Node{Kind: doc.Map, Pos: pos}
	for _, a := range args {
		switch a.Kind {
		case doc.Unknown:
			return a
		case doc.Null:
			continue
		case doc.Map:
		default:
			return nil
		}
		if e.spend(len(a.Keys)) {
			return e.tooLarge(pos)
		}
		for i, k := range a.Keys {
			if j := slices.IndexFunc(out.Keys, func(o *doc.Node) bool { return o.Text == k.Text }); j >= 0 {
				out.Values[j] = a.Values[i] // a later object's value wins
				continue
			}
			out.Keys = append(out.Keys, k)
			out.Values = append(out.Values, a.Values[i])
		}
	}
	return out
}

// maxSteps bounds the expressions one file's reading evaluates and the
// values it makes, so that a module whose values grow with every reference
// (a local that concatenates another with itself, many times over) is cut
// short rather than followed for ever.
const maxSteps = 1 << 18

// spend counts n more steps, and reports whether the reading went past
// maxSteps.
func (e *evaluator) spend(n int) bool {
	e.steps += n
	return e.steps > maxSteps
}

// tooLarge is the value of what a reading past maxSteps meets.
func (e *evaluator) tooLarge(pos int) *doc.Node {
	return unknown(pos, "edgerules does not follow it: the module's values grow past %d steps", maxSteps)
}

// objectKey returns an object key: a bare name as it is written, or the
// string an expression gives.
func (e *evaluator) objectKey(x hclsyntax.Expression, sc *scope) *doc.Node {
	pos := sc.off(x.Range().Start.Byte)
	if k, ok := x.(*hclsyntax.ObjectConsKeyExpr); ok {
		if !k.ForceNonLiteral {
			if name := hcl.ExprAsKeyword(k.Wrapped); name != "" {
				return doc.NewString(name, pos, nil)
			}
		}
		x = k.Wrapped
	}
	key := e.eval(x, sc)
	switch key.Kind {
	case doc.String, doc.Unknown:
		return key
	case doc.Number, doc.Bool:
		return doc.NewString(key.Text, pos, nil)
	}
	return unknown(pos, "Terraform cannot evaluate it: an object key must be a string, not %s", key.Kind.Name())
}

// root returns the value a reference starts from: a local, a variable, an
// iterator, or something only apply knows (a resource's attribute, a data
// source, a module's output).
func (e *evaluator) root(t hcl.Traversal, sc *scope, pos int) *doc.Node {
	name := t.RootName()
	if v, ok := sc.vars[name]; ok {
		return v
	}
	if len(t) < 2 {
		return unknown(pos, "depends on %s", name)
	}
	attr, ok := t[1].(hcl.TraverseAttr)
	if !ok {
		return unknown(pos, "depends on %s", traversalText(t))
	}
	var b *binding
	switch name {
	case "local":
		b = e.m.locals[attr.Name]
	case "var":
		b = e.m.vars[attr.Name]
		if b != nil && b.expr == nil && b.json == nil {
			return unknown(pos, "depends on var.%s, which has no default and no value in a .tfvars file", attr.Name)
		}
	default:
		return unknown(pos, "depends on %s", traversalText(t))
	}
	if b == nil {
		return unknown(pos, "Terraform cannot evaluate it: %s.%s is not declared in the module", name, attr.Name)
	}
	v := e.value(b)
	if b.src != sc.src {
		v = e.relocate(v, pos)
	}
	// The traversal's first step is the binding itself.
	return &doc.Node{Kind: doc.Map, Pos: pos, Keys: []*doc.Node{doc.NewString(attr.Name, pos, nil)}, Values: []*doc.Node{v}}
}

// value returns the value of a local or a variable, evaluated once in its
// own file.
func (e *evaluator) value(b *binding) *doc.Node {
	switch b.state {
	case done:
		return b.value
	case evaluating:
		return unknown(b.pos, "Terraform cannot evaluate it: %s refers to itself", b.name)
	}
	b.state = evaluating
	sc := &scope{src: b.src, raw: b.src.text}
	switch {
	case b.literal:
		b.value = b.json
	case b.json != nil:
		b.value = e.evalJSON(b.json, sc)
	default:
		b.value = e.eval(b.expr, sc)
	}
	b.state = done
	return b.value
}

// traverse follows the steps of a reference into a value.
func traverse(v *doc.Node, steps hcl.Traversal, pos int) *doc.Node {
	for _, step := range steps {
		switch step := step.(type) {
		case hcl.TraverseAttr:
			v = index(v, doc.NewString(step.Name, pos, nil), pos)
		case hcl.TraverseIndex:
			v = index(v, fromCty(step.Key, pos, ""), pos)
		default:
			return unknown(pos, "Terraform cannot evaluate it here: a splat of a reference")
		}
	}
	return v
}

// index returns the element of a list at a number, or the value of a map
// at a key.
func index(v, key *doc.Node, pos int) *doc.Node {
	switch {
	case v.Kind == doc.Unknown:
		return v
	case v.Kind == doc.Map:
		if x := v.Get(key.Text); x != nil {
			return x
		}
		return unknown(pos, "Terraform cannot evaluate it: the object has no key %q", key.Text)
	case v.Kind == doc.List && key.Kind == doc.Number:
		var i big.Float
		if _, ok := i.SetString(key.Text); ok && i.IsInt() {
			if n, _ := i.Int64(); n >= 0 && n < int64(len(v.Items)) {
				return v.Items[n]
			}
		}
		return unknown(pos, "Terraform cannot evaluate it: index %s is out of the list's range", key.Text)
	}
	return unknown(pos, "Terraform cannot evaluate it: %s cannot be indexed by %s", v.Kind.Name(), key.Kind.Name())
}

// forExpr evaluates [for ...] and {for ...}, binding the iterator variables
// to each element in turn.
func (e *evaluator) forExpr(x *hclsyntax.ForExpr, sc *scope) *doc.Node {
	pos := sc.off(x.SrcRange.Start.Byte)
	coll := e.eval(x.CollExpr, sc)
	if coll.Kind == doc.Unknown {
		return coll
	}
	out := &doc.Node{Kind: doc.List, Pos: pos}
	if x.KeyExpr != nil {
		out.Kind = doc.Map
	}
	groups := map[string]*doc.Node{}
	err := elements(coll, pos, func(key, value *doc.Node) *doc.Node {
		if e.spend(1) {
			return e.tooLarge(pos)
		}
		vars := map[string]*doc.Node{x.ValVar: value}
		if x.KeyVar != "" {
			vars[x.KeyVar] = key
		}
		inner := sc.with(vars)
		if x.CondExpr != nil {
			cond := e.eval(x.CondExpr, inner)
			if cond.Kind == doc.Unknown {
				return cond
			}
			if cond.Kind != doc.Bool {
				return unknown(pos, "Terraform cannot evaluate it: a for expression's condition must be true or false, not %s", cond.Kind.Name())
			}
			if cond.Text != "true" {
				return nil
			}
		}
		val := e.eval(x.ValExpr, inner)
		if x.KeyExpr == nil {
			out.Items = append(out.Items, val)
			return nil
		}
		k := e.objectKey(x.KeyExpr, inner)
		if k.Kind == doc.Unknown {
			return k
		}
		if x.Group {
			if g := groups[k.Text]; g != nil {
				g.Items = append(g.Items, val)
				return nil
			}
			val = &doc.Node{Kind: doc.List, Pos: val.Pos, Items: []*doc.Node{val}}
			groups[k.Text] = val
		} else if out.Get(k.Text) != nil {
			return unknown(pos, "Terraform cannot evaluate it: the key %q comes twice", k.Text)
		}
		out.Keys = append(out.Keys, k)
		out.Values = append(out.Values, val)
		return nil
	})
	if err != nil {
		return err
	}
	return out
}

// elements calls f with the key and value of each element of a list or a
// map (a list's keys are its indexes, a map's are taken in lexical order,
// as Terraform takes them), stopping at the first value f returns, which
// elements returns.
func elements(coll *doc.Node, pos int, f func(key, value *doc.Node) *doc.Node) *doc.Node {
	switch coll.Kind {
	case doc.List:
		for i, item := range coll.Items {
			if stop := f(&doc.Node{Kind: doc.Number, Text: fmt.Sprint(i), Pos: item.Pos}, item); stop != nil {
				return stop
			}
		}
	case doc.Map:
		order := make([]int, len(coll.Keys))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(coll.Keys[a].Text, coll.Keys[b].Text) })
		for _, i := range order {
			if stop := f(coll.Keys[i], coll.Values[i]); stop != nil {
				return stop
			}
		}
	case doc.Null:
	default:
		return unknown(pos, "Terraform cannot evaluate it: %s cannot be iterated over", coll.Kind.Name())
	}
	return nil
}

// template evaluates a quoted string or a heredoc. Its literal parts keep
// the place of each byte; an interpolated part places its bytes at the
// interpolation. A template of literal parts only can be rewritten.
func (e *evaluator) template(t *hclsyntax.TemplateExpr, sc *scope) *doc.Node {
	start, end := t.SrcRange.Start.Byte, t.SrcRange.End.Byte
	raw := sc.raw[start:end]
	var here *heredoc
	strip := 0
	if sc.json == nil && strings.HasPrefix(raw, "<<") {
		here = frame(raw)
		if here.flush {
			strip = heredocStrip(raw[len(here.open) : len(raw)-len(here.close)])
		}
	}
	var text strings.Builder
	var offs []int
	literal := true
	for _, part := range t.Parts {
		r := part.Range()
		lit, isLit := part.(*hclsyntax.LiteralValueExpr)
		if isLit && lit.Val.Type() == cty.String {
			want := lit.Val.AsString()
			var got string
			var at []int
			if here != nil || sc.json != nil {
				// A JSON string's template has no backslash escapes: JSON
				// decoded them.
				lineStart := r.Start.Byte > 0 && sc.raw[r.Start.Byte-1] == '\n'
				got, at = decodeHeredoc(sc.raw[r.Start.Byte:r.End.Byte], strip, lineStart)
			} else {
				got, at = decodeQuoted(sc.raw[r.Start.Byte:r.End.Byte])
			}
			text.WriteString(want)
			for i := range len(want) {
				if got == want {
					offs = append(offs, sc.off(r.Start.Byte+at[i]))
				} else {
					offs = append(offs, sc.off(r.Start.Byte))
					literal = false
				}
			}
			continue
		}
		literal = false
		v := e.eval(part, sc)
		switch v.Kind {
		case doc.Unknown:
			return v
		case doc.String, doc.Number, doc.Bool:
		default:
			return unknown(sc.off(r.Start.Byte), "Terraform cannot evaluate it: %s cannot be written into a string", v.Kind.Name())
		}
		placed := stringOffsets(v)
		text.WriteString(v.Text)
		for i := range len(v.Text) {
			if placed != nil && v.Kind == doc.String {
				offs = append(offs, placed[i])
			} else {
				offs = append(offs, sc.off(r.Start.Byte))
			}
		}
	}
	offs = append(offs, sc.off(end))
	value := text.String()
	tokStart, tokEnd := sc.off(start), sc.off(end)
	var render func(string) string
	lines := here != nil
	switch {
	case !literal:
	case sc.json != nil:
		render = sc.json.render
		tokStart, tokEnd = sc.json.start, sc.json.end
	case here != nil:
		render = here.render
	default:
		render = quote
	}
	tok := doc.NewToken(tokStart, tokEnd, offs, lines, render)
	return doc.NewString(value, tokStart, func() (*doc.Token, error) { return tok, nil })
}

// stringOffsets returns the place of each byte of a string node, or nil.
func stringOffsets(v *doc.Node) []int {
	if v.Kind != doc.String {
		return nil
	}
	if tok, err := v.Token(); err == nil {
		return tok.Offsets
	}
	return nil
}

// frame reads the opening and closing lines of a heredoc token.
func frame(raw string) *heredoc {
	nl := strings.IndexByte(raw, '\n')
	if nl < 0 {
		nl = len(raw) - 1
	}
	h := &heredoc{open: raw[:nl+1], flush: strings.HasPrefix(raw, "<<-")}
	h.marker = strings.TrimSpace(strings.TrimLeft(h.open, "<-"))
	last := max(strings.LastIndexByte(raw, '\n'), nl)
	h.close = raw[last+1:]
	body := raw[nl+1 : last+1]
	if h.flush {
		strip := heredocStrip(body)
		for line := range strings.SplitAfterSeq(body, "\n") {
			if line != "" && !blankLine(line) {
				n := 0
				for i := range line {
					if n == strip {
						h.indent = line[:i]
						break
					}
					n++
				}
				break
			}
		}
	}
	return h
}

// compute evaluates what the evaluator does not follow by hand (function
// calls, conditions, operators, splats) with HCL, giving it the values of
// the locals, variables and iterators it reads. A result that depends on
// what apply knows is Unknown, saying on what.
func (e *evaluator) compute(x hclsyntax.Expression, sc *scope) *doc.Node {
	pos := sc.off(x.Range().Start.Byte)
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: functions}
	var missing []string
	objects := map[string]map[string]cty.Value{}
	for _, t := range x.Variables() {
		name := t.RootName()
		var v *doc.Node
		key := ""
		switch {
		case sc.vars[name] != nil:
			v = sc.vars[name]
		case (name == "local" || name == "var") && len(t) > 1:
			attr, ok := t[1].(hcl.TraverseAttr)
			if !ok {
				continue
			}
			key = attr.Name
			if r := e.root(t[:2], sc, pos); r.Kind == doc.Map {
				v = r.Values[0]
			} else {
				v = r
			}
		default:
			missing = append(missing, "depends on "+traversalText(t))
			continue
		}
		val, why := toCty(v)
		if why != "" {
			missing = append(missing, why)
		}
		if key == "" {
			ctx.Variables[name] = val
			continue
		}
		if objects[name] == nil {
			objects[name] = map[string]cty.Value{}
		}
		objects[name][key] = val
	}
	for name, attrs := range objects {
		ctx.Variables[name] = cty.ObjectVal(attrs)
	}
	val, diags := x.Value(ctx)
	why := reason(missing)
	switch {
	case diags.HasErrors() && diags[0].Summary == "Call to unknown function":
		return unknown(pos, "edgerules does not evaluate it: %s", diags[0].Detail)
	case diags.HasErrors() && why == "":
		return unknown(pos, "Terraform cannot evaluate it: %s: %s", diags[0].Summary, diags[0].Detail)
	case diags.HasErrors() || !val.IsKnown():
		return unknown(pos, "%s", cmpOr(why, "depends on a value known only when Terraform applies"))
	}
	size := 0
	_ = cty.Walk(val, func(cty.Path, cty.Value) (bool, error) {
		size++
		return size <= maxSteps, nil
	})
	if e.spend(size) {
		return e.tooLarge(pos)
	}
	return fromCty(val, pos, why)
}

// reason says why values are unknown, from the reasons of each: what they
// depend on, together, or else the first other reason.
func reason(whys []string) string {
	var deps []string
	other := ""
	for _, w := range whys {
		if d, ok := strings.CutPrefix(w, "depends on "); ok {
			if !slices.Contains(deps, d) {
				deps = append(deps, d)
			}
		} else {
			other = cmpOr(other, w)
		}
	}
	if len(deps) > 0 {
		return "depends on " + strings.Join(deps, ", ")
	}
	return other
}

// traversalText writes a reference as Terraform code does:
// cloudflare_list.ips.id, data.x.y["z"].
func traversalText(t hcl.Traversal) string {
	var b strings.Builder
	for _, step := range t {
		switch step := step.(type) {
		case hcl.TraverseRoot:
			b.WriteString(step.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + step.Name)
		case hcl.TraverseIndex:
			if step.Key.Type() == cty.String {
				fmt.Fprintf(&b, "[%q]", step.Key.AsString())
			} else if step.Key.Type() == cty.Number {
				b.WriteString("[" + step.Key.AsBigFloat().Text('f', -1) + "]")
			} else {
				b.WriteString("[…]")
			}
		case hcl.TraverseSplat:
			b.WriteString("[*]")
		}
	}
	return b.String()
}

// toCty returns the cty value of a located value, and why some of it is
// unknown ("depends on var.x").
func toCty(n *doc.Node) (cty.Value, string) {
	switch n.Kind {
	case doc.Unknown:
		return cty.DynamicVal, n.Text
	case doc.Null:
		return cty.NullVal(cty.DynamicPseudoType), ""
	case doc.Bool:
		return cty.BoolVal(n.Text == "true"), ""
	case doc.Number:
		v, err := cty.ParseNumberVal(n.Text)
		if err != nil {
			return cty.DynamicVal, "a number Terraform cannot read"
		}
		return v, ""
	case doc.String:
		return cty.StringVal(n.Text), ""
	case doc.List:
		items := make([]cty.Value, len(n.Items))
		why := ""
		for i, x := range n.Items {
			var w string
			items[i], w = toCty(x)
			why = cmpOr(why, w)
		}
		return cty.TupleVal(items), why
	}
	attrs := make(map[string]cty.Value, len(n.Keys))
	why := ""
	for i, k := range n.Keys {
		var w string
		attrs[k.Text], w = toCty(n.Values[i])
		why = cmpOr(why, w)
	}
	return cty.ObjectVal(attrs), why
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// fromCty returns the located value of a cty value computed at pos: every
// byte of its strings is placed there. why says why a value is unknown
// ("depends on var.x").
func fromCty(v cty.Value, pos int, why string) *doc.Node {
	switch {
	case !v.IsKnown():
		return unknown(pos, "%s", cmpOr(why, "depends on a value known only when Terraform applies"))
	case v.IsNull():
		return &doc.Node{Kind: doc.Null, Text: "null", Pos: pos}
	}
	v, _ = v.Unmark()
	t := v.Type()
	switch {
	case t == cty.String:
		return computed(v.AsString(), pos)
	case t == cty.Number:
		return &doc.Node{Kind: doc.Number, Text: v.AsBigFloat().Text('f', -1), Pos: pos}
	case t == cty.Bool:
		return &doc.Node{Kind: doc.Bool, Text: fmt.Sprint(v.True()), Pos: pos}
	case t.IsListType() || t.IsTupleType() || t.IsSetType():
		n := &doc.Node{Kind: doc.List, Pos: pos}
		for it := v.ElementIterator(); it.Next(); {
			_, x := it.Element()
			n.Items = append(n.Items, fromCty(x, pos, why))
		}
		return n
	case t.IsMapType() || t.IsObjectType():
		n := &doc.Node{Kind: doc.Map, Pos: pos}
		for it := v.ElementIterator(); it.Next(); {
			k, x := it.Element()
			n.Keys = append(n.Keys, doc.NewString(k.AsString(), pos, nil))
			n.Values = append(n.Values, fromCty(x, pos, why))
		}
		return n
	}
	return unknown(pos, "Terraform cannot evaluate it: a value of type %s", t.FriendlyName())
}

// computed returns a string computed at pos, which cannot be rewritten.
func computed(s string, pos int) *doc.Node {
	offs := make([]int, len(s)+1)
	for i := range offs {
		offs[i] = pos
	}
	tok := doc.NewToken(pos, pos, offs, false, nil)
	return doc.NewString(s, pos, func() (*doc.Token, error) { return tok, nil })
}

// relocate returns a copy of a value read from another file, placed at pos
// in this one: its strings are computed there, since their own bytes are
// in the other file, which is checked and formatted on its own.
func (e *evaluator) relocate(n *doc.Node, pos int) *doc.Node {
	if e.spend(1) {
		return e.tooLarge(pos)
	}
	switch n.Kind {
	case doc.String:
		return computed(n.Text, pos)
	case doc.List:
		c := &doc.Node{Kind: doc.List, Pos: pos}
		for _, x := range n.Items {
			c.Items = append(c.Items, e.relocate(x, pos))
		}
		return c
	case doc.Map:
		c := &doc.Node{Kind: doc.Map, Pos: pos}
		for i, k := range n.Keys {
			c.Keys = append(c.Keys, doc.NewString(k.Text, pos, nil))
			c.Values = append(c.Values, e.relocate(n.Values[i], pos))
		}
		return c
	}
	c := *n
	c.Pos = pos
	return &c
}
