package expr

import (
	"strings"
	"testing"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/edgerules/edgerules/internal/corpus"
)

// FuzzScan checks the scanner alone: the tokens it returns are the input's
// own bytes, in order, with only whitespace between them, and it stops at
// the end of the input or at an error that lies inside it.
func FuzzScan(f *testing.F) {
	entries, err := corpus.Load()
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		f.Add(e.Expr)
	}
	for _, s := range []string{`"unterminated`, `x matches "[^"]"`, `r##"a"#"##`, `x in {1..2 aa:bb ::1}`, "a\tb\r\nc", `"\q"`, `$`, `x.`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		res := scan(src, newConfig(nil))
		at := 0
		for i, tok := range res.tokens {
			if tok.Type == lexer.EOF {
				if i != len(res.tokens)-1 {
					t.Fatalf("EOF before the last token")
				}
				// Without an error the input ends in whitespace; an error
				// ends the tokens where it is (a call nested too deep
				// points back at the call's name).
				end := len(src)
				if res.err != nil {
					end = res.err.Offset
				} else if strings.Trim(src[at:], " \t\r\n") != "" {
					t.Fatalf("%q after the last token is not whitespace", src[at:])
				}
				if tok.Pos.Offset != end {
					t.Fatalf("EOF at %d, want %d", tok.Pos.Offset, end)
				}
				break
			}
			off := tok.Pos.Offset
			if off < at || off+len(tok.Value) > len(src) || src[off:off+len(tok.Value)] != tok.Value || tok.Value == "" {
				t.Fatalf("token %d %q at %d is not the input's bytes after %d", i, tok.Value, off, at)
			}
			if strings.Trim(src[at:off], " \t\r\n") != "" {
				t.Fatalf("%q between tokens is not whitespace", src[at:off])
			}
			at = off + len(tok.Value)
		}
		if e := res.err; e != nil && (e.Offset < 0 || e.Len < 0 || e.Offset+e.Len > len(src)) {
			t.Fatalf("error span [%d,+%d) outside %d bytes", e.Offset, e.Len, len(src))
		}
	})
}
