package ruleset

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Rewrite returns the file's text with the expression of each rule that
// rewrite changes put in its place, written in the style its scalar had;
// every other byte of the file stays as it was.
func (f *File) Rewrite(rewrite func(r *Rule) string) string {
	type edit struct {
		start, end int
		text       string
	}
	var edits []edit
	for _, r := range f.Rules {
		if r.Source == nil || len(r.Source.span.offsets) == 0 {
			continue
		}
		next := rewrite(r)
		if next == r.Expression {
			continue
		}
		sp := r.Source.span
		edits = append(edits, edit{sp.start, sp.end, sp.render(next)})
	}
	slices.SortFunc(edits, func(a, b edit) int { return b.start - a.start })
	text := f.Text
	for _, e := range edits {
		text = text[:e.start] + e.text + text[e.end:]
	}
	return text
}

// render writes s as a scalar of the span's kind.
func (sp span) render(s string) string {
	switch sp.kind {
	case jsonString:
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s)
		return strings.TrimSuffix(b.String(), "\n")
	case yamlSingle:
		if !strings.ContainsAny(s, "\n\r") {
			return "'" + strings.ReplaceAll(s, "'", "''") + "'"
		}
	case yamlPlain:
		if plainYAML(s) {
			return s
		}
	case yamlBlock:
		return s
	}
	return strconv.Quote(s)
}

// plainYAML reports whether s reads back as the same string when written
// without quotes as a mapping value.
func plainYAML(s string) bool {
	var m map[string]any
	if strings.ContainsAny(s, "\n\r") || yaml.Unmarshal([]byte("k: "+s), &m) != nil {
		return false
	}
	v, ok := m["k"].(string)
	return ok && v == s
}
