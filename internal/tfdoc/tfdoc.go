// Package tfdoc reads the Cloudflare rules of Terraform files into the
// located trees of internal/doc, shaped like the Rulesets API's JSON, so
// that rulesets read them as they read JSON and YAML files.
//
// A file is read in the context of its module, the other .tf and .tf.json
// files of its folder and the .tfvars files Terraform loads by itself:
//
//	cloudflare_ruleset           rules { } blocks (provider v4, dynamic ones too)
//	                             or rules = [ { } ] (v5, lists built with for too)
//	cloudflare_filter            its expression, as a legacy filter
//	cloudflare_firewall_rule     its action, with the expression of its filter
//	locals, variable defaults,   each value that holds objects with an
//	module arguments, .tfvars    "expression", as a list of rules
//
// Values are followed through locals, variables (their .tfvars values, or
// their defaults), iterators, for expressions and templates by hand, so
// that every byte of a string keeps its place in the file; anything else is
// evaluated with HCL and Terraform's pure functions, and its strings are
// placed at the expression that computes them. What depends on a value
// known only when Terraform applies is a doc.Unknown node that says on
// what.
package tfdoc

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/edgerules/edgerules/internal/doc"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// A Ruleset is one ruleset a Terraform file declares.
type Ruleset struct {
	// Address names it as Terraform does: cloudflare_ruleset.waf,
	// cloudflare_ruleset.zone["example.com"], local.rules, var.rules,
	// module.waf.rules.
	Address string
	// Type is the resource type: cloudflare_ruleset, cloudflare_filter or
	// cloudflare_firewall_rule; empty for a value of the module.
	Type string
	// Objects is true for a value of the module (a local, a variable, a
	// module argument, a .tfvars value) whose objects carry expressions:
	// rules without a phase, whose keys other than a rule's are not read.
	Objects bool
	// Node is the ruleset, an object with the Rulesets API's keys (name,
	// description, kind, phase, rules), or for a legacy resource a list of
	// filters or firewall rules; or Unknown.
	Node *doc.Node
}

// A source is one file of a module.
type source struct {
	path, text string
	json       bool
	native     *hclsyntax.Body // a native file's body
	root       *doc.Node       // a JSON file's value
	vars       bool            // a .tfvars file
}

// A binding is a local or a variable: the expression that gives its value,
// and the value once evaluated.
type binding struct {
	name string // local.x, var.y
	src  *source
	pos  int
	expr hclsyntax.Expression // a native file's; nil when json is set, or for a variable without a value
	json *doc.Node            // a JSON file's
	// literal is set for a JSON value Terraform takes as it is written,
	// without templates: a variable's default, a .tfvars.json value.
	literal bool
	state   int
	value   *doc.Node
}

// The states of a binding's evaluation.
const (
	pending = iota
	evaluating
	done
)

// A module is the files of one folder and the values they declare.
type module struct {
	locals, vars map[string]*binding
	sources      []*source
	readByRules  map[string]bool // the locals and variables Cloudflare resources read; nil until read says
}

// read returns the locals and variables ("local.x", "var.y") that the
// module's Cloudflare resources read, directly or through other locals.
func (m *module) read() map[string]bool {
	if m.readByRules != nil {
		return m.readByRules
	}
	m.readByRules = map[string]bool{}
	refs := map[string][]string{} // what each local reads
	var todo []string
	for _, s := range m.sources {
		switch {
		case s.native != nil && !s.vars:
			for _, b := range s.native.Blocks {
				switch {
				case b.Type == "resource" && len(b.Labels) == 2 && ruleTypes[b.Labels[0]]:
					hclsyntax.VisitAll(b.Body, func(n hclsyntax.Node) hcl.Diagnostics {
						if t, ok := n.(*hclsyntax.ScopeTraversalExpr); ok {
							todo = append(todo, refName(t.Traversal))
						}
						return nil
					})
				case b.Type == "locals":
					for name, a := range b.Body.Attributes {
						for _, t := range a.Expr.Variables() {
							refs["local."+name] = append(refs["local."+name], refName(t))
						}
					}
				}
			}
		case s.json:
			for _, types := range jsonBlocks(s.root.Get("resource")) {
				for i, typ := range types.Keys {
					if ruleTypes[typ.Text] {
						todo = append(todo, jsonRefs(types.Values[i])...)
					}
				}
			}
			for _, locals := range jsonBlocks(s.root.Get("locals")) {
				for i, k := range locals.Keys {
					refs["local."+k.Text] = jsonRefs(locals.Values[i])
				}
			}
		}
	}
	for len(todo) > 0 {
		name := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if name != "" && !m.readByRules[name] {
			m.readByRules[name] = true
			todo = append(todo, refs[name]...)
		}
	}
	return m.readByRules
}

