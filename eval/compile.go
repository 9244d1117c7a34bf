package eval

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/fields"
)

// A Filter is a compiled condition. It is immutable and safe for concurrent
// use by any number of goroutines, each with its own Context.
type Filter struct {
	match func(*Context) bool
	Uses
}

// Match reports whether the request in c matches the filter. It never
// panics and does not allocate for conditions on scalar fields. A context of
// another scheme matches nothing.
func (f *Filter) Match(c *Context) bool {
	if c.scheme != f.scheme {
		return false
	}
	return f.match(c)
}

// A Program is a compiled value expression, such as a rewrite target.
type Program struct {
	eval func(*Context) Value
	typ  fields.Type
	Uses
}

// Eval returns the value of the expression for the request in c; the
// missing value when an input it needs is missing.
func (p *Program) Eval(c *Context) Value {
	if c.scheme != p.scheme {
		return Value{}
	}
	return p.eval(c)
}

// Type returns the type of the values the program returns.
func (p *Program) Type() fields.Type { return p.typ }

// Uses tells what a compiled expression reads.
type Uses struct {
	scheme    *fields.Scheme
	fields    []fields.Field
	functions []string
	lists     []string
}

// Fields returns the fields the expression reads, in slot order.
func (u Uses) Fields() []fields.Field { return u.fields }

// Functions returns the names of the functions the expression calls, sorted.
func (u Uses) Functions() []string { return u.functions }

// Lists returns the names of the lists the expression reads, sorted.
func (u Uses) Lists() []string { return u.lists }

// A CompileError is a problem the checker cannot see in a tree it accepted,
// because it is not in the tree: a regular expression whose compiled program
// is larger than Config.MaxRegexSize (regex-too-large), a list that
// Config.Lists lacks (unknown-list), or a user's function whose Impl is not
// a Func (bad-value). Every literal argument a function refuses, its Validate
// reported to the checker already. Pos and End are byte offsets of the node
// at fault.
type CompileError struct {
	Pos, End int
	Code     string // "regex-too-large", "unknown-list" or "bad-value"
	Msg      string
}

// Error returns the offset and the message.
func (e *CompileError) Error() string { return fmt.Sprintf("%d: %s", e.Pos, e.Msg) }

// CompileErrors is every CompileError of one expression, in source order.
type CompileErrors []*CompileError

// Error returns the first error.
func (l CompileErrors) Error() string { return l[0].Error() }

// Compile compiles a checked condition into a Filter with the default
// Config.
func Compile(checked *ast.Checked) (*Filter, error) { return Config{}.Compile(checked) }

// CompileValue compiles a checked value expression into a Program with the
// default Config.
func CompileValue(checked *ast.Checked) (*Program, error) { return Config{}.CompileValue(checked) }

// Compile compiles a condition that a checker (expr.Check) accepted into a
// Filter; the checker's side tables give it every type, field and literal.
// It fails only as CompileError tells, with CompileErrors.
func (cfg Config) Compile(checked *ast.Checked) (*Filter, error) {
	c := newCompiler(checked, cfg)
	n := c.compile(checked.X)
	if len(c.errs) > 0 {
		return nil, c.errs
	}
	return &Filter{match: n.b, Uses: c.uses()}, nil
}

// CompileValue compiles a checked value expression into a Program. It
// fails as Compile does.
func (cfg Config) CompileValue(checked *ast.Checked) (*Program, error) {
	c := newCompiler(checked, cfg)
	n := c.compile(checked.X)
	if len(c.errs) > 0 {
		return nil, c.errs
	}
	return &Program{eval: n.value(), typ: n.t, Uses: c.uses()}, nil
}

type compiler struct {
	checked      *ast.Checked
	maxRegexSize int
	lists        Lists
	trace        func(ast.Expr, Value)
	memo         *Memo
	errs         CompileErrors
}

func newCompiler(checked *ast.Checked, cfg Config) *compiler {
	c := &compiler{checked: checked, maxRegexSize: cfg.MaxRegexSize, lists: cfg.Lists, trace: cfg.Trace, memo: cfg.Memo}
	if c.maxRegexSize < 1 {
		c.maxRegexSize = DefaultMaxRegexSize
	}
	return c
}

func (c *compiler) fail(n ast.Node, code, format string, args ...any) {
	c.errs = append(c.errs, &CompileError{Pos: n.Pos(), End: n.End(), Code: code, Msg: fmt.Sprintf(format, args...)})
}

