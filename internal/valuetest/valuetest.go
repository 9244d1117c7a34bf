// Package valuetest checks, for tests of the rule file rewriter, that a
// rewritten JSON, YAML or expression file holds the same values as before,
// reading both with the format's own decoder rather than with the code under
// test: only expressions may differ, and each must be in canonical form and
// mean what it meant.
package valuetest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/expr"
	"go.yaml.in/yaml/v3"
)

// A Format is how a file is decoded.
type Format int

// The formats.
const (
	JSON  Format = iota + 1
	YAML         // a byte order mark is allowed
	Lines        // one value a line
)

// Compare returns an error naming the first value that differs between the
// two texts other than an expression put in canonical form, on one line or
// wrapped at width.
func Compare(format Format, before, after string, width int) error {
	a, err := decode(format, before)
	if err != nil {
		return fmt.Errorf("before: %v", err)
	}
	b, err := decode(format, after)
	if err != nil {
		return fmt.Errorf("after: %v", err)
	}
	return compare(a, b, "", width)
}

func decode(format Format, text string) (any, error) {
	var v any
	var err error
	switch format {
	case JSON:
		err = json.Unmarshal([]byte(strings.TrimPrefix(text, "\ufeff")), &v)
	case YAML:
		err = yaml.Unmarshal([]byte(strings.TrimPrefix(text, "\ufeff")), &v)
	case Lines:
		var lines []any
		for l := range strings.SplitSeq(text, "\n") {
			lines = append(lines, strings.TrimSuffix(l, "\r"))
		}
		v = lines
	}
	return v, err
}

func compare(a, b any, at string, width int) error {
	a, b = stringKeys(a), stringKeys(b)
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return fmt.Errorf("%s: the object changed", at)
		}
		keys := make([]string, 0, len(a))
		for k := range a {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if err := compare(a[k], bm[k], at+"."+k, width); err != nil {
				return err
			}
		}
		return nil
	case []any:
		bl, ok := b.([]any)
		if !ok || len(a) != len(bl) {
			return fmt.Errorf("%s: the list changed", at)
		}
		for i := range a {
			if err := compare(a[i], bl[i], fmt.Sprintf("%s[%d]", at, i), width); err != nil {
				return err
			}
		}
		return nil
	case string:
		bs, ok := b.(string)
		if !ok {
			return fmt.Errorf("%s: %q became %v", at, a, b)
		}
		if a == bs {
			return nil
		}
		return sameExpression(a, bs, at, width)
	}
	if !reflect.DeepEqual(a, b) {
		return fmt.Errorf("%s: %v became %v", at, a, b)
	}
	return nil
}

// stringKeys turns a YAML mapping that has keys other than strings (0: x)
// into one keyed by their text.
func stringKeys(v any) any {
	m, ok := v.(map[any]any)
	if !ok {
		return v
	}
	out := make(map[string]any, len(m))
	for k, x := range m {
		out[fmt.Sprintf("%T %v", k, k)] = x
	}
	return out
}

// sameExpression requires that after is the canonical form of the
// expression before, one line or wrapped (with the line breaks that ended
// before), and means the same.
func sameExpression(before, after, at string, width int) error {
	old, err := expr.Parse(before, expr.MaxLength(1<<20))
	if err != nil {
		return fmt.Errorf("%s: %q became %q, and it is no expression", at, before, after)
	}
	tree, err := expr.Parse(after, expr.MaxLength(1<<20))
	if err != nil || !ast.Equal(old, tree) {
		return fmt.Errorf("%s: %q became %q, which does not mean the same", at, before, after)
	}
	body := strings.TrimRight(after, "\n")
	if body != ast.Format(old) && body != ast.FormatWidth(old, width) {
		return fmt.Errorf("%s: %q is not in canonical form", at, after)
	}
	return nil
}
