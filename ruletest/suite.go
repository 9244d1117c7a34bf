// Package ruletest runs test cases against a ruleset, or a zone of rulesets
// (one per phase, run in Cloudflare's order as ruleset.ZoneEngine runs them).
// A case gives the field values of a request and the decision the rules must
// make for it: the action, and optionally the rule that decides, the rules
// that log on the way, and what the zone changes. Suites are YAML or JSON
// files, run by `edgerules test` in CI or by Go code through Load and Run:
//
//	rules: bot-management.json
//	lists:
//	  partners: {kind: ip, items: [192.0.2.0/24]}
//	cases:
//	  - name: a likely bot on a browser path is blocked
//	    values: {cf.bot_management.score: 12, http.request.uri.path: /products}
//	    action: block
//	    rule: browser-block
//	  - name: a verified crawler passes
//	    values: {cf.bot_management.score: 1, cf.bot_management.verified_bot: true}
//	    action: none
//
// action is none when no rule may end evaluation, or the action of the rule
// that ends it: a terminating action or skip. rule names that rule by its
// ref or id; logged, when given, lists every log rule that must match, in
// order.
//
// For rate limiting rules a case is a sequence of the same request, and the
// decision is that of the last: repeat sends it that many times, evenly
// over seconds (all at once without them), and at gives the time of each
// request instead, in seconds from the first. Each case counts from zero;
// its requests start at the case's http.request.timestamp.sec, or at
// 2026-01-01 00:00:00 UTC.
//
//   - name: the 101st login in a minute is blocked
//     values: {ip.src: 192.0.2.1, http.request.uri.path: /login}
//     repeat: 101
//     seconds: 60
//     action: block
//
// rules may also be a list of files and folders, read as
// terraform.LoadZone reads them: a zone, such as a file per phase. A case
// may then say what the zone changes in the request: path and query are
// what the origin gets after the URL rewrites (the request's own when no
// rewrite matched); headers are request headers the origin gets, each a
// value, a list of values (one per line of the header) or null for a header
// it must not get; redirect is where a redirect sends the client, with the
// status when given; response_headers are the response's headers once the
// response header transforms ran (the origin's response being the case's
// http.response.* values). Only the headers a case names are compared, with
// the request's own (its http.request.headers value) as the start.
//
//	rules: [redirects.yaml, rewrites.yaml, custom.yaml, headers.yaml]
//	cases:
//	  - name: the old API is rewritten and scored for the origin
//	    values:
//	      http.request.uri.path: /v1/items
//	      http.request.headers: {x-internal: ["1"]}
//	      cf.bot_management.score: 87
//	    action: none
//	    path: /api/items
//	    headers: {X-Bot-Score: "87", X-Internal: null}
//	  - name: the old host is sent to the new one
//	    values: {http.host: old.example.com, http.request.uri.path: /a}
//	    action: redirect
//	    redirect: {url: "https://example.com/a", status: 301}
//
// As at Cloudflare, raw.http.request.* fields hold the request as it came,
// before any URL rewrite: a case that gives an http.request.* field whose
// raw.* counterpart it does not give has the raw field set to the same
// value.
package ruletest

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/internal/suitefile"
	"github.com/edgerules/edgerules/internal/yamlerr"
	"github.com/edgerules/edgerules/ruleset"
	"go.yaml.in/yaml/v3"
)

// A Suite is a file of cases for one ruleset or one zone.
type Suite struct {
	// Path is the file the suite was read from.
	Path string
	// Rules are the files and folders of the rules as the suite names them:
	// one ruleset file, or a zone's; a relative path is relative to the
	// suite's folder.
	Rules []string
	// VarFiles are .tfvars files for a Terraform ruleset, relative to the
	// suite's folder, whose values win over its module's, as Terraform's
	// -var-file.
	VarFiles []string
	// Lists are the lists that `in $name` reads in every case.
	Lists []*List
	// Cases are the cases in the order of the file.
	Cases []*Case
	// At is where the rules' paths stand in the file.
	At Pos
}

// Pos is a position in a suite's file: 1-based line and column.
type Pos struct{ Line, Column int }

// A List is a named list for the cases of a suite.
type List struct {
	Name  string
	Kind  fields.ListKind
	Items []string
	At    Pos
}

