package eval

import (
	"fmt"

	"github.com/edgerules/edgerules/fields"
)

// A Resolver computes a field's value the first time a rule reads it during
// one evaluation; it returns the zero Value when the request lacks the field.
// It may read other fields through c.Get.
type Resolver func(c *Context) Value

type slotState uint8

const (
	unset     slotState = iota // neither set nor resolved since the last Reset
	ready                      // set, resolved, or known to be missing
	resolving                  // its resolver is running
)

// A Context holds the field values of one request, in slots numbered by the
// scheme. It is not safe for concurrent use: give each request its own, and
// reuse them through a sync.Pool with Reset.
type Context struct {
	scheme    *fields.Scheme
	values    []Value
	state     []slotState
	touched   []int // slots not unset, for Reset
	resolvers []Resolver
	lists     Lists
	env       any
	cursor    []Value // the elements [*] is at, innermost last
	args      []Value // the arguments of the function calls under way, innermost last
	memo      []uint8 // answers of shared conditions: 0 unknown, 1 false, 2 true
	memoOwner *Memo
}

// NewContext returns an empty context for fields of scheme s.
func NewContext(s *fields.Scheme) *Context {
	return &Context{
		scheme:    s,
		values:    make([]Value, s.Len()),
		state:     make([]slotState, s.Len()),
		resolvers: make([]Resolver, s.Len()),
	}
}

// Scheme returns the scheme of the context.
func (c *Context) Scheme() *fields.Scheme { return c.scheme }

// Set gives field f the value v for this request; the zero Value makes it
// missing. The value's type must be the field's.
func (c *Context) Set(f fields.Field, v Value) error {
	if f.Scheme() != c.scheme {
		return fmt.Errorf("field %s belongs to another scheme", f.Name())
	}
	if !v.Missing() && v.typ != f.Type() {
		return fmt.Errorf("field %s is %s, not %s", f.Name(), f.Type(), v.typ)
	}
	c.store(f.Index(), v)
	return nil
}

// SetName is Set by the field's name (or a deprecated alias of it).
func (c *Context) SetName(name string, v Value) error {
	f, ok := c.scheme.Field(name)
	if !ok {
		return fmt.Errorf("unknown field %s", name)
	}
	return c.Set(f, v)
}

// Get returns field f's value, running its resolver if it has one and the
// value is not known yet. A field of another scheme is missing.
func (c *Context) Get(f fields.Field) Value {
	if f.Scheme() != c.scheme {
		return Value{}
	}
	return *c.slot(f.Index())
}

// SetResolver makes r compute field f when a rule first reads it after a
// Reset. Resolvers stay across Reset; set nil to remove one.
func (c *Context) SetResolver(f fields.Field, r Resolver) error {
	if f.Scheme() != c.scheme {
		return fmt.Errorf("field %s belongs to another scheme", f.Name())
	}
	c.resolvers[f.Index()] = r
	return nil
}

// SetLists gives the context the lists that `in $name` reads when the
// filter was not compiled with its own. They stay across Reset.
func (c *Context) SetLists(l Lists) { c.lists = l }

// SetEnv stores what resolvers need to read the request (an *http.Request,
// a log record); Reset clears it.
func (c *Context) SetEnv(env any) { c.env = env }

// Env returns what SetEnv stored.
func (c *Context) Env() any { return c.env }

// Reset forgets every value and the env, so the context can serve another
// request; resolvers and lists stay. It costs time in the number of fields
// the last request touched, not in the size of the scheme.
func (c *Context) Reset() {
	for _, i := range c.touched {
		c.values[i] = Value{}
		c.state[i] = unset
	}
	c.touched = c.touched[:0]
	c.cursor = c.cursor[:0]
	clear(c.args)
	c.args = c.args[:0]
	clear(c.memo)
	c.env = nil
}

func (c *Context) store(i int, v Value) {
	if c.state[i] == unset {
		c.touched = append(c.touched, i)
	}
	c.values[i] = v
	c.state[i] = ready
}

// slot returns slot i, resolving it first if needed: the evaluator's only
// way to read a field.
func (c *Context) slot(i int) *Value {
	if c.state[i] == unset {
		c.resolve(i)
	}
	return &c.values[i]
}

func (c *Context) resolve(i int) {
	r := c.resolvers[i]
	if r == nil {
		c.store(i, Value{})
		return
	}
	c.touched = append(c.touched, i)
	c.state[i] = resolving // a resolver reading its own field sees it missing
	v := r(c)
	if v.typ != c.scheme.FieldAt(i).Type() {
		v = Value{}
	}
	c.values[i] = v
	c.state[i] = ready
}

// push and pop keep the element [*] is at while a mapped expression runs.
func (c *Context) push(v Value) { c.cursor = append(c.cursor, v) }
func (c *Context) pop()         { c.cursor = c.cursor[:len(c.cursor)-1] }
func (c *Context) top() *Value  { return &c.cursor[len(c.cursor)-1] }
