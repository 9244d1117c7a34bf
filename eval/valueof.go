package eval

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/edgerules/edgerules/fields"
)

// ValueOf converts v, a value as encoding/json or a YAML decoder gives it,
// into a Value of type t: a string for String and IP, a whole number for
// Int (int, int64, uint64, a whole float64 or a json.Number), true or false
// for Bool, a list for Array and an object with string keys for Map. nil is
// the missing value; inside a list or an object it is an error, since
// arrays and maps hold no missing values.
func ValueOf(t fields.Type, v any) (Value, error) {
	if v == nil {
		return Value{}, nil
	}
	return valueOf(t, v)
}

func valueOf(t fields.Type, v any) (Value, error) {
	switch {
	case t == fields.String:
		if s, ok := v.(string); ok {
			return String(s), nil
		}
	case t == fields.Int:
		if n, ok := wholeNumber(v); ok {
			return Int(n), nil
		}
	case t == fields.Bool:
		if b, ok := v.(bool); ok {
			return Bool(b), nil
		}
	case t == fields.IP:
		if s, ok := v.(string); ok {
			a, err := fields.ParseIP(s)
			return IP(a), err
		}
	case t.IsArray():
		if list, ok := v.([]any); ok {
			elems := make([]Value, len(list))
			for i, e := range list {
				ev, err := valueOf(t.Elem(), e)
				if err != nil {
					return Value{}, fmt.Errorf("element %d: %w", i, err)
				}
				elems[i] = ev
			}
			return Array(t.Elem(), elems...)
		}
	case t.IsMap():
		if obj, ok := v.(map[string]any); ok {
			m := make(map[string]Value, len(obj))
			for k, e := range obj {
				ev, err := valueOf(t.Elem(), e)
				if err != nil {
					return Value{}, fmt.Errorf("key %q: %w", k, err)
				}
				m[k] = ev
			}
			return Map(t.Elem(), m)
		}
	}
	return Value{}, fmt.Errorf("cannot use %s as %s", describe(v), t)
}

// wholeNumber returns v as an int64 when it is a whole number in range.
func wholeNumber(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case uint64:
		return int64(n), n <= math.MaxInt64
	case float64:
		return int64(n), n == math.Trunc(n) && n >= math.MinInt64 && n < math.MaxInt64
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

// describe shows v as JSON, shortened, for an error message.
func describe(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("a %T", v)
	}
	s := string(data)
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return s
}
