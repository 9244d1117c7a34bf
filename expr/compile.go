package expr

import (
	"errors"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/fields"
)

// Compile parses, checks and compiles a condition. The filter it returns is
// immutable and safe for concurrent use. An error is an *Error, or an
// ErrorList when there are several.
func Compile(src string, s *fields.Scheme, opts ...Option) (*eval.Filter, error) {
	cfg := newConfig(opts)
	checked, err := parseAndCheck(src, s, true, cfg)
	if err != nil {
		return nil, err
	}
	f, err := cfg.compile.Compile(checked)
	return f, positioned(err, src)
}

// CompileChecked compiles a condition that Check accepted, for callers
// that keep the checked tree (a linter, say). Errors the checker cannot see,
// such as a regular expression that does not compile, come as *Errors.
func CompileChecked(checked *ast.Checked, opts ...Option) (*eval.Filter, error) {
	f, err := newConfig(opts).compile.Compile(checked)
	return f, positioned(err, checked.Source)
}

// CompileValue parses, checks and compiles a value expression, such as
// regex_replace(http.request.uri.path, "^/old/", "/new/"), whose program
// returns a value of any type.
func CompileValue(src string, s *fields.Scheme, opts ...Option) (*eval.Program, error) {
	cfg := newConfig(opts)
	checked, err := parseAndCheck(src, s, false, cfg)
	if err != nil {
		return nil, err
	}
	p, err := cfg.compile.CompileValue(checked)
	return p, positioned(err, src)
}

// CompileValueChecked compiles a value expression that CheckValue accepted.
func CompileValueChecked(checked *ast.Checked, opts ...Option) (*eval.Program, error) {
	p, err := newConfig(opts).compile.CompileValue(checked)
	return p, positioned(err, checked.Source)
}

func parseAndCheck(src string, s *fields.Scheme, condition bool, cfg config) (*ast.Checked, error) {
	tree, err := parse(src, cfg)
	if err != nil {
		return nil, err
	}
	return check(tree, s, condition, cfg)
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
