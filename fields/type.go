// Package fields is the type system of the rules language and its schemes: the
// types, the fields a scheme knows with their slots, aliases, functions and list kinds.
//
// A Scheme is the single source of truth for the names an expression may
// use. NewScheme builds one from a Definition; Cloudflare returns the
// standard one. Scheme.Field binds a name to a Field, a handle on its slot.
//
// A Function declares a function in one place: its signature, the rules its
// arguments are checked by, and its implementation, which this package holds
// without looking inside. The built-in functions are declared with their
// implementations in package eval, which registers them here when it is
// initialised (RegisterBuiltins): this package imports nothing of the module,
// so the declarations come to it. A Definition's own function replaces a
// built-in of the same name.
package fields

import (
	"fmt"
	"strings"
)

// A Type is a type of the language: String, Int, Bool, IP, or an Array or
// Map of another type. Types are small values and compare with ==.
type Type uint32

// The scalar types and the two containers. A Type holds its outermost
// constructor in its low four bits and its element type above them.
const (
	Invalid Type = iota
	String       // a byte string (the engine's Bytes; not necessarily UTF-8)
	Int          // a signed 64-bit integer
	Bool         // a Boolean
	IP           // an IPv4 or IPv6 address

	arrayTag Type = 14
	mapTag   Type = 15
)

// maxNesting is how many containers a Type can nest: Array<Map<…>>.
const maxNesting = 7

// ArrayOf returns the type Array<elem>.
func ArrayOf(elem Type) Type { return elem<<4 | arrayTag }

// MapOf returns the type Map<elem>; map keys are always strings.
func MapOf(elem Type) Type { return elem<<4 | mapTag }

// IsArray reports whether t is an Array.
func (t Type) IsArray() bool { return t&0xf == arrayTag }

// IsMap reports whether t is a Map.
func (t Type) IsMap() bool { return t&0xf == mapTag }

// IsScalar reports whether t is String, Int, Bool or IP.
func (t Type) IsScalar() bool { return t >= String && t <= IP }

// Elem returns the element type of an Array or a Map, and Invalid otherwise.
func (t Type) Elem() Type {
	if t.IsArray() || t.IsMap() {
		return t >> 4
	}
	return Invalid
}

// String returns the type's name as the language writes it: Array<Map<String>>.
func (t Type) String() string {
	switch {
	case t == String:
		return "String"
	case t == Int:
		return "Int"
	case t == Bool:
		return "Bool"
	case t == IP:
		return "IP"
	case t.IsArray():
		return "Array<" + t.Elem().String() + ">"
	case t.IsMap():
		return "Map<" + t.Elem().String() + ">"
	}
	return "Invalid"
}

// typeNames are the names ParseType accepts for the scalar types: the
// language's own and those Cloudflare's documents use.
var typeNames = map[string]Type{
	"String": String, "Bytes": String,
	"Int": Int, "Integer": Int, "Number": Int,
	"Bool": Bool, "Boolean": Bool,
	"IP": IP, "IP address": IP,
}

// ParseType reads a type name: String (or Bytes), Int (Integer, Number), Bool
// (Boolean), IP, Array<T> or Map<T>.
func ParseType(name string) (Type, error) {
	t, err := parseType(strings.TrimSpace(name), 0)
	if err != nil {
		return Invalid, fmt.Errorf("type %q: %w", name, err)
	}
	return t, nil
}

func parseType(s string, depth int) (Type, error) {
	if t, ok := typeNames[s]; ok {
		return t, nil
	}
	for _, c := range []struct {
		prefix string
		make   func(Type) Type
	}{{"Array<", ArrayOf}, {"Map<", MapOf}} {
		if inner, ok := strings.CutPrefix(s, c.prefix); ok && strings.HasSuffix(inner, ">") {
			if depth == maxNesting {
				return Invalid, fmt.Errorf("containers nest deeper than %d levels", maxNesting)
			}
			elem, err := parseType(strings.TrimSpace(strings.TrimSuffix(inner, ">")), depth+1)
			if err != nil {
				return Invalid, err
			}
			return c.make(elem), nil
		}
	}
	return Invalid, fmt.Errorf("unknown type: expected String, Int, Bool, IP, Array<T> or Map<T>")
}
