package yamlscalar

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// builder collects a decoded value and, for each of its bytes, the offset in
// the text it comes from.
type builder struct {
	val []byte
	off []int
}

// add appends s, every byte of which comes from the character at offset at.
func (b *builder) add(s string, at int) {
	b.val = append(b.val, s...)
	for range len(s) {
		b.off = append(b.off, at)
	}
}

// copy appends text[from:to] verbatim.
func (b *builder) copy(text string, from, to int) {
	b.val = append(b.val, text[from:to]...)
	for i := from; i < to; i++ {
		b.off = append(b.off, i)
	}
}

// fold appends what a run of white space between two pieces of a flow
// (plain or quoted) scalar decodes to. Without line breaks, the spaces and
// tabs text[ws:wsEnd] are kept. A single line break becomes a space; n > 1
// line breaks become n-1 line breaks. After an escaped line break (joined)
// every line break that follows is kept.
func (b *builder) fold(text string, ws, wsEnd int, breaks []int, joined bool) {
	switch {
	case joined:
		for _, at := range breaks {
			b.add("\n", at)
		}
	case len(breaks) == 1:
		b.add(" ", breaks[0])
	case len(breaks) > 1:
		for _, at := range breaks[:len(breaks)-1] {
			b.add("\n", at)
		}
	default:
		b.copy(text, ws, wsEnd)
	}
}

// done checks that the decoded value is want and records it in s.
func (s *Scalar) done(b *builder, want string, end int) error {
	if string(b.val) != want {
		return fmt.Errorf("yamlscalar: the %s scalar at offset %d decodes to %q, not the node's value %q", s.Style, s.Start, b.val, want)
	}
	s.End = end
	s.Offsets = append(b.off, end)
	return nil
}

// scanPlain reads a plain scalar at s.Start. It does not know how far its
// block collection is indented, which is where yaml.v3 ends a plain scalar
// that goes on over lines, so it stops after the first line whose value so
// far is want: adding a line always makes the value longer, so no other
// line can end it.
func (s *Scalar) scanPlain(text, want string) error {
	s.Style = Plain
	var b builder
	pos, end := s.Start, s.Start
	var ws, wsEnd int
	var breaks []int
	for pos < len(text) && !docMarker(text, pos) && text[pos] != '#' {
		for pos < len(text) && !isBlank(text[pos]) && !isBreak(text[pos]) && !plainEnds(text, pos, s.Flow) {
			if pos > end {
				b.fold(text, ws, wsEnd, breaks, false)
				ws, wsEnd, breaks = pos, pos, breaks[:0]
			}
			_, size := utf8.DecodeRuneInString(text[pos:])
			b.copy(text, pos, pos+size)
			pos += size
			end = pos
		}
		if pos >= len(text) || !isBlank(text[pos]) && !isBreak(text[pos]) {
			break
		}
		ws = pos
		wsEnd, breaks, pos = blanks(text, pos, breaks)
		if len(breaks) > 0 && string(b.val) == want {
			break
		}
	}
	if end == s.Start {
		return fmt.Errorf("yamlscalar: no plain scalar token at offset %d (an empty scalar has none)", s.Start)
	}
	if tabLineAfter(text, end) {
		return fmt.Errorf("yamlscalar: the plain scalar at offset %d is followed by a blank line holding a tab, which yaml.v3 accepts only after a plain scalar, so no other token could replace it", s.Start)
	}
	return s.done(&b, want, end)
}

// plainEnds tells that the character at pos ends a plain scalar: ": " or,
// in a flow collection, one of ",?[]{}" (yaml.v3 also ends one at "?").
func plainEnds(text string, pos int, flow bool) bool {
	c := text[pos]
	if c == ':' && (pos+1 == len(text) || isBlank(text[pos+1]) || isBreak(text[pos+1])) {
		return true
	}
	return flow && strings.IndexByte(",?[]{}", c) >= 0
}

// docMarker tells that a document marker ("---" or "...") starts at pos.
func docMarker(text string, pos int) bool {
	if pos > 0 && !isBreak(text[pos-1]) && !(pos == 3 && strings.HasPrefix(text, "\ufeff")) {
		return false
	}
	if !strings.HasPrefix(text[pos:], "---") && !strings.HasPrefix(text[pos:], "...") {
		return false
	}
	return pos+3 == len(text) || isBlank(text[pos+3]) || isBreak(text[pos+3])
}