// refName names the local or variable a reference starts with, "local.x"
// or "var.y", or is empty.
func refName(t hcl.Traversal) string {
	if root := t.RootName(); (root == "local" || root == "var") && len(t) > 1 {
		if attr, ok := t[1].(hcl.TraverseAttr); ok {
			return root + "." + attr.Name
		}
	}
	return ""
}

// jsonRefs names the locals and variables the templates of a JSON value
// read.
func jsonRefs(n *doc.Node) []string {
	var out []string
	switch n.Kind {
	case doc.String:
		if strings.Contains(n.Text, "${") {
			if x, diags := hclsyntax.ParseTemplate([]byte(n.Text), "", hcl.InitialPos); !diags.HasErrors() {
				for _, t := range x.Variables() {
					out = append(out, refName(t))
				}
			}
		}
	case doc.List:
		for _, x := range n.Items {
			out = append(out, jsonRefs(x)...)
		}
	case doc.Map:
		for _, x := range n.Values {
			out = append(out, jsonRefs(x)...)
		}
	}
	return out
}

// An evaluator reads one file of a module.
type evaluator struct {
	m     *module
	src   *source // the file read
	steps int
	// spans are where the objects written in the file read stand in it,
	// from the first byte to just past the last, for their comments.
	spans map[*doc.Node][2]int
}

// Read reads the Terraform file at path, whose text is text, in the context
// of the other files of its folder (read from the disk) and of varFiles,
// .tfvars files given as Terraform's -var-file gives them (their values win
// over those of the folder's), and returns its document (whose root is a
// list of the rulesets' nodes) and its rulesets. A file that is not valid
// HCL is a *doc.SyntaxError; the module's other files are read as far as
// they can be, but a var file must be readable.
func Read(path, text string, varFiles []string) (*doc.Doc, []Ruleset, error) {
	others, err := siblings(path)
	if err != nil {
		return nil, nil, err
	}
	for _, vf := range varFiles {
		data, err := os.ReadFile(vf)
		if err != nil {
			return nil, nil, err
		}
		src, err := parse(vf, string(data))
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", vf, err)
		}
		if !src.vars {
			return nil, nil, fmt.Errorf("%s: a var file ends in .tfvars or .tfvars.json", vf)
		}
		others = append(others, src)
	}
	var rulesets []Ruleset
	var reparse func(string) (*doc.Doc, error)
	reparse = func(text string) (*doc.Doc, error) {
		src, err := parse(path, text)
		if err != nil {
			return nil, err
		}
		rulesets = read(src, others)
		root := &doc.Node{Kind: doc.List}
		for _, rs := range rulesets {
			root.Items = append(root.Items, rs.Node)
		}
		return doc.New(text, doc.Terraform, root, reparse), nil
	}
	d, err := reparse(text)
	if err != nil {
		return nil, nil, err
	}
	return d, rulesets, nil
}

