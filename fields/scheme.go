package fields

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// A Scheme is the single source of truth for the names an expression may
// use: fields with their types and slots, deprecated aliases, functions and
// named lists. Build one with NewScheme; once built it is read-only and may be
// shared by any number of goroutines.
type Scheme struct {
	fields          []fieldDef
	byName          map[string]int // field and alias names to slots
	aliases         map[string]string
	funcs           map[string]*Function // the user's; see Function
	lists           map[string]ListKind
	notEqualMissing bool
}

type fieldDef struct {
	name string
	typ  Type
}

// A Field is a handle on one field of a scheme: its slot in an evaluation
// context. Bind it once with Scheme.Field and use it for every request.
type Field struct {
	scheme *Scheme
	index  int
}

// Name returns the field's canonical name.
func (f Field) Name() string { return f.scheme.fields[f.index].name }

// Type returns the field's type.
func (f Field) Type() Type { return f.scheme.fields[f.index].typ }

// Index returns the field's slot: 0 ≤ Index < Scheme.Len().
func (f Field) Index() int { return f.index }

// Scheme returns the scheme the field belongs to.
func (f Field) Scheme() *Scheme { return f.scheme }

// Valid reports whether f refers to a field (the zero Field does not).
func (f Field) Valid() bool { return f.scheme != nil }

// A ListKind says what a named list holds, and so which fields it pairs with.
type ListKind int

// The kinds of list Cloudflare accounts have.
const (
	IPList       ListKind = iota + 1 // addresses and CIDRs, for IP fields
	HostnameList                     // hostnames, *.example.com allowed, for http.host
	ASNList                          // AS numbers, for ip.src.asnum
	StringList                       // plain strings, such as redirect source URLs
)

// ElemType returns the type of the fields a list of kind k pairs with.
func (k ListKind) ElemType() Type {
	switch k {
	case IPList:
		return IP
	case ASNList:
		return Int
	case HostnameList, StringList:
		return String
	}
	return Invalid
}

// String names the kind.
func (k ListKind) String() string {
	switch k {
	case IPList:
		return "IP list"
	case HostnameList:
		return "hostname list"
	case ASNList:
		return "ASN list"
	case StringList:
		return "string list"
	}
	return "invalid list kind"
}

// ParseListKind returns the kind a file names as ip, hostname, asn or
// string.
func ParseListKind(name string) (ListKind, error) {
	for k := IPList; k <= StringList; k++ {
		if k.Name() == name {
			return k, nil
		}
	}
	return 0, fmt.Errorf("list kind %q is not ip, hostname, asn or string", name)
}

// Name returns the word ParseListKind reads for k: ip, hostname, asn or
// string.
func (k ListKind) Name() string {
	switch k {
	case IPList:
		return "ip"
	case HostnameList:
		return "hostname"
	case ASNList:
		return "asn"
	case StringList:
		return "string"
	}
	return ""
}

// A Definition describes a scheme to NewScheme.
type Definition struct {
	// Fields maps each field name to its type.
	Fields map[string]Type
	// Aliases maps deprecated names to the field names that replace them.
	Aliases map[string]string
	// Functions are added to the built-in functions of the language; one with
	// the name of a built-in replaces it, for checking and running alike.
	Functions []*Function
	// Lists declares named lists (without the $) and their kinds. An
	// expression may name an undeclared list; a declared one is type-checked.
	Lists map[string]ListKind
	// NotEqualMissing makes ne (!=) true when its left side is missing, as
	// Cloudflare's open-source engine does by default. Without it, every
	// comparison on a missing value is false, as Cloudflare documents.
	NotEqualMissing bool
}

// NewScheme builds a scheme. Field names must be dotted names of letters,
// digits and _; every alias must name a field; no name may be both.
func NewScheme(d Definition) (*Scheme, error) {
	s := &Scheme{
		byName:  make(map[string]int, len(d.Fields)+len(d.Aliases)),
		aliases: make(map[string]string, len(d.Aliases)),
		funcs:   make(map[string]*Function),
		lists:   maps.Clone(d.Lists),

		notEqualMissing: d.NotEqualMissing,
	}
	for _, name := range slices.Sorted(maps.Keys(d.Fields)) {
		t := d.Fields[name]
		if !validName(name) {
			return nil, fmt.Errorf("field %q: a name is letters, digits and _ in segments joined by dots", name)
		}
		if !t.IsScalar() && t.Elem() == Invalid {
			return nil, fmt.Errorf("field %q: invalid type", name)
		}
		s.byName[name] = len(s.fields)
		s.fields = append(s.fields, fieldDef{name, t})
	}
	for alias, target := range d.Aliases {
		i, ok := s.byName[target]
		if _, taken := d.Fields[alias]; taken || !ok || !validName(alias) {
			return nil, fmt.Errorf("alias %q of %q: the alias must be a new name and the target a field", alias, target)
		}
		s.byName[alias] = i
		s.aliases[alias] = target
	}
	for _, f := range d.Functions {
		if err := f.validate(); err != nil {
			return nil, err
		}
		s.funcs[f.Name] = f
	}
	for name, kind := range s.lists {
		if kind.ElemType() == Invalid || !validName(name) {
			return nil, fmt.Errorf("list %q: invalid name or kind", name)
		}
	}
	return s, nil
}

func validName(name string) bool {
	for seg := range strings.SplitSeq(name, ".") {
		if seg == "" || strings.IndexFunc(seg, func(r rune) bool {
			return !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
		}) >= 0 {
			return false
		}
	}
	return name != ""
}

// NotEqualMissing reports whether ne is true on a missing left side
// (Definition.NotEqualMissing).
func (s *Scheme) NotEqualMissing() bool { return s.notEqualMissing }

// Len returns the number of fields, which is the number of slots a context needs.
func (s *Scheme) Len() int { return len(s.fields) }

// Field returns the field called name, or the field a deprecated alias
// stands for.
func (s *Scheme) Field(name string) (Field, bool) {
	i, ok := s.byName[name]
	if !ok {
		return Field{}, false
	}
	return Field{s, i}, true
}

// FieldAt returns the field in slot i, 0 ≤ i < Len().
func (s *Scheme) FieldAt(i int) Field { return Field{s, i} }

// Deprecated returns the name that replaces a deprecated alias, and whether
// name is one.
func (s *Scheme) Deprecated(name string) (replacement string, ok bool) {
	replacement, ok = s.aliases[name]
	return replacement, ok
}

// Function returns the function called name: the scheme's own, or else the
// built-in one.
func (s *Scheme) Function(name string) (*Function, bool) {
	if f, ok := s.funcs[name]; ok {
		return f, true
	}
	f, ok := builtins[name]
	return f, ok
}

// IsBuiltin reports whether f is the built-in function of its name, not
// one a scheme declares in its place.
func IsBuiltin(f *Function) bool { return f != nil && builtins[f.Name] == f }

// List returns the kind of a declared list.
func (s *Scheme) List(name string) (ListKind, bool) {
	k, ok := s.lists[name]
	return k, ok
}

// Names returns every field name of the scheme, aliases included, sorted.
func (s *Scheme) Names() []string {
	return slices.Sorted(maps.Keys(s.byName))
}

// FunctionNames returns every function name, built-in ones included,
// sorted.
func (s *Scheme) FunctionNames() []string {
	names := slices.Collect(maps.Keys(builtins))
	for name := range s.funcs {
		if _, builtin := builtins[name]; !builtin {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}
