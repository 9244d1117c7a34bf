package expr

import (
	"strings"
	"unicode/utf8"
)

// Positions in errors are byte offsets from 0, and 1-based lines and columns
// where the column counts bytes from the start of the line, as Cloudflare's
// own error messages do. They are computed here and nowhere else.

// Excerpt returns the line of src that holds the byte at off, clipped
// around the span when it is long, and a line with a run of carets under
// the span [off, off+length), as errors show them.
func Excerpt(src string, off, length int) (line, carets string) {
	text, start := lineAt(src, off)
	text, from, to := clip(text, off-start, off+length-start)
	return printable(text), caretLine(text, from, to)
}

// printable replaces what a terminal would act on rather than show: a
// control character becomes its picture (U+2400 to U+2421: ␇ for BEL, ␛ for
// ESC), and a C1 control or a byte that is not UTF-8 becomes U+FFFD. Each
// takes one column, as it did, so the carets under the line stay in place.
func printable(text string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t':
			return r
		case r < 0x20:
			return 0x2400 + r
		case r == 0x7f:
			return 0x2421
		case r >= 0x80 && r < 0xa0:
			return utf8.RuneError
		}
		return r
	}, text)
}

// Position returns the 1-based line and column (in bytes) of the byte at
// off in src.
func Position(src string, off int) (line, col int) {
	off = min(max(off, 0), len(src))
	before := src[:off]
	line = 1 + strings.Count(before, "\n")
	return line, off - (strings.LastIndexByte(before, '\n') + 1) + 1
}

// lineAt returns the text of the line holding the byte at off, without its
// line break, and the offset where that line starts.
func lineAt(src string, off int) (text string, start int) {
	off = min(max(off, 0), len(src))
	start = strings.LastIndexByte(src[:off], '\n') + 1
	end := strings.IndexByte(src[start:], '\n')
	if end < 0 {
		end = len(src) - start
	}
	return strings.TrimSuffix(src[start:start+end], "\r"), start
}

// caretLine returns the line to print under text so that a run of carets
// stands under the bytes [from, to) of text. Tabs in the text stay tabs in the
// padding and a multi-byte character takes one column, so the carets line up
// in a terminal. The run is at least one caret long.
func caretLine(text string, from, to int) string {
	from = min(max(from, 0), len(text))
	to = min(max(to, from), len(text))
	var b strings.Builder
	for _, r := range text[:from] {
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	b.WriteString(strings.Repeat("^", max(1, utf8.RuneCountInString(text[from:to]))))
	return b.String()
}

// The longest line an error shows whole, and how much of a longer one it
// shows on each side of the problem.
const (
	clipAbove   = 120
	clipContext = 50
)

// clip cuts a long line down to the part around the bytes [from, to), marking
// each cut with an ellipsis, and returns the positions of the span in the
// clipped text. A span longer than clipContext is shortened too.
func clip(text string, from, to int) (string, int, int) {
	if len(text) <= clipAbove {
		return text, from, to
	}
	to = min(to, from+clipContext)
	lo, hi := max(0, from-clipContext), min(len(text), max(to, from+1)+clipContext)
	// Cut between characters; a byte that is not UTF-8 is a character of
	// its own, so no more than UTFMax-1 bytes are ever skipped.
	for i := 1; i < utf8.UTFMax && lo > 0 && !utf8.RuneStart(text[lo]); i++ {
		lo++
	}
	for i := 1; i < utf8.UTFMax && hi < len(text) && !utf8.RuneStart(text[hi]); i++ {
		hi--
	}
	out := text[lo:hi]
	shift := -lo
	if lo > 0 {
		out = "…" + out
		shift += len("…")
	}
	if hi < len(text) {
		out += "…"
	}
	return out, from + shift, to + shift
}
