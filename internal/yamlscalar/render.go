package yamlscalar

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// foldWidth is the column a folded block scalar's lines should not pass.
const foldWidth = 100

// Render returns a token that, written in place of text[s.Start:s.End],
// makes the scalar decode to value. It keeps s's style when that style can
// hold value exactly, and otherwise picks one that can: single quotes for a
// one-line value, a literal block for a multi-line value in block context,
// double quotes (on one line, with escapes) for anything else.
//
// A block scalar keeps its header (indicators and comment) and content
// indentation, except that its chomping indicator changes to the one the
// value's trailing line breaks need. A folded block scalar with a one-line
// value is written over lines of at most 100 columns where it can be; one
// with a multi-line value becomes a literal block. Render never writes a
// block scalar in a flow collection, nor as a key unless it was one. Block scalars get the line
// ending of the scalar's line. value should be valid UTF-8; invalid bytes
// are written as U+FFFD. When s does not fit text, Render writes double
// quotes. When the token directly follows an anchor or tag, Render starts it
// with a space. The value the token has already is written as it is.
func Render(text string, s Scalar, value string) string {
	if s.Start < 0 || s.End < s.Start || s.End > len(text) {
		return doubleQuoted(value)
	}
	if value == s.value && s.Offsets != nil {
		return text[s.Start:s.End] // the token Locate read holds it already
	}
	token := doubleQuoted(value)
	for _, style := range preferences[s.Style] {
		if t, ok := s.render(text, style, value); ok {
			token = t
			break
		}
	}
	// A plain scalar may follow an anchor or tag with no space ("&a:b"),
	// which a quote or block indicator may not.
	bom := len(text) - len(strings.TrimPrefix(text, "\ufeff")) // the text starts after it
	if s.Start > bom && strings.IndexByte(" \t\r\n[{,", text[s.Start-1]) < 0 {
		token = " " + token
	}
	return token
}

// preferences lists, for each style, the styles Render tries in turn.
var preferences = map[Style][]Style{
	Plain:        {Plain, SingleQuoted, Literal},
	SingleQuoted: {SingleQuoted, Literal},
	Literal:      {Literal},
	Folded:       {Folded, Literal},
}

// render writes value in style, or reports that style cannot hold it here.
func (s Scalar) render(text string, style Style, value string) (string, bool) {
	switch style {
	case Plain:
		return value, plainOK(value, s.Flow)
	case SingleQuoted:
		return "'" + strings.ReplaceAll(value, "'", "''") + "'", !strings.Contains(value, "\n") && rawOK(value)
	case Literal, Folded:
		return s.renderBlock(text, style, value)
	}
	return doubleQuoted(value), true
}

// renderBlock writes value as a literal or folded block scalar, or reports
// that it cannot: in a flow collection or a key, when what follows the token
// would become part of it, when the value's trailing line breaks cannot be
// chomped to, or when its first line starts with white space and the header
// has no indentation indicator (the indentation would be detected wrong).
func (s Scalar) renderBlock(text string, style Style, value string) (string, bool) {
	body := strings.TrimRight(value, "\n")
	// A key that is a block scalar already is an explicit key ("? |"),
	// which may stay one; an implicit key must stay on one line.
	implicitKey := s.Key && s.Style != Literal && s.Style != Folded
	if s.Flow || implicitKey || s.Indent < 1 || !rawOK(body) {
		return "", false
	}
	// A folded scalar holds one line, which must not start with white space:
	// that would make it "more indented", and its line breaks kept.
	if style == Folded && (strings.Contains(body, "\n") || body != "" && isBlank(body[0])) {
		return "", false
	}
	hasBreak, blank, ok := tailOf(text, s.End, s.Indent)
	if !ok {
		return "", false
	}
	chomping, ok := chompingFor(len(value)-len(body), body, hasBreak, blank)
	if !ok {
		return "", false
	}
	header, explicit := s.header(style, chomping)
	first := strings.TrimLeft(body, "\n")
	if first != "" && isBlank(first[0]) && !explicit {
		return "", false
	}
	lines := strings.Split(body, "\n")
	if style == Folded {
		lines = foldLines(body, s.Indent)
	}
	nl := s.Newline
	if nl == "" {
		nl = "\n"
	}
	var b strings.Builder
	b.WriteString(header)
	for _, line := range lines {
		if body == "" {
			break
		}
		b.WriteString(nl)
		if line != "" {
			b.WriteString(strings.Repeat(" ", s.Indent))
			b.WriteString(line)
		}
	}
	return b.String(), true
}

