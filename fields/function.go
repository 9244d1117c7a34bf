package fields

import (
	"fmt"
	"strings"
)

// A Function is the signature of a function of the language. The built-in
// functions are implemented by the evaluator; a user's function carries its
// implementation in Impl.
type Function struct {
	Name     string
	Params   []Param
	Variadic bool // the last parameter may repeat: one or more arguments
	Result   Type // the result type; see ResultFrom
	// ResultFrom, when set, makes the result the type of that argument
	// (concat of arrays is an array). Ignored when that argument is absent.
	ResultFrom func(args []Type) Type
	// Impl is the implementation of a function that is not built in: an
	// eval.Func. The evaluator calls it with the arguments' values.
	Impl any
}

// A Param is one parameter of a function.
type Param struct {
	Name     string
	Types    []Type // the types accepted
	AnyArray bool   // any Array is accepted too
	AnyMap   bool   // any Map is accepted too
	Field    bool   // the argument must come from the request, not be a literal
	Literal  bool   // the argument must be a literal, known when the rule compiles
	Optional bool   // the argument and every one after it may be left out
}

// Accepts reports whether an argument of type t fits p.
func (p Param) Accepts(t Type) bool {
	for _, u := range p.Types {
		if u == t {
			return true
		}
	}
	return p.AnyArray && t.IsArray() || p.AnyMap && t.IsMap()
}

// Describe names the types p accepts: "String or Int".
func (p Param) Describe() string {
	var names []string
	for _, t := range p.Types {
		names = append(names, t.String())
	}
	if p.AnyArray {
		names = append(names, "an Array")
	}
	if p.AnyMap {
		names = append(names, "a Map")
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// MinArgs returns how many arguments a call needs at least.
func (f *Function) MinArgs() int {
	n := 0
	for _, p := range f.Params {
		if p.Optional {
			break
		}
		n++
	}
	return n
}

// MaxArgs returns how many arguments a call may have at most, or -1 for
// no limit.
func (f *Function) MaxArgs() int {
	if f.Variadic {
		return -1
	}
	return len(f.Params)
}

// Param returns the parameter for argument i, or false when there is none.
func (f *Function) Param(i int) (Param, bool) {
	switch {
	case i < len(f.Params):
		return f.Params[i], true
	case f.Variadic && len(f.Params) > 0:
		return f.Params[len(f.Params)-1], true
	}
	return Param{}, false
}

// ResultType returns the type of a call with arguments of the given types.
func (f *Function) ResultType(args []Type) Type {
	if f.ResultFrom != nil {
		if t := f.ResultFrom(args); t != Invalid {
			return t
		}
	}
	return f.Result
}

func (f *Function) validate() error {
	if !validName(f.Name) || strings.Contains(f.Name, ".") {
		return fmt.Errorf("function %q: a function name is letters, digits and _", f.Name)
	}
	for _, p := range f.Params {
		if len(p.Types) == 0 && !p.AnyArray && !p.AnyMap {
			return fmt.Errorf("function %s: parameter %q accepts no type", f.Name, p.Name)
		}
	}
	if f.Result == Invalid {
		return fmt.Errorf("function %s: no result type", f.Name)
	}
	return nil
}

func param(name string, types ...Type) Param { return Param{Name: name, Types: types} }

func fieldParam(name string, types ...Type) Param {
	return Param{Name: name, Types: types, Field: true}
}

func literalParam(name string, types ...Type) Param {
	return Param{Name: name, Types: types, Literal: true}
}

func optional(p Param) Param { p.Optional = true; return p }

// Builtins returns the signatures of the functions of the language that may
// appear in expressions. Every scheme has them.
func Builtins() []*Function {
	boolArray := ArrayOf(Bool)
	return []*Function{
		{Name: "any", Params: []Param{param("conditions", boolArray)}, Result: Bool},
		{Name: "all", Params: []Param{param("conditions", boolArray)}, Result: Bool},
		{Name: "concat", Params: []Param{{Name: "value", Types: []Type{String, Int}, AnyArray: true}},
			Variadic: true, Result: String, ResultFrom: concatResult},
		{Name: "starts_with", Params: []Param{fieldParam("source", String), param("prefix", String)}, Result: Bool},
		{Name: "ends_with", Params: []Param{fieldParam("source", String), param("suffix", String)}, Result: Bool},
		{Name: "len", Params: []Param{{Name: "value", Types: []Type{String}, AnyArray: true, AnyMap: true}}, Result: Int},
		{Name: "lower", Params: []Param{param("value", String)}, Result: String},
		{Name: "upper", Params: []Param{param("value", String)}, Result: String},
		{Name: "lookup_json_integer", Params: []Param{param("json", String), param("key", String, Int)},
			Variadic: true, Result: Int},
		{Name: "lookup_json_string", Params: []Param{param("json", String), param("key", String, Int)},
			Variadic: true, Result: String},
		{Name: "remove_bytes", Params: []Param{param("value", String), literalParam("bytes", String)}, Result: String},
		{Name: "substring", Params: []Param{param("value", String), param("start", Int), optional(param("end", Int))},
			Result: String},
		{Name: "url_decode", Params: []Param{param("value", String), optional(literalParam("options", String))},
			Result: String},
		{Name: "cidr", Params: []Param{fieldParam("address", IP), literalParam("ipv4_bits", Int), literalParam("ipv6_bits", Int)},
			Result: IP},
		{Name: "cidr6", Params: []Param{fieldParam("address", IP), literalParam("ipv6_bits", Int)}, Result: IP},
		{Name: "decode_base64", Params: []Param{param("value", String)}, Result: String},
		{Name: "encode_base64", Params: []Param{param("value", String), optional(literalParam("flags", String))},
			Result: String},
		{Name: "sha256", Params: []Param{param("value", String)}, Result: String},
		{Name: "join", Params: []Param{param("items", ArrayOf(String)), param("separator", String)}, Result: String},
		{Name: "split", Params: []Param{param("value", String), literalParam("separator", String), literalParam("limit", Int)},
			Result: ArrayOf(String)},
		{Name: "to_string", Params: []Param{param("value", Int, Bool, IP)}, Result: String},
		{Name: "regex_replace", Params: []Param{param("source", String), literalParam("pattern", String),
			literalParam("replacement", String)}, Result: String},
		{Name: "wildcard_replace", Params: []Param{fieldParam("source", String), literalParam("pattern", String),
			literalParam("replacement", String), optional(literalParam("flags", String))}, Result: String},
		{Name: "remove_query_args", Params: []Param{fieldParam("query", String), param("name", String)},
			Variadic: true, Result: String},
		{Name: "uuidv4", Params: []Param{param("seed", String)}, Result: String},
		{Name: "is_timed_hmac_valid_v0", Params: []Param{literalParam("key", String), param("message", String),
			literalParam("ttl", Int), param("now", Int), optional(literalParam("separator_length", Int)),
			optional(literalParam("flags", String))}, Result: Bool},
	}
}

// concatResult makes concat of arrays an array of their element type.
func concatResult(args []Type) Type {
	if len(args) > 0 && args[0].IsArray() {
		return args[0]
	}
	return Invalid
}
