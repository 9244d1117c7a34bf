package doc

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJSON(t *testing.T) {
	text := `{"a": [1, true, null, "x\u00e9\"y"], "b": {"c": -2.5e3}}`
	d, err := Parse(text, JSON)
	require.NoError(t, err)
	a := d.Root.Get("a")
	require.Equal(t, List, a.Kind)
	assert.Equal(t, []Kind{Number, Bool, Null, String}, []Kind{a.Items[0].Kind, a.Items[1].Kind, a.Items[2].Kind, a.Items[3].Kind})
	assert.Equal(t, "-2.5e3", d.Root.Get("b").Get("c").Text)
	s := a.Items[3]
	assert.Equal(t, "xé\"y", s.Text)
	assert.Equal(t, strings.Index(text, `"x`), s.Pos)
	tok, err := s.Token()
	require.NoError(t, err)
	assert.Equal(t, `"x\u00e9\"y"`, text[tok.Start:tok.End])
	at := func(i int) string { return text[tok.Offsets[i]:][:1] }
	assert.Equal(t, []string{"x", `\`, `\`, `\`, "y", `"`}, []string{at(0), at(1), at(2), at(3), at(4), at(5)}, "é's two bytes map to its escape")
	assert.Equal(t, `"a<b \"q\""`, tok.Render(`a<b "q"`), "no HTML escapes")

	for _, bad := range []struct{ text, msg string }{
		{`{"a": 1,}`, "invalid JSON: invalid character '}' looking for beginning of object key string"},
		{`{"a": 1, "a": 2}`, `the key "a" is repeated (first at 1:2)`},
		{`[1] [2]`, "invalid JSON: more after the end of the document"},
		{`[1`, "invalid JSON: unexpected end of the document"},
		{strings.Repeat("[", maxDepth+2), "invalid JSON: values nest more than 10000 deep"},
	} {
		_, err := Parse(bad.text, JSON)
		assert.EqualError(t, err, bad.msg, bad.text)
	}
}

func TestYAML(t *testing.T) {
	text := "x-base: &base {action: block, n: 1}\nrules:\n  - <<: *base\n    n: 2\n    e: &e \"s\"\n    f: *e\n    g: ~\n"
	d, err := Parse(text, YAML)
	require.NoError(t, err)
	rule := d.Root.Get("rules").Items[0]
	var keys []string
	for _, k := range rule.Keys {
		keys = append(keys, k.Text)
	}
	assert.Equal(t, []string{"n", "e", "f", "g", "action"}, keys, "a merge key's entries come after the mapping's own, which win")
	assert.Equal(t, "2", rule.Get("n").Text)
	assert.Same(t, rule.Get("e"), rule.Get("f"), "an alias is the node it names")
	assert.Equal(t, Null, rule.Get("g").Kind)
	assert.Equal(t, strings.Index(text, `&e`), rule.Get("e").Pos, "a value with an anchor starts at its anchor")
	tok, err := rule.Get("e").Token()
	require.NoError(t, err)
	assert.Equal(t, `"s"`, text[tok.Start:tok.End], "its token comes after the anchor")

	_, err = Parse("a: 1\na: 2\n", YAML)
	assert.EqualError(t, err, `the key "a" is repeated (first at 1:1)`)
	_, err = Parse("a: [1,\n", YAML)
	assert.ErrorContains(t, err, "invalid YAML: ")
	d, err = Parse("", YAML)
	require.NoError(t, err)
	assert.Nil(t, d.Root)

	d, err = Parse("\ufeffé: x\n", YAML)
	require.NoError(t, err)
	assert.Equal(t, strings.Index("\ufeffé: x\n", "x"), d.Root.Values[0].Pos, "columns count characters, after the byte order mark")
}

func TestSame(t *testing.T) {
	a, err := Parse(`{"a": ["x", 1], "b": "y"}`, JSON)
	require.NoError(t, err)
	b, err := Parse("a: [x, 1]\nb: z\n", YAML)
	require.NoError(t, err)
	same, at := Same(a.Root, b.Root, nil)
	assert.False(t, same)
	assert.Equal(t, "b", at)
	same, _ = Same(a.Root, b.Root, map[*Node]string{a.Root.Get("b"): "z"})
	assert.True(t, same, "a string may hold what want says")
	c, err := Parse("a: [x, 2]\nb: y\n", YAML)
	require.NoError(t, err)
	same, at = Same(a.Root, c.Root, nil)
	assert.False(t, same)
	assert.Equal(t, "a[1]", at)
}

func TestComments(t *testing.T) {
	d, err := Parse("# top\nrules:\n  # before\n  - ref: a # after a\n    expression: ssl\n", YAML)
	require.NoError(t, err)
	rule := d.Root.Get("rules").Items[0]
	assert.Equal(t, []string{"# before"}, rule.Comments)
	assert.Equal(t, []string{"# after a"}, rule.Get("ref").Comments)
}

// TestYAMLDocuments: a rule file is one YAML document.
func TestYAMLDocuments(t *testing.T) {
	_, err := Parse("rules: []\n---\nrules: []\n", YAML)
	var syntax *SyntaxError
	require.ErrorAs(t, err, &syntax)
	assert.Equal(t, strings.Index("rules: []\n---\nrules: []\n", "---"), syntax.Offset, "at the ---")
	_, err = Parse("---\nrules: []\n", YAML)
	assert.NoError(t, err, "a document may start with ---")
	_, err = Parse("rules: []\n---\n[\n", YAML)
	assert.ErrorContains(t, err, "invalid YAML")
}

// TestJSONByteOrderMark: a JSON text may start with a byte order mark, and
// offsets stay the text's.
func TestJSONByteOrderMark(t *testing.T) {
	text := "\ufeff{\"a\": \"x\"}"
	d, err := Parse(text, JSON)
	require.NoError(t, err)
	assert.Equal(t, strings.Index(text, `"x"`), d.Root.Get("a").Pos)
	tok, err := d.Root.Get("a").Token()
	require.NoError(t, err)
	assert.Equal(t, `"x"`, text[tok.Start:tok.End])
}
