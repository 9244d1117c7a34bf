package ruleset

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/internal/doc"
	"github.com/edgerules/edgerules/internal/tfdoc"
)

// A Format is a file format of rulesets.
type Format int

// The formats rulesets are read from.
const (
	JSON Format = iota + 1
	YAML
	// Terraform: the Cloudflare resources and values of a Terraform file
	// (.tf, .tf.json, .tfvars, .tfvars.json, .hcl), read with LoadAll or
	// ParseTerraform.
	Terraform
)

// FormatOf returns the format a file's extension names: .json, .yaml,
// .yml, or a Terraform file's.
func FormatOf(path string) (Format, bool) {
	if tfdoc.IsFile(path) {
		return Terraform, true
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return JSON, true
	case ".yaml", ".yml":
		return YAML, true
	}
	return 0, false
}

// A File is a ruleset with the text it was read from. A Terraform file
// holds several, which share its text.
type File struct {
	*Ruleset
	Text   string
	Format Format
	// Address is a Terraform ruleset's address, such as
	// cloudflare_ruleset.waf or local.rules; empty for JSON and YAML.
	Address string
	// Notes are what could not be checked, and why: in a Terraform file,
	// values known only when Terraform applies.
	Notes []Note

	doc  *doc.Doc
	root *doc.Node // the ruleset's node in doc
}

// A Note says what a file holds that could not be checked, at a line and
// column: "the expression is not checked: depends on var.allowed_ips".
type Note struct {
	Line, Column int
	// Key is what could not be checked: "ruleset", "rules", "rule",
	// "expression", "filter", "action", or the dotted path of a parameter
	// expression such as "action_parameters.uri.path.expression".
	Key string
	Msg string
}

// Decides reports whether what the note is about decides which rules
// match: the rules themselves, a filter or an action, not a parameter.
func (n Note) Decides() bool { return !strings.Contains(n.Key, ".") }

// Load reads a ruleset file; its extension gives its format. A Terraform
// file must hold exactly one ruleset; LoadAll reads any number. varFiles
// are .tfvars files for a Terraform file, as Terraform's -var-file.
func Load(path string, varFiles ...string) (*File, error) {
	files, err := LoadAll(path, varFiles...)
	if len(files) == 1 || files == nil && err != nil {
		if len(files) == 1 {
			return files[0], err
		}
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s holds no Cloudflare ruleset", path)
	}
	addrs := make([]string, len(files))
	for i, f := range files {
		addrs[i] = f.Address
	}
	return nil, fmt.Errorf("%s holds %d rulesets (%s); name one with %s#ADDRESS", path, len(files), strings.Join(addrs, ", "), path)
}

