package expr

import (
	"fmt"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/fields"
)

// Check resolves the names of a parsed filter against a scheme, types every
// expression and decodes every value by the type of its left side. The
// filter must be a condition (Bool). Every error found is reported, in source
// order: an *Error for one, an ErrorList for several.
func Check(f *ast.Filter, s *fields.Scheme, opts ...Option) (*ast.Checked, error) {
	return check(f, s, true, newConfig(opts))
}

// CheckValue is Check for a value expression, such as the target of a URL
// rewrite: any type is allowed, unless the Result option names one.
func CheckValue(f *ast.Filter, s *fields.Scheme, opts ...Option) (*ast.Checked, error) {
	return check(f, s, false, newConfig(opts))
}

type checker struct {
	out     *ast.Checked
	errs    ErrorList
	cfg     config
	regexes int
}

func check(f *ast.Filter, s *fields.Scheme, condition bool, cfg config) (*ast.Checked, error) {
	// An expression has about one node for every eight bytes.
	nodes := len(f.Source)/8 + 1
	c := &checker{cfg: cfg, out: &ast.Checked{
		Filter: f,
		Scheme: s,
		Types:  make(map[ast.Expr]ast.TypeInfo, nodes),
		Fields: make(map[*ast.Ident]fields.Field, nodes/2),
		Funcs:  make(map[*ast.CallExpr]*fields.Function),
		Values: make(map[*ast.Literal]ast.Const, nodes/4),
	}}
	if t, ok := c.expr(f.X); ok {
		switch {
		case condition:
			c.condition(f.X, t)
		case t.Mapped:
			c.errs.Add(errNotCondition(f.X, t))
		case cfg.result != fields.Invalid && t.Type != cfg.result:
			c.errs.Add(errResultType(f.X, t.Type, cfg.result))
		}
	}
	c.errs.Sort()
	for _, e := range c.errs {
		e.locate(f.Source)
	}
	if err := c.errs.Err(); err != nil {
		return nil, err
	}
	return c.out, nil
}

// condition reports an error unless t is a single Bool.
func (c *checker) condition(x ast.Expr, t ast.TypeInfo) bool {
	if t.Type != fields.Bool || t.Mapped {
		c.errs.Add(errNotCondition(x, t))
		return false
	}
	return true
}

// expr types x and records it. It returns false when x has an error, which
// is then reported already: callers add no errors of their own about x.
func (c *checker) expr(x ast.Expr) (ast.TypeInfo, bool) {
	t, ok := c.typeOf(x)
	if ok {
		c.out.Types[x] = t
	}
	return t, ok
}

func (c *checker) typeOf(x ast.Expr) (ast.TypeInfo, bool) {
	switch x := x.(type) {
	case *ast.LogicalExpr:
		return c.logical(x)
	case *ast.NotExpr:
		t, ok := c.expr(x.X)
		if ok && t.Type != fields.Bool {
			c.errs.Add(errNotCondition(x.X, t))
			return t, false
		}
		return t, ok
	case *ast.ParenExpr:
		return c.expr(x.X)
	case *ast.CompareExpr:
		return c.compare(x)
	case *ast.Ident:
		return c.ident(x)
	case *ast.IndexExpr:
		return c.index(x)
	case *ast.CallExpr:
		return c.call(x)
	case *ast.BoolLit:
		return ast.TypeInfo{Type: fields.Bool}, true
	case *ast.Literal:
		// A literal on its own, as the left side of a comparison.
		t := fields.Int
		if x.Kind.IsString() {
			t = fields.String
		}
		if err := c.decode(x, t); err != nil {
			c.errs.Add(errBadValue(x, t, err))
			return ast.TypeInfo{}, false
		}
		return ast.TypeInfo{Type: t}, true
	}
	// Sets and lists stand only on the right of in, which compare checks.
	c.errs.Add(nodeError(ErrTypeMismatch, x, "", "a %s cannot stand here", ast.Dump(x)))
	return ast.TypeInfo{}, false
}

