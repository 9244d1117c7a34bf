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
)

// A Format is a file format of rulesets.
type Format int

// The formats rulesets are read from.
const (
	JSON Format = iota + 1
	YAML
	// Terraform: the Cloudflare resources and values of a Terraform file
	// (.tf, .tf.json, .tfvars, .tfvars.json, .hcl), read with package
	// terraform.
	Terraform
)

// IsTerraform reports whether a path names a Terraform file: .tf,
// .tf.json, .tfvars, .tfvars.json or .hcl.
func IsTerraform(path string) bool {
	p := strings.ToLower(path)
	for _, ext := range []string{".tf", ".tf.json", ".tfvars", ".tfvars.json", ".hcl"} {
		if strings.HasSuffix(p, ext) {
			return true
		}
	}
	return false
}

// FormatOf returns the format a file's extension names: .json, .yaml,
// .yml, or a Terraform file's.
func FormatOf(path string) (Format, bool) {
	if IsTerraform(path) {
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
	// "expression", "filter", "action", "enabled", "paused",
	// "action_parameters", or the dotted path of a parameter expression
	// such as "action_parameters.uri.path.expression".
	Key string
	Msg string
}

// Decides reports whether what the note is about decides which rules
// match: the rules themselves, a filter or an action, not a parameter.
func (n Note) Decides() bool { return !strings.Contains(n.Key, ".") }

// Load reads a ruleset file; its extension gives its format. Terraform
// files are read with package terraform.
func Load(path string) (*File, error) {
	format, ok := FormatOf(path)
	switch {
	case !ok:
		return nil, fmt.Errorf("%s: a ruleset file ends in .json, .yaml or .yml", path)
	case format == Terraform:
		return nil, fmt.Errorf("%s: a Terraform file is read with package terraform (github.com/edgerules/edgerules/terraform)", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(data, format)
}

// A Tree is one ruleset of a document that another reader than Parse has
// built, such as package terraform: where it stands, and what it holds.
type Tree struct {
	// Address names it in its file, as File.Address.
	Address string
	// Shape is RulesetsShape for a ruleset object (with rules), and the
	// shape of its rules for a list of rules.
	Shape Shape
	// Node is the ruleset or the list.
	Node *doc.Node
}

// Build makes the Files of the rulesets of a document another reader has
// built (this module's own: its types are internal), reporting every
// problem of their shape as Parse does, with the Notes of what could not
// be checked.
func Build(d *doc.Doc, format Format, trees []Tree) ([]*File, error) {
	var files []*File
	var errs ErrorList
	for _, t := range trees {
		dec := &decoder{text: d.Text}
		var rs *Ruleset
		if t.Shape == RulesetsShape && t.Node.Kind != doc.List {
			rs = dec.ruleset(t.Node)
		} else {
			rs = dec.rules(t.Node, t.Shape)
		}
		f := &File{Ruleset: rs, Text: d.Text, Format: format, Address: t.Address, Notes: dec.notes, doc: d, root: t.Node}
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
		return nil, fmt.Errorf("a Terraform file is read with package terraform, with its path")
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

// ErrorAt returns a SyntaxError at byte off of text, for readers of other
// formats that report their problems as Parse does.
func ErrorAt(text string, off int, msg string) *SyntaxError { return errorAt(text, off, "%s", msg) }

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
// key, a dotted path such as "action" or "ratelimit.period", or when the
// rule has no such key, of the nearest value that holds it: the ratelimit
// object for a missing "ratelimit.period", the rule itself for a missing
// "action". It returns 0, 0 for a rule made in code.
func (r *Rule) Position(key string) (line, col int) {
	if r.node == nil {
		return 0, 0
	}
	path := r.pathOf(key)
	n := r.node.at(path)
	for ; n == nil && len(path) > 0; n = r.node.at(path) {
		path = path[:len(path)-1]
	}
	return expr.Position(r.node.text, n.Pos)
}
