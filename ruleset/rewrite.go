package ruleset

import (
	"fmt"
	"slices"
	"strings"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/internal/doc"
)

// Lines reports whether the expression is written in a YAML literal block,
// which shows its line breaks as they are; an expression there may be
// written over several lines.
func (l *Location) Lines() bool { return l.lines }

// Rewrite returns the file's text with each expression (Rule.Expressions)
// that next changes put in its place, written in the style its string had
// where that style can hold the new text; every other byte of the file
// stays as it was.
//
// Before it returns, Rewrite reads the new text back: every value of the
// document but the changed expressions must be as it was, each changed
// expression must hold the new text, and the new text must parse to a
// syntax tree equal to the old one's. Where that fails, or where an
// expression to change cannot be found byte for byte in the file, it
// returns an error and no text.
func (f *File) Rewrite(next func(r *Rule, x Expression) string) (string, error) {
	return f.Edit(next, SameMeaning)
}

// Edit is Rewrite for changes that may change what an expression means,
// such as the fixes of a linter: accept decides whether the new text of an
// expression may be written, instead of SameMeaning. Every other value of
// the document must still be as it was.
func (f *File) Edit(next func(r *Rule, x Expression) string, accept func(x Expression, text string) error) (string, error) {
	return EditAll([]*File{f}, next, accept)
}

// EditAll is Edit for the rulesets of one file, which share its text, as
// those of a Terraform file do: their expressions change together, and the
// new text is verified as a whole.
func EditAll(files []*File, next func(r *Rule, x Expression) string, accept func(x Expression, text string) error) (string, error) {
	if len(files) == 0 {
		return "", nil
	}
	type edit struct {
		start, end int
		token      string
	}
	var edits []edit
	at := map[int]string{} // the new token at each edited offset
	want := map[*doc.Node]string{}
	f := files[0]
	for _, file := range files {
		if file.doc != f.doc {
			return "", fmt.Errorf("the rulesets to edit are not of one file")
		}
		for _, r := range file.Rules {
			for _, x := range r.Expressions() {
				text := next(r, x)
				n := r.node.at(x.path)
				if text == x.Text || n == nil {
					continue
				}
				if err := accept(x, text); err != nil {
					return "", fmt.Errorf("%s, %s: %v", r.Name(), x.Key, err)
				}
				if prev, twice := want[n]; twice {
					if prev != text {
						return "", fmt.Errorf("%s, %s: the value is shared with another expression that would be written differently", r.Name(), x.Key)
					}
					continue
				}
				tok, err := n.Token()
				if err != nil {
					return "", fmt.Errorf("%s, %s: cannot be rewritten in place: %v", r.Name(), x.Key, err)
				}
				if tok.Computed {
					return "", fmt.Errorf("%s, %s: cannot be rewritten: Terraform computes it", r.Name(), x.Key)
				}
				want[n] = text
				token := tok.Render(text)
				if prev, ok := at[tok.Start]; ok {
					// The same string read twice, as by each instance of
					// a resource with count or for_each.
					if prev != token {
						return "", fmt.Errorf("%s, %s: the string is read more than once, and would be written differently", r.Name(), x.Key)
					}
					continue
				}
				at[tok.Start] = token
				edits = append(edits, edit{tok.Start, tok.End, token})
			}
		}
	}
	if len(edits) == 0 {
		return f.Text, nil
	}
	slices.SortFunc(edits, func(a, b edit) int { return a.start - b.start })
	var b strings.Builder
	b.Grow(len(f.Text))
	last := 0
	for _, e := range edits {
		if e.start < last {
			return "", fmt.Errorf("two expressions to rewrite overlap at byte %d", e.start)
		}
		b.WriteString(f.Text[last:e.start])
		b.WriteString(e.token)
		last = e.end
	}
	b.WriteString(f.Text[last:])
	text := b.String()
	again, err := f.doc.Reparse(text)
	if err != nil {
		return "", fmt.Errorf("the rewritten file would not read back: %v", err)
	}
	if same, at := doc.Same(f.doc.Root, again.Root, want); !same {
		return "", fmt.Errorf("the rewritten file would change the value at %s", at)
	}
	return text, nil
}

// FormatWidth is the width past which Formatted writes an expression over
// several lines, where its string shows line breaks as they are.
const FormatWidth = 100

// Formatted returns the expression in canonical form, as edgerules fmt
// writes it: over several lines where its string shows line breaks as they
// are (Location.Lines) and it is longer than FormatWidth, on one line
// elsewhere; the line breaks that end it stay, so that a YAML block keeps
// its chomping, and an expression whose lines end in CRLF (a Terraform
// heredoc of a CRLF file) is written with CRLF. A blank expression stays as
// it is. An expression that does not parse gives the parser's error.
func (x Expression) Formatted(opts ...expr.Option) (string, error) {
	body := strings.TrimRight(x.Text, "\r\n")
	if strings.TrimSpace(body) == "" {
		return x.Text, nil
	}
	tree, err := expr.Parse(body, opts...)
	if err != nil {
		return x.Text, err
	}
	if x.Source == nil || !x.Source.Lines() {
		return ast.Format(tree) + x.Text[len(body):], nil
	}
	text := ast.FormatWidth(tree, FormatWidth)
	if strings.Contains(x.Text, "\r\n") {
		text = strings.ReplaceAll(text, "\n", "\r\n")
	}
	return text + x.Text[len(body):], nil
}

// verifyLimit is the longest expression the rewriter compares.
const verifyLimit = 1 << 20

// SameMeaning reports an error unless text parses to a syntax tree equal
// to that of x: the same expression, written otherwise.
func SameMeaning(x Expression, text string) error {
	a, err := expr.Parse(x.Text, expr.MaxLength(verifyLimit))
	if err != nil {
		return fmt.Errorf("the expression does not parse, so it is left as it is: %v", err)
	}
	b, err := expr.Parse(text, expr.MaxLength(verifyLimit))
	if err != nil {
		return fmt.Errorf("the new text %q would not parse: %v", text, err)
	}
	if !ast.Equal(a, b) {
		return fmt.Errorf("the new text %q would not mean what %q means", text, x.Text)
	}
	return nil
}
