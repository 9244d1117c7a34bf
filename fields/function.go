package fields

import (
	"fmt"
	"strings"
)

// A Function declares a function of the language in one place: its
// signature (parameters and result), the rules its arguments are checked by
// (a Param may demand a field, a literal or a regular expression) and Impl,
// what runs it. The checker reads the declaration and the compiler its Impl,
// so a function is the same to both.
//
// An argument over [*] maps the call: f(x[*]) runs f once per element and
// gives an Array. Only the first argument may be over [*]; a parameter that
// takes Array<T> takes a mapped T as the array of its answers, as
// any(x[*] eq 1) does.
type Function struct {
	Name     string
	Params   []Param
	Variadic bool // the last parameter may repeat: one or more arguments
	Result   Type // the result type; see ResultFrom
	// ResultFrom, when set, makes the result the type of that argument
	// (concat of arrays is an array). Ignored when that argument is absent.
	ResultFrom func(args []Type) Type
	// Impl runs the function. Package fields never looks inside: a user's
	// function sets an eval.Func, which gets the arguments' values; the
	// built-in functions carry the implementations package eval declares
	// them with.
	Impl any
	// Validate, when set, checks the values of the literal arguments when a
	// rule is checked: lits[i] is argument i's decoded value when it is a
	// literal (a string, or an int64 for an Int), and nil otherwise or when
	// it is left out. A value the function cannot take is an *ArgError.
	Validate func(lits []any) *ArgError
}

// An ArgError is a literal argument a function cannot take.
type ArgError struct {
	Arg     int  // which argument, from 0
	Pattern bool // the argument is a pattern that does not parse
	Msg     string
}

// Error returns the message.
func (e *ArgError) Error() string { return e.Msg }

// A Param is one parameter of a function and how its argument is checked.
type Param struct {
	Name     string
	Types    []Type // the types accepted
	AnyArray bool   // any Array is accepted too
	AnyMap   bool   // any Map is accepted too
	Field    bool   // the argument must come from the request, not be a literal
	Literal  bool   // the argument must be a literal, known when the rule compiles
	Regex    bool   // the argument is a regular expression: it counts toward the limit on regexes
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

// builtins are the functions every scheme has, by name.
var builtins = map[string]*Function{}

// RegisterBuiltins makes fns functions of every scheme. Package eval calls it
// from its init function with the functions of the language, each declared
// with its implementation: the implementations need eval's values, and
// fields imports nothing of the module, so the declarations are handed here
// rather than written here. Any program that compiles an expression imports
// eval, so it has them; no other caller is needed. It must be called only
// from an init function, and panics on an invalid declaration or a name
// registered twice.
func RegisterBuiltins(fns ...*Function) {
	for _, f := range fns {
		if err := f.validate(); err != nil {
			panic("fields: built-in " + err.Error())
		}
		if _, dup := builtins[f.Name]; dup {
			panic("fields: built-in function " + f.Name + " registered twice")
		}
		builtins[f.Name] = f
	}
}