// A Case is one request and the decision it must get.
type Case struct {
	Name   string
	Values []Value
	// Action is the action that must end evaluation; empty for none.
	Action ruleset.Action
	// Rule is the ref or id of the rule that must end evaluation; empty
	// when any rule may.
	Rule string
	// Logged are the refs or ids of the log rules that must match, in
	// order; nil when the case does not say.
	Logged []string
	// Times are when the case's requests come, from the first, in order;
	// nil for a case of one request.
	Times []time.Duration
	// Path and Query are the path and query the origin must get; nil when
	// the case does not say.
	Path, Query *Want
	// Headers are request headers the origin must get, or not get.
	Headers []HeaderWant
	// Redirect is where a redirect must send the client; nil when the case
	// does not say.
	Redirect *RedirectWant
	// ResponseHeaders are headers the response must have, or not have, once
	// the response header transforms ran.
	ResponseHeaders []HeaderWant
	At              Pos
}

// A Want is a value a case expects, with where it stands.
type Want struct {
	Value string
	At    Pos
}

// A HeaderWant is a header a case expects: its values, one per line, or
// nil for a header that must be absent.
type HeaderWant struct {
	Name   string
	Values []string
	At     Pos
}

// A RedirectWant is the redirect a case expects: the target URL, and the
// status code unless it is 0.
type RedirectWant struct {
	URL    string
	Status int
	At     Pos
}

// MaxRequests is how many requests a case may make.
const MaxRequests = 100_000

// A Value is one field's value in a case, as the file gives it (a string,
// number, bool, list or object); it is decoded by the field's type when the
// case runs.
type Value struct {
	Field   string
	Value   any
	FieldAt Pos // where the field's name stands
	At      Pos // where the value stands
}

// An Error is a problem with a suite or a failed case, at a position in the
// suite's file.
type Error struct {
	Path string
	Pos
	Msg string
}

// Error returns the message after the file, line and column.
func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Column, e.Msg)
}

// None is the word a case uses for a request that no rule ends.
const None = "none"

// IsSuite reports whether path names a suite file: one ending in .test.yaml,
// .test.yml or .test.json.
func IsSuite(path string) bool { return suitefile.Is(path) }

// Load reads a suite file.
func Load(path string) (*Suite, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse reads a suite from data, YAML or JSON; path names it in errors and
// is the folder its ruleset's path is relative to.
func Parse(path string, data []byte) (*Suite, error) {
	if err := checkUTF8(path, data); err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(path, err)
	}
	p := &parser{path: path}
	s := &Suite{Path: path}
	if len(doc.Content) == 0 || doc.Content[0].Tag == "!!null" {
		return nil, &Error{Path: path, Pos: Pos{1, 1}, Msg: "the suite is empty: give rules and cases"}
	}
	root := doc.Content[0]
	err := p.mapping(root, "the suite", []key{
		{"rules", func(n *yaml.Node) error {
			s.At = pos(n)
			if n.Kind == yaml.SequenceNode {
				var err error
				s.Rules, err = p.scalars(n, "rules")
				return err
			}
			s.Rules = []string{""}
			return p.scalar(n, "rules", &s.Rules[0])
		}},
		{"var_files", func(n *yaml.Node) error {
			var err error
			s.VarFiles, err = p.scalars(n, "var_files")
			return err
		}},
		{"lists", func(n *yaml.Node) error {
			var err error
			s.Lists, err = p.lists(n)
			return err
		}},
		{"cases", func(n *yaml.Node) error {
			var err error
			s.Cases, err = p.cases(n)
			return err
		}},
	})
	switch {
	case err != nil:
		return nil, err
	case len(s.Rules) == 0 || s.Rules[0] == "":
		return nil, p.errorf(root, "the suite names no ruleset: add rules: FILE, or a list of a zone's files and folders")
	case len(s.Cases) == 0:
		return nil, p.errorf(root, "the suite has no cases")
	}
	return s, nil
}

// RulesPaths returns the paths of the suite's rules files and folders.
func (s *Suite) RulesPaths() []string {
	out := make([]string, len(s.Rules))
	for i, r := range s.Rules {
		out[i] = s.relative(r)
	}
	return out
}

// rulesName words the suite's rules in messages: the file, or the files.
func (s *Suite) rulesName() string { return strings.Join(s.Rules, ", ") }

// relative returns a path the suite names, relative to its folder.
func (s *Suite) relative(path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(filepath.Dir(s.Path), path)
}

