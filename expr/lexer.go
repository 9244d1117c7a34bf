package expr

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/internal/resyntax"
)

// The lexer is context-sensitive, as the language is: after a comparison
// operator it reads the value as one token, so that 2001:db8::1, aa:bb:cc,
// 10.0.0.1..10.0.0.9 and 192.0.2.0/24 arrive whole and unread, to be decoded
// by the checker once the left side's type is known; and a quoted string after
// matches or ~ is read with the regex escaping rule.

type token = lexer.Token

// The token types. A token's Value is always its source text.
const (
	tokIdent    lexer.TokenType = iota + 1 // a dotted name
	tokString                              // "…" with the basic escapes
	tokRegex                               // "…" after matches or ~
	tokRaw                                 // r"…", r#"…"#, …
	tokUnquoted                            // a value without quotes: 30, 0x1f, 192.0.2.0/24, 80..90
	tokList                                // $name
	tokLogical                             // and or xor && || ^^
	tokNot                                 // not !
	tokCompare                             // eq == … in, strict wildcard, bitwise_and &
	tokBool                                // true false
	tokPunct                               // ( ) [ ] { } , *
)

// maxRawHashes is the most # a raw string may have.
const maxRawHashes = 255

// A meaning is what a keyword or symbol means to the scanner: the token
// type it makes and, when it spells an operator, which.
type meaning struct {
	typ lexer.TokenType
	op  ast.Op
}

// keywords are the words of the language: the English spellings of the
// operators (ast.Op's table) and true and false. symbols are the operators
// spelled with symbols (the same table) and the punctuation, longest first,
// as the scanner tries them.
var keywords, symbols = lexicon()

// strict wildcard is the one operator of two words: the scanner reads the
// second when it meets the first.
var strictWord, wildcardWord, _ = strings.Cut(ast.OpStrictWildcard.String(), " ")

type symbol struct {
	text string
	meaning
}

func lexicon() (map[string]meaning, []symbol) {
	keywords := map[string]meaning{"true": {typ: tokBool}, "false": {typ: tokBool}}
	var symbols []symbol
	for op := range ast.Ops() {
		w := meaning{typ: tokCompare, op: op}
		switch {
		case op == ast.OpNot:
			w.typ = tokNot
		case op.IsLogical():
			w.typ = tokLogical
		}
		for _, s := range op.Spellings() {
			switch {
			case strings.Contains(s, " "): // strict wildcard
			case isWord(s[0]):
				keywords[s] = w
			default:
				symbols = append(symbols, symbol{s, w})
			}
		}
	}
	for _, p := range "()[]{},*" {
		symbols = append(symbols, symbol{string(p), meaning{typ: tokPunct}})
	}
	slices.SortStableFunc(symbols, func(a, b symbol) int { return len(b.text) - len(a.text) })
	return keywords, symbols
}

// scanResult holds the tokens of an expression up to its end, or up to the
// first lexical error, where an EOF token stands in for the rest.
type scanResult struct {
	tokens []token
	err    *Error
}

// scan splits src into tokens. Parentheses nested deeper than MaxDepth stop
// it with an error, which bounds the parser's recursion; so does a string
// longer than MaxStringLength.
func scan(src string, cfg config) scanResult {
	s := scanner{src: src, maxDepth: cfg.maxDepth, maxString: cfg.maxStringLength, lastName: -1}
	// Most tokens take three bytes or more with their spaces.
	res := scanResult{tokens: make([]token, 0, len(src)/3+2)}
	for {
		t, err := s.next()
		if err != nil {
			res.err = err
			t = token{Type: lexer.EOF, Pos: lexer.Position{Offset: err.Offset}}
		}
		res.tokens = append(res.tokens, t)
		if t.Type == lexer.EOF {
			return res
		}
	}
}

type scanner struct {
	src       string
	off       int
	maxDepth  int
	maxString int
	depth     int  // open parentheses
	lastName  int  // offset of the name token just read, or -1
	value     bool // a comparison operator came last: a value comes next
	regex     bool // ... and it was matches or ~
	inSet     bool // between { and } after an operator
}

func (s *scanner) tok(typ lexer.TokenType, start int) (token, *Error) {
	s.off = max(s.off, start)
	s.lastName = -1
	if typ == tokIdent {
		s.lastName = start
	}
	return token{Type: typ, Value: s.src[start:s.off], Pos: lexer.Position{Offset: start}}, nil
}