func (c *compiler) uses() Uses {
	u := Uses{scheme: c.checked.Scheme}
	for n := range ast.Preorder(c.checked.X) {
		switch n := n.(type) {
		case *ast.Ident:
			if f, ok := c.checked.Fields[n]; ok {
				u.fields = append(u.fields, f)
			}
		case *ast.CallExpr:
			u.functions = append(u.functions, n.Fun.Name)
		case *ast.ListRef:
			u.lists = append(u.lists, n.Name)
		}
	}
	slices.SortFunc(u.fields, func(a, b fields.Field) int { return a.Index() - b.Index() })
	u.fields = slices.CompactFunc(u.fields, func(a, b fields.Field) bool { return a.Index() == b.Index() })
	slices.Sort(u.functions)
	u.functions = slices.Compact(u.functions)
	slices.Sort(u.lists)
	u.lists = slices.Compact(u.lists)
	return u
}

// A node is a compiled expression: one typed function, by its type. A
// mapped node (over [*]) also has src, the elements it runs over; its typed
// function computes the expression for the element on top of the context's
// cursor.
type node struct {
	t  fields.Type
	b  func(*Context) bool
	s  func(*Context) (string, bool)
	i  func(*Context) (int64, bool)
	ip func(*Context) (netip.Addr, bool)
	v  func(*Context) Value // Arrays and Maps

	src func(*Context) []Value
}

func (n *node) mapped() bool { return n.src != nil }

// value returns n's typed function as one that returns a Value.
func (n *node) value() func(*Context) Value {
	switch {
	case n.v != nil:
		return n.v
	case n.s != nil:
		s := n.s
		return func(c *Context) Value { return fromString(s(c)) }
	case n.i != nil:
		i := n.i
		return func(c *Context) Value { return fromInt(i(c)) }
	case n.ip != nil:
		ip := n.ip
		return func(c *Context) Value { return fromIP(ip(c)) }
	}
	b := n.b
	return func(c *Context) Value { return Bool(b(c)) }
}

// fromString, fromInt and fromIP turn a typed result into a Value, missing
// when ok is false.
func fromString(s string, ok bool) Value {
	if !ok {
		return Value{}
	}
	return String(s)
}

func fromInt(n int64, ok bool) Value {
	if !ok {
		return Value{}
	}
	return Int(n)
}

func fromIP(a netip.Addr, ok bool) Value {
	if !ok {
		return Value{}
	}
	return IP(a)
}

// fromValue makes a node of type t from a function returning Values.
func fromValue(t fields.Type, f func(*Context) Value) *node {
	n := &node{t: t}
	switch t {
	case fields.String:
		n.s = func(c *Context) (string, bool) { v := f(c); return v.str, v.typ == fields.String }
	case fields.Int:
		n.i = func(c *Context) (int64, bool) { v := f(c); return v.num, v.typ == fields.Int }
	case fields.IP:
		n.ip = func(c *Context) (netip.Addr, bool) { v := f(c); return v.ip, v.typ == fields.IP }
	case fields.Bool:
		n.b = func(c *Context) bool { return f(c).num != 0 }
	default:
		n.v = f
	}
	return n
}

// constant makes a node that always has value v.
func constant(v Value) *node { return fromValue(v.typ, func(*Context) Value { return v }) }

// over gives n the source of m, so that n runs per element of m's array.
func (n *node) over(m *node) *node {
	n.src = m.src
	return n
}

func (c *compiler) typeOf(x ast.Expr) fields.Type { return c.checked.Types[x].Type }

// decoded returns the value of a literal, as the checker decoded it.
func (c *compiler) decoded(lit *ast.Literal) Value { return fromConst(c.checked.Values[lit]) }

func fromConst(k ast.Const) Value { return Value{typ: k.Type, str: k.Str, num: k.Int, ip: k.IP} }

func (c *compiler) compile(x ast.Expr) *node {
	n := c.compileNode(x)
	if _, isParen := x.(*ast.ParenExpr); isParen {
		return n
	}
	if c.memo != nil {
		n = c.memoized(n, x)
	}
	if c.trace != nil {
		n = traced(n, x, c.trace)
	}
	return n
}

// traced decorates n so that each value it computes goes to trace.
func traced(n *node, x ast.Expr, trace func(ast.Expr, Value)) *node {
	out := *n
	switch {
	case n.b != nil:
		out.b = func(c *Context) bool { r := n.b(c); trace(x, Bool(r)); return r }
	case n.s != nil:
		out.s = func(c *Context) (string, bool) { r, ok := n.s(c); trace(x, fromString(r, ok)); return r, ok }
	case n.i != nil:
		out.i = func(c *Context) (int64, bool) { r, ok := n.i(c); trace(x, fromInt(r, ok)); return r, ok }
	case n.ip != nil:
		out.ip = func(c *Context) (netip.Addr, bool) { r, ok := n.ip(c); trace(x, fromIP(r, ok)); return r, ok }
	default:
		out.v = func(c *Context) Value { r := n.v(c); trace(x, r); return r }
	}
	return &out
}

