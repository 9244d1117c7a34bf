package ruleset

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/internal/jsonesc"
	"go.yaml.in/yaml/v3"
)

// A Location is where a rule's expression stands in its file: the place of
// each of its bytes, so that a position in the expression becomes a line
// and column of the file even through escapes and block scalars.
type Location struct {
	text string
	span span
}

// Position returns the 1-based line and column (in bytes) in the file of
// byte off of the expression; off may be the expression's length.
func (l *Location) Position(off int) (line, col int) {
	offs := l.span.offsets
	return expr.Position(l.text, offs[min(max(off, 0), len(offs)-1)])
}

type spanKind int

const (
	jsonString spanKind = iota
	yamlPlain
	yamlDouble
	yamlSingle
	yamlBlock
)

// A span is the scalar that holds one rule's expression.
type span struct {
	rule       int
	kind       spanKind
	start, end int   // the scalar's bytes in the file: quotes included, for a block its content lines
	indent     int   // a block's indentation
	offsets    []int // the file offset of each byte of the value, then of its end
}

// location keeps the span if its offsets decode to value; otherwise every
// byte of the expression maps to the scalar's start.
func (sp span) location(text, value string) *Location {
	if len(sp.offsets) != len(value)+1 || !sp.verbatim(text, value) {
		sp.offsets = make([]int, len(value)+1)
		for i := range sp.offsets {
			sp.offsets[i] = sp.start
		}
	}
	return &Location{text: text, span: sp}
}

// verbatim checks that a plain scalar or a block holds the value's bytes
// where its offsets say; a folded block, whose line breaks became spaces,
// does not.
func (sp span) verbatim(text, value string) bool {
	if sp.kind != yamlPlain && sp.kind != yamlBlock {
		return true
	}
	for i := range len(value) {
		o := sp.offsets[i]
		if o >= len(text) || text[o] != value[i] && !(value[i] == '\n' && (text[o] == '\r' || o == sp.end)) {
			return false
		}
	}
	return true
}

// ruleParent reports whether a container path holds rules: the top-level
// list, "rules" of a ruleset, or "rules" of an API response's "result".
func ruleParent(path string) bool {
	return path == "" || path == "/rules" || path == "/result/rules"
}

// locateJSON finds the "expression" string of each rule object by walking
// the tokens of the document.
func locateJSON(data []byte) ([]span, error) {
	type frame struct {
		array   bool
		path    string
		key     string // the key whose value comes next, in an object
		wantKey bool
		n       int // elements so far, in an array
	}
	var stack []*frame
	var spans []span
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return spans, nil
			}
			return spans, err
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if s, ok := tok.(string); ok && top != nil && !top.array && top.wantKey {
			top.key, top.wantKey = s, false
			continue
		}
		// tok is a value (or the end of a container).
		name := ""
		if top != nil && top.array {
			name = "[" + strconv.Itoa(top.n) + "]"
		} else if top != nil {
			name = top.key
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				path := ""
				if top != nil {
					path = top.path + "/" + name
				}
				stack = append(stack, &frame{array: t == '[', path: path, wantKey: t == '{'})
				continue
			default:
				stack = stack[:len(stack)-1]
				if len(stack) > 0 {
					top = stack[len(stack)-1]
				} else {
					top = nil
				}
			}
		case string:
			if top.key == "expression" && len(stack) >= 2 {
				parent := stack[len(stack)-2]
				if parent.array && ruleParent(parent.path) {
					start := int(before) + bytes.IndexByte(data[before:], '"')
					spans = append(spans, jsonSpan(data, parent.n, start, int(dec.InputOffset())))
				}
			}
		}
		if top != nil {
			if top.array {
				top.n++
			} else {
				top.wantKey = true
			}
		}
	}
}

// jsonSpan maps each byte of a JSON string's value to its place.
func jsonSpan(data []byte, rule, start, end int) span {
	sp := span{rule: rule, kind: jsonString, start: start, end: end}
	for i := start + 1; i < end-1; {
		if data[i] != '\\' {
			sp.offsets = append(sp.offsets, i)
			i++
			continue
		}
		r, n := jsonesc.Decode(data, i)
		for range utf8.RuneLen(r) {
			sp.offsets = append(sp.offsets, i)
		}
		i += max(n, 1) // encoding/json accepted the string, so n > 0
	}
	sp.offsets = append(sp.offsets, end-1)
	return sp
}