// logical checks a run of and, or or xor: its operands are all single
// conditions, or all conditions over [*] (combined element by element).
func (c *checker) logical(x *ast.LogicalExpr) (ast.TypeInfo, bool) {
	ok := true
	mapped := 0
	for _, y := range x.X {
		t, yok := c.expr(y)
		if yok && t.Type != fields.Bool {
			c.errs.Add(errNotCondition(y, t))
			yok = false
		}
		if yok && t.Mapped {
			mapped++
		}
		ok = ok && yok
	}
	if ok && mapped != 0 && mapped != len(x.X) {
		c.errs.Add(errMixedStar(x))
		return ast.TypeInfo{}, false
	}
	if ok && mapped != 0 {
		// Element by element needs one array: the same expression before
		// each [*].
		first := starArray(x.X[0])
		for _, y := range x.X[1:] {
			if other := starArray(y); !ast.Equal(other, first) {
				c.errs.Add(errStarArrays(x.Op, y, first, other))
				ok = false
			}
		}
	}
	return ast.TypeInfo{Type: fields.Bool, Mapped: mapped != 0}, ok
}

// starArray returns the array that x, an expression over [*], runs over:
// the operand of its [*].
func starArray(x ast.Expr) ast.Expr {
	for {
		switch y := x.(type) {
		case *ast.ParenExpr:
			x = y.X
		case *ast.NotExpr:
			x = y.X
		case *ast.CompareExpr:
			x = y.X
		case *ast.LogicalExpr:
			x = y.X[0]
		case *ast.IndexExpr:
			if y.Index == nil {
				return y.X
			}
			x = y.X
		default:
			panic(fmt.Sprintf("expr: a %T does not run over [*]", x))
		}
	}
}

func (c *checker) ident(x *ast.Ident) (ast.TypeInfo, bool) {
	s := c.out.Scheme
	f, ok := s.Field(x.Name)
	if !ok {
		if _, isFunc := s.Function(x.Name); isFunc {
			c.errs.Add(errFunctionNotCalled(x))
		} else {
			c.errs.Add(errUnknownField(x, s.Suggest(x.Name)))
		}
		return ast.TypeInfo{}, false
	}
	c.out.Fields[x] = f
	return ast.TypeInfo{Type: f.Type()}, true
}

func (c *checker) index(x *ast.IndexExpr) (ast.TypeInfo, bool) {
	t, ok := c.expr(x.X)
	if !ok {
		return t, false
	}
	if !t.Type.IsArray() && !t.Type.IsMap() {
		c.errs.Add(errNotIndexable(x, t.Type))
		return t, false
	}
	elem := ast.TypeInfo{Type: t.Type.Elem(), Mapped: t.Mapped}
	switch {
	case x.Index == nil && t.Mapped:
		c.errs.Add(errStarTwice(x))
		return elem, false
	case x.Index == nil:
		elem.Mapped = true
	case t.Type.IsMap() && !x.Index.Kind.IsString():
		c.errs.Add(errIndexKind(x, t.Type))
		return elem, false
	case t.Type.IsMap():
		c.out.Values[x.Index] = ast.Const{Type: fields.String, Str: x.Index.Value}
	case c.decode(x.Index, fields.Int) != nil || c.out.Values[x.Index].Int < 0:
		c.errs.Add(errIndexKind(x, t.Type))
		return elem, false
	}
	return elem, true
}

func (c *checker) call(x *ast.CallExpr) (ast.TypeInfo, bool) {
	s := c.out.Scheme
	f, ok := s.Function(x.Fun.Name)
	if !ok {
		if _, isField := s.Field(x.Fun.Name); isField {
			c.errs.Add(errFieldCalled(x.Fun))
		} else {
			c.errs.Add(errUnknownFunction(x.Fun, s.Suggest(x.Fun.Name)))
		}
		return ast.TypeInfo{}, false
	}
	c.out.Funcs[x] = f
	if n := len(x.Args); n < f.MinArgs() || f.MaxArgs() >= 0 && n > f.MaxArgs() {
		c.errs.Add(errArgumentCount(x, f))
		return ast.TypeInfo{}, false
	}
	ok = true
	mapsOver := false // the first argument is over [*], so the call maps over it
	argTypes := make([]fields.Type, len(x.Args))
	for i := range x.Args {
		p, _ := f.Param(i)
		if p.Regex {
			c.countRegex(x.Args[i])
		}
		t, aok := c.argument(x, i, p)
		argTypes[i] = t.Type
		switch {
		case !aok:
			ok = false
		case t.Mapped && i > 0:
			c.errs.Add(errStarArgument(x, i))
			ok = false
		case t.Mapped && p.Accepts(t.Type):
			mapsOver = true
		case t.Mapped && p.Accepts(fields.ArrayOf(t.Type)):
			// any(x[*] eq 1): the elements' answers are the array it takes.
			argTypes[i] = fields.ArrayOf(t.Type)
		case !p.Accepts(t.Type):
			c.errs.Add(errArgumentType(x, i, p, t))
			ok = false
		}
	}
	if ok && f.Validate != nil {
		if err := f.Validate(c.out.LiteralArgs(x, len(f.Params))); err != nil {
			code := ErrBadValue
			if err.Pattern {
				code = ErrBadPattern
			}
			c.errs.Add(nodeError(code, x.Args[err.Arg], "", "%s", err.Msg))
		}
	}
	result := f.ResultType(argTypes)
	if mapsOver {
		result = fields.ArrayOf(result)
	}
	return ast.TypeInfo{Type: result}, ok
}

