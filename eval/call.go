package eval

import (
	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/fields"
)

// A Func implements a user's function: set it as the Impl of a
// fields.Function. It gets one Value per argument (the zero Value for a
// missing one) and returns the result, or the zero Value for missing. It
// must be safe for concurrent use. args is the evaluation's own, reused
// by the calls after this one: a Func must not keep it (the Values in it
// may be kept).
type Func func(args []Value) Value

// A binding is the Impl of a function: it compiles a call of the function,
// its arguments checked against the function's declaration. Func is one;
// the built-ins that read literal arguments or stop early have their own.
type binding interface {
	compileCall(c *compiler, x *ast.CallExpr) *node
}

// call compiles a call through the Impl of the function the checker
// resolved, so a user's function that replaces a built-in is what runs.
func (c *compiler) call(x *ast.CallExpr) *node {
	f := c.checked.Funcs[x]
	impl, ok := f.Impl.(binding)
	if !ok {
		c.fail(x.Fun, "bad-value", "the implementation of %s is %T, not an eval.Func", f.Name, f.Impl)
		return constant(Value{})
	}
	return impl.compileCall(c, x)
}

// compileCall computes the arguments and passes their values to f.
func (f Func) compileCall(c *compiler, x *ast.CallExpr) *node {
	decl := c.checked.Funcs[x]
	args := make([]*node, len(x.Args))
	vals := make([]func(*Context) Value, len(x.Args))
	for i, a := range x.Args {
		args[i] = c.compile(a)
		vals[i] = args[i].value()
		if p, _ := decl.Param(i); args[i].mapped() && !p.Accepts(args[i].t) {
			// join(x[*], ",") takes the elements as the array they are.
			vals[i] = arrayOf(args[i])
		}
	}
	apply := func(c *Context) Value {
		// The arguments go on the context's stack of them, above those of
		// the calls under way: an argument's own calls push and pop theirs
		// while it is computed.
		base := len(c.args)
		for _, v := range vals {
			arg := v(c)
			c.args = append(c.args, arg)
		}
		r := f(c.args[base:len(c.args):len(c.args)])
		clear(c.args[base:])
		c.args = c.args[:base]
		return r
	}
	result := c.checked.Types[x].Type
	if p, _ := decl.Param(0); len(args) == 0 || !args[0].mapped() || !p.Accepts(args[0].t) {
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

// A prepared built-in reads its literal arguments when the call compiles and
// returns the Func that runs it, or reports an error and returns nil when
// one is out of range.
type prepared func(c *compiler, x *ast.CallExpr) Func

func (p prepared) compileCall(c *compiler, x *ast.CallExpr) *node {
	f := p(c, x)
	if f == nil {
		return constant(Value{})
	}
	return f.compileCall(c, x)
}

// literal returns the value of literal argument i of a call, or the zero
// Value when the call has no such argument.
func (c *compiler) literal(x *ast.CallExpr, i int) Value {
	if i >= len(x.Args) {
		return Value{}
	}
	return c.decoded(x.Args[i].(*ast.Literal))
}

// A quantifier is any (false) or all (true). Over [*] it runs the condition
// on each element without building an array, and it stops at the first
// element that decides.
type quantifier bool

func (q quantifier) compileCall(c *compiler, x *ast.CallExpr) *node {
	all := bool(q)
	arg := c.compile(x.Args[0])
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
