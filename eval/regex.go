package eval

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/internal/resyntax"
)

// regex compiles a pattern of the language with Go's regexp (RE2 syntax,
// linear time), reporting at n a pattern that does not compile or is larger
// than Config.MaxRegexSize. Cloudflare's engine matches bytes unless a pattern asks
// for Unicode with the u flag; Go always matches UTF-8 and has no u flag,
// so u is dropped from flag groups: (?u) and (?iu:…) read as () and (?i:…).
// It returns the compiled pattern and its simplified syntax tree.
func (c *compiler) regex(n ast.Node, pattern string) (*regexp.Regexp, *syntax.Regexp, bool) {
	p := dropUnicodeFlag(pattern)
	parsed, err := syntax.Parse(p, syntax.Perl)
	if err != nil {
		var serr *syntax.Error
		if errors.As(err, &serr) {
			err = fmt.Errorf("%s: `%s`", serr.Code, serr.Expr)
		}
		c.fail(n, "bad-pattern", "invalid regular expression: %v", err)
		return nil, nil, false
	}
	parsed = parsed.Simplify()
	if prog, err := syntax.Compile(parsed); err == nil && len(prog.Inst) > c.maxRegexSize {
		c.fail(n, "regex-too-large", "the regular expression compiles to %d instructions; the limit (MaxRegexSize) is %d",
			len(prog.Inst), c.maxRegexSize)
		return nil, nil, false
	}
	re, err := regexp.Compile(p)
	if err != nil {
		c.fail(n, "bad-pattern", "invalid regular expression: %v", err)
		return nil, nil, false
	}
	return re, parsed, true
}

func dropUnicodeFlag(p string) string {
	if !strings.Contains(p, "(?") {
		return p
	}
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == '\\' && i+1 < len(p):
			b.WriteString(p[i : i+2])
			i++
			continue
		case !inClass && p[i] == '[':
			// A class is no place for flags: copy it whole, with a ] right
			// after [ or [^ being a member.
			n := resyntax.ClassOpenLen(p[i:])
			b.WriteString(p[i : i+n])
			i += n - 1
			inClass = true
			continue
		case inClass:
			inClass = p[i] != ']'
			b.WriteByte(p[i])
			continue
		}
		if !strings.HasPrefix(p[i:], "(?") {
			b.WriteByte(p[i])
			continue
		}
		// A flag group is (?flags) or (?flags:…); flags are letters and -.
		j := i + 2
		for j < len(p) && (p[j] >= 'a' && p[j] <= 'z' || p[j] >= 'A' && p[j] <= 'Z' || p[j] == '-') {
			j++
		}
		if j == len(p) || (p[j] != ')' && p[j] != ':') || !strings.Contains(p[i+2:j], "u") {
			b.WriteString("(?")
			i++
			continue
		}
		flags := strings.ReplaceAll(p[i+2:j], "u", "")
		switch {
		case p[j] == ')' && strings.Trim(flags, "-") == "":
			// (?u) alone: nothing is left of it.
		case p[j] == ':' && strings.Trim(flags, "-") == "":
			b.WriteString("(?:")
		default:
			b.WriteString("(?" + flags + string(p[j]))
		}
		i = j
	}
	return b.String()
}