// checkUTF8 reports the first byte of data that is not UTF-8: a suite is
// UTF-8 text, as JSON is, so that its lines and columns are those of its
// bytes.
func checkUTF8(path string, data []byte) *Error {
	if utf8.Valid(data) {
		return nil
	}
	line, start := 1, 0
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return &Error{Path: path, Pos: Pos{line, i - start + 1}, Msg: fmt.Sprintf("byte %#x is not UTF-8: a suite is UTF-8 text", data[i])}
		}
		if r == '\n' {
			line, start = line+1, i+1
		}
		i += size
	}
	return nil
}

// yamlError positions the YAML reader's error at the line it names.
func yamlError(path string, err error) *Error {
	line, msg := yamlerr.Split(err)
	return &Error{Path: path, Pos: Pos{max(line, 1), 1}, Msg: msg}
}

// A parser walks a suite's YAML nodes, keeping where each part stands.
type parser struct{ path string }

func pos(n *yaml.Node) Pos { return Pos{n.Line, n.Column} }

func (p *parser) errorf(n *yaml.Node, format string, args ...any) *Error {
	return &Error{Path: p.path, Pos: pos(n), Msg: fmt.Sprintf(format, args...)}
}

// A key is a key a mapping may have, and the reader of its value.
type key struct {
	name string
	read func(*yaml.Node) error
}

// entries hands each key and value of the mapping n to visit, in order.
// notMapping is the error for a node that is not a mapping; twice words
// the error for a key given again.
func (p *parser) entries(n *yaml.Node, notMapping string, twice func(name string) string, visit func(name, value *yaml.Node) error) error {
	if n.Kind != yaml.MappingNode {
		return p.errorf(n, "%s", notMapping)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		name, value := n.Content[i], n.Content[i+1]
		if seen[name.Value] {
			return p.errorf(name, "%s", twice(name.Value))
		}
		seen[name.Value] = true
		if err := visit(name, value); err != nil {
			return err
		}
	}
	return nil
}

// mapping reads the mapping n, called what in errors, handing each key's
// value to its reader. An unknown or repeated key is an error.
func (p *parser) mapping(n *yaml.Node, what string, keys []key) error {
	twice := func(name string) string { return fmt.Sprintf("%s has %q twice", what, name) }
	return p.entries(n, what+" must be a mapping of keys to values", twice, func(name, value *yaml.Node) error {
		k := slices.IndexFunc(keys, func(k key) bool { return k.name == name.Value })
		if k < 0 {
			names := make([]string, len(keys))
			for i, k := range keys {
				names[i] = k.name
			}
			return p.errorf(name, "%s has no key %q; its keys are %s", what, name.Value, strings.Join(names, ", "))
		}
		return keys[k].read(value)
	})
}

func (p *parser) scalar(n *yaml.Node, what string, into *string) error {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return p.errorf(n, "%s must be a single value", what)
	}
	*into = n.Value
	return nil
}

