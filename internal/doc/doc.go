// Package doc reads a JSON or YAML document into one tree of values that
// knows where each value stands in its text: rule files are read through it
// so that every problem is reported at its line and column, and a string is
// rewritten by replacing exactly its token.
//
// The stages are: the format's own reader (encoding/json's tokens, or
// go.yaml.in/yaml/v3's node tree) gives the values and where they start; a
// Node tree holds them in one shape for both formats; a string's token and
// the place of each byte of its value are found when first asked for
// (Offsets, Token), and Render writes a new token for a new value.
package doc

import (
	"fmt"
	"strings"
)

// A Format is the syntax of a document.
type Format int

// The formats.
const (
	JSON Format = iota + 1
	YAML
	// Terraform is a tree that internal/tfdoc builds from a Terraform
	// module; Parse does not read it.
	Terraform
)

// A Kind is what sort of value a Node holds.
type Kind int

// The kinds of values.
const (
	Null Kind = iota
	Bool
	Number
	String
	List
	Map
	// Unknown is a value that a Terraform file computes from what is known
	// only when Terraform applies it; Text says what it depends on, such as
	// "var.allowed_ips".
	Unknown
)

// Name returns the kind as a user reads it in a message: "a string",
// "a list", "an object".
func (k Kind) Name() string {
	return [...]string{"null", "a Boolean", "a number", "a string", "a list", "an object", "a value known only when Terraform applies"}[k]
}

// A Node is one value of a document.
type Node struct {
	Kind Kind
	// Text is a scalar's value: a string's decoded text, or the literal
	// text of a number, a Boolean or null.
	Text string
	// Pos is the byte offset in the document's text where the value starts.
	Pos int
	// Items are a list's elements.
	Items []*Node
	// Keys and Values are a map's entries in the order they were written;
	// each key is a String node.
	Keys, Values []*Node
	// Comments are the YAML comments that belong to the value: the lines
	// before it, at the end of its line and after it, each with its #.
	Comments []string

	token tokenFinder // finds a string's token; nil for other kinds
}

// Get returns the value of key in a map, or nil.
func (n *Node) Get(key string) *Node {
	if n == nil || n.Kind != Map {
		return nil
	}
	for i, k := range n.Keys {
		if k.Text == key {
			return n.Values[i]
		}
	}
	return nil
}

// A Doc is a document with the text it was read from.
type Doc struct {
	Text   string
	Format Format
	Root   *Node // nil for an empty YAML document

	reparse func(text string) (*Doc, error) // reads a new text of a built tree; nil for Parse's
}

// New returns a document built by another reader than Parse's, such as a
// Terraform file's; reparse reads a new text of it the same way, for
// Reparse.
func New(text string, format Format, root *Node, reparse func(text string) (*Doc, error)) *Doc {
	return &Doc{Text: text, Format: format, Root: root, reparse: reparse}
}

// Reparse reads text, a new version of the document's text, the way the
// document was read.
func (d *Doc) Reparse(text string) (*Doc, error) {
	if d.reparse != nil {
		return d.reparse(text)
	}
	return Parse(text, d.Format)
}

// Parse reads a document. A text that is not JSON or YAML is a
// *SyntaxError at the place the reader stopped.
func Parse(text string, format Format) (*Doc, error) {
	d := &Doc{Text: text, Format: format}
	var err error
	switch format {
	case JSON:
		d.Root, err = parseJSON(text)
	case YAML:
		d.Root, err = parseYAML(text)
	default:
		return nil, fmt.Errorf("unknown document format %d", format)
	}
	if err != nil {
		return nil, err
	}
	return d, nil
}

// A SyntaxError is a document that its format's reader refused, at the byte
// where it stopped.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string { return e.Msg }

// A Token is where a string's value stands in the document: its token, from
// the first to just past the last of its characters (quotes included,
// properties such as a YAML anchor not), and the place of each byte of its
// value.
type Token struct {
	Start, End int
	// Offsets[i] is the offset in the text of the character byte i of the
	// value comes from; Offsets[len(value)] is where the value ends.
	Offsets []int
	// Lines reports whether the token is a YAML literal block or a
	// Terraform heredoc, whose value is written line by line as it reads.
	Lines bool
	// Computed reports a value that is not written in the text as it is,
	// such as a Terraform string built with interpolation or a function:
	// Offsets place each of its bytes at what it was computed from, and it
	// cannot be rewritten.
	Computed bool

	render func(value string) string
}

// NewToken returns a token for a reader other than Parse's: render writes
// a new token for a value, or is nil for a computed value.
func NewToken(start, end int, offsets []int, lines bool, render func(value string) string) *Token {
	return &Token{Start: start, End: end, Offsets: offsets, Lines: lines, Computed: render == nil, render: render}
}

// Render returns a token that decodes to value, to write in place of
// the text's bytes [Start, End): in the style the token has where that
// style can hold value, otherwise in one that can. A computed token has
// none.
func (t *Token) Render(value string) string { return t.render(value) }

// NewString returns a string node at byte pos of its text whose token
// token finds, for a reader other than Parse's.
func NewString(text string, pos int, token func() (*Token, error)) *Node {
	return &Node{Kind: String, Text: text, Pos: pos, token: token}
}

// A tokenFinder finds a string node's token.
type tokenFinder func() (*Token, error)

// Token finds where string node n stands in the document. It fails only for
// a string whose token cannot be read back to its value; a caller then
// places its problems at n.Pos and does not rewrite it.
func (n *Node) Token() (*Token, error) {
	if n.token == nil {
		return nil, fmt.Errorf("%s has no token", n.Kind.Name())
	}
	return n.token()
}

// Same reports whether a and b hold the same values in the same shape,
// positions aside, and if not, the path to the first difference. A string
// of a that want names must instead hold want's text in b.
func Same(a, b *Node, want map[*Node]string) (bool, string) {
	return same(a, b, want, "")
}

func same(a, b *Node, want map[*Node]string, path string) (bool, string) {
	if a == nil || b == nil {
		return a == b, path
	}
	text, edited := want[a]
	if !edited {
		text = a.Text
	}
	if a.Kind != b.Kind || text != b.Text || len(a.Items) != len(b.Items) || len(a.Keys) != len(b.Keys) {
		return false, path
	}
	for i := range a.Items {
		if ok, at := same(a.Items[i], b.Items[i], want, fmt.Sprintf("%s[%d]", path, i)); !ok {
			return false, at
		}
	}
	for i := range a.Keys {
		at := strings.TrimPrefix(path+"."+a.Keys[i].Text, ".")
		if a.Keys[i].Text != b.Keys[i].Text {
			return false, at
		}
		if ok, at := same(a.Values[i], b.Values[i], want, at); !ok {
			return false, at
		}
	}
	return true, path
}
