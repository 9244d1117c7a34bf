package expr

import (
	"errors"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/fields"
)

// Lists binds `in $name` to lists when the expression compiles, so that
// no list is looked up by name per request; a list l lacks is then an error.
// Without it, lists come from the evaluation context.
func Lists(l eval.Lists) Option { return func(c *config) { c.lists = l } }

// Compile parses, checks and compiles a condition. The filter it returns is
// immutable and safe for concurrent use. An error is an *Error, or an
// ErrorList when there are several.
func Compile(src string, s *fields.Scheme, opts ...Option) (*eval.Filter, error) {
	checked, err := parseAndCheck(src, s, true, opts)
	if err != nil {
		return nil, err
	}
	f, err := eval.Compile(checked, evalOptions(opts)...)
	return f, positioned(err, src)
}

// CompileValue parses, checks and compiles a value expression, such as
// regex_replace(http.request.uri.path, "^/old/", "/new/"), whose program
// returns a value of any type.
func CompileValue(src string, s *fields.Scheme, opts ...Option) (*eval.Program, error) {
	checked, err := parseAndCheck(src, s, false, opts)
	if err != nil {
		return nil, err
	}
	p, err := eval.CompileValue(checked, evalOptions(opts)...)
	return p, positioned(err, src)
}

func parseAndCheck(src string, s *fields.Scheme, condition bool, opts []Option) (*ast.Checked, error) {
	tree, err := Parse(src, opts...)
	if err != nil {
		return nil, err
	}
	return check(tree, s, condition, newConfig(opts))
}

func evalOptions(opts []Option) []eval.Option {
	if cfg := newConfig(opts); cfg.lists != nil {
		return []eval.Option{eval.WithLists(cfg.lists)}
	}
	return nil
}

// positioned turns the compiler's errors into *Errors with lines and columns.
func positioned(err error, src string) error {
	var errs eval.CompileErrors
	if !errors.As(err, &errs) {
		return err
	}
	var list ErrorList
	for _, e := range errs {
		list.Add(newError(Code(e.Code), e.Pos, e.End-e.Pos, "", "%s", e.Msg).locate(src))
	}
	list.Sort()
	return list.Err()
}