func (s *scanner) next() (token, *Error) {
	for s.off < len(s.src) && isSpace(s.src[s.off]) {
		s.off++
	}
	start := s.off
	if start == len(s.src) {
		return token{Type: lexer.EOF, Pos: lexer.Position{Offset: start}}, nil
	}
	value, regex := s.value, s.regex
	s.value, s.regex = false, false
	c := s.src[start]
	switch {
	case s.inSet && c == '}':
		s.inSet = false
		s.off++
		return s.tok(tokPunct, start)
	case value && c == '{':
		s.inSet = true
		s.off++
		return s.tok(tokPunct, start)
	case (value || s.inSet) && isValueStart(c) && !s.atKeyword():
		if s.atRawString() {
			return s.scanRaw(start)
		}
		s.off = start + valueLen(s.src[start:])
		return s.tok(tokUnquoted, start)
	case c == '"' && regex:
		return s.scanQuoted(start, tokRegex)
	case c == '"':
		return s.scanQuoted(start, tokString)
	case c == '$':
		return s.scanList(start)
	case isDigit(c) || c == '-' && start+1 < len(s.src) && isDigit(s.src[start+1]):
		s.off = start + valueLen(s.src[start:])
		return s.tok(tokUnquoted, start)
	case isWord(c):
		if s.atRawString() {
			return s.scanRaw(start)
		}
		return s.scanWord(start)
	}
	return s.scanSymbol(start)
}

// atKeyword reports whether a keyword starts at the current offset, which in
// a value's place is an operand missing its value (x eq and y), not a value.
func (s *scanner) atKeyword() bool {
	n := wordLen(s.src[s.off:])
	_, ok := keywords[s.src[s.off:s.off+n]]
	return ok && (s.off+n == len(s.src) || s.src[s.off+n] != '.')
}

func (s *scanner) atRawString() bool {
	rest := s.src[s.off:]
	return len(rest) > 1 && rest[0] == 'r' && (rest[1] == '"' || rest[1] == '#')
}

// scanWord reads a dotted name or a keyword.
func (s *scanner) scanWord(start int) (token, *Error) {
	if err := s.scanName(start); err != nil {
		return token{}, err
	}
	text := s.src[start:s.off]
	if text == strictWord {
		return s.scanStrictWildcard(start)
	}
	w, ok := keywords[text]
	if !ok {
		return s.tok(tokIdent, start)
	}
	if w.typ == tokCompare {
		s.value, s.regex = true, w.op == ast.OpMatches
	}
	return s.tok(w.typ, start)
}

// scanName reads segments of [A-Za-z0-9_] joined by single dots.
func (s *scanner) scanName(start int) *Error {
	s.off = start
	for {
		s.off += wordLen(s.src[s.off:])
		if s.off == len(s.src) || s.src[s.off] != '.' {
			return nil
		}
		if s.off+1 == len(s.src) || !isWord(s.src[s.off+1]) {
			return errTrailingDot(start, s.off+1-start)
		}
		s.off++
	}
}

// scanStrictWildcard reads the two-word operator strict wildcard.
func (s *scanner) scanStrictWildcard(start int) (token, *Error) {
	i := s.off
	for i < len(s.src) && isSpace(s.src[i]) {
		i++
	}
	if i == s.off || s.src[i:i+wordLen(s.src[i:])] != wildcardWord {
		return token{}, errStrictWithoutWildcard(start)
	}
	s.off = i + len(wildcardWord)
	s.value = true
	return s.tok(tokCompare, start)
}

func (s *scanner) scanList(start int) (token, *Error) {
	if start+1 == len(s.src) || !isWord(s.src[start+1]) {
		return token{}, errEmptyListName(start)
	}
	if err := s.scanName(start + 1); err != nil {
		return token{}, err
	}
	return s.tok(tokList, start)
}

func (s *scanner) scanQuoted(start int, typ lexer.TokenType) (token, *Error) {
	n, err := readQuoted(s.src[start:], typ == tokRegex, nil)
	return s.stringToken(typ, start, n, err)
}

func (s *scanner) scanRaw(start int) (token, *Error) {
	n, err := rawLen(s.src[start:])
	return s.stringToken(tokRaw, start, n, err)
}

// stringToken makes the token of a string n bytes long, or reports why
// there is none.
func (s *scanner) stringToken(typ lexer.TokenType, start, n int, err *Error) (token, *Error) {
	if err != nil {
		err.Offset += start
		return token{}, err
	}
	if n > s.maxString {
		return token{}, errStringTooLong(start, n, s.maxString)
	}
	s.off = start + n
	return s.tok(typ, start)
}

func (s *scanner) scanSymbol(start int) (token, *Error) {
	rest := s.src[start:]
	for _, sym := range symbols {
		if !strings.HasPrefix(rest, sym.text) {
			continue
		}
		s.off = start + len(sym.text)
		switch sym.text {
		case "(":
			if s.depth++; s.depth > s.maxDepth {
				// Point where the tree check would: at a call's name.
				from := start
				if s.lastName >= 0 {
					from = s.lastName
				}
				return token{}, errNestingDepth(from, s.off-from, s.maxDepth)
			}
		case ")":
			s.depth = max(s.depth-1, 0)
		}
		if sym.typ == tokCompare {
			s.value, s.regex = true, sym.op == ast.OpMatches
		}
		return s.tok(sym.typ, start)
	}
	return token{}, errUnexpectedChar(start, rest)
}