// tailOf reads what follows a block scalar token written to end at end with
// content indentation indent: whether a line break follows, and how many
// blank lines come after it. It reports !ok when anything that follows would
// be read as content: text on the same line, a line indented as far as the
// content, or a tab where indentation is expected.
func tailOf(text string, end, indent int) (hasBreak bool, blank int, ok bool) {
	if end == len(text) {
		return false, 0, true
	}
	if !isBreak(text[end]) {
		return false, 0, false
	}
	pos := end + breakLen(text, end)
	for {
		start := pos
		for pos < len(text) && text[pos] == ' ' {
			pos++
		}
		switch {
		case pos < len(text) && text[pos] == '\t':
			return true, 0, false
		case pos < len(text) && !isBreak(text[pos]):
			return true, blank, pos-start < indent
		case pos-start > indent:
			return true, 0, false
		case pos == len(text):
			return true, blank, true
		}
		blank++
		pos += breakLen(text, pos)
	}
}

// chompingFor returns the chomping indicator under which a block scalar
// whose content is body followed by the breaks that follow the token
// (hasBreak, then blank empty lines) decodes to body and trailing line
// breaks.
func chompingFor(trailing int, body string, hasBreak bool, blank int) (Chomping, bool) {
	switch {
	case trailing == 0:
		return Strip, true
	case body == "" || !hasBreak:
		return Clip, false
	case trailing == 1:
		return Clip, true
	case trailing == 1+blank:
		return Keep, true
	}
	return Clip, false
}

// header returns the header of a block scalar in style with chomping: s's
// own header, indicator and comment kept, when s is a block scalar, and
// whether it has an indentation indicator.
func (s Scalar) header(style Style, chomping Chomping) (string, bool) {
	indicator := map[Style]string{Literal: "|", Folded: ">"}[style]
	chomp := map[Chomping]string{Clip: "", Strip: "-", Keep: "+"}[chomping]
	if s.Style != Literal && s.Style != Folded || s.Header == "" {
		return indicator + chomp, false
	}
	rest := s.Header[1:]
	n := 0
	for n < len(rest) && n < 2 && strings.IndexByte("+-123456789", rest[n]) >= 0 {
		n++
	}
	indicators, comment := rest[:n], rest[n:]
	digit := strings.Trim(indicators, "+-")
	if s.End == s.Start+len(s.Header) {
		// Without content lines the indentation the digit gives could not
		// be told: let the new content's indentation tell it.
		digit = ""
	}
	if strings.HasPrefix(indicators, "+") || strings.HasPrefix(indicators, "-") {
		indicators = chomp + digit
	} else {
		indicators = digit + chomp
	}
	return indicator + indicators + comment, digit != ""
}

// foldLines splits a one-line value into the lines of a folded block scalar
// indented by indent, each at most foldWidth columns where a break can be
// found. It breaks only at a single space between two non-blank characters,
// which folding turns back into that space.
func foldLines(body string, indent int) []string {
	quoted := quotedBytes(body)
	var lines []string
	start := 0
	for utf8.RuneCountInString(body[start:])+indent > foldWidth {
		cut := breakAt(body, quoted, start, foldWidth-indent)
		if cut < 0 {
			break
		}
		lines = append(lines, body[start:cut])
		start = cut + 1
	}
	return append(lines, body[start:])
}

