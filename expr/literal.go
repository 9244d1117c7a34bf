package expr

import (
	"errors"
	"fmt"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/internal/resyntax"
	"github.com/edgerules/edgerules/internal/wcsyntax"
)

// The checker decodes every literal once, by the type it must have, and
// parses every pattern; the checked tree keeps what it found for the
// compiler, which decodes nothing.

// decode records the value of lit as type t, or returns why it has none.
func (c *checker) decode(lit *ast.Literal, t fields.Type) error {
	v, err := decodeLiteral(lit, t)
	if err == nil {
		c.out.Values[lit] = v
	}
	return err
}

// decodeSet records the elements of a set of type t and reports whether
// they all decode, reporting each that does not.
func (c *checker) decodeSet(set *ast.SetLit, t fields.Type) bool {
	ok := true
	elems := make([]ast.ConstRange, len(set.Elems))
	for i, e := range set.Elems {
		var err error
		elems[i], err = decodeSetElem(e, t)
		ok = c.decoded(e, t, err) && ok
	}
	put(&c.out.Sets, set, elems)
	return ok
}

// decoded reports the error of decoding a literal as type t, if any, and
// whether there was none.
func (c *checker) decoded(lit *ast.Literal, t fields.Type, err error) bool {
	switch {
	case err == nil:
		return true
	case errors.Is(err, errQuoted):
		c.errs.Add(errQuotedNonString(lit, t))
	case t == fields.String:
		if _, isField := c.out.Scheme.Field(lit.Raw); isField {
			c.errs.Add(errFieldAsValue(lit))
			break
		}
		c.errs.Add(errUnquotedString(lit))
	default:
		c.errs.Add(errBadValue(lit, t, err))
	}
	return false
}

// pattern parses the pattern on the right of matches, wildcard or strict
// wildcard, keeping the syntax tree of a regular expression, and reports
// whether it is valid.
func (c *checker) pattern(op ast.Op, lit *ast.Literal) bool {
	switch op {
	case ast.OpMatches:
		re, err := resyntax.Parse(lit.Value)
		if err != nil {
			c.errs.Add(errBadRegex(lit, err))
			return false
		}
		put(&c.out.Regexps, lit, re)
	case ast.OpWildcard, ast.OpStrictWildcard:
		if _, err := wcsyntax.Split(lit.Value); err != nil {
			c.errs.Add(errBadWildcard(lit, err))
			return false
		}
	}
	return true
}

// put sets m[k] to v, making m on first use: most expressions have no set
// and no regular expression, so their tables stay nil.
func put[K comparable, V any](m *map[K]V, k K, v V) {
	if *m == nil {
		*m = make(map[K]V)
	}
	(*m)[k] = v
}

// errQuoted is decodeLiteral's error for a quoted string where a value of
// another type is wanted.
var errQuoted = errors.New("a quoted string where a value of another type is wanted")

// decodeLiteral returns the value of a literal that must have type t: a
// quoted string or a byte string for String, an integer for Int, an address
// for IP.
func decodeLiteral(lit *ast.Literal, t fields.Type) (ast.Const, error) {
	v := ast.Const{Type: t}
	if lit.Kind.IsString() {
		if t != fields.String {
			return ast.Const{}, errQuoted
		}
		v.Str = lit.Value
		return v, nil
	}
	var err error
	switch t {
	case fields.String:
		v.Str, err = fields.ParseByteString(lit.Raw)
	case fields.Int:
		v.Int, err = fields.ParseInt(lit.Raw)
	case fields.IP:
		v.IP, err = fields.ParseIP(lit.Raw)
	default:
		err = fmt.Errorf("no literal has type %s", t)
	}
	return v, err
}

// decodeSetElem returns what an element of a set of type t stands for: a
// single value, or for Int and IP sets a range lo..hi or (IP) a CIDR.
func decodeSetElem(lit *ast.Literal, t fields.Type) (ast.ConstRange, error) {
	lo, hi := ast.Const{Type: t}, ast.Const{Type: t}
	var err error
	switch {
	case t == fields.Int && !lit.Kind.IsString():
		lo.Int, hi.Int, err = fields.ParseIntRange(lit.Raw)
	case t == fields.IP && !lit.Kind.IsString():
		var r fields.IPRange
		r, err = fields.ParseIPRange(lit.Raw)
		lo.IP, hi.IP = r.Lo, r.Hi
	default:
		lo, err = decodeLiteral(lit, t)
		hi = lo
	}
	return ast.ConstRange{Lo: lo, Hi: hi}, err
}
