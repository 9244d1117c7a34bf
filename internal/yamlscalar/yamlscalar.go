// Package yamlscalar finds a YAML scalar's token in the text it was parsed
// from, maps each byte of its value to its place in the text, and writes a new
// token for a new value.
//
// It reads each style the way go.yaml.in/yaml/v3 does (a port of libyaml,
// which differs from the YAML 1.2 spec in a few corners), and it checks that
// what it read decodes to exactly the node's value, so a caller gets either
// exact offsets or an error.
package yamlscalar

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Style is the way a scalar is written in the text.
type Style int

// The five scalar styles of YAML.
const (
	Plain        Style = iota // unquoted, possibly over several lines
	SingleQuoted              // '...', with '' for a quote
	DoubleQuoted              // "...", with backslash escapes
	Literal                   // | block, line breaks kept
	Folded                    // > block, single line breaks folded into spaces
)

// String returns the style's name.
func (s Style) String() string {
	switch s {
	case Plain:
		return "plain"
	case SingleQuoted:
		return "single-quoted"
	case DoubleQuoted:
		return "double-quoted"
	case Literal:
		return "literal"
	case Folded:
		return "folded"
	}
	return fmt.Sprintf("Style(%d)", int(s))
}

// Chomping is a block scalar's chomping indicator: what happens to the line
// breaks at the end of its content.
type Chomping int

// The three chomping methods.
const (
	Clip  Chomping = iota // no indicator: keep the last line break only
	Strip                 // '-': drop every trailing line break
	Keep                  // '+': keep the trailing line breaks and blank lines
)

// Scalar is the token of one scalar in a text: where it is, how it is
// written, and where each byte of its value comes from.
type Scalar struct {
	Style Style
	// Start and End delimit the token's bytes in the text. Start is its
	// first character (the quote, the | or > indicator, or a plain scalar's
	// first character) after any anchor or tag. End is just past its last
	// character: the closing quote; a plain scalar's last non-space
	// character; a block scalar's last content line (the line break after it
	// and any trailing blank lines are left out, so that a keep scalar's
	// trailing blank lines stay in place when the token is replaced).
	Start, End int
	// Offsets[i] is the offset in the text of the character that byte i of
	// the value comes from, and Offsets[len(value)] == End. A byte of an
	// escape ("\"", "\x41", "''") maps to the escape's first character; a
	// space or line break produced by line folding maps to the line break it
	// replaces (the first of several); a line break that a keep or clip block
	// scalar takes from after its last content line maps to End. Offsets
	// never decrease.
	Offsets []int
	// Flow tells that the scalar stands inside a flow collection ([...] or
	// {...}), where block scalars are not allowed.
	Flow bool
	// Key tells that the scalar is a mapping key, which must stay on one
	// line.
	Key bool
	// Indent is a block scalar's content indentation, in spaces. For other
	// styles it is the indentation a block scalar written in their place
	// would get.
	Indent int
	// Chomping is a block scalar's chomping indicator.
	Chomping Chomping
	// Header is a block scalar's header line from its indicator to the end
	// of the line (indicators, spaces and any comment), without the line
	// break.
	Header string
	// Newline is the line ending of the scalar's first line: "\r\n" or "\n".
	Newline string

	value string // what the token decodes to, which Render writes as it is
}

// An Index is a YAML text read once for locating any number of its
// scalars: where its lines start, and where each scalar stands in the tree
// (in a flow collection or not, a key or not, how deep its block collection
// is indented), which only the tree tells.
type Index struct {
	text   string
	err    error // why no scalar of the text can be located
	lines  []int // where each line starts, after a byte order mark
	places map[*yaml.Node]place
}

// NewIndex reads text, the document root was parsed from (with
// yaml.Unmarshal into a yaml.Node), for Locate. Its cost is one pass over
// the text and one over the tree.
func NewIndex(text string, root *yaml.Node) *Index {
	x := &Index{text: text, places: map[*yaml.Node]place{}}
	switch {
	case !utf8.ValidString(text):
		x.err = errors.New("yamlscalar: text is not valid UTF-8")
	case strings.ContainsAny(text, "\u0085\u2028\u2029"):
		x.err = errors.New("yamlscalar: text holds a Unicode line break (U+0085, U+2028 or U+2029)")
	}
	x.lines = []int{len(text) - len(strings.TrimPrefix(text, "\ufeff"))}
	for i := x.lines[0]; i < len(text); i++ {
		if isBreak(text[i]) {
			i += breakLen(text, i) - 1
			x.lines = append(x.lines, i+1)
		}
	}
	if root != nil {
		x.walk(root, nil)
	}
	return x
}