func (c *compiler) compileNode(x ast.Expr) *node {
	switch x := x.(type) {
	case *ast.ParenExpr:
		return c.compile(x.X)
	case *ast.BoolLit:
		return constant(Bool(x.Value))
	case *ast.Literal:
		return constant(c.decoded(x))
	case *ast.Ident:
		return c.field(c.checked.Fields[x])
	case *ast.IndexExpr:
		return c.index(x)
	case *ast.NotExpr:
		return c.not(x)
	case *ast.LogicalExpr:
		return c.logical(x)
	case *ast.CompareExpr:
		return c.compare(x)
	case *ast.CallExpr:
		return c.call(x)
	}
	panic(fmt.Sprintf("eval: cannot compile %T", x))
}

// field reads a slot; a missing value reads as not ok (false for Bool).
func (c *compiler) field(f fields.Field) *node {
	i := f.Index()
	n := &node{t: f.Type()}
	switch n.t {
	case fields.String:
		n.s = func(c *Context) (string, bool) { v := c.slot(i); return v.str, v.typ == fields.String }
	case fields.Int:
		n.i = func(c *Context) (int64, bool) { v := c.slot(i); return v.num, v.typ == fields.Int }
	case fields.IP:
		n.ip = func(c *Context) (netip.Addr, bool) { v := c.slot(i); return v.ip, v.typ == fields.IP }
	case fields.Bool:
		n.b = func(c *Context) bool { return c.slot(i).num != 0 }
	default:
		n.v = func(c *Context) Value { return *c.slot(i) }
	}
	return n
}

// element reads the element [*] is at.
func element(t fields.Type) *node {
	return fromValue(t, func(c *Context) Value { return *c.top() })
}

func (c *compiler) index(x *ast.IndexExpr) *node {
	base := c.compile(x.X)
	elem := c.checked.Types[x].Type
	if x.Index == nil {
		bv := base.v
		n := element(elem)
		n.src = func(c *Context) []Value { return bv(c).elems }
		return n
	}
	bv := base.value()
	k := c.decoded(x.Index)
	var get func(*Context) Value
	if c.typeOf(x.X).IsMap() {
		get = func(c *Context) Value { return bv(c).Key(k.str) }
	} else {
		i := int(min(k.num, int64(^uint(0)>>1)))
		get = func(c *Context) Value { return bv(c).Index(i) }
	}
	return fromValue(elem, get).over(base)
}

func (c *compiler) not(x *ast.NotExpr) *node {
	inner := c.compile(x.X)
	b := inner.b
	return (&node{t: fields.Bool, b: func(c *Context) bool { return !b(c) }}).over(inner)
}

func (c *compiler) logical(x *ast.LogicalExpr) *node {
	ops := make([]*node, len(x.X))
	fns := make([]func(*Context) bool, len(x.X))
	for i, y := range x.X {
		ops[i] = c.compile(y)
		fns[i] = ops[i].b
	}
	return (&node{t: fields.Bool, b: combine(x.Op, fns)}).over(ops[0])
}

// combine joins conditions with and, or or xor; and and or stop at the first
// operand that decides.
func combine(op ast.Op, fns []func(*Context) bool) func(*Context) bool {
	switch {
	case op == ast.OpAnd && len(fns) == 2:
		a, b := fns[0], fns[1]
		return func(c *Context) bool { return a(c) && b(c) }
	case op == ast.OpAnd && len(fns) == 3:
		a, b, d := fns[0], fns[1], fns[2]
		return func(c *Context) bool { return a(c) && b(c) && d(c) }
	case op == ast.OpAnd:
		return func(c *Context) bool {
			for _, f := range fns {
				if !f(c) {
					return false
				}
			}
			return true
		}
	case op == ast.OpOr && len(fns) == 2:
		a, b := fns[0], fns[1]
		return func(c *Context) bool { return a(c) || b(c) }
	case op == ast.OpOr:
		return func(c *Context) bool {
			for _, f := range fns {
				if f(c) {
					return true
				}
			}
			return false
		}
	}
	return func(c *Context) bool {
		odd := false
		for _, f := range fns {
			odd = odd != f(c)
		}
		return odd
	}
}

// each runs a mapped node over its elements and returns its answers, or
// nil when the array is missing.
func each(n *node) func(*Context) []Value {
	src, f := n.src, n.value()
	return func(c *Context) []Value {
		elems := src(c)
		if elems == nil {
			return nil
		}
		out := make([]Value, len(elems))
		for i := range elems {
			c.push(elems[i])
			out[i] = f(c)
			c.pop()
		}
		return out
	}
}
