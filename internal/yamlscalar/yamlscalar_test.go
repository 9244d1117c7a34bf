package yamlscalar

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// locateCases are documents with one scalar to find: the first whose value
// is value. token is the text Locate must find for it.
var locateCases = []struct {
	name, doc, value, token string
	style                   Style
	flow                    bool
}{
	{"plain", "expression: a and b\n", "a and b", "a and b", Plain, false},
	{"plain comment", "expression: a and b  # note\nnext: x\n", "a and b", "a and b", Plain, false},
	{"plain multi-line", "expression: a and\n  b  \n\n\n  c\nnext: 1\n", "a and b\n\nc", "a and\n  b  \n\n\n  c", Plain, false},
	{"plain multi-line comment", "r:\n  expression: a\n    b # c\n  next: 1\n", "a b", "a\n    b", Plain, false},
	{"plain hash", "expression: a#b c\n", "a#b c", "a#b c", Plain, false},
	{"single", "expression: 'it''s \"x\"'\n", "it's \"x\"", "'it''s \"x\"'", SingleQuoted, false},
	{"single multi-line", "expression: 'a\n  b  \n\n  c '\n", "a b\nc ", "'a\n  b  \n\n  c '", SingleQuoted, false},
	{"double escapes", `expression: "q\" b\\ \x41 \u00e9 \U0001F600 \t\	\0\a\b\v\f\r\e\ \N\_\L\P\' é"` + "\n",
		"q\" b\\ A é 😀 \t\t\x00\a\b\v\f\r\x1b \u0085\u00a0\u2028\u2029' é", `"q\" b\\ \x41 \u00e9 \U0001F600 \t\	\0\a\b\v\f\r\e\ \N\_\L\P\' é"`, DoubleQuoted, false},
	{"double escaped break", "expression: \"a \\\n    b\\\n\n  c\"\n", "a b\nc", "\"a \\\n    b\\\n\n  c\"", DoubleQuoted, false},
	{"double folding", "expression: \"a\n\n\n  b \n c\"\n", "a\n\nb c", "\"a\n\n\n  b \n c\"", DoubleQuoted, false},
	{"literal clip", "expression: |\n  a\n    b\n\n  c\n\nnext: 1\n", "a\n  b\n\nc\n", "|\n  a\n    b\n\n  c", Literal, false},
	{"literal strip", "expression: |-\n  a\n  b\n\nnext: 1\n", "a\nb", "|-\n  a\n  b", Literal, false},
	{"literal keep", "expression: |+\n  a\n\n\nnext: 1\n", "a\n\n\n", "|+\n  a", Literal, false},
	{"literal keep at end", "expression: |+\n  a\n  \n", "a\n\n", "|+\n  a", Literal, false},
	{"literal indent chomp", "expression: |2-\n    a\n   b\nnext: 1\n", "  a\n b", "|2-\n    a\n   b", Literal, false},
	{"literal chomp indent", "expression: |-1\n   a\n  b\n", "  a\n b", "|-1\n   a\n  b", Literal, false},
	{"literal comment", "expression: | # note\n  a\n", "a\n", "| # note\n  a", Literal, false},
	{"literal leading blank lines", "expression: |\n\n  \n  a\n", "\n\na\n", "|\n\n  \n  a", Literal, false},
	{"literal spaces line", "expression: |\n  a\n     \nnext: 1\n", "a\n   \n", "|\n  a\n     ", Literal, false},
	{"folded", "expression: >\n  a\n  b\n\n  c\n    d\n  e\n", "a b\nc\n  d\ne\n", ">\n  a\n  b\n\n  c\n    d\n  e", Folded, false},
	{"folded strip", "expression: >-\n  a and\n  b\n", "a and b", ">-\n  a and\n  b", Folded, false},
	{"folded keep", "expression: >+\n  a\n  b\n\n", "a b\n\n", ">+\n  a\n  b", Folded, false},
	{"sequence of mappings", "- expression: a\n- expression: 'b c'\n", "b c", "'b c'", SingleQuoted, false},
	{"sequence literal", "- |\n  foo\n  bar\n- x\n", "foo\nbar\n", "|\n  foo\n  bar", Literal, false},
	{"indentless sequence", "k:\n- |1\n  x\n", " x\n", "|1\n  x", Literal, false},
	{"nested sequence", "- - |1\n    x\n", " x\n", "|1\n    x", Literal, false},
	{"explicit key", "? a\n: |1\n  x\n", " x\n", "|1\n  x", Literal, false},
	{"flow mapping", "rule: {expression: \"a and b\", action: block}\n", "a and b", "\"a and b\"", DoubleQuoted, true},
	{"flow mapping plain", "rule: {expression: a and b, action: block}\n", "a and b", "a and b", Plain, true},
	{"flow sequence", "k: [a b, 'c', \"d\"]\n", "a b", "a b", Plain, true},
	{"flow multi-line plain", "k: [a\n  b, c]\n", "a b", "a\n  b", Plain, true},
	{"flow key", "{a b: c}\n", "a b", "a b", Plain, true},
	{"anchor", "expression: &a \"x\"\nother: *a\n", "x", "\"x\"", DoubleQuoted, false},
	{"tag", "expression: !!str x y\n", "x y", "x y", Plain, false},
	{"anchor block", "expression: &a |\n  x\n", "x\n", "|\n  x", Literal, false},
	{"tag anchor folded", "expression: !!str &a >-\n  x\n", "x", ">-\n  x", Folded, false},
	{"property line", "expression: &a # c\n  x y\n", "x y", "x y", Plain, false},
	{"verbatim tag", "expression: !<tag:yaml.org,2002:str> 'x'\n", "x", "'x'", SingleQuoted, false},
	{"crlf literal", "expression: |\r\n  a\r\n\r\n  b\r\nnext: 1\r\n", "a\n\nb\n", "|\r\n  a\r\n\r\n  b", Literal, false},
	{"crlf double", "expression: \"c\r\n  d\r\n\r\n  e\"\r\n", "c d\ne", "\"c\r\n  d\r\n\r\n  e\"", DoubleQuoted, false},
	{"crlf plain", "expression: a\r\n  b\r\nnext: 1\r\n", "a b", "a\r\n  b", Plain, false},
	{"bom", "\ufeffexpression: \"é\"\n", "é", "\"é\"", DoubleQuoted, false},
	{"bom key", "\ufeffé: x\n", "é", "é", Plain, false},
	{"multi-byte key", "é: \"x\"\n", "x", "\"x\"", DoubleQuoted, false},
	{"multi-byte flow", "k: [é, &a ü, !!str ß]\n", "ß", "ß", Plain, true},
	{"second document", "a: 1\n---\nexpression: x\n...\n", "x", "x", Plain, false},
	{"top-level block", "--- |\n  a\n", "a\n", "|\n  a", Literal, false},
	{"top-level plain", "a\nb\n", "a b", "a\nb", Plain, false},
}