// locateYAML finds the expression scalar of each rule mapping.
func locateYAML(text string, root *yaml.Node) []span {
	doc := root.Content[0]
	rules := doc
	if doc.Kind == yaml.MappingNode {
		rules = mapValue(doc, "rules")
		if result := mapValue(doc, "result"); result != nil {
			rules = mapValue(result, "rules")
		}
	}
	if rules == nil || rules.Kind != yaml.SequenceNode {
		return nil
	}
	lines := lineStarts(text)
	var spans []span
	for i, rule := range rules.Content {
		if v := mapValue(rule, "expression"); v != nil && v.Kind == yaml.ScalarNode && v.Line <= len(lines) {
			spans = append(spans, yamlSpan(text, lines, i, v))
		}
	}
	return spans
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func lineStarts(text string) []int {
	starts := []int{0}
	for i := range len(text) {
		if text[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// yamlSpan maps a scalar's value to its place, for the styles an expression
// is written in: plain, quoted on one line, or a literal block. Anything
// else maps to the scalar's start.
func yamlSpan(text string, lines []int, rule int, v *yaml.Node) span {
	start := lines[v.Line-1] + v.Column - 1
	sp := span{rule: rule, start: start, end: start}
	switch {
	case v.Style == 0 && strings.HasPrefix(text[start:], v.Value):
		sp.kind, sp.end = yamlPlain, start+len(v.Value)
		for i := range len(v.Value) + 1 {
			sp.offsets = append(sp.offsets, start+i)
		}
	case v.Style == yaml.DoubleQuotedStyle || v.Style == yaml.SingleQuotedStyle:
		sp.kind = yamlDouble
		if v.Style == yaml.SingleQuotedStyle {
			sp.kind = yamlSingle
		}
		sp.end, sp.offsets = quotedOffsets(text, start, sp.kind == yamlSingle)
	case v.Style == yaml.LiteralStyle || v.Style == yaml.FoldedStyle:
		sp.kind = yamlBlock
		blockOffsets(text, lines, v, &sp)
	}
	return sp
}

// quotedOffsets walks a one-line quoted scalar from its opening quote and
// returns the offset after its closing quote and the place of each byte of
// its value. A double-quoted escape of several bytes maps to its backslash.
func quotedOffsets(text string, start int, single bool) (int, []int) {
	var offs []int
	for i := start + 1; i < len(text) && text[i] != '\n'; i++ {
		c := text[i]
		switch {
		case single && c == '\'' && i+1 < len(text) && text[i+1] == '\'':
			offs = append(offs, i)
			i++
		case single && c == '\'', !single && c == '"':
			return i + 1, append(offs, i)
		case !single && c == '\\' && i+1 < len(text):
			n := map[byte]int{'x': 4, 'u': 6, 'U': 10}[text[i+1]]
			if n == 0 {
				n = 2
			}
			width := 1
			if n > 2 {
				v, _ := strconv.ParseUint(text[i+2:min(i+n, len(text))], 16, 32)
				width = utf8.RuneLen(rune(v))
				if text[i+1] == 'x' {
					width = 1
				}
			}
			for range max(width, 1) {
				offs = append(offs, i)
			}
			i += n - 1
		default:
			offs = append(offs, i)
		}
	}
	return start, nil
}

// blockOffsets maps a literal block's lines to the file: line k of the value
// is file line v.Line+1+k, after the block's indentation.
func blockOffsets(text string, lines []int, v *yaml.Node, sp *span) {
	first := v.Line // index of the first content line in lines
	for first < len(lines) && strings.TrimSpace(lineText(text, lines, first)) == "" {
		first++
	}
	if first >= len(lines) {
		return
	}
	content := lineText(text, lines, first)
	sp.indent = len(content) - len(strings.TrimLeft(content, " "))
	sp.start = lines[first] + sp.indent
	body := strings.TrimRight(v.Value, "\n")
	for k, line := range strings.Split(body, "\n") {
		if first+k >= len(lines) {
			return
		}
		at := lines[first+k] + sp.indent
		for j := range len(line) + 1 {
			sp.offsets = append(sp.offsets, at+j)
		}
		sp.end = at + len(line)
	}
	sp.offsets = sp.offsets[:len(sp.offsets)-1]
	if body != v.Value {
		sp.offsets = append(sp.offsets, sp.end)
	}
	sp.offsets = append(sp.offsets, sp.end)
}

func lineText(text string, lines []int, i int) string {
	end := len(text)
	if i+1 < len(lines) {
		end = lines[i+1] - 1
	}
	return text[lines[i]:end]
}
