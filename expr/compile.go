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
	cfg := newConfig(opts)
	checked, err := parseAndCheck(src, s, true, cfg)
	if err != nil {
		return nil, err
	}
	f, err := eval.Compile(checked, cfg.evalOptions()...)
	return f, positioned(err, src)
}

// CompileChecked compiles a condition that Check accepted, for callers
// that keep the checked tree (a linter, say). Errors the checker cannot see,
// such as a regular expression that does not compile, come as *Errors.
func CompileChecked(checked *ast.Checked, opts ...Option) (*eval.Filter, error) {
	f, err := eval.Compile(checked, newConfig(opts).evalOptions()...)
	return f, positioned(err, checked.Source)
}

// Memo makes the compiled filter share the answers of conditions with the
// other filters compiled with m, as eval.WithMemo does.
func Memo(m *eval.Memo) Option { return func(c *config) { c.memo = m } }

// Trace makes the compiled expression report each value it computes, as
// eval.WithTrace does; for explaining a result.
func Trace(trace func(x ast.Expr, v eval.Value)) Option { return func(c *config) { c.trace = trace } }

// CompileValue parses, checks and compiles a value expression, such as
// regex_replace(http.request.uri.path, "^/old/", "/new/"), whose program
// returns a value of any type.
func CompileValue(src string, s *fields.Scheme, opts ...Option) (*eval.Program, error) {
	cfg := newConfig(opts)
	checked, err := parseAndCheck(src, s, false, cfg)
	if err != nil {
		return nil, err
	}
	p, err := eval.CompileValue(checked, cfg.evalOptions()...)
	return p, positioned(err, src)
}

// CompileValueChecked compiles a value expression that CheckValue accepted.
func CompileValueChecked(checked *ast.Checked, opts ...Option) (*eval.Program, error) {
	p, err := eval.CompileValue(checked, newConfig(opts).evalOptions()...)
	return p, positioned(err, checked.Source)
}

func parseAndCheck(src string, s *fields.Scheme, condition bool, cfg config) (*ast.Checked, error) {
	tree, err := parse(src, cfg)
	if err != nil {
		return nil, err
	}
	return check(tree, s, condition, cfg)
}

func (cfg config) evalOptions() []eval.Option {
	out := []eval.Option{eval.MaxRegexSize(cfg.maxRegexSize)}
	if cfg.lists != nil {
		out = append(out, eval.WithLists(cfg.lists))
	}
	if cfg.trace != nil {
		out = append(out, eval.WithTrace(cfg.trace))
	}
	if cfg.memo != nil {
		out = append(out, eval.WithMemo(cfg.memo))
	}
	return out
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