// moreDocs are documents in corners of the syntax, every string scalar of
// which Locate must find.
var moreDocs = []string{
	"k:\t\"x\"\n",
	"- a\n -b\n",
	"k: |\n  a\n \n  b\n",
	"k: >2\n   a\n  b\n",
	"a:\n  b: |\n    x\n  c: 'y\n    z'\n",
	"k: [a, {b: c d\n  e}]\n",
	"k: \"a\\\n\"\n",
	"k: 'a\n'\n",
	"k: \"  a  \"\n",
	"k: x # c\n# d\n",
	"%YAML 1.1\n---\nk: v\n",
	"k: |\n  a\n\n\n",
	"k: >\n\n  a\n",
	"k: a\r\n\r\n  b\r\n",
	"k: [a\r\n,b]\r\n",
	"key: &anchor_1 !custom x\n",
	"? |\n  a\n: b\n",
	"k: !!str\n  a\n",
	"- ? a\n  : b\n",
	"k: v\n...\n---\nk: w\n",
	"k: {a: \"b\n c\", d: 'e''f'}\n",
	"k: -a\n",
	"k: :a\n",
	"k: a:b\n",
	"[a: b]\n",
}

// findScalar returns the first scalar node (in document order) with value.
func findScalar(t testing.TB, doc string, value string) *yaml.Node {
	for _, n := range scalars(t, doc) {
		if n.Kind == yaml.ScalarNode && n.Value == value {
			return n
		}
	}
	t.Fatalf("no scalar %q in %q", value, doc)
	return nil
}

