package expr

import (
	"io"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
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

var keywords = map[string]lexer.TokenType{
	"and": tokLogical, "or": tokLogical, "xor": tokLogical,
	"not": tokNot,
	"eq":  tokCompare, "ne": tokCompare, "lt": tokCompare, "le": tokCompare, "gt": tokCompare, "ge": tokCompare,
	"contains": tokCompare, "matches": tokCompare, "in": tokCompare, "wildcard": tokCompare,
	"bitwise_and": tokCompare,
	"true":        tokBool, "false": tokBool,
}

// definition tells participle the token types; Parse runs the scanner itself
// so that it can pass the limits.
type definition struct{}

func (definition) Symbols() map[string]lexer.TokenType {
	return map[string]lexer.TokenType{
		"EOF": lexer.EOF, "Ident": tokIdent, "String": tokString, "Regex": tokRegex, "Raw": tokRaw,
		"Unquoted": tokUnquoted, "List": tokList, "Logical": tokLogical, "Not": tokNot,
		"Compare": tokCompare, "Bool": tokBool, "Punct": tokPunct,
	}
}

func (definition) Lex(_ string, r io.Reader) (lexer.Lexer, error) {
	src, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	res := scan(string(src), newConfig(nil))
	if res.err != nil {
		return nil, res.err.locate(string(src))
	}
	return &tokenList{tokens: res.tokens}, nil
}

// tokenList replays scanned tokens to participle; the last one is EOF.
type tokenList struct {
	tokens []token
	next   int
}

func (l *tokenList) Next() (token, error) {
	t := l.tokens[min(l.next, len(l.tokens)-1)]
	l.next++
	return t, nil
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
	word := s.src[start:s.off]
	typ, ok := keywords[word]
	switch {
	case word == "strict":
		return s.scanStrictWildcard(start)
	case !ok:
		return s.tok(tokIdent, start)
	case typ == tokCompare:
		s.value, s.regex = true, word == "matches"
	}
	return s.tok(typ, start)
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
	if i == s.off || wordLen(s.src[i:]) != len("wildcard") || s.src[i:i+len("wildcard")] != "wildcard" {
		return token{}, errStrictWithoutWildcard(start)
	}
	s.off = i + len("wildcard")
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
	_, n, err := unquote(s.src[start:], typ == tokRegex)
	return s.stringToken(typ, start, n, err)
}

func (s *scanner) scanRaw(start int) (token, *Error) {
	_, n, err := unquoteRaw(s.src[start:])
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

// symbols maps each operator and punctuation mark to its token type, longest first.
var symbols = []struct {
	text string
	typ  lexer.TokenType
}{
	{"==", tokCompare}, {"!=", tokCompare}, {"<=", tokCompare}, {">=", tokCompare},
	{"&&", tokLogical}, {"||", tokLogical}, {"^^", tokLogical},
	{"<", tokCompare}, {">", tokCompare}, {"~", tokCompare}, {"&", tokCompare},
	{"!", tokNot},
	{"(", tokPunct}, {")", tokPunct}, {"[", tokPunct}, {"]", tokPunct},
	{"{", tokPunct}, {"}", tokPunct}, {",", tokPunct}, {"*", tokPunct},
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
			s.value, s.regex = true, sym.text == "~"
		}
		return s.tok(sym.typ, start)
	}
	return token{}, errUnexpectedChar(start, rest)
}

// unquote decodes the quoted string at the start of src and returns its value
// and its length in src; error offsets are relative to src. With regex set it
// applies the rule of the right side of matches: \" is a quote, any other
// escape pair belongs to the pattern, and a quote inside a [...] class does
// not end the string.
func unquote(src string, regex bool) (string, int, *Error) {
	var b strings.Builder
	inClass := false
	for i := 1; i < len(src); {
		c := src[i]
		switch {
		case c == '\\' && i+1 == len(src):
			i++
		case c == '\\' && regex:
			if src[i+1] == '"' {
				b.WriteByte('"')
			} else {
				b.WriteString(src[i : i+2])
			}
			i += 2
		case c == '\\':
			v, n, err := unescape(src[i:])
			if err != nil {
				err.Offset += i
				return "", 0, err
			}
			b.WriteByte(v)
			i += n
		case c == '"' && !inClass:
			return b.String(), i + 1, nil
		case regex && !inClass && c == '[':
			n := resyntax.ClassOpenLen(src[i:])
			b.WriteString(src[i : i+n])
			i += n
			inClass = true
		case regex && inClass && strings.HasPrefix(src[i:], "[:") && strings.Contains(src[i:], ":]"):
			n := strings.Index(src[i:], ":]") + 2
			b.WriteString(src[i : i+n])
			i += n
		default:
			if c == ']' {
				inClass = false
			}
			b.WriteByte(c)
			i++
		}
	}
	return "", 0, errUnterminatedString(0, len(src), "`\"`")
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

// unquoteRaw returns the value of the raw string r#"…"# at the start of src
// and its length in src.
func unquoteRaw(src string) (string, int, *Error) {
	hashes := 0
	for 1+hashes < len(src) && src[1+hashes] == '#' {
		hashes++
	}
	if hashes > maxRawHashes {
		return "", 0, errRawStringHashes(0, hashes)
	}
	open := 1 + hashes
	if open == len(src) || src[open] != '"' {
		return "", 0, errUnterminatedString(0, open, "`\"` after `r"+strings.Repeat("#", hashes)+"`")
	}
	closing := `"` + strings.Repeat("#", hashes)
	end := strings.Index(src[open+1:], closing)
	if end < 0 {
		return "", 0, errUnterminatedString(0, len(src), "`"+closing+"`")
	}
	return src[open+1 : open+1+end], open + 1 + end + len(closing), nil
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
