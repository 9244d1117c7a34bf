package eval

import (
	"regexp"
	"regexp/syntax"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/internal/resyntax"
)

// regex parses and compiles a pattern of the language that the checker has
// not parsed, one a built-in function takes (which its Validate accepted)
// or builds from quoted parts, so that it parses.
func (c *compiler) regex(n ast.Node, pattern string) (*regexp.Regexp, *syntax.Regexp, bool) {
	parsed, err := resyntax.Parse(pattern)
	if err != nil {
		// Not on a checked tree: the function's Validate refused it.
		c.fail(n, "bad-value", "invalid regular expression: %v", err)
		return nil, nil, false
	}
	return c.compileRegex(n, pattern, parsed)
}

// compileRegex compiles a pattern of the language, parsed by
// resyntax.Parse, with Go's regexp (RE2 syntax, linear time), reporting at
// n a pattern larger than Config.MaxRegexSize. Cloudflare's engine matches
// bytes unless a pattern asks for Unicode with the u flag; Go always
// matches UTF-8 and has no u flag, so u is dropped from flag groups: (?u)
// and (?iu:…) read as () and (?i:…). It returns the compiled pattern and
// its simplified syntax tree.
func (c *compiler) compileRegex(n ast.Node, pattern string, parsed *syntax.Regexp) (*regexp.Regexp, *syntax.Regexp, bool) {
	parsed = parsed.Simplify()
	if prog, err := syntax.Compile(parsed); err == nil && len(prog.Inst) > c.maxRegexSize {
		c.fail(n, "regex-too-large", "the regular expression compiles to %d instructions; the limit (MaxRegexSize) is %d",
			len(prog.Inst), c.maxRegexSize)
		return nil, nil, false
	}
	// regexp parses the pattern as resyntax.Parse did, so it cannot fail.
	return regexp.MustCompile(resyntax.DropUnicodeFlag(pattern)), parsed, true
}