// scalars parses every document of doc and returns all its nodes in order.
func scalars(t testing.TB, doc string) []*yaml.Node {
	nodes, err := parseAll(doc)
	require.NoError(t, err)
	return nodes
}

// parseAll parses every document of doc and returns all its nodes in order.
func parseAll(doc string) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(strings.NewReader(doc))
	var nodes []*yaml.Node
	for {
		var root yaml.Node
		if err := dec.Decode(&root); err != nil {
			if err.Error() == "EOF" {
				return nodes, nil
			}
			return nil, err
		}
		nodes = walk(&root, nodes)
	}
}

func walk(n *yaml.Node, into []*yaml.Node) []*yaml.Node {
	into = append(into, n)
	for _, c := range n.Content {
		into = walk(c, into)
	}
	return into
}

// checkOffsets checks the invariants of s's offsets for value.
func checkOffsets(text string, s Scalar, value string) error {
	if len(s.Offsets) != len(value)+1 || s.Offsets[len(value)] != s.End {
		return fmt.Errorf("%d offsets for %d bytes, last %v, end %d", len(s.Offsets), len(value), s.Offsets[len(s.Offsets)-1:], s.End)
	}
	if s.Start < 0 || s.End < s.Start || s.End > len(text) {
		return fmt.Errorf("token [%d, %d) outside the text", s.Start, s.End)
	}
	for i, off := range s.Offsets {
		if off < s.Start || off > s.End || i > 0 && off < s.Offsets[i-1] {
			return fmt.Errorf("offset %d of byte %d out of order or outside [%d, %d]", off, i, s.Start, s.End)
		}
		if i == len(value) || off < len(text) && text[off] == value[i] {
			continue
		}
		// What is not copied comes from an escape, a line break, or (the
		// last line breaks of a block scalar) the token's end.
		if off == s.End && value[i] == '\n' || off < len(text) && strings.IndexByte("\\'\r\n", text[off]) >= 0 {
			continue
		}
		return fmt.Errorf("byte %d %q maps to %q at %d", i, value[i], text[off], off)
	}
	return nil
}

// checkRender splices Render's token for value in place of s's token and
// checks that the text parses to the same nodes except that the one at
// index target now has value. It returns the new text.
func checkRender(text string, s Scalar, nodes []*yaml.Node, target int, value string) (string, error) {
	out := text[:s.Start] + Render(text, s, value) + text[s.End:]
	again, err := parseAll(out)
	if err != nil {
		return out, fmt.Errorf("%q: %w", out, err)
	}
	if len(again) != len(nodes) {
		return out, fmt.Errorf("%q: %d nodes, was %d", out, len(again), len(nodes))
	}
	for i, n := range nodes {
		want := n.Value
		if i == target {
			want = value
		}
		if again[i].Kind != n.Kind || again[i].Value != want {
			return out, fmt.Errorf("%q: node %d is %q, want %q", out, i, again[i].Value, want)
		}
	}
	return out, nil
}

// newValues are the values the tests and the fuzz target render.
var newValues = []string{
	"cf.bot_management.score lt 30 and not cf.bot_management.verified_bot",
	"a\n  and b\nand c",
	"say \"hi\" \\ # not: a comment é",
}

