package yamlscalar

import (
	"errors"
	"fmt"
)

// blockHeader is what a block scalar's header line says.
type blockHeader struct {
	literal   bool
	chomping  Chomping
	increment int // the indentation indicator, 0 when absent
	end       int // the end of the header line, before its line break
}

// parseHeader reads the block scalar header at pos ("|" or ">", then the
// chomping and indentation indicators in either order, then spaces and an
// optional comment up to the line's end).
func parseHeader(text string, pos int) (blockHeader, error) {
	h := blockHeader{literal: text[pos] == '|'}
	pos++
	for range 2 {
		switch {
		case pos < len(text) && text[pos] == '-' && h.chomping == Clip:
			h.chomping = Strip
		case pos < len(text) && text[pos] == '+' && h.chomping == Clip:
			h.chomping = Keep
		case pos < len(text) && text[pos] >= '1' && text[pos] <= '9' && h.increment == 0:
			h.increment = int(text[pos] - '0')
		default:
			continue
		}
		pos++
	}
	for pos < len(text) && isBlank(text[pos]) {
		pos++
	}
	if pos < len(text) && text[pos] != '#' && !isBreak(text[pos]) {
		return blockHeader{}, fmt.Errorf("yamlscalar: invalid block scalar header at offset %d", pos)
	}
	h.end = lineEnd(text, pos)
	return h, nil
}

// scanBlock reads a literal or folded block scalar at s.Start. yaml.v3
// indents an explicit indentation indicator from the enclosing block
// collection, and never lets an auto-detected indentation reach left of it;
// as the tree may give that collection's indentation too large, scanBlock
// tries it first and then every smaller one, and keeps the one that decodes
// to want.
func (s *Scalar) scanBlock(text, want string, parent int) error {
	h, err := parseHeader(text, s.Start)
	if err != nil {
		return err
	}
	s.Style, s.Chomping, s.Header = Folded, h.chomping, text[s.Start:h.end]
	if h.literal {
		s.Style = Literal
	}
	for p := parent; p >= -1; p-- {
		b, end, indent, err := decodeBlock(text, h, p)
		if err != nil {
			return err
		}
		if string(b.val) == want {
			s.Indent = indent
			return s.done(&b, want, end)
		}
	}
	return fmt.Errorf("yamlscalar: the %s scalar at offset %d does not decode to the node's value %q", s.Style, s.Start, want)
}

// blockLines reads the empty lines of a block scalar: it eats up to indent
// spaces (any number while the indentation is not known, indent == 0) and
// line breaks.
type blockLines struct {
	text      string
	pos       int // where reading goes on
	lineStart int // the start of pos's line
}

// breaks reads empty lines and returns the offsets of their line breaks.
// When *indent is 0 it sets it, the way yaml.v3 does, to the largest
// indentation seen but at least parent+1 and 1.
func (r *blockLines) breaks(indent *int, parent int) ([]int, error) {
	var breaks []int
	most := 0
	for {
		for r.pos < len(r.text) && r.text[r.pos] == ' ' && (*indent == 0 || r.pos-r.lineStart < *indent) {
			r.pos++
		}
		most = max(most, r.pos-r.lineStart)
		if r.pos < len(r.text) && r.text[r.pos] == '\t' && (*indent == 0 || r.pos-r.lineStart < *indent) {
			return nil, errors.New("yamlscalar: tab in a block scalar's indentation")
		}
		if r.pos >= len(r.text) || !isBreak(r.text[r.pos]) {
			break
		}
		breaks = append(breaks, r.pos)
		r.pos += breakLen(r.text, r.pos)
		r.lineStart = r.pos
	}
	if *indent == 0 {
		*indent = max(most, parent+1, 1)
	}
	return breaks, nil
}

// decodeBlock decodes the block scalar with header h, whose enclosing block
// collection is indented parent columns, as yaml.v3 does. It returns the
// value, the end of the last content line, and the content indentation.
func decodeBlock(text string, h blockHeader, parent int) (builder, int, int, error) {
	var b builder
	indent := 0
	if h.increment > 0 {
		indent = max(parent, 0) + h.increment
	}
	r := blockLines{text: text, pos: h.end + breakLen(text, h.end)}
	r.lineStart = r.pos
	trailing, err := r.breaks(&indent, parent)
	if err != nil {
		return b, 0, 0, err
	}
	end, leading := h.end, -1
	leadingBlank := false
	for r.pos < len(text) && r.pos-r.lineStart == indent {
		// Folding joins two content lines by a space unless one of them is
		// "more indented" (starts with white space) or empty lines part them.
		startsBlank := isBlank(text[r.pos])
		switch {
		case !h.literal && !leadingBlank && !startsBlank && leading >= 0:
			if len(trailing) == 0 {
				b.add(" ", leading)
			} else {
				// n line breaks fold into n-1: map them to the first n-1.
				trailing = append([]int{leading}, trailing[:len(trailing)-1]...)
			}
		case leading >= 0:
			b.add("\n", leading)
		}
		for _, at := range trailing {
			b.add("\n", at)
		}
		leadingBlank = startsBlank
		end = lineEnd(text, r.pos)
		b.copy(text, r.pos, end)
		leading = -1
		if end < len(text) {
			leading = end
		}
		r.pos = end + breakLen(text, end)
		r.lineStart = r.pos
		if trailing, err = r.breaks(&indent, parent); err != nil {
			return b, 0, 0, err
		}
	}
	if h.chomping != Strip && leading >= 0 {
		b.add("\n", leading)
	}
	if h.chomping == Keep {
		// Trailing blank lines stay outside the token, so their line breaks
		// map to its end.
		for range trailing {
			b.add("\n", end)
		}
	}
	return b, end, indent, nil
}
