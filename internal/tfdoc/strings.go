package tfdoc

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file reads and writes the bytes of Terraform's literal strings: a
// quoted string's escapes, a heredoc's lines (with <<- indentation
// stripped), and the template escapes $${ and %%{ of both. A decoder gives
// the place of each byte of a value, which the caller checks against the
// value HCL itself decoded before it trusts it.

// decodeQuoted decodes the raw bytes of a quoted string literal (between
// its quotes), returning its value and for each byte of it the offset in
// raw its character comes from.
func decodeQuoted(raw string) (string, []int) {
	var b strings.Builder
	offs := make([]int, 0, len(raw)+1)
	emit := func(s string, at int) {
		b.WriteString(s)
		for range len(s) {
			offs = append(offs, at)
		}
	}
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '\\' && i+1 < len(raw):
			n, size := unescape(raw[i:])
			emit(n, i)
			i += size
		case (c == '$' || c == '%') && strings.HasPrefix(raw[i+1:], string(c)+"{"):
			emit(string(c)+"{", i)
			i += 3
		default:
			emit(raw[i:i+1], i)
			i++
		}
	}
	offs = append(offs, len(raw))
	return b.String(), offs
}

// unescape decodes the backslash escape at the start of s, returning the
// text it stands for and its length in s; an escape HCL does not have
// stands for itself, which the caller's check against HCL's value finds.
func unescape(s string) (string, int) {
	switch s[1] {
	case 'n':
		return "\n", 2
	case 'r':
		return "\r", 2
	case 't':
		return "\t", 2
	case '"':
		return "\"", 2
	case '\\':
		return "\\", 2
	case 'u', 'U':
		digits := 4
		if s[1] == 'U' {
			digits = 8
		}
		if len(s) >= 2+digits {
			var r rune
			if _, err := fmt.Sscanf(s[2:2+digits], "%x", &r); err == nil && len(strings.TrimLeft(s[2:2+digits], "0123456789abcdefABCDEF")) == 0 {
				return string(r), 2 + digits
			}
		}
	}
	return s[:2], 2
}

// decodeHeredoc decodes the raw bytes of a literal part of a heredoc (or
// of a JSON string's template). strip is the number of leading white-space
// characters taken off each line that is not blank (a <<- heredoc's
// indentation); lineStart says the part starts a line, rather than
// following an interpolation or starting past the indentation HCL took off
// already.
func decodeHeredoc(raw string, strip int, lineStart bool) (string, []int) {
	var b strings.Builder
	offs := make([]int, 0, len(raw)+1)
	for i := 0; i < len(raw); {
		if lineStart {
			lineStart = false
			if !blankLine(raw[i:]) {
				for n := 0; n < strip && i < len(raw); n++ {
					r, size := utf8.DecodeRuneInString(raw[i:])
					if !unicode.IsSpace(r) || r == '\n' {
						break
					}
					i += size
				}
				continue
			}
		}
		c := raw[i]
		switch {
		case (c == '$' || c == '%') && strings.HasPrefix(raw[i+1:], string(c)+"{"):
			b.WriteString(string(c) + "{")
			offs = append(offs, i, i)
			i += 3
		default:
			b.WriteByte(c)
			offs = append(offs, i)
			lineStart = c == '\n'
			i++
		}
	}
	offs = append(offs, len(raw))
	return b.String(), offs
}

// blankLine reports whether the line s starts with holds only white space
// and ends with a line break: HCL keeps such a line's indentation.
func blankLine(s string) bool {
	end := strings.IndexByte(s, '\n')
	return end >= 0 && strings.TrimLeftFunc(s[:end], unicode.IsSpace) == ""
}

// heredocStrip returns how many white-space characters a <<- heredoc takes
// off its lines: the fewest that a line which is not blank starts with.
func heredocStrip(body string) int {
	least := -1
	for line := range strings.SplitAfterSeq(body, "\n") {
		if line == "" || blankLine(line) {
			continue
		}
		n := utf8.RuneCountInString(line) - utf8.RuneCountInString(strings.TrimLeftFunc(line, unicode.IsSpace))
		if least < 0 || n < least {
			least = n
		}
	}
	return max(least, 0)
}

// escapeTemplate writes a value's ${ and %{ as Terraform's escapes, so that
// the string holds them as text.
func escapeTemplate(s string) string {
	return strings.NewReplacer("${", "$${", "%{", "%%{").Replace(s)
}

// quote writes a value as a Terraform quoted string.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range escapeTemplate(s) {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f || r == utf8.RuneError:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// A heredoc is the frame of a heredoc token: its opening line (<<EOT and
// its line break), the closing line (indentation and marker), and the
// indentation a <<- heredoc's lines are written with.
type heredoc struct {
	open, close, marker, indent string
	flush                       bool
}

// render writes value as a heredoc in the frame h, or as a quoted string
// where a heredoc cannot hold it: a value that does not end in a line
// break, whose line breaks are not the frame's (CRLF in a CRLF file, LF
// otherwise), that has a line reading as the closing marker, or in a <<-
// heredoc whose lines all start with white space.
func (h heredoc) render(value string) string {
	lf := strings.ReplaceAll(value, "\r\n", "\n")
	breaks := lf // the value as its frame's line breaks write it
	if strings.HasSuffix(h.open, "\r\n") {
		breaks = strings.ReplaceAll(lf, "\n", "\r\n")
	}
	if !strings.HasSuffix(value, "\n") || value != breaks || strings.ContainsRune(lf, '\r') || h.flush && heredocStrip(value) > 0 {
		// A <<- heredoc takes off the indentation its lines share, so it
		// cannot hold a value whose lines all start with white space.
		return quote(value)
	}
	var b strings.Builder
	b.WriteString(h.open)
	for line := range strings.SplitAfterSeq(escapeTemplate(value), "\n") {
		if strings.TrimSpace(line) == h.marker {
			return quote(value)
		}
		if h.flush && strings.TrimSpace(line) != "" {
			b.WriteString(h.indent)
		}
		b.WriteString(line)
	}
	b.WriteString(h.close)
	return b.String()
}