func TestLocate(t *testing.T) {
	for _, c := range locateCases {
		t.Run(c.name, func(t *testing.T) {
			n := findScalar(t, c.doc, c.value)
			s, err := Locate(c.doc, n)
			require.NoError(t, err)
			assert.Equal(t, c.token, c.doc[s.Start:s.End])
			assert.Equal(t, c.style, s.Style)
			assert.Equal(t, c.flow, s.Flow)
			require.NoError(t, checkOffsets(c.doc, s, c.value))
		})
	}
}

func TestRender(t *testing.T) {
	for _, c := range locateCases {
		nodes := scalars(t, c.doc)
		target := -1
		for i, n := range nodes {
			if n.Kind == yaml.ScalarNode && n.Value == c.value {
				target = i
				break
			}
		}
		s, err := Locate(c.doc, nodes[target])
		require.NoError(t, err, c.name)
		for i, value := range append([]string{c.value}, newValues...) {
			t.Run(fmt.Sprintf("%s/%d", c.name, i), func(t *testing.T) {
				_, err := checkRender(c.doc, s, nodes, target, value)
				require.NoError(t, err)
			})
		}
	}
}

func TestLocateOffsets(t *testing.T) {
	for _, c := range []struct {
		doc, value string
		offsets    []int
	}{
		// "\x41" and "é" as "\u00e9": each byte of an escape maps to its
		// backslash.
		{`k: "\x41\u00e9"`, "Aé", []int{4, 8, 8, 15}},
		// The space of a folded line break maps to the break; the \n of two
		// breaks maps to the first.
		{"k: 'a\n b\n\n c'", "a b\nc", []int{4, 5, 7, 8, 11, 13}},
		// A CRLF line break maps to its \r; a clipped block's last line
		// break maps to the token's end.
		{"k: |\r\n  a\r\n  b\r\n", "a\nb\n", []int{8, 9, 13, 14, 14}},
		// A folded block's two line breaks fold into one, which maps to the
		// first.
		{"k: >\n  a\n\n  b\n", "a\nb\n", []int{7, 8, 12, 13, 13}},
	} {
		n := findScalar(t, c.doc, c.value)
		s, err := Locate(c.doc, n)
		require.NoError(t, err, c.doc)
		assert.Equal(t, c.offsets, s.Offsets, c.doc)
	}
}

func TestLocateRefuses(t *testing.T) {
	doc := "a: x\nb: !!str\nc: \"x\u2028y\"\n"
	nodes := scalars(t, "a: x\nb: !!str\n")
	for _, n := range []*yaml.Node{
		nil,
		{Kind: yaml.MappingNode},
		{Kind: yaml.ScalarNode, Value: "x", Line: 1, Column: 5},
		{Kind: yaml.ScalarNode, Value: "y", Line: 1, Column: 4},
		{Kind: yaml.ScalarNode, Value: "x", Line: 9, Column: 1},
		{Kind: yaml.ScalarNode, Value: "x", Line: -1, Column: 0},
	} {
		_, err := Locate("a: x\n", n)
		assert.Error(t, err)
	}
	_, err := Locate("a: x\nb: !!str\n", nodes[len(nodes)-1])
	assert.ErrorContains(t, err, "no scalar token")
	_, err = Locate(doc, &yaml.Node{Kind: yaml.ScalarNode, Value: "x", Line: 1, Column: 4})
	assert.ErrorContains(t, err, "U+2028")
	_, err = Locate("a: \xff\n", &yaml.Node{Kind: yaml.ScalarNode, Value: "x", Line: 1, Column: 4})
	assert.ErrorContains(t, err, "UTF-8")
}