// readQuoted reads the quoted string at the start of src, checking its
// escapes, and returns its length in src; error offsets are relative to
// src. With out set it also appends the string's value to *out. With regex
// set it applies the rule of the right side of matches: \" is a quote, any
// other escape pair belongs to the pattern, and a quote inside a [...] class
// does not end the string.
//
// The scanner only checks and measures a string (out nil); lowering decodes
// the token the scanner made (unquote), so a value is computed once.
func readQuoted(src string, regex bool, out *[]byte) (int, *Error) {
	// copied appends src[i:i+n] to the value and returns n.
	copied := func(i, n int) int {
		if out != nil {
			*out = append(*out, src[i:i+n]...)
		}
		return n
	}
	inClass := false
	for i := 1; i < len(src); {
		c := src[i]
		switch {
		case c == '\\' && i+1 == len(src):
			i++
		case c == '\\' && regex && src[i+1] == '"':
			i += 1 + copied(i+1, 1)
		case c == '\\' && regex:
			i += copied(i, 2)
		case c == '\\':
			v, n, err := unescape(src[i:])
			if err != nil {
				err.Offset += i
				return 0, err
			}
			if out != nil {
				*out = append(*out, v)
			}
			i += n
		case c == '"' && !inClass:
			return i + 1, nil
		case regex && !inClass && c == '[':
			i += copied(i, resyntax.ClassOpenLen(src[i:]))
			inClass = true
		case regex && inClass && strings.HasPrefix(src[i:], "[:") && strings.Contains(src[i:], ":]"):
			i += copied(i, strings.Index(src[i:], ":]")+2)
		default:
			if c == ']' {
				inClass = false
			}
			i += copied(i, 1)
		}
	}
	return 0, errUnterminatedString(0, len(src), "`\"`")
}

// unquote returns the value of a quoted string token, quotes included, that
// the scanner has checked. Most strings have no escape to decode.
func unquote(text string, regex bool) string {
	body := text[1 : len(text)-1]
	escape := `\`
	if regex {
		escape = `\"`
	}
	if !strings.Contains(body, escape) {
		return body
	}
	b := make([]byte, 0, len(body))
	readQuoted(text, regex, &b)
	return string(b)
}

// unescape decodes the basic escape at the start of src: \" \\ \xHH \OOO.
func unescape(src string) (byte, int, *Error) {
	switch c := src[1]; {
	case c == '"' || c == '\\':
		return c, 2, nil
	case c == 'x' && len(src) >= 4 && isHex(src[2]) && isHex(src[3]):
		return hexVal(src[2])<<4 | hexVal(src[3]), 4, nil
	case c >= '0' && c <= '7' && len(src) >= 4 && isOctal(src[2]) && isOctal(src[3]):
		v := int(c-'0')<<6 | int(src[2]-'0')<<3 | int(src[3]-'0')
		if v > 0xff {
			return 0, 0, errOctalRange(0, src[:4])
		}
		return byte(v), 4, nil
	case c == 'x':
		return 0, 0, errBadEscape(0, src[:min(len(src), 4)])
	}
	_, size := utf8.DecodeRuneInString(src[1:])
	return 0, 0, errBadEscape(0, src[:1+size])
}

// rawLen returns the length of the raw string r#"…"# at the start of src.
func rawLen(src string) (int, *Error) {
	hashes := rawHashes(src)
	if hashes > maxRawHashes {
		return 0, errRawStringHashes(0, hashes)
	}
	open := 1 + hashes
	if open == len(src) || src[open] != '"' {
		return 0, errUnterminatedString(0, open, "`\"` after `r"+strings.Repeat("#", hashes)+"`")
	}
	closing := `"` + strings.Repeat("#", hashes)
	end := strings.Index(src[open+1:], closing)
	if end < 0 {
		return 0, errUnterminatedString(0, len(src), "`"+closing+"`")
	}
	return open + 1 + end + len(closing), nil
}

// unquoteRaw returns the value of a raw string the scanner has measured.
func unquoteRaw(text string) string {
	hashes := rawHashes(text)
	return text[2+hashes : len(text)-1-hashes]
}

// rawHashes counts the # after the r of a raw string.
func rawHashes(src string) int {
	n := 0
	for 1+n < len(src) && src[1+n] == '#' {
		n++
	}
	return n
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isOctal(c byte) bool { return c >= '0' && c <= '7' }
func isHex(c byte) bool   { return isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'f' }
func isWord(c byte) bool  { return isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'z' || c == '_' }

func hexVal(c byte) byte {
	if isDigit(c) {
		return c - '0'
	}
	return c | 0x20 - 'a' + 10
}

// isValueStart reports whether an unquoted value may start with c: numbers,
// IPv4 and IPv6 addresses (::1), byte strings (aa:bb) and raw strings.
func isValueStart(c byte) bool { return isWord(c) || c == '-' || c == ':' }

func wordLen(s string) int {
	n := 0
	for n < len(s) && isWord(s[n]) {
		n++
	}
	return n
}

// valueLen returns the length of the unquoted value at the start of s.
func valueLen(s string) int {
	n := 0
	for n < len(s) && (isWord(s[n]) || strings.IndexByte(".:/-", s[n]) >= 0) {
		n++
	}
	return n
}