// argument checks argument i of a call against its parameter p.
func (c *checker) argument(x *ast.CallExpr, i int, p fields.Param) (ast.TypeInfo, bool) {
	lit, isLit := x.Args[i].(*ast.Literal)
	switch {
	case isLit && p.Field:
		c.errs.Add(errArgumentNotField(x, i, p))
		return ast.TypeInfo{}, false
	case !isLit && p.Literal:
		c.errs.Add(errArgumentNotLiteral(x, i, p))
		return ast.TypeInfo{}, false
	case !isLit:
		return c.expr(x.Args[i])
	}
	// A literal takes the first type of the parameter it decodes as.
	for _, t := range p.Types {
		if c.decode(lit, t) == nil {
			info := ast.TypeInfo{Type: t}
			c.out.Types[lit] = info
			return info, true
		}
	}
	c.errs.Add(errArgumentType(x, i, p, literalType(lit)))
	return ast.TypeInfo{}, false
}

// literalType is the type a literal shows in a message.
func literalType(lit *ast.Literal) ast.TypeInfo {
	if lit.Kind.IsString() {
		return ast.TypeInfo{Type: fields.String}
	}
	return ast.TypeInfo{Type: fields.Int}
}

func (c *checker) countRegex(n ast.Node) {
	if c.regexes++; c.regexes == c.cfg.maxRegexes+1 {
		c.errs.Add(errTooManyRegexes(n, c.cfg.maxRegexes))
	}
}

// compare checks a comparison: the operator is defined on the left side's
// type and the value on the right decodes as that type.
func (c *checker) compare(x *ast.CompareExpr) (ast.TypeInfo, bool) {
	lt, ok := c.expr(x.X)
	if !ok {
		return ast.TypeInfo{}, false
	}
	result := ast.TypeInfo{Type: fields.Bool, Mapped: lt.Mapped}
	t := lt.Type
	switch {
	case t == fields.Bool:
		c.errs.Add(errBoolCompared(x))
		return result, false
	case !t.IsScalar():
		c.errs.Add(errContainerCompared(x, t))
		return result, false
	case !operatorTakes(x.Op, t):
		hint := ""
		if t == fields.IP && x.Op >= ast.OpLt && x.Op <= ast.OpGe {
			hint = "IP addresses are not ordered: use `in {…}` with a range or a CIDR"
		}
		c.errs.Add(errOperatorType(x, t, hint))
		return result, false
	}
	switch y := x.Y.(type) {
	case *ast.Literal:
		if (x.Op == ast.OpMatches || x.Op == ast.OpWildcard || x.Op == ast.OpStrictWildcard) && !y.Kind.IsString() {
			c.errs.Add(errNotPattern(x))
			return result, false
		}
		if x.Op == ast.OpMatches {
			c.countRegex(y)
		}
		return result, c.decoded(y, t, c.decode(y, t)) && c.pattern(x.Op, y)
	case *ast.SetLit:
		if len(y.Elems) > c.cfg.maxSetSize {
			c.errs.Add(errSetTooLarge(y, c.cfg.maxSetSize))
			return result, false
		}
		return result, c.decodeSet(y, t)
	case *ast.ListRef:
		kind, declared := c.out.Scheme.List(y.Name)
		switch {
		case !declared && c.cfg.declaredListsOnly:
			c.errs.Add(errUndeclaredList(y))
			return result, false
		case declared && kind.ElemType() != t:
			c.errs.Add(errListKind(y, kind, t))
			return result, false
		}
	}
	return result, true
}

// operatorTakes reports whether comparison op is defined on scalar type t.
func operatorTakes(op ast.Op, t fields.Type) bool {
	switch op {
	case ast.OpEq, ast.OpNe, ast.OpIn:
		return true
	case ast.OpLt, ast.OpLe, ast.OpGt, ast.OpGe:
		return t == fields.String || t == fields.Int
	case ast.OpBitwiseAnd:
		return t == fields.Int
	}
	return t == fields.String // contains, matches, wildcard, strict wildcard
}