// siblings reads the other files of path's folder that declare values:
// .tf and .tf.json files, and the .tfvars files Terraform loads without
// being told (terraform.tfvars, *.auto.tfvars and their .json forms). A
// file that does not parse is passed by.
func siblings(path string) ([]*source, error) {
	dir := filepath.Dir(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	var out []*source
	for _, e := range entries {
		name := strings.ToLower(e.Name())
		p := filepath.Join(dir, e.Name())
		if e.IsDir() || filepath.Clean(p) == filepath.Clean(path) || !autoLoaded(name) {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if src, err := parse(p, string(data)); err == nil {
			out = append(out, src)
		}
	}
	return out, nil
}

// precedence ranks a .tfvars file as Terraform loads them, the later
// winning: terraform.tfvars, terraform.tfvars.json, the *.auto.tfvars
// files (by name), then those it is given.
func precedence(path string) int {
	name := strings.ToLower(filepath.Base(path))
	switch {
	case name == "terraform.tfvars":
		return 0
	case name == "terraform.tfvars.json":
		return 1
	case strings.HasSuffix(name, ".auto.tfvars") || strings.HasSuffix(name, ".auto.tfvars.json"):
		return 2
	}
	return 3
}

// autoLoaded reports whether Terraform reads a file of a module's folder by
// itself.
func autoLoaded(name string) bool {
	for _, ext := range []string{".tf", ".tf.json", ".auto.tfvars", ".auto.tfvars.json"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return name == "terraform.tfvars" || name == "terraform.tfvars.json"
}

// parse reads one file.
func parse(path, text string) (*source, error) {
	lower := strings.ToLower(path)
	src := &source{path: path, text: text, json: strings.HasSuffix(lower, ".json"),
		vars: strings.HasSuffix(lower, ".tfvars") || strings.HasSuffix(lower, ".tfvars.json")}
	if src.json {
		d, err := doc.Parse(text, doc.JSON)
		if err != nil {
			return nil, err
		}
		if d.Root == nil || d.Root.Kind != doc.Map {
			return nil, &doc.SyntaxError{Offset: 0, Msg: "a Terraform JSON file holds an object"}
		}
		src.root = d.Root
		return src, nil
	}
	f, diags := hclsyntax.ParseConfig([]byte(text), path, hcl.InitialPos)
	if diags.HasErrors() {
		d := diags[0]
		off := 0
		if d.Subject != nil {
			off = min(d.Subject.Start.Byte, len(text))
		}
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + d.Detail
		}
		return nil, &doc.SyntaxError{Offset: off, Msg: "invalid HCL: " + msg}
	}
	src.native = f.Body.(*hclsyntax.Body)
	return src, nil
}

// read returns the rulesets of src, with the values of the other files of
// its module.
func read(src *source, others []*source) []Ruleset {
	m := &module{locals: map[string]*binding{}, vars: map[string]*binding{}}
	m.sources = append([]*source{src}, others...)
	// Declarations first, then the .tfvars values that override defaults,
	// the later over the earlier in Terraform's order.
	var vars []*source
	for _, s := range m.sources {
		if s.vars {
			vars = append(vars, s)
		} else {
			m.declare(s)
		}
	}
	slices.SortStableFunc(vars, func(a, b *source) int { return cmp.Compare(precedence(a.path), precedence(b.path)) })
	for _, s := range vars {
		m.assign(s)
	}
	e := &evaluator{m: m, src: src, spans: map[*doc.Node][2]int{}}
	var sets []Ruleset
	if src.json {
		sets = e.jsonFile(src)
	} else {
		sets = e.nativeFile(src)
		e.comments(sets)
	}
	for i := range sets {
		capRules(&sets[i])
	}
	return sets
}

// maxRules is the most rules a ruleset is read with: ten times what
// Cloudflare lets a ruleset have. A list built to be longer (a local
// concatenated with itself, over and over) is not followed.
const maxRules = 10_000

// capRules makes a ruleset whose rules are more than maxRules Unknown.
func capRules(set *Ruleset) {
	rules := set.Node
	if rules.Kind == doc.Map {
		rules = rules.Get("rules")
	}
	if rules != nil && rules.Kind == doc.List && len(rules.Items) > maxRules {
		set.Node = unknown(set.Node.Pos, "edgerules does not follow it: it has %d rules, more than %d", len(rules.Items), maxRules)
	}
}

// comments gives each rule of the rulesets written in the file read the
// comments in it, after it on its last line, and on the lines just before
// it: # edgerules:ignore comments are read from there.
func (e *evaluator) comments(sets []Ruleset) {
	// The parser keeps no comments, so finding them reads the text again:
	// not for a text that cannot hold one, nor one with no rules.
	text := e.src.text
	if len(sets) == 0 || !strings.Contains(text, "#") && !strings.Contains(text, "//") && !strings.Contains(text, "/*") {
		return
	}
	tokens, _ := hclsyntax.LexConfig([]byte(e.src.text), e.src.path, hcl.InitialPos)
	var comments []hclsyntax.Token
	for _, t := range tokens {
		if t.Type == hclsyntax.TokenComment {
			comments = append(comments, t)
		}
	}
	if len(comments) == 0 {
		return
	}
	for _, set := range sets {
		rules := set.Node
		if rules.Kind == doc.Map {
			rules = rules.Get("rules")
		}
		if rules == nil || rules.Kind != doc.List {
			continue
		}
		for _, rule := range rules.Items {
			span, ok := e.spans[rule]
			if !ok {
				continue
			}
			start, end := span[0], span[1]
			// The comments on the lines just before the rule belong to it,
			// but one that ends another line of code.
			for i := len(comments) - 1; i >= 0; i-- {
				c := comments[i].Range
				lineStart := strings.LastIndexByte(e.src.text[:c.Start.Byte], '\n') + 1
				if c.End.Byte <= start && strings.TrimSpace(e.src.text[c.End.Byte:start]) == "" &&
					strings.TrimSpace(e.src.text[lineStart:c.Start.Byte]) == "" {
					start = c.Start.Byte
				}
			}
			// So does one after it on its last line.
			if nl := strings.IndexByte(e.src.text[end:], '\n'); nl >= 0 {
				end += nl
			} else {
				end = len(e.src.text)
			}
			for _, c := range comments {
				if c.Range.Start.Byte >= start && c.Range.Start.Byte < end {
					rule.Comments = append(rule.Comments, strings.TrimSpace(string(c.Bytes)))
				}
			}
		}
	}
}

// declare records the locals and variables of a file.
func (m *module) declare(s *source) {
	if s.json {
		for _, locals := range jsonBlocks(s.root.Get("locals")) {
			for i, k := range locals.Keys {
				m.locals[k.Text] = &binding{name: "local." + k.Text, src: s, pos: k.Pos, json: locals.Values[i]}
			}
		}
		if vars := s.root.Get("variable"); vars != nil && vars.Kind == doc.Map {
			for i, k := range vars.Keys {
				b := &binding{name: "var." + k.Text, src: s, pos: k.Pos}
				for _, body := range jsonBlocks(vars.Values[i]) {
					b.json, b.literal = body.Get("default"), true
				}
				m.vars[k.Text] = b
			}
		}
		return
	}
	for _, block := range s.native.Blocks {
		switch {
		case block.Type == "locals":
			for _, a := range sortedAttrs(block.Body) {
				m.locals[a.Name] = &binding{name: "local." + a.Name, src: s, pos: a.SrcRange.Start.Byte, expr: a.Expr}
			}
		case block.Type == "variable" && len(block.Labels) == 1:
			b := &binding{name: "var." + block.Labels[0], src: s, pos: block.DefRange().Start.Byte}
			if a := block.Body.Attributes["default"]; a != nil {
				b.expr = a.Expr
			}
			m.vars[block.Labels[0]] = b
		}
	}
}

// assign records the values a .tfvars file gives variables.
func (m *module) assign(s *source) {
	if s.json {
		for i, k := range s.root.Keys {
			m.vars[k.Text] = &binding{name: "var." + k.Text, src: s, pos: k.Pos, json: s.root.Values[i], literal: true}
		}
		return
	}
	for _, a := range sortedAttrs(s.native) {
		m.vars[a.Name] = &binding{name: "var." + a.Name, src: s, pos: a.SrcRange.Start.Byte, expr: a.Expr}
	}
}

// jsonBlocks returns the bodies of a block in JSON syntax, which writes a
// block as an object or as a list of objects.
func jsonBlocks(n *doc.Node) []*doc.Node {
	switch {
	case n == nil:
		return nil
	case n.Kind == doc.Map:
		return []*doc.Node{n}
	case n.Kind == doc.List:
		var out []*doc.Node
		for _, x := range n.Items {
			if x.Kind == doc.Map {
				out = append(out, x)
			}
		}
		return out
	}
	return nil
}

// sortedAttrs returns a body's attributes in the order they are written.
func sortedAttrs(b *hclsyntax.Body) []*hclsyntax.Attribute {
	attrs := make([]*hclsyntax.Attribute, 0, len(b.Attributes))
	for _, a := range b.Attributes {
		attrs = append(attrs, a)
	}
	slices.SortFunc(attrs, func(a, b *hclsyntax.Attribute) int {
		return cmp.Compare(a.SrcRange.Start.Byte, b.SrcRange.Start.Byte)
	})
	return attrs
}

// The resource types whose rules edgerules reads.
const (
	typeRuleset      = "cloudflare_ruleset"
	typeFilter       = "cloudflare_filter"
	typeFirewallRule = "cloudflare_firewall_rule"
)

var ruleTypes = map[string]bool{typeRuleset: true, typeFilter: true, typeFirewallRule: true}

// ruleKeys are the keys of the objects of a module's values that are
// read as a rule's; an object's other keys are its author's.
var ruleKeys = []string{"ref", "description", "expression", "action", "action_parameters", "enabled",
	"logging", "ratelimit", "exposed_credential_check"}

// moduleMeta are a module call's arguments that are Terraform's own.
var moduleMeta = []string{"source", "version", "providers", "count", "for_each", "depends_on"}

// objectsOf returns the objects of a value that carry an "expression" (at
// any depth), each cut down to the keys of a rule, as a list; nil when
// there are none. Unless the value is read by a Cloudflare resource, an
// object must carry an "action" too: that tells a rule from other data
// with expressions, such as CloudWatch's metric math.
func objectsOf(v *doc.Node, read bool) *doc.Node {
	out := &doc.Node{Kind: doc.List, Pos: v.Pos}
	var walk func(n *doc.Node)
	walk = func(n *doc.Node) {
		switch n.Kind {
		case doc.List:
			for _, x := range n.Items {
				walk(x)
			}
		case doc.Map:
			if x := n.Get("expression"); x != nil && (x.Kind == doc.String || x.Kind == doc.Unknown) && (read || n.Get("action") != nil) {
				rule := &doc.Node{Kind: doc.Map, Pos: n.Pos}
				for i, k := range n.Keys {
					if slices.Contains(ruleKeys, k.Text) {
						rule.Keys = append(rule.Keys, k)
						rule.Values = append(rule.Values, n.Values[i])
					}
				}
				out.Items = append(out.Items, rule)
				return
			}
			for _, x := range n.Values {
				walk(x)
			}
		}
	}
	walk(v)
	if len(out.Items) == 0 {
		return nil
	}
	return out
}

// objects adds to out a ruleset of the objects with expressions of the
// value v, named address; name is the local or variable it is, if any.
func (e *evaluator) objects(out []Ruleset, address, name string, v *doc.Node) []Ruleset {
	if list := objectsOf(v, e.m.read()[name]); list != nil {
		return append(out, Ruleset{Address: address, Objects: true, Node: list})
	}
	return out
}

// maxInstances is the most instances of a resource with count that are
// read.
const maxInstances = 1000

// instance is one instance of a resource: its address and the each or
// count it is evaluated with.
type instance struct {
	address string
	vars    map[string]*doc.Node
}

// instances expands a resource's count or for_each into its instances, or
// returns an Unknown node when they cannot be known.
func (e *evaluator) instances(address string, count, forEach *doc.Node, pos int) ([]instance, *doc.Node) {
	switch {
	case forEach != nil:
		if forEach.Kind == doc.Unknown {
			return nil, forEach
		}
		var out []instance
		stop := elements(forEach, pos, func(key, value *doc.Node) *doc.Node {
			if forEach.Kind == doc.List { // a set of strings: each.key is the string
				key = value
			}
			out = append(out, instance{fmt.Sprintf("%s[%q]", address, key.Text), map[string]*doc.Node{"each": iterator(key, value, pos)}})
			return nil
		})
		return out, stop
	case count != nil:
		if count.Kind == doc.Unknown {
			return nil, count
		}
		n, err := strconv.Atoi(count.Text)
		switch {
		case err != nil || count.Kind != doc.Number || n < 0:
			return nil, unknown(pos, "Terraform cannot evaluate it: count must be a whole number, not %q", count.Text)
		case n > maxInstances:
			return nil, unknown(pos, "edgerules does not follow it: count is %d, more than %d", n, maxInstances)
		}
		out := make([]instance, 0, n)
		for i := range n {
			idx := &doc.Node{Kind: doc.Number, Text: fmt.Sprint(i), Pos: pos}
			c := &doc.Node{Kind: doc.Map, Pos: pos, Keys: []*doc.Node{doc.NewString("index", pos, nil)}, Values: []*doc.Node{idx}}
			out = append(out, instance{fmt.Sprintf("%s[%d]", address, i), map[string]*doc.Node{"count": c}})
		}
		return out, nil
	}
	return []instance{{address: address}}, nil
}

// iterator is the value of each, or of a dynamic block's iterator: the
// element's key and value.
func iterator(key, value *doc.Node, pos int) *doc.Node {
	return &doc.Node{Kind: doc.Map, Pos: pos, Keys: []*doc.Node{doc.NewString("key", pos, nil), doc.NewString("value", pos, nil)},
		Values: []*doc.Node{key, value}}
}

// A body is a resource's body in its syntax, native or JSON.
type body interface {
	// attr evaluates an attribute, or returns nil when there is none.
	attr(e *evaluator, name string, sc *scope) *doc.Node
	// object returns the body as an object of the keys kept, its blocks
	// (dynamic ones too) as their values.
	object(e *evaluator, sc *scope, keys []string) *doc.Node
	// filter returns the filter its filter_id names, or nil.
	filter(e *evaluator, sc *scope) (key, filter *doc.Node)
}

// keptKeys are the keys of each resource type that make its ruleset or
// its rule; the others (zone_id, account_id, the meta-arguments) are
// Terraform's.
var keptKeys = map[string][]string{
	typeRuleset:      {"name", "description", "kind", "phase", "rules"},
	typeFilter:       {"description", "expression", "paused", "ref"},
	typeFirewallRule: {"description", "action", "paused", "priority", "products"},
}

// resourceSets returns the rulesets of a resource, one per instance: a
// cloudflare_ruleset's object, or a one-rule list of a legacy filter or
// firewall rule (with the filter its filter_id names).
func (e *evaluator) resourceSets(typ, address string, b body, sc *scope, pos int) []Ruleset {
	insts, stop := e.instances(address, b.attr(e, "count", sc), b.attr(e, "for_each", sc), pos)
	if stop != nil {
		return []Ruleset{{Address: address, Type: typ, Node: stop}}
	}
	var out []Ruleset
	for _, in := range insts {
		isc := sc.with(in.vars)
		n := b.object(e, isc, keptKeys[typ])
		switch typ {
		case typeRuleset:
			if n.Get("rules") == nil { // a ruleset with no rules yet
				n.Keys = append(n.Keys, doc.NewString("rules", pos, nil))
				n.Values = append(n.Values, &doc.Node{Kind: doc.List, Pos: pos})
			}
		case typeFirewallRule:
			if key, filter := b.filter(e, isc); filter != nil {
				n.Keys = append(n.Keys, key)
				n.Values = append(n.Values, filter)
			}
			fallthrough
		default:
			n = &doc.Node{Kind: doc.List, Pos: pos, Items: []*doc.Node{n}}
		}
		out = append(out, Ruleset{Address: in.address, Type: typ, Node: n})
	}
	return out
}

// expand returns the blocks a dynamic block makes: content for each
// element of coll, with the iterator named name bound to the element.
func (e *evaluator) expand(coll *doc.Node, name string, sc *scope, pos int, content func(sc *scope) *doc.Node) []*doc.Node {
	if coll == nil {
		return []*doc.Node{unknown(pos, "Terraform cannot evaluate it: a dynamic block needs for_each and content")}
	}
	if coll.Kind == doc.Unknown {
		return []*doc.Node{coll}
	}
	var out []*doc.Node
	if stop := elements(coll, pos, func(key, value *doc.Node) *doc.Node {
		out = append(out, content(sc.with(map[string]*doc.Node{name: iterator(key, value, pos)})))
		return nil
	}); stop != nil {
		return []*doc.Node{stop}
	}
	return out
}
