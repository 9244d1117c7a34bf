package ruleset

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/internal/yamlerr"
	"go.yaml.in/yaml/v3"
)

// A Format is a file format of rulesets.
type Format int

// The formats rulesets are read from.
const (
	JSON Format = iota + 1
	YAML
)

// FormatOf returns the format a file's extension names: .json, .yaml, .yml.
func FormatOf(path string) (Format, bool) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return JSON, true
	case ".yaml", ".yml":
		return YAML, true
	}
	return 0, false
}

// A File is a ruleset with the text it was read from.
type File struct {
	*Ruleset
	Text   string
	Format Format
}

// Load reads a ruleset file; its extension gives its format.
func Load(path string) (*File, error) {
	format, ok := FormatOf(path)
	if !ok {
		return nil, fmt.Errorf("%s: a ruleset file ends in .json, .yaml or .yml", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(data, format)
}

// Parse reads a ruleset in any of the shapes users keep: a list of rules,
// a ruleset object {"rules": [...]}, or a whole API response
// {"result": {"rules": [...]}}; in JSON or in YAML with the same fields.
// Each rule learns where its expression stands in the text.
func Parse(data []byte, format Format) (*File, error) {
	var shape struct {
		Ruleset `yaml:",inline"`
		Result  *Ruleset `json:"result" yaml:"result"`
	}
	var list []*Rule
	var spans []span
	var err error
	text := string(data)
	switch format {
	case JSON:
		if isList(data, '[') {
			err = json.Unmarshal(data, &list)
		} else {
			err = json.Unmarshal(data, &shape)
		}
		err = jsonError(text, err)
		if err == nil {
			spans, err = locateJSON(data)
		}
	case YAML:
		var root yaml.Node
		if err = yaml.Unmarshal(data, &root); err == nil && len(root.Content) > 0 {
			if root.Content[0].Kind == yaml.SequenceNode {
				err = root.Decode(&list)
			} else {
				err = root.Decode(&shape)
			}
			spans = locateYAML(text, &root)
		}
		err = yamlError(err)
	default:
		return nil, fmt.Errorf("unknown ruleset format %d", format)
	}
	if err != nil {
		return nil, err
	}
	rs := &shape.Ruleset
	switch {
	case list != nil:
		rs = &Ruleset{Rules: list}
	case shape.Result != nil:
		rs = shape.Result
	}
	for i, r := range rs.Rules {
		if r == nil {
			return nil, fmt.Errorf("rule %d is null", i+1)
		}
		r.Index = i
	}
	for _, sp := range spans {
		if sp.rule < len(rs.Rules) {
			rs.Rules[sp.rule].Source = sp.location(text, rs.Rules[sp.rule].Expression)
		}
	}
	return &File{Ruleset: rs, Text: text, Format: format}, nil
}

func isList(data []byte, open byte) bool {
	trimmed := bytes.TrimSpace(data)
	return len(trimmed) > 0 && trimmed[0] == open
}

// A SyntaxError is a ruleset file that is not JSON or YAML of a ruleset's
// shape, at the line and column where the reader stopped. YAML's reader
// names only the line: the column is then 1.
type SyntaxError struct {
	Line, Column int
	Msg          string
}

// Error returns the message after the line and column: "3:1: invalid YAML: …".
func (e *SyntaxError) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Msg) }

// jsonError places a JSON syntax or type error at its line and column.
func jsonError(text string, err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		line, col := expr.Position(text, int(syntax.Offset))
		return &SyntaxError{line, col, "invalid JSON: " + err.Error()}
	case errors.As(err, &typ):
		line, col := expr.Position(text, int(typ.Offset))
		return &SyntaxError{line, col, fmt.Sprintf("%s must be %s, not %s", strings.TrimPrefix(typ.Field, "Ruleset."), typ.Type, typ.Value)}
	}
	return err
}

// yamlError places a YAML syntax or type error at the line it names.
func yamlError(err error) error {
	if err == nil {
		return nil
	}
	line, msg := yamlerr.Split(err)
	var typ *yaml.TypeError
	if !errors.As(err, &typ) {
		msg = "invalid YAML: " + msg
	}
	return &SyntaxError{max(line, 1), 1, msg}
}
