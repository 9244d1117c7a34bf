package expr_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/internal/corpus"
)

// FuzzParse checks, for any input, that Parse does not panic; that an
// accepted expression formats to text that parses to an equal tree and
// formats to itself; that its text wrapped by FormatWidth is the canonical
// text with line breaks and parses to an equal tree; and that a rejected
// one has an *Error inside the input.
func FuzzParse(f *testing.F) {
	entries, err := corpus.Load()
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		f.Add(e.Expr)
	}
	for _, c := range errorCases {
		f.Add(c.src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		tree, err := expr.Parse(src)
		if err != nil {
			var e *expr.Error
			if !errors.As(err, &e) {
				t.Fatalf("error is %T, not *expr.Error: %v", err, err)
			}
			if e.Offset < 0 || e.Len < 0 || e.Offset+e.Len > len(src) || e.Line < 1 || e.Col < 1 {
				t.Fatalf("error span [%d,+%d) at %d:%d outside %d bytes: %v", e.Offset, e.Len, e.Line, e.Col, len(src), e)
			}
			_ = e.Error()
			return
		}
		// The canonical form writes a byte that is not printable as \xHH, so
		// it may be longer than the input: its limits grow with it.
		text := ast.Format(tree)
		again, err := expr.Parse(text, expr.MaxLength(len(text)+1), expr.MaxStringLength(len(text)+1))
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", text, src, err)
		}
		if !ast.Equal(tree, again) {
			t.Fatalf("round trip of %q changed the tree:\n%s\n%s", src, ast.Dump(tree), ast.Dump(again))
		}
		if text2 := ast.Format(again); text2 != text {
			t.Fatalf("formatting is not idempotent: %q then %q", text, text2)
		}
		wrapped := ast.FormatWidth(tree, 20)
		// A raw string may hold a line break of its own, and spaces before
		// it: the lines are then not all the wrapper's.
		if !strings.Contains(text, "\n") {
			lines := strings.Split(wrapped, "\n")
			for i, l := range lines {
				if strings.HasSuffix(l, " ") {
					t.Fatalf("wrapped line %q ends with a space", l)
				}
				lines[i] = strings.TrimLeft(l, " ")
			}
			if joined := strings.Join(lines, " "); joined != text {
				t.Fatalf("wrapped text %q joins to %q, not %q", wrapped, joined, text)
			}
		}
		again, err = expr.Parse(wrapped, expr.MaxLength(len(wrapped)+1), expr.MaxStringLength(len(wrapped)+1))
		if err != nil {
			t.Fatalf("wrapped form %q of %q does not parse: %v", wrapped, src, err)
		}
		if !ast.Equal(tree, again) || ast.FormatWidth(again, 20) != wrapped {
			t.Fatalf("wrapped form %q of %q does not round-trip", wrapped, src)
		}
	})
}

// FuzzCompile checks that compiling any input with the standard scheme
// never panics and that every error it reports lies inside the input; an
// expression that compiles is matched against an empty context. A tree
// that Check accepts compiles, but for what eval.Compile documents.
func FuzzCompile(f *testing.F) {
	entries, err := corpus.Load()
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		f.Add(e.Expr)
	}
	for _, c := range append(errorCases, typeErrorCases...) {
		f.Add(c.src)
	}
	scheme := fields.Cloudflare()
	empty := eval.NewContext(scheme)
	f.Fuzz(func(t *testing.T, src string) {
		filter, err := expr.Compile(src, scheme)
		if err == nil {
			filter.Match(empty)
			return
		}
		var list expr.ErrorList
		if !errors.As(err, &list) {
			var e *expr.Error
			if !errors.As(err, &e) {
				t.Fatalf("error is %T, not *expr.Error: %v", err, err)
			}
			list = expr.ErrorList{e}
		}
		for _, e := range list {
			if e.Offset < 0 || e.Len < 0 || e.Offset+e.Len > len(src) {
				t.Fatalf("error span [%d,+%d) outside %d bytes: %v", e.Offset, e.Len, len(src), e)
			}
		}
		_ = err.Error()
		tree, err := expr.Parse(src)
		if err != nil {
			return
		}
		checked, err := expr.Check(tree, scheme)
		if err != nil {
			return
		}
		_, err = eval.Compile(checked)
		var errs eval.CompileErrors
		if !errors.As(err, &errs) {
			t.Fatalf("Check accepted %q, and compiling it failed with %T: %v", src, err, err)
		}
		for _, e := range errs {
			// The only error the compiler has of its own on a checked tree
			// is a regular expression larger than MaxRegexSize.
			if expr.Code(e.Code) != expr.ErrRegexTooLarge {
				t.Fatalf("Check accepted %q, but the compiler refuses it (%s): %v", src, e.Code, e)
			}
		}
	})
}
