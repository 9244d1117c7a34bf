package doc

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/internal/yamlerr"
	"github.com/edgerules/edgerules/internal/yamlscalar"
	"go.yaml.in/yaml/v3"
)

func parseYAML(text string) (*Node, error) {
	dec := yaml.NewDecoder(strings.NewReader(text))
	var root yaml.Node
	if err := dec.Decode(&root); errors.Is(err, io.EOF) {
		return nil, nil
	} else if err != nil {
		return nil, yamlSyntaxError(text, err)
	}
	// A rule file is one document; rules after a --- would go unchecked.
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		return nil, &SyntaxError{lineStart(text, next.Line), "invalid YAML: a second document; a rule file holds one"}
	} else if !errors.Is(err, io.EOF) {
		return nil, yamlSyntaxError(text, err)
	}
	if len(root.Content) == 0 {
		return nil, nil
	}
	c := &yamlConverter{text: text, done: map[*yaml.Node]*Node{}, lines: []int{0}, index: yamlscalar.NewIndex(text, &root)}
	for i := range len(text) {
		if text[i] == '\n' {
			c.lines = append(c.lines, i+1)
		}
	}
	return c.node(root.Content[0])
}

func yamlSyntaxError(text string, err error) *SyntaxError {
	line, msg := yamlerr.Split(err)
	return &SyntaxError{lineStart(text, max(line, 1)), "invalid YAML: " + msg}
}

// A yamlConverter turns yaml.v3's nodes into Nodes. A node reached through
// several aliases becomes one Node, so that rewriting it rewrites the one
// place it is written.
type yamlConverter struct {
	text  string
	done  map[*yaml.Node]*Node
	lines []int // where each line starts
	index *yamlscalar.Index
}

func (c *yamlConverter) node(y *yaml.Node) (*Node, error) {
	if y.Kind == yaml.AliasNode {
		y = y.Alias
	}
	if n, ok := c.done[y]; ok {
		return n, nil
	}
	n := &Node{Pos: c.offset(y.Line, y.Column)}
	for _, comment := range []string{y.HeadComment, y.LineComment, y.FootComment} {
		if comment != "" {
			n.Comments = append(n.Comments, strings.Split(comment, "\n")...)
		}
	}
	c.done[y] = n
	switch y.Kind {
	case yaml.SequenceNode:
		n.Kind = List
		for _, item := range y.Content {
			x, err := c.node(item)
			if err != nil {
				return nil, err
			}
			n.Items = append(n.Items, x)
		}
	case yaml.MappingNode:
		n.Kind = Map
		return n, c.mapping(n, y)
	case yaml.ScalarNode:
		c.scalar(n, y)
	default:
		return nil, &SyntaxError{n.Pos, "invalid YAML: a document inside a value"}
	}
	return n, nil
}

// mapping reads a mapping's entries. A key written twice is an error, as
// yaml.v3 makes it when it decodes into Go values; the entries of a merge
// key (<<: *defaults) come after the mapping's own, which win.
func (c *yamlConverter) mapping(n *Node, y *yaml.Node) error {
	seen := map[string]int{}
	var merged []*Node
	for i := 0; i+1 < len(y.Content); i += 2 {
		k, err := c.node(y.Content[i])
		if err != nil {
			return err
		}
		v, err := c.node(y.Content[i+1])
		if err != nil {
			return err
		}
		if k.Kind == List || k.Kind == Map {
			return &SyntaxError{k.Pos, "invalid YAML: a key must be a string, not " + k.Kind.Name()}
		}
		if y.Content[i].ShortTag() == "!!merge" {
			merged = append(merged, v)
			continue
		}
		if first, dup := seen[k.Text]; dup {
			line, col := expr.Position(c.text, first)
			return &SyntaxError{k.Pos, fmt.Sprintf("the key %q is repeated (first at %d:%d)", k.Text, line, col)}
		}
		seen[k.Text] = k.Pos
		n.Keys, n.Values = append(n.Keys, k), append(n.Values, v)
	}
	for _, m := range merged {
		sources := []*Node{m}
		if m.Kind == List {
			sources = m.Items
		}
		for _, s := range sources {
			for i, k := range s.Keys {
				if _, own := seen[k.Text]; !own {
					seen[k.Text] = k.Pos
					n.Keys, n.Values = append(n.Keys, k), append(n.Values, s.Values[i])
				}
			}
		}
	}
	return nil
}

// scalar fills in a scalar by the type yaml.v3 resolved for it; a string
// finds its token when first asked.
func (c *yamlConverter) scalar(n *Node, y *yaml.Node) {
	n.Text = y.Value
	switch y.ShortTag() {
	case "!!null":
		n.Kind = Null
	case "!!bool":
		n.Kind = Bool
	case "!!int", "!!float":
		n.Kind = Number
	default:
		n.Kind = String
		text, index := c.text, c.index
		n.token = func() (*Token, error) {
			s, err := index.Locate(y)
			if err != nil {
				return nil, err
			}
			return &Token{Start: s.Start, End: s.End, Offsets: s.Offsets, Lines: s.Style == yamlscalar.Literal,
				render: func(v string) string { return yamlscalar.Render(text, s, v) }}, nil
		}
	}
}

// offset turns yaml.v3's line and column, which count characters from 1
// after any byte order mark, into a byte offset.
func (c *yamlConverter) offset(line, col int) int {
	i := len(c.text)
	if line >= 1 && line <= len(c.lines) {
		i = c.lines[line-1]
	}
	if i == 0 {
		i = len(c.text) - len(strings.TrimPrefix(c.text, "\ufeff"))
	}
	for ; col > 1 && i < len(c.text) && c.text[i] != '\n'; col-- {
		_, size := utf8.DecodeRuneInString(c.text[i:])
		i += size
	}
	return i
}

// lineStart returns the offset where a 1-based line starts.
func lineStart(text string, line int) int {
	i := 0
	for ; line > 1; line-- {
		nl := strings.IndexByte(text[i:], '\n')
		if nl < 0 {
			return len(text)
		}
		i += nl + 1
	}
	return i
}