func TestRenderStyles(t *testing.T) {
	long := "http.host eq \"example.com\" and http.request.uri.path contains \"/admin\" and not ip.src in {10.0.0.0/8 192.168.0.0/16} or cf.threat_score gt 10"
	for _, c := range []struct{ doc, old, value, want string }{
		{"k: a\n", "a", "b c", "b c"},
		{"k: a\n", "a", "true", "'true'"},
		{"k: a\n", "a", "a: b", "'a: b'"},
		{"k: [a]\n", "a", "b,c", "'b,c'"},
		{"k: a\n", "a", "x\ny", "|-\n  x\n  y"},
		{"k: a # c\n", "a", "x\ny", `"x\ny"`},
		{"k: [a]\n", "a", "x\ny", `"x\ny"`},
		{"k: 'a'\n", "a", "x\ty\u0001", `"x\ty\x01"`},
		{"k: \"a\"\n", "a", "it's", `"it's"`},
		{"k: |\n  a\n", "a\n", "x\n", "|\n  x"},
		{"k: |\n  a\n", "a\n", "x", "|-\n  x"},
		{"k: |2+ # c\n  a\n\nn: 1\n", "a\n\n", "x\ny", "|2- # c\n  x\n  y"},
		{"k: |\n  a\n", "a\n", " x\n", `" x\n"`},
		{"k: >\n  a\n", "a\n", "x\ny\n", "|\n  x\n  y"},
		{"k: >-\r\n  a\r\n", "a", "x y", ">-\r\n  x y"},
		{"k: >-\n  a\n", "a", long, ">-\n  http.host eq \"example.com\" and http.request.uri.path contains \"/admin\"\n  and not ip.src in {10.0.0.0/8 192.168.0.0/16} or cf.threat_score gt 10"},
	} {
		n := findScalar(t, c.doc, c.old)
		s, err := Locate(c.doc, n)
		require.NoError(t, err, c.doc)
		assert.Equal(t, c.want, Render(c.doc, s, c.value), c.doc)
	}
}

func TestRenderFoldedWidth(t *testing.T) {
	value := strings.Repeat("a.b eq \"x y z\" and c.d lt 30 or ", 20) + "end"
	doc := "rules:\n  - expression: >-\n      a\n"
	n := findScalar(t, doc, "a")
	s, err := Locate(doc, n)
	require.NoError(t, err)
	token := Render(doc, s, value)
	for _, line := range strings.Split(token, "\n") {
		assert.LessOrEqual(t, len(line), foldWidth, line)
		assert.False(t, strings.HasSuffix(line, " \"x"), "broken inside quotes: %q", line)
	}
	nodes := scalars(t, doc)
	_, err = checkRender(doc, s, nodes, len(nodes)-1, value)
	require.NoError(t, err)
}

func TestRenderMalformed(t *testing.T) {
	assert.Equal(t, `"x"`, Render("k: v\n", Scalar{Start: 5, End: 2}, "x"))
	assert.Equal(t, `"x"`, Render("k: v\n", Scalar{Start: 3, End: 99}, "x"))
}

// TestEveryScalar locates and renders every string scalar of every test
// document.
func TestEveryScalar(t *testing.T) {
	docs := append([]string{ruleset}, moreDocs...)
	for _, c := range locateCases {
		docs = append(docs, c.doc)
	}
	for _, doc := range docs {
		nodes := scalars(t, doc)
		for i, n := range nodes {
			if n.Kind != yaml.ScalarNode || n.Tag != "!!str" || n.Value == "" && n.Style&^yaml.TaggedStyle == 0 {
				continue
			}
			s, err := Locate(doc, n)
			require.NoError(t, err, "%q %q", doc, n.Value)
			require.NoError(t, checkOffsets(doc, s, n.Value), "%q", doc)
			for _, value := range append([]string{n.Value}, newValues...) {
				_, err := checkRender(doc, s, nodes, i, value)
				require.NoError(t, err, "%q %q", doc, n.Value)
			}
		}
	}
}
