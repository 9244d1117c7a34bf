package eval

import (
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/fields"
)

// A Value is a value of one of the language's types, or the missing value
// (the zero Value), which a field has when the request does not carry it.
type Value struct {
	typ   fields.Type
	str   string     // String
	num   int64      // Int; Bool as 0 or 1
	ip    netip.Addr // IP
	elems []Value    // Array elements, or Map values in key order
	keys  []string   // Map keys, sorted
}

// String returns a String value.
func String(s string) Value { return Value{typ: fields.String, str: s} }

// Int returns an Int value.
func Int(n int64) Value { return Value{typ: fields.Int, num: n} }

// Bool returns a Bool value.
func Bool(b bool) Value {
	v := Value{typ: fields.Bool}
	if b {
		v.num = 1
	}
	return v
}

// IP returns an IP value.
func IP(a netip.Addr) Value { return Value{typ: fields.IP, ip: a} }

// Array returns an Array of elem values. Every element must be of type
// elem; Array reports an error otherwise.
func Array(elem fields.Type, elems ...Value) (Value, error) {
	for i, e := range elems {
		if e.typ != elem {
			return Value{}, fmt.Errorf("element %d is %s, not %s", i, e.typ, elem)
		}
	}
	return Value{typ: fields.ArrayOf(elem), elems: elems}, nil
}

// Strings returns an Array<String>.
func Strings(ss ...string) Value {
	elems := make([]Value, len(ss))
	for i, s := range ss {
		elems[i] = String(s)
	}
	return Value{typ: fields.ArrayOf(fields.String), elems: elems}
}

// Ints returns an Array<Int>.
func Ints(ns ...int64) Value {
	elems := make([]Value, len(ns))
	for i, n := range ns {
		elems[i] = Int(n)
	}
	return Value{typ: fields.ArrayOf(fields.Int), elems: elems}
}

// Map returns a Map of elem values. Every value must be of type elem.
func Map(elem fields.Type, m map[string]Value) (Value, error) {
	keys := slices.Sorted(maps.Keys(m))
	elems := make([]Value, len(keys))
	for i, k := range keys {
		if m[k].typ != elem {
			return Value{}, fmt.Errorf("the value of key %q is %s, not %s", k, m[k].typ, elem)
		}
		elems[i] = m[k]
	}
	return Value{typ: fields.MapOf(elem), keys: keys, elems: elems}, nil
}

// StringsMap returns a Map<Array<String>>, the type of headers, cookies and
// query arguments.
func StringsMap(m map[string][]string) Value {
	keys := slices.Sorted(maps.Keys(m))
	elems := make([]Value, len(keys))
	for i, k := range keys {
		elems[i] = Strings(m[k]...)
	}
	return Value{typ: fields.MapOf(fields.ArrayOf(fields.String)), keys: keys, elems: elems}
}

// Type returns the value's type; Invalid for the missing value.
func (v Value) Type() fields.Type { return v.typ }

// Missing reports whether v is the missing value.
func (v Value) Missing() bool { return v.typ == fields.Invalid }

// Str returns the bytes of a String.
func (v Value) Str() string { return v.str }

// Int returns the number of an Int.
func (v Value) Int() int64 { return v.num }

// Bool returns the truth of a Bool.
func (v Value) Bool() bool { return v.num != 0 }

// IP returns the address of an IP.
func (v Value) IP() netip.Addr { return v.ip }

// Len returns the number of elements of an Array or a Map.
func (v Value) Len() int { return len(v.elems) }

// Index returns element i of an Array, or the missing value.
func (v Value) Index(i int) Value {
	if !v.typ.IsArray() || i < 0 || i >= len(v.elems) {
		return Value{}
	}
	return v.elems[i]
}

// Key returns the value of a Map at key, or the missing value.
func (v Value) Key(key string) Value {
	if i, ok := slices.BinarySearch(v.keys, key); ok && v.typ.IsMap() {
		return v.elems[i]
	}
	return Value{}
}

// Keys returns the keys of a Map, sorted.
func (v Value) Keys() []string { return v.keys }

// Elems returns the elements of an Array, or the values of a Map in key order.
func (v Value) Elems() []Value { return v.elems }

// String formats v for people: strings quoted, containers as [..] and {..}.
func (v Value) String() string {
	var b strings.Builder
	v.format(&b)
	return b.String()
}

func (v Value) format(b *strings.Builder) {
	switch {
	case v.typ == fields.String:
		b.WriteString(strconv.Quote(v.str))
	case v.typ == fields.Int:
		b.WriteString(strconv.FormatInt(v.num, 10))
	case v.typ == fields.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case v.typ == fields.IP:
		b.WriteString(v.ip.String())
	case v.typ.IsArray():
		b.WriteByte('[')
		for i, e := range v.elems {
			if i > 0 {
				b.WriteString(", ")
			}
			e.format(b)
		}
		b.WriteByte(']')
	case v.typ.IsMap():
		b.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Quote(k) + ": ")
			v.elems[i].format(b)
		}
		b.WriteByte('}')
	default:
		b.WriteString("missing")
	}
}

// DecodeLiteral returns the value of a literal that must have type t: a
// quoted string or a byte string for String, an integer for Int, an address
// for IP.
func DecodeLiteral(lit *ast.Literal, t fields.Type) (Value, error) {
	if lit.Kind.IsString() {
		if t != fields.String {
			return Value{}, ErrQuoted
		}
		return String(lit.Value), nil
	}
	switch t {
	case fields.String:
		s, err := fields.ParseByteString(lit.Raw)
		return String(s), err
	case fields.Int:
		n, err := fields.ParseInt(lit.Raw)
		return Int(n), err
	case fields.IP:
		a, err := fields.ParseIP(lit.Raw)
		return IP(a), err
	}
	return Value{}, fmt.Errorf("no literal has type %s", t)
}

// ErrQuoted is DecodeLiteral's error for a quoted string where a value of
// another type is wanted.
var ErrQuoted = errors.New("a quoted string where a value of another type is wanted")

// A Range is an inclusive range of Int or IP values: an element of a set.
type Range struct{ Lo, Hi Value }

// DecodeSetElem returns the range an element of a set of type t stands for:
// a single value, or for Int and IP sets a range lo..hi or (IP) a CIDR.
func DecodeSetElem(lit *ast.Literal, t fields.Type) (Range, error) {
	if lit.Kind.IsString() || t == fields.String {
		v, err := DecodeLiteral(lit, t)
		return Range{v, v}, err
	}
	switch t {
	case fields.Int:
		lo, hi, err := fields.ParseIntRange(lit.Raw)
		return Range{Int(lo), Int(hi)}, err
	case fields.IP:
		r, err := fields.ParseIPRange(lit.Raw)
		return Range{IP(r.Lo), IP(r.Hi)}, err
	}
	return Range{}, fmt.Errorf("no set holds %s", t)
}