func (p *parser) scalars(n *yaml.Node, what string) ([]string, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, p.errorf(n, "%s must be a list", what)
	}
	out := make([]string, len(n.Content))
	for i, item := range n.Content {
		if err := p.scalar(item, what+" item", &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (p *parser) lists(n *yaml.Node) ([]*List, error) {
	var lists []*List
	twice := func(name string) string { return fmt.Sprintf("list %s is given twice", name) }
	err := p.entries(n, "lists must map each list's name to its kind and items", twice, func(name, body *yaml.Node) error {
		l := &List{Name: name.Value, At: pos(name)}
		var kind string
		what := "list " + l.Name
		err := p.mapping(body, what, []key{
			{"kind", func(n *yaml.Node) error {
				if err := p.scalar(n, what+"'s kind", &kind); err != nil {
					return err
				}
				k, err := fields.ParseListKind(kind)
				if err != nil {
					return p.errorf(n, "%s: %v", what, err)
				}
				l.Kind = k
				return nil
			}},
			{"items", func(n *yaml.Node) error {
				var err error
				l.Items, err = p.scalars(n, what+"'s items")
				return err
			}},
		})
		if err != nil {
			return err
		}
		if l.Kind == 0 {
			return p.errorf(name, "%s has no kind: ip, hostname, asn or string", what)
		}
		lists = append(lists, l)
		return nil
	})
	return lists, err
}

func (p *parser) cases(n *yaml.Node) ([]*Case, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, p.errorf(n, "cases must be a list")
	}
	cases := make([]*Case, len(n.Content))
	names := map[string]*Case{}
	for i, node := range n.Content {
		c, err := p.oneCase(node, i)
		if err != nil {
			return nil, err
		}
		if prev, dup := names[c.Name]; dup {
			return nil, p.errorf(node, "case %q is already the name of the case on line %d", c.Name, prev.At.Line)
		}
		names[c.Name] = c
		cases[i] = c
	}
	return cases, nil
}

func (p *parser) oneCase(n *yaml.Node, i int) (*Case, error) {
	c := &Case{At: pos(n)}
	what := fmt.Sprintf("case %d", i+1)
	var action string
	var seq sequence
	err := p.mapping(n, what, []key{
		{"name", func(n *yaml.Node) error { return p.scalar(n, what+"'s name", &c.Name) }},
		{"values", func(n *yaml.Node) error {
			var err error
			c.Values, err = p.values(n, what)
			return err
		}},
		{"action", func(n *yaml.Node) error {
			if err := p.scalar(n, what+"'s action", &action); err != nil {
				return err
			}
			return p.action(n, action, &c.Action)
		}},
		{"rule", func(n *yaml.Node) error { return p.scalar(n, what+"'s rule", &c.Rule) }},
		{"logged", func(n *yaml.Node) error {
			var err error
			c.Logged, err = p.scalars(n, what+"'s logged")
			return err
		}},
		{"path", func(n *yaml.Node) error { return p.want(n, what+"'s path", &c.Path) }},
		{"query", func(n *yaml.Node) error { return p.want(n, what+"'s query", &c.Query) }},
		{"headers", func(n *yaml.Node) error {
			var err error
			c.Headers, err = p.headers(n, what+"'s headers")
			return err
		}},
		{"redirect", func(n *yaml.Node) error {
			var err error
			c.Redirect, err = p.redirect(n, what)
			return err
		}},
		{"response_headers", func(n *yaml.Node) error {
			var err error
			c.ResponseHeaders, err = p.headers(n, what+"'s response_headers")
			return err
		}},
		{"repeat", func(n *yaml.Node) error { seq.repeat = n; return nil }},
		{"seconds", func(n *yaml.Node) error { seq.seconds = n; return nil }},
		{"at", func(n *yaml.Node) error { seq.at = n; return nil }},
	})
	if err == nil {
		c.Times, err = p.times(seq, what)
	}
	switch {
	case err != nil:
		return nil, err
	case c.Name == "":
		return nil, p.errorf(n, "%s has no name", what)
	case action == "":
		return nil, p.errorf(n, "case %q says no action: give the action that ends evaluation, or none", c.Name)
	case c.Rule != "" && c.Action == "":
		return nil, p.errorf(n, "case %q names a rule that decides, but its action is none", c.Name)
	case c.Redirect != nil && c.Action != ruleset.Redirect:
		return nil, p.errorf(n, "case %q expects a redirect, so its action is redirect", c.Name)
	}
	return c, nil
}

// want reads a string a case expects.
func (p *parser) want(n *yaml.Node, what string, into **Want) error {
	w := &Want{At: pos(n)}
	if err := p.scalar(n, what, &w.Value); err != nil {
		return err
	}
	*into = w
	return nil
}

// headers reads the headers a case expects, by name: each a value, a list
// of values, or null for a header that must be absent.
func (p *parser) headers(n *yaml.Node, what string) ([]HeaderWant, error) {
	var out []HeaderWant
	twice := func(name string) string { return fmt.Sprintf("header %s is given twice", name) }
	err := p.entries(n, what+" must map header names to values, lists of values or null", twice, func(name, value *yaml.Node) error {
		h := HeaderWant{Name: name.Value, At: pos(value)}
		switch {
		case value.Kind == yaml.ScalarNode && value.Tag == "!!null":
		case value.Kind == yaml.SequenceNode:
			var err error
			if h.Values, err = p.scalars(value, fmt.Sprintf("header %s", h.Name)); err != nil {
				return err
			}
			if len(h.Values) == 0 {
				return p.errorf(value, "header %s has no values: give null for a header that must be absent", h.Name)
			}
		default:
			h.Values = []string{""}
			if err := p.scalar(value, fmt.Sprintf("header %s", h.Name), &h.Values[0]); err != nil {
				return p.errorf(value, "header %s must be a value, a list of values, or null for a header that must be absent", h.Name)
			}
		}
		out = append(out, h)
		return nil
	})
	return out, err
}

// redirect reads the redirect a case expects: {url: URL, status: CODE}.
func (p *parser) redirect(n *yaml.Node, what string) (*RedirectWant, error) {
	r := &RedirectWant{At: pos(n)}
	what += "'s redirect"
	err := p.mapping(n, what, []key{
		{"url", func(n *yaml.Node) error { return p.scalar(n, what+"'s url", &r.URL) }},
		{"status", func(n *yaml.Node) error {
			var text string
			if err := p.scalar(n, what+"'s status", &text); err != nil {
				return err
			}
			code, err := strconv.Atoi(text)
			if err != nil || code < 300 || code > 399 {
				return p.errorf(n, "%s's status must be a redirect's status code, such as 301 or 302, found %s", what, text)
			}
			r.Status = code
			return nil
		}},
	})
	if err == nil && r.URL == "" {
		err = p.errorf(n, "%s has no url: give the target URL, and the status if it matters", what)
	}
	return r, err
}

// action reads the action a case expects: none, or one that ends
// evaluation.
func (p *parser) action(n *yaml.Node, word string, into *ruleset.Action) error {
	if word == None {
		return nil
	}
	a := ruleset.Action(word)
	switch err := a.Validate(); {
	case err != nil:
		return p.errorf(n, "%v", err)
	case !a.Terminating() && a != ruleset.Skip:
		return p.errorf(n, "%s does not end evaluation, so no case can expect it; a log rule goes under logged", word)
	}
	*into = a
	return nil
}

func (p *parser) values(n *yaml.Node, what string) ([]Value, error) {
	var values []Value
	twice := func(name string) string { return fmt.Sprintf("field %s is given twice", name) }
	err := p.entries(n, what+"'s values must map field names to values", twice, func(key, node *yaml.Node) error {
		var v any
		if err := node.Decode(&v); err != nil {
			_, msg := yamlerr.Split(err)
			return p.errorf(node, "field %s: %s", key.Value, msg)
		}
		values = append(values, Value{Field: key.Value, Value: v, FieldAt: pos(key), At: pos(node)})
		return nil
	})
	return values, err
}

// A sequence is what a case says of its requests' times.
type sequence struct{ repeat, seconds, at *yaml.Node }

// times reads when a case's requests come: repeat times over seconds, or
// at the times at gives; nil for one request.
func (p *parser) times(seq sequence, what string) ([]time.Duration, error) {
	switch {
	case seq.at != nil && (seq.repeat != nil || seq.seconds != nil):
		return nil, p.errorf(seq.at, "%s gives at and repeat: at gives the time of each request, repeat how many come over seconds", what)
	case seq.at != nil:
		if seq.at.Kind != yaml.SequenceNode || len(seq.at.Content) == 0 || len(seq.at.Content) > MaxRequests {
			return nil, p.errorf(seq.at, "%s's at must be a list of 1 to %d times in seconds", what, MaxRequests)
		}
		out := make([]time.Duration, len(seq.at.Content))
		for i, n := range seq.at.Content {
			sec, err := p.seconds(n, what+"'s at")
			if err != nil {
				return nil, err
			}
			if out[i] = sec; i > 0 && out[i] < out[i-1] {
				return nil, p.errorf(n, "%s's at must be in order: %s comes before %s", what, n.Value, seq.at.Content[i-1].Value)
			}
		}
		return out, nil
	case seq.repeat == nil && seq.seconds != nil:
		return nil, p.errorf(seq.seconds, "%s gives seconds but not repeat, how many requests come over them", what)
	case seq.repeat == nil:
		return nil, nil
	}
	var repeat string
	if err := p.scalar(seq.repeat, what+"'s repeat", &repeat); err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(repeat)
	if err != nil || n < 1 || n > MaxRequests {
		return nil, p.errorf(seq.repeat, "%s's repeat must be a whole number from 1 to %d, found %s", what, MaxRequests, repeat)
	}
	var over time.Duration
	if seq.seconds != nil {
		if over, err = p.seconds(seq.seconds, what+"'s seconds"); err != nil {
			return nil, err
		}
	}
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = over * time.Duration(i) / time.Duration(n)
	}
	return out, nil
}

// seconds reads a time in seconds, 0 or more, to the millisecond.
func (p *parser) seconds(n *yaml.Node, what string) (time.Duration, error) {
	var text string
	if err := p.scalar(n, what, &text); err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || f < 0 || f > 1e9 || math.IsNaN(f) {
		return 0, p.errorf(n, "%s must be a number of seconds, 0 or more, found %s", what, text)
	}
	return time.Duration(math.Round(f*1000)) * time.Millisecond, nil
}