// scanQuoted reads a single- or double-quoted scalar at s.Start.
func (s *Scalar) scanQuoted(text, want string) error {
	quote := text[s.Start]
	s.Style = SingleQuoted
	if quote == '"' {
		s.Style = DoubleQuoted
	}
	var b builder
	pos := s.Start + 1
	for {
		if docMarker(text, pos) {
			return fmt.Errorf("yamlscalar: document marker inside the quoted scalar at offset %d", s.Start)
		}
		if pos >= len(text) {
			return fmt.Errorf("yamlscalar: unterminated quoted scalar at offset %d", s.Start)
		}
		joined := false
		for pos < len(text) && !isBlank(text[pos]) && !isBreak(text[pos]) && !joined {
			var err error
			switch c := text[pos]; {
			case c == '\'' && quote == '\'' && strings.HasPrefix(text[pos:], "''"):
				b.add("'", pos)
				pos += 2
			case c == quote:
				return s.done(&b, want, pos+1)
			case c == '\\' && quote == '"' && pos+1 < len(text) && isBreak(text[pos+1]):
				pos++
				pos += breakLen(text, pos)
				joined = true
			case c == '\\' && quote == '"':
				pos, err = escape(&b, text, pos)
			default:
				_, size := utf8.DecodeRuneInString(text[pos:])
				b.copy(text, pos, pos+size)
				pos += size
			}
			if err != nil {
				return err
			}
		}
		pos = s.quotedSpace(&b, text, pos, joined)
	}
}

// quotedSpace reads the white space at pos inside a quoted scalar, appends
// what it decodes to, and returns where it ends. joined tells that it
// follows an escaped line break.
func (s *Scalar) quotedSpace(b *builder, text string, pos int, joined bool) int {
	wsEnd, breaks, end := blanks(text, pos, nil)
	b.fold(text, pos, wsEnd, breaks, joined)
	return end
}

// blanks reads the spaces, tabs and line breaks at pos: it returns where
// the white space before the first line break ends, the offset of each line
// break (appended to breaks), and where they all end.
func blanks(text string, pos int, breaks []int) (wsEnd int, _ []int, end int) {
	wsEnd = pos
	for pos < len(text) && (isBlank(text[pos]) || isBreak(text[pos])) {
		if isBreak(text[pos]) {
			breaks = append(breaks, pos)
			pos += breakLen(text, pos)
			continue
		}
		if len(breaks) == 0 {
			wsEnd = pos + 1
		}
		pos++
	}
	return wsEnd, breaks, pos
}

// simpleEscapes maps the character after a backslash to what it stands for.
var simpleEscapes = map[byte]string{
	'0': "\x00", 'a': "\a", 'b': "\b", 't': "\t", '\t': "\t", 'n': "\n",
	'v': "\v", 'f': "\f", 'r': "\r", 'e': "\x1b", ' ': " ", '"': "\"",
	'/': "/", '\'': "'", '\\': "\\", 'N': "\u0085", '_': "\u00a0",
	'L': "\u2028", 'P': "\u2029",
}

// hexEscapes maps an escape letter to its number of hex digits; the digits
// give a Unicode code point (so "\xe9" is "é", not the byte 0xE9).
var hexEscapes = map[byte]int{'x': 2, 'u': 4, 'U': 8}

// escape decodes the escape sequence at pos (a backslash) into b and returns
// where it ends.
func escape(b *builder, text string, pos int) (int, error) {
	if pos+1 >= len(text) {
		return 0, fmt.Errorf("yamlscalar: escape at the end of the text at offset %d", pos)
	}
	c := text[pos+1]
	if s, ok := simpleEscapes[c]; ok {
		b.add(s, pos)
		return pos + 2, nil
	}
	digits, ok := hexEscapes[c]
	if !ok || pos+2+digits > len(text) {
		return 0, fmt.Errorf("yamlscalar: invalid escape at offset %d", pos)
	}
	var r rune
	for _, d := range []byte(text[pos+2 : pos+2+digits]) {
		v := hexDigit(d)
		if v < 0 {
			return 0, fmt.Errorf("yamlscalar: invalid escape at offset %d", pos)
		}
		r = r<<4 | rune(v)
	}
	if !utf8.ValidRune(r) {
		return 0, fmt.Errorf("yamlscalar: escape of an invalid code point at offset %d", pos)
	}
	b.add(string(r), pos)
	return pos + 2 + digits, nil
}

// hexDigit returns the value of the hex digit d, or -1.
func hexDigit(d byte) int {
	switch {
	case d >= '0' && d <= '9':
		return int(d - '0')
	case d >= 'a' && d <= 'f':
		return int(d-'a') + 10
	case d >= 'A' && d <= 'F':
		return int(d-'A') + 10
	}
	return -1
}

// tabLineAfter tells that among the blank lines after pos one holds a tab
// (after spaces or not).
func tabLineAfter(text string, pos int) bool {
	newLine := false
	for pos < len(text) && (isBlank(text[pos]) || isBreak(text[pos])) {
		switch {
		case isBreak(text[pos]):
			newLine = true
		case text[pos] == '\t' && newLine:
			return true
		}
		pos++
	}
	return false
}