// breakAt picks where to break the line of body that starts at start, so
// that it has at most width characters. It prefers, in turn: a space
// before "and " or "or " outside double quotes in the line's second half, a
// space outside double quotes, any space; the last one that fits, or else
// the first one at all (the line stays long). It returns -1 when there is no
// place to break.
func breakAt(body string, quoted []bool, start, width int) int {
	best := [3]int{-1, -1, -1}
	first := -1
	column := 0
	for i := start; i < len(body); i++ {
		if utf8.RuneStart(body[i]) {
			column++
		}
		if !breakable(body, i) {
			continue
		}
		if column-1 > width {
			if first < 0 {
				first = i
			}
			break
		}
		rest := body[i+1:]
		if !quoted[i] && column-1 >= width/2 && (strings.HasPrefix(rest, "and ") || strings.HasPrefix(rest, "or ")) {
			best[0] = i
		}
		if !quoted[i] {
			best[1] = i
		}
		best[2] = i
	}
	for _, i := range best {
		if i >= 0 {
			return i
		}
	}
	return first
}

// breakable tells a single space between two non-blank characters.
func breakable(body string, i int) bool {
	return body[i] == ' ' && i > 0 && i+1 < len(body) && !isBlank(body[i-1]) && !isBlank(body[i+1])
}

// quotedBytes tells, for each byte of s, whether it is inside a
// double-quoted substring ("..." with backslash escapes).
func quotedBytes(s string) []bool {
	quoted := make([]bool, len(s))
	in := false
	for i := 0; i < len(s); i++ {
		switch {
		case in && s[i] == '\\':
			quoted[i] = true
			if i+1 < len(s) {
				i++
				quoted[i] = true
			}
			continue
		case s[i] == '"':
			in = !in
		}
		quoted[i] = in || s[i] == '"'
	}
	return quoted
}

// plainOK tells that value reads back as the same string when written as a
// plain scalar, in a flow collection or not. It errs on the side of no.
func plainOK(value string, flow bool) bool {
	switch {
	case value == "" || !rawOK(value) || strings.ContainsAny(value, "\n\t"):
		return false
	case value[0] == ' ' || value[len(value)-1] == ' ':
		return false
	case strings.IndexByte("-?:,[]{}#&*!|>'\"%@`~", value[0]) >= 0:
		return false
	case strings.Contains(value, ": ") || strings.Contains(value, " #") || strings.HasSuffix(value, ":"):
		return false
	case flow && strings.ContainsAny(value, ",?[]{}:"):
		return false
	}
	return !mayResolve(value)
}

// mayResolve tells that a plain scalar might not be read as a string: a
// number, a boolean or null of YAML 1.1 or 1.2, a merge or value key.
func mayResolve(value string) bool {
	if c := value[0]; c >= '0' && c <= '9' || c == '+' || c == '.' {
		return true
	}
	switch strings.ToLower(value) {
	case "null", "true", "false", "yes", "no", "on", "off", "y", "n", "<<", "=":
		return true
	}
	return false
}

// rawOK tells that every character of s can be written as it is in a YAML
// document (outside double quotes' escapes): printable, and not a line break
// other than "\n", which callers handle.
func rawOK(s string) bool {
	for _, r := range s {
		if r != '\n' && !printable(r) {
			return false
		}
	}
	return true
}

// printable tells the characters yaml.v3 accepts as they are, except line
// breaks; U+0085 is left out because yaml.v3 reads it as a line break.
func printable(r rune) bool {
	switch {
	case r == '\t' || r >= 0x20 && r <= 0x7e:
		return true
	case r >= 0xa0 && r <= 0xd7ff, r >= 0x10000 && r <= 0x10ffff:
		return true
	case r >= 0xe000 && r <= 0xfffd:
		return r != 0xfeff
	}
	return false
}

// namedEscapes are the escapes doubleQuoted writes by name.
var namedEscapes = map[rune]string{
	'"': `\"`, '\\': `\\`, '\n': `\n`, '\t': `\t`, '\r': `\r`, 0: `\0`,
	'\a': `\a`, '\b': `\b`, '\v': `\v`, '\f': `\f`, 0x1b: `\e`,
	0x85: `\N`, 0x2028: `\L`, 0x2029: `\P`,
}

// doubleQuoted writes value double-quoted on one line: any string can be.
func doubleQuoted(value string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range value {
		switch e, named := namedEscapes[r]; {
		case named:
			b.WriteString(e)
		case printable(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02X`, r)
		case r < 0x10000:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			fmt.Fprintf(&b, `\U%08X`, r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