func (x *Index) walk(node, parent *yaml.Node) {
	if node.Kind == yaml.ScalarNode && parent != nil {
		x.places[node] = x.describe(node, parent)
	}
	for _, c := range node.Content {
		x.walk(c, node)
	}
}

// Locate finds the token of the scalar node n, a node of the index's tree
// (Kind == yaml.ScalarNode; the caller resolves aliases). It returns an
// error when n is not in the tree, when what it reads at n's position does
// not decode to exactly n.Value, when n is an empty plain scalar (which has
// no token), and when the text is not UTF-8 or holds a line break other
// than CR and LF (yaml.v3 also breaks lines at U+0085, U+2028 and U+2029).
func (x *Index) Locate(n *yaml.Node) (Scalar, error) {
	if n == nil || n.Kind != yaml.ScalarNode {
		return Scalar{}, errors.New("yamlscalar: not a scalar node")
	}
	if x.err != nil {
		return Scalar{}, x.err
	}
	pos, err := x.position(n.Line, n.Column)
	if err != nil {
		return Scalar{}, err
	}
	place, ok := x.places[n]
	if !ok {
		return Scalar{}, fmt.Errorf("yamlscalar: no scalar at %d:%d in the text", n.Line, n.Column)
	}
	text := x.text
	start := skipProperties(text, pos)
	s := Scalar{Start: start, Flow: place.flow, Key: place.key, Newline: newline(text, start)}
	switch {
	case start >= len(text):
		return Scalar{}, errors.New("yamlscalar: no scalar token after the node's properties")
	case text[start] == '"' || text[start] == '\'':
		err = s.scanQuoted(text, n.Value)
	case text[start] == '|' || text[start] == '>':
		err = s.scanBlock(text, n.Value, place.indent)
	default:
		err = s.scanPlain(text, n.Value)
	}
	if err != nil {
		return Scalar{}, err
	}
	if s.Style != Literal && s.Style != Folded {
		s.Indent = max(place.indent, 0) + 2
	}
	s.value = n.Value
	return s, nil
}

// Locate finds the token of the scalar node n in text, the document stream
// n was parsed from, as Index.Locate does; n need not be a node of a tree
// at hand: the text is parsed again to find the scalar at n's position with
// n's value. To locate several scalars of one text, build an Index once.
func Locate(text string, n *yaml.Node) (Scalar, error) {
	if n == nil || n.Kind != yaml.ScalarNode {
		return Scalar{}, errors.New("yamlscalar: not a scalar node")
	}
	if err := NewIndex(text, nil).err; err != nil {
		return Scalar{}, err
	}
	dec := yaml.NewDecoder(strings.NewReader(text))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if err == io.EOF {
			return Scalar{}, fmt.Errorf("yamlscalar: no scalar at %d:%d in the text", n.Line, n.Column)
		}
		if err != nil {
			return Scalar{}, fmt.Errorf("yamlscalar: parsing the text: %w", err)
		}
		if same := find(&doc, n); same != nil {
			return NewIndex(text, &doc).Locate(same)
		}
	}
}

// find returns the scalar below node at n's position with n's value.
func find(node, n *yaml.Node) *yaml.Node {
	if node.Kind == yaml.ScalarNode && node.Line == n.Line && node.Column == n.Column && node.Value == n.Value {
		return node
	}
	for _, c := range node.Content {
		if found := find(c, n); found != nil {
			return found
		}
	}
	return nil
}

// position returns the byte offset of yaml.v3's 1-based line and column,
// which counts characters (not bytes) and does not count a byte order mark
// at the start of the text.
func (x *Index) position(line, column int) (int, error) {
	if line < 1 || column < 1 {
		return 0, fmt.Errorf("yamlscalar: invalid position %d:%d", line, column)
	}
	if line > len(x.lines) {
		return 0, fmt.Errorf("yamlscalar: line %d is past the end of the text", line)
	}
	pos := x.lines[line-1]
	for c := 1; c < column; c++ {
		if pos >= len(x.text) || isBreak(x.text[pos]) {
			return 0, fmt.Errorf("yamlscalar: column %d is past the end of line %d", column, line)
		}
		_, size := utf8.DecodeRuneInString(x.text[pos:])
		pos += size
	}
	return pos, nil
}

