package eval

import (
	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/fields"
)

// A Func implements a function that is not built in: set it as the Impl of
// a fields.Function. It gets one Value per argument (the zero Value for a
// missing one) and returns the result, or the zero Value for missing. It
// must be safe for concurrent use.
type Func func(args []Value) Value

func (c *compiler) call(x *ast.CallExpr) *node {
	if x.Fun.Name == "any" || x.Fun.Name == "all" {
		return c.quantifier(x)
	}
	f := c.checked.Funcs[x]
	impl := c.impl(x, f)
	if impl == nil {
		return constant(Value{})
	}
	args := make([]*node, len(x.Args))
	vals := make([]func(*Context) Value, len(x.Args))
	for i, a := range x.Args {
		args[i] = c.compile(a)
		vals[i] = args[i].value()
		if p, _ := f.Param(i); args[i].mapped() && !p.Accepts(args[i].t) {
			// join(x[*], ",") takes the elements as the array they are.
			vals[i] = arrayOf(args[i])
		}
	}
	apply := func(c *Context) Value {
		in := make([]Value, len(vals))
		for i, v := range vals {
			in[i] = v(c)
		}
		return impl(in)
	}
	result := c.checked.Types[x].Type
	if p, _ := f.Param(0); len(args) == 0 || !args[0].mapped() || !p.Accepts(args[0].t) {
		return fromValue(result, apply)
	}
	// lower(x[*]): the call runs once per element and gives an array.
	src := args[0].src
	return fromValue(result, func(c *Context) Value {
		elems := src(c)
		if elems == nil {
			return Value{}
		}
		out := make([]Value, len(elems))
		for i := range elems {
			c.push(elems[i])
			out[i] = apply(c)
			c.pop()
		}
		return Value{typ: result, elems: out}
	})
}

// arrayOf materializes a mapped node as the Array of its answers.
func arrayOf(n *node) func(*Context) Value {
	answers, t := each(n), fields.ArrayOf(n.t)
	return func(c *Context) Value {
		if elems := answers(c); elems != nil {
			return Value{typ: t, elems: elems}
		}
		return Value{}
	}
}

// impl returns the implementation of a call: a built-in prepared with its
// literal arguments, or the Func of a user's function. It reports an error
// and returns nil when there is none.
func (c *compiler) impl(x *ast.CallExpr, f *fields.Function) Func {
	if f.Impl != nil {
		impl, ok := f.Impl.(Func)
		if !ok {
			c.fail(x.Fun, "bad-value", "the implementation of %s is %T, not an eval.Func", f.Name, f.Impl)
		}
		return impl
	}
	prepare, ok := builtins[f.Name]
	if !ok {
		c.fail(x.Fun, "bad-value", "function %s has no implementation", f.Name)
		return nil
	}
	return prepare(c, x)
}

// literal returns the value of literal argument i of a call, or the zero
// Value when the call has no such argument.
func (c *compiler) literal(x *ast.CallExpr, i int) Value {
	if i >= len(x.Args) {
		return Value{}
	}
	return c.decoded(x.Args[i].(*ast.Literal))
}

// quantifier compiles any(…) and all(…). Over [*] they run the condition
// on each element without building an array.
func (c *compiler) quantifier(x *ast.CallExpr) *node {
	arg := c.compile(x.Args[0])
	all := x.Fun.Name == "all"
	if arg.mapped() {
		src, cond := arg.src, arg.b
		return &node{t: fields.Bool, b: func(c *Context) bool {
			elems := src(c)
			if elems == nil {
				return false
			}
			for i := range elems {
				c.push(elems[i])
				ok := cond(c)
				c.pop()
				if ok != all {
					return ok
				}
			}
			return all
		}}
	}
	v := arg.v
	return &node{t: fields.Bool, b: func(c *Context) bool {
		arr := v(c)
		if arr.Missing() {
			return false
		}
		for _, e := range arr.elems {
			if e.Bool() != all {
				return !all
			}
		}
		return all
	}}
}