// LoadAll reads the rulesets of a file: the one of a JSON or YAML file, or
// each of a Terraform file. A Terraform file is read with the other files
// of its folder, for the values of its locals and variables. PATH#ADDRESS
// names one ruleset of a Terraform file, such as
// main.tf#cloudflare_ruleset.waf. varFiles are .tfvars files for a
// Terraform file, as Terraform's -var-file.
func LoadAll(path string, varFiles ...string) ([]*File, error) {
	path, address, _ := strings.Cut(path, "#")
	format, ok := FormatOf(path)
	if !ok {
		return nil, fmt.Errorf("%s: a ruleset file ends in .json, .yaml, .yml, or is a Terraform file (.tf, .tf.json)", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if format != Terraform {
		f, err := Parse(data, format)
		if f == nil {
			return nil, err
		}
		return []*File{f}, err
	}
	files, err := ParseTerraform(path, data, varFiles...)
	if address == "" || files == nil {
		return files, err
	}
	for _, f := range files {
		if f.Address == address {
			return []*File{f}, err
		}
	}
	return nil, fmt.Errorf("%s has no ruleset %s", path, address)
}

// ParseTerraform reads the rulesets of a Terraform file, whose text is
// data, with the values the other files of its folder declare: each
// cloudflare_ruleset (provider v4's rules blocks, dynamic ones included,
// and v5's rules lists), cloudflare_filter and cloudflare_firewall_rule,
// and each local, variable default, module argument and .tfvars value
// that holds objects with an "expression". Expressions built with
// interpolation or functions are evaluated where they depend only on what
// the files say; each place where they depend on more is a Note.
//
// varFiles are .tfvars files whose values win over the folder's, as
// Terraform's -var-file.
//
// A file that is not HCL is a *SyntaxError; problems of the rulesets'
// shape are an ErrorList, returned with the rulesets that could be read.
func ParseTerraform(path string, data []byte, varFiles ...string) ([]*File, error) {
	text := string(data)
	d, sets, err := tfdoc.Read(path, text, varFiles)
	if err != nil {
		var syntax *doc.SyntaxError
		if errors.As(err, &syntax) {
			return nil, errorAt(text, syntax.Offset, "%s", syntax.Msg)
		}
		return nil, err
	}
	var files []*File
	var errs ErrorList
	for _, set := range sets {
		dec := &decoder{text: text}
		var rs *Ruleset
		switch {
		case set.Objects:
			rs = dec.rules(set.Node, ObjectsShape)
		case set.Type == "cloudflare_filter":
			rs = dec.rules(set.Node, FiltersShape)
		case set.Type == "cloudflare_firewall_rule":
			rs = dec.rules(set.Node, FirewallRulesShape)
		default:
			rs = dec.ruleset(set.Node)
		}
		f := &File{Ruleset: rs, Text: text, Format: Terraform, Address: set.Address, Notes: dec.notes, doc: d, root: set.Node}
		f.locate()
		errs = append(errs, dec.errs...)
		files = append(files, f)
	}
	if len(errs) > 0 {
		sortErrors(errs)
		return files, errs
	}
	return files, nil
}

// Parse reads a ruleset in any of the shapes users keep: a list of rules,
// a ruleset object {"rules": [...]}, a whole API response
// {"result": {"rules": [...]}}, or the legacy Firewall Rules and Filters
// APIs' lists; in JSON or in YAML with the same fields. Each rule learns
// where its expressions stand in the text.
//
// A text that is not JSON or YAML is a *SyntaxError and no File. A document
// whose values do not have a ruleset's shape (an unknown key, a value of the
// wrong kind) gives an ErrorList with every such problem, and with it the
// File of the rules that could be read, for a caller that reports
// everything at once.
func Parse(data []byte, format Format) (*File, error) {
	var df doc.Format
	switch format {
	case JSON:
		df = doc.JSON
	case YAML:
		df = doc.YAML
	case Terraform:
		return nil, fmt.Errorf("a Terraform file is read with ParseTerraform, with its path")
	default:
		return nil, fmt.Errorf("unknown ruleset format %d", format)
	}
	text := string(data)
	d, err := doc.Parse(text, df)
	if err != nil {
		var syntax *doc.SyntaxError
		if errors.As(err, &syntax) {
			return nil, errorAt(text, syntax.Offset, "%s", syntax.Msg)
		}
		return nil, err
	}
	dec := &decoder{text: text, yaml: format == YAML}
	f := &File{Ruleset: dec.file(d.Root), Text: text, Format: format, doc: d, root: d.Root}
	f.locate()
	if len(dec.errs) > 0 {
		sortErrors(dec.errs)
		return f, dec.errs
	}
	return f, nil
}

// locate numbers the file's rules and finds where their expressions stand.
func (f *File) locate() {
	for i, r := range f.Rules {
		r.Index = i
		if r.node != nil {
			r.Source = r.locate(r.expressionPath())
		}
	}
}

// sortErrors puts a file's problems in the order of the file.
func sortErrors(errs ErrorList) {
	slices.SortStableFunc(errs, func(a, b *SyntaxError) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
}

// A SyntaxError is a problem with a ruleset file at a line and column: text
// that is not JSON or YAML, or a value where a ruleset has none of its kind.
type SyntaxError struct {
	Line, Column int
	Msg          string
	err          error // what errors.Is finds: ErrNotRuleset, or nil
}

// ErrNotRuleset is the error, found with errors.Is, of a document that is
// no ruleset at all: an object without "rules" or "result", such as a file
// of lists or a scheme beside the rules.
var ErrNotRuleset = errors.New("not a ruleset")

// Unwrap returns ErrNotRuleset for a document that is no ruleset.
func (e *SyntaxError) Unwrap() error { return e.err }

// Error returns the message after the line and column: "3:1: invalid YAML: …".
func (e *SyntaxError) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Msg) }

func errorAt(text string, off int, format string, args ...any) *SyntaxError {
	line, col := expr.Position(text, off)
	return &SyntaxError{Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// An ErrorList is every problem of a ruleset file's shape, in the order of
// the file.
type ErrorList []*SyntaxError

// Error returns the first problem, and how many more there are.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more)", l[0], len(l)-1)
}

// Unwrap returns the problems, for errors.As.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// A Location is where an expression stands in its file: the place of each
// of its bytes, so that a position in the expression becomes a line and
// column of the file even through escapes, folded lines and block scalars.
type Location struct {
	text     string
	offsets  []int
	lines    bool
	computed bool
}

// Computed reports whether the expression is not written in its file as
// it is, but computed there: a Terraform string built with interpolation
// or a function, or read from another file of the module. Its bytes are
// placed at what they were computed from, and it is not rewritten.
func (l *Location) Computed() bool { return l.computed }

// Position returns the 1-based line and column (in bytes) in the file of
// byte off of the expression; off may be the expression's length.
func (l *Location) Position(off int) (line, col int) {
	return expr.Position(l.text, l.offsets[min(max(off, 0), len(l.offsets)-1)])
}

// pathOf returns the path of key in the object the rule was read from.
func (r *Rule) pathOf(key string) []string {
	if key == "expression" {
		return r.expressionPath()
	}
	return strings.Split(key, ".")
}

// locate returns the Location of the string at path in the rule; where the
// string's token cannot be read back, every byte maps to its start.
func (r *Rule) locate(path []string) *Location {
	n := r.node.at(path)
	if n == nil || n.Kind != doc.String {
		return nil
	}
	if tok, err := n.Token(); err == nil {
		return &Location{r.node.text, tok.Offsets, tok.Lines, tok.Computed}
	}
	offs := make([]int, len(n.Text)+1)
	for i := range offs {
		offs[i] = n.Pos
	}
	return &Location{r.node.text, offs, false, false}
}

// Position returns the line and column in the rule's file of the value at
// key, a dotted path such as "action" or "ratelimit.period", or of the rule
// itself when it has no such key. It returns 0, 0 for a rule made in code.
func (r *Rule) Position(key string) (line, col int) {
	if r.node == nil {
		return 0, 0
	}
	n := r.node.at(r.pathOf(key))
	if n == nil {
		n = r.node.Node
	}
	return expr.Position(r.node.text, n.Pos)
}