// place is what the parse tree tells about a scalar's surroundings.
type place struct {
	flow bool // inside a flow collection
	key  bool // a mapping key
	// indent is the indentation (column) of the innermost block collection
	// holding the scalar, or -1 at the top level. It may be too large (never
	// too small) when the collection's column cannot be told from the tree.
	indent int
}

// describe tells node's place from its parent.
func (x *Index) describe(node, parent *yaml.Node) place {
	p := place{indent: -1}
	switch parent.Kind {
	case yaml.MappingNode:
		p.flow = parent.Style&yaml.FlowStyle != 0
		for i := 0; i < len(parent.Content); i += 2 {
			p.key = p.key || parent.Content[i] == node
		}
		// A block mapping is indented as far as its first key starts, or
		// as its "?" when the first key is explicit (and the "?" is the
		// mapping's, not one whose key the mapping is: "? k: v").
		first := parent.Content[0]
		p.indent = first.Column - 1
		if parent.Line != first.Line || parent.Column != first.Column {
			p.indent = x.indicatorColumn(first, '?', 0)
		}
	case yaml.SequenceNode:
		p.flow = parent.Style&yaml.FlowStyle != 0
		p.indent = x.indicatorColumn(node, '-', 1)
	}
	return p
}

// indicatorColumn returns the column of the indicator ("-" or "?") that
// introduces node on its line, or else the column left of node by the given
// distance: the indentation of node's block collection, or an estimate of it
// that is too large rather than too small.
func (x *Index) indicatorColumn(node *yaml.Node, indicator byte, left int) int {
	pos, err := x.position(node.Line, node.Column)
	if err != nil {
		return node.Column - 1 - left
	}
	i := strings.LastIndexFunc(x.text[:pos], func(r rune) bool { return r != ' ' && r != '\t' })
	if i >= 0 && x.text[i] == indicator {
		return node.Column - 1 - (pos - i)
	}
	return node.Column - 1 - left
}

// skipProperties skips the anchor and tag at pos, if any, and the spaces,
// line breaks and comments after them. yaml.v3 places a node with
// properties at its first property.
func skipProperties(text string, pos int) int {
	for pos < len(text) && (text[pos] == '&' || text[pos] == '!') {
		if text[pos] == '&' {
			pos = skipAnchor(text, pos)
		} else {
			pos = skipTag(text, pos)
		}
		pos = skipSeparation(text, pos)
	}
	return pos
}

// skipAnchor skips "&name" at pos, with yaml.v3's anchor characters.
func skipAnchor(text string, pos int) int {
	pos++
	for pos < len(text) && isAnchorChar(text[pos]) {
		pos++
	}
	return pos
}

// skipTag skips a tag at pos: verbatim "!<...>" or "!handle!suffix".
func skipTag(text string, pos int) int {
	if strings.HasPrefix(text[pos:], "!<") {
		if i := strings.IndexByte(text[pos:], '>'); i >= 0 {
			return pos + i + 1
		}
		return len(text)
	}
	pos++
	for pos < len(text) && (isAnchorChar(text[pos]) || strings.IndexByte(";/?:@&=+$,.!~*'()[]%", text[pos]) >= 0) {
		pos++
	}
	return pos
}

// skipSeparation skips spaces, tabs, line breaks and comments.
func skipSeparation(text string, pos int) int {
	for pos < len(text) {
		switch c := text[pos]; {
		case c == ' ' || c == '\t' || isBreak(c):
			pos++
		case c == '#':
			pos = lineEnd(text, pos)
		default:
			return pos
		}
	}
	return pos
}

// isAnchorChar tells the characters yaml.v3 allows in an anchor's name.
func isAnchorChar(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_' || c == '-'
}

// isBreak tells a line break character.
func isBreak(c byte) bool { return c == '\n' || c == '\r' }

// isBlank tells a space or tab.
func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// breakLen returns the length of the line break at pos: 2 for CRLF, 1 for
// CR or LF, 0 when there is none.
func breakLen(text string, pos int) int {
	switch {
	case strings.HasPrefix(text[pos:], "\r\n"):
		return 2
	case pos < len(text) && isBreak(text[pos]):
		return 1
	}
	return 0
}

// lineEnd returns the offset of the line break ending pos's line, or
// len(text).
func lineEnd(text string, pos int) int {
	if i := strings.IndexAny(text[pos:], "\r\n"); i >= 0 {
		return pos + i
	}
	return len(text)
}

// newline returns the line ending of pos's line, "\n" when it has none.
func newline(text string, pos int) string {
	if end := lineEnd(text, pos); breakLen(text, end) == 2 {
		return "\r\n"
	}
	return "\n"
}
