package eval

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/internal/resyntax"
)

// The implementations of the built-in functions, which functions.go declares.

func sha256Sum(s string) string { h := sha256.Sum256([]byte(s)); return string(h[:]) }

// stringMap lifts a function of one string; a missing input gives missing.
func stringMap(f func(string) string) Func {
	return func(args []Value) Value {
		if args[0].Missing() {
			return Value{}
		}
		return String(f(args[0].str))
	}
}

// stringTest lifts a test of two strings; a missing input gives false.
func stringTest(f func(s, t string) bool) Func {
	return func(args []Value) Value {
		return Bool(!args[0].Missing() && !args[1].Missing() && f(args[0].str, args[1].str))
	}
}

// concat joins strings and integers as text, a missing value counting as
// ""; given arrays, it joins their elements into one array.
func concat(args []Value) Value {
	if args[0].typ.IsArray() {
		out := Value{typ: args[0].typ}
		for _, a := range args {
			out.elems = append(out.elems, a.elems...)
		}
		return out
	}
	var b strings.Builder
	for _, a := range args {
		if a.typ == fields.Int {
			b.WriteString(strconv.FormatInt(a.num, 10))
		} else {
			b.WriteString(a.str)
		}
	}
	return String(b.String())
}

func length(args []Value) Value {
	switch a := args[0]; {
	case a.typ == fields.String:
		return Int(int64(len(a.str)))
	case a.typ.IsArray() || a.typ.IsMap():
		return Int(int64(len(a.elems)))
	}
	return Value{}
}

// lookupJSON walks a JSON document by object keys (strings) and array
// indexes (integers) and returns the value there if it has type t; an
// integer must be written as one (42, not 42.0).
func lookupJSON(t fields.Type) Func {
	return func(args []Value) Value {
		if args[0].Missing() {
			return Value{}
		}
		d := json.NewDecoder(strings.NewReader(args[0].str))
		d.UseNumber()
		var doc any
		if d.Decode(&doc) != nil {
			return Value{}
		}
		for _, k := range args[1:] {
			switch node := doc.(type) {
			case map[string]any:
				doc = node[k.str]
				if k.typ != fields.String {
					return Value{}
				}
			case []any:
				if k.typ != fields.Int || k.num < 0 || k.num >= int64(len(node)) {
					return Value{}
				}
				doc = node[k.num]
			default:
				return Value{}
			}
		}
		switch v := doc.(type) {
		case string:
			if t == fields.String {
				return String(v)
			}
		case json.Number:
			if n, err := strconv.ParseInt(string(v), 10, 64); err == nil && t == fields.Int {
				return Int(n)
			}
		}
		return Value{}
	}
}

// removeBytes drops every byte of its second argument from its first.
func removeBytes(args []Value) Value {
	if args[0].Missing() {
		return Value{}
	}
	drop := args[1].str
	out := make([]byte, 0, len(args[0].str))
	for _, c := range []byte(args[0].str) {
		if strings.IndexByte(drop, c) < 0 {
			out = append(out, c)
		}
	}
	return String(string(out))
}

// substring slices bytes [start, end); negative indexes count from the end
// and indexes past either end stop there.
func substring(args []Value) Value {
	s := args[0]
	if s.Missing() || args[1].Missing() {
		return Value{}
	}
	n := int64(len(s.str))
	clamp := func(i int64) int64 {
		if i < 0 {
			i += n
		}
		return min(max(i, 0), n)
	}
	start, end := clamp(args[1].num), n
	if len(args) > 2 && !args[2].Missing() {
		end = clamp(args[2].num)
	}
	if start >= end {
		return String("")
	}
	return String(s.str[start:end])
}

// MaxURLDecodePasses is how many times url_decode with the r option decodes
// a value at most: a value encoded more deeply keeps its last layers.
const MaxURLDecodePasses = 32

// validateURLDecode accepts the options r (recursive) and u (%uXXXX).
func validateURLDecode(lits []any) *fields.ArgError {
	if opts := litString(lits, 1); strings.Trim(opts, "ru") != "" {
		return argError(1, "url_decode options are `r` (recursive) and `u` (%%uXXXX), found %q", opts)
	}
	return nil
}

func prepareURLDecode(c *compiler, x *ast.CallExpr) Func {
	opts := c.literal(x, 1).str
	recursive, unicode := strings.Contains(opts, "r"), strings.Contains(opts, "u")
	return stringMap(func(s string) string {
		// Each pass is linear; bounding them keeps a value such as
		// %25252525… from costing a pass per level.
		for range MaxURLDecodePasses {
			d := urlDecode(s, unicode)
			if !recursive || d == s {
				return d
			}
			s = d
		}
		return s
	})
}

// urlDecode decodes %XX and + (a space); with unicode, %uXXXX too. A % not
// followed by hex digits stays as it is.
func urlDecode(s string, unicode bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b.WriteByte(' ')
		case c == '%' && i+2 < len(s) && isHexByte(s[i+1]) && isHexByte(s[i+2]):
			v, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b.WriteByte(byte(v))
			i += 2
		case c == '%' && unicode && i+5 < len(s) && (s[i+1] == 'u' || s[i+1] == 'U') && allHex(s[i+2:i+6]):
			v, _ := strconv.ParseUint(s[i+2:i+6], 16, 32)
			b.WriteRune(rune(v))
			i += 5
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHexByte(c byte) bool {
	return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f'
}

func allHex(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r > 0x7f || !isHexByte(byte(r)) }) < 0
}

// validateCIDR checks the prefix lengths of cidr (IPv4 1–32, IPv6 1–128)
// and cidr6 (IPv6 only).
func validateCIDR(v6Only bool) func(lits []any) *fields.ArgError {
	name, v6Arg := "cidr", 2
	if v6Only {
		name, v6Arg = "cidr6", 1
	}
	return func(lits []any) *fields.ArgError {
		if v4 := litInt(lits, 1); !v6Only && (v4 < 1 || v4 > 32) {
			return argError(1, "the IPv4 prefix length of cidr is 1 to 32, found %d", v4)
		}
		if v6 := litInt(lits, v6Arg); v6 < 1 || v6 > 128 {
			return argError(v6Arg, "the IPv6 prefix length of %s is 1 to 128, found %d", name, v6)
		}
		return nil
	}
}

// prepareCIDR keeps the prefix of an address (cidr6 passes IPv4 addresses
// unchanged).
func prepareCIDR(v6Only bool) prepared {
	return func(c *compiler, x *ast.CallExpr) Func {
		if v6Only {
			return prefixOf(32, c.literal(x, 1).num)
		}
		return prefixOf(c.literal(x, 1).num, c.literal(x, 2).num)
	}
}

// prefixOf keeps the first v4 bits of an IPv4 address, v6 of an IPv6 one.
func prefixOf(v4, v6 int64) Func {
	return func(args []Value) Value {
		a := args[0]
		if a.Missing() {
			return Value{}
		}
		bits := v6
		if a.ip.Is4() {
			bits = v4
		}
		p, _ := a.ip.Prefix(int(bits))
		return IP(p.Addr())
	}
}

// decodeBase64 accepts the standard and the URL alphabet, padded or not.
func decodeBase64(args []Value) Value {
	if args[0].Missing() {
		return Value{}
	}
	s := args[0].str
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return String(string(b))
		}
	}
	return Value{}
}

// validateEncodeBase64 accepts the flags u (URL-safe) and p (padding).
func validateEncodeBase64(lits []any) *fields.ArgError {
	if flags := litString(lits, 1); strings.Trim(flags, "up") != "" {
		return argError(1, "encode_base64 flags are `u` (URL-safe) and `p` (padding), found %q", flags)
	}
	return nil
}

// prepareEncodeBase64 reads the flags: u for the URL alphabet, p to pad.
// The default is the standard alphabet without padding.
func prepareEncodeBase64(c *compiler, x *ast.CallExpr) Func {
	flags := c.literal(x, 1).str
	enc := base64.RawStdEncoding
	if strings.Contains(flags, "u") {
		enc = base64.RawURLEncoding
	}
	if strings.Contains(flags, "p") {
		enc = enc.WithPadding(base64.StdPadding)
	}
	return stringMap(func(s string) string { return enc.EncodeToString([]byte(s)) })
}

func join(args []Value) Value {
	if args[0].Missing() || args[1].Missing() {
		return Value{}
	}
	parts := make([]string, len(args[0].elems))
	for i, e := range args[0].elems {
		parts[i] = e.str
	}
	return String(strings.Join(parts, args[1].str))
}

// validateSplit checks the separator (not empty) and the limit (1 to 128).
func validateSplit(lits []any) *fields.ArgError {
	if sep, ok := lits[1].(string); ok && sep == "" {
		return argError(1, "the separator of split must not be empty")
	}
	if limit := litInt(lits, 2); limit < 1 || limit > 128 {
		return argError(2, "the limit of split is 1 to 128, found %d", limit)
	}
	return nil
}

func prepareSplit(c *compiler, x *ast.CallExpr) Func {
	sep, limit := c.literal(x, 1).str, c.literal(x, 2).num
	return func(args []Value) Value {
		if args[0].Missing() {
			return Value{}
		}
		return Strings(strings.SplitN(args[0].str, sep, int(limit))...)
	}
}

func toString(args []Value) Value {
	switch a := args[0]; a.typ {
	case fields.Int:
		return String(strconv.FormatInt(a.num, 10))
	case fields.Bool:
		return String(strconv.FormatBool(a.Bool()))
	case fields.IP:
		return String(a.ip.String())
	}
	return Value{}
}

// removeQueryArgs drops every parameter with one of the names from a query
// string, keeping the order of the rest.
func removeQueryArgs(args []Value) Value {
	if args[0].Missing() {
		return Value{}
	}
	var kept []string
	for _, p := range strings.Split(args[0].str, "&") {
		name, _, _ := strings.Cut(p, "=")
		drop := false
		for _, n := range args[1:] {
			drop = drop || name == n.str
		}
		if !drop {
			kept = append(kept, p)
		}
	}
	return String(strings.Join(kept, "&"))
}

// uuidFromSeed makes a version 4 UUID from the bytes of a seed such as
// cf.random_seed: the same seed gives the same UUID.
func uuidFromSeed(seed string) string {
	h := sha256.Sum256([]byte(seed))
	b := h[:16]
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// validateTimedHMAC checks the separator length (not negative) and the
// flag (only s).
func validateTimedHMAC(lits []any) *fields.ArgError {
	if sepLen, ok := lits[4].(int64); ok && sepLen < 0 {
		return argError(4, "the separator length must not be negative")
	}
	if flags := litString(lits, 5); flags != "" && flags != "s" {
		return argError(5, "the only flag of is_timed_hmac_valid_v0 is `s`, found %q", flags)
	}
	return nil
}

// prepareTimedHMAC validates tokens of the form message, separator,
// timestamp (10 digits), "-", MAC, where MAC is the base64 HMAC-SHA256 of
// message+timestamp under key: URL-encoded standard base64, or with flag s
// URL-safe base64 without padding. The token is valid while now minus its
// timestamp is at most ttl.
func prepareTimedHMAC(c *compiler, x *ast.CallExpr) Func {
	key, ttl := []byte(c.literal(x, 0).str), c.literal(x, 2).num
	sepLen, flags := c.literal(x, 4).num, c.literal(x, 5).str
	return func(args []Value) Value {
		msg, now := args[1], args[3]
		if msg.Missing() || now.Missing() {
			return Bool(false)
		}
		dash := strings.LastIndexByte(msg.str, '-')
		if dash < 10+int(sepLen) {
			return Bool(false)
		}
		stamp := msg.str[dash-10 : dash]
		t, err := strconv.ParseInt(stamp, 10, 64)
		if err != nil || now.num-t > ttl || t > now.num {
			return Bool(false)
		}
		var mac []byte
		if flags == "s" {
			mac, err = base64.RawURLEncoding.DecodeString(msg.str[dash+1:])
		} else if unescaped, uerr := url.QueryUnescape(msg.str[dash+1:]); uerr == nil {
			mac, err = base64.StdEncoding.DecodeString(unescaped)
		} else {
			err = uerr
		}
		if err != nil {
			return Bool(false)
		}
		h := hmac.New(sha256.New, key)
		h.Write([]byte(msg.str[:dash-10-int(sepLen)] + stamp))
		return Bool(hmac.Equal(h.Sum(nil), mac))
	}
}

// prepareRegexReplace compiles the pattern and the replacement once.
func prepareRegexReplace(c *compiler, x *ast.CallExpr) Func {
	re, _, ok := c.regex(x.Args[1], c.literal(x, 1).str)
	if !ok {
		return nil
	}
	return c.replacer(x, re)
}

// validateRegexReplace checks that the pattern parses and that the
// replacement refers only to groups the pattern has.
func validateRegexReplace(lits []any) *fields.ArgError {
	pattern, ok := lits[1].(string)
	if !ok {
		return nil
	}
	re, err := resyntax.Parse(pattern)
	if err != nil {
		return &fields.ArgError{Arg: 1, Pattern: true, Msg: fmt.Sprintf("invalid regular expression: %v", err)}
	}
	return validateReplacement(lits, re.MaxCap())
}

// validateReplacement checks the replacement, argument 2, against the
// number of groups of the pattern.
func validateReplacement(lits []any, groups int) *fields.ArgError {
	if _, err := parseReplacement(litString(lits, 2), groups); err != nil {
		return argError(2, "%v", err)
	}
	return nil
}

// replacer returns a function that replaces the first match of re with the
// replacement in argument 2 of a call, or returns its input unchanged.
func (c *compiler) replacer(x *ast.CallExpr, re *regexp.Regexp) Func {
	repl, err := parseReplacement(c.literal(x, 2).str, re.NumSubexp())
	if err != nil { // not on a checked tree: validateReplacement refused it
		c.fail(x.Args[2], "bad-value", "%v", err)
		return nil
	}
	return stringMap(func(s string) string {
		m := re.FindStringSubmatchIndex(s)
		if m == nil {
			return s
		}
		return s[:m[0]] + repl.expand(s, m) + s[m[1]:]
	})
}

// prepareWildcardReplace matches the whole source against a wildcard
// pattern (case-insensitive unless the flag is s); on a match the result is
// the replacement with ${n} for what the n-th star matched, stars matching
// as little as they can; otherwise the source is returned unchanged.
func prepareWildcardReplace(c *compiler, x *ast.CallExpr) Func {
	flags := c.literal(x, 3).str
	w, err := compileWildcard(c.literal(x, 1).str, false)
	if err != nil { // not on a checked tree: validateWildcardReplace refused it
		c.fail(x.Args[1], "bad-value", "invalid wildcard pattern: %v", err)
		return nil
	}
	var pattern strings.Builder
	pattern.WriteString("(?s")
	if flags != "s" {
		pattern.WriteString("i")
	}
	pattern.WriteString(")^")
	for i, part := range w.parts {
		if i > 0 {
			pattern.WriteString("(.*?)")
		}
		pattern.WriteString(regexp.QuoteMeta(part))
	}
	pattern.WriteString("$")
	// Anchored at both ends, the first match is the whole value.
	re, _, ok := c.regex(x.Args[1], pattern.String())
	if !ok {
		return nil
	}
	return c.replacer(x, re)
}

// validateWildcardReplace checks the flag (only s), the pattern, and that
// the replacement refers only to stars the pattern has.
func validateWildcardReplace(lits []any) *fields.ArgError {
	if flags := litString(lits, 3); flags != "" && flags != "s" {
		return argError(3, "the only flag of wildcard_replace is `s`, found %q", flags)
	}
	pattern, ok := lits[1].(string)
	if !ok {
		return nil
	}
	w, err := compileWildcard(pattern, false)
	if err != nil {
		return &fields.ArgError{Arg: 1, Pattern: true, Msg: fmt.Sprintf("invalid wildcard pattern: %v", err)}
	}
	return validateReplacement(lits, len(w.parts)-1)
}

// litString and litInt read a literal argument for a validator: the zero
// value when it is not a literal or is left out.
func litString(lits []any, i int) string {
	if i < len(lits) {
		s, _ := lits[i].(string)
		return s
	}
	return ""
}

func litInt(lits []any, i int) int64 {
	if i < len(lits) {
		n, _ := lits[i].(int64)
		return n
	}
	return 0
}

func argError(arg int, format string, args ...any) *fields.ArgError {
	return &fields.ArgError{Arg: arg, Msg: fmt.Sprintf(format, args...)}
}

// A replacement is the text of regex_replace and wildcard_replace: ${1} to
// ${8} stand for captured groups and $$ for a dollar sign.
type replacement struct {
	lits   []string // lits[i] comes before group refs[i]; one more lit than refs
	groups []int
}

func parseReplacement(s string, groups int) (replacement, error) {
	var r replacement
	var lit strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case strings.HasPrefix(s[i:], "$$"):
			lit.WriteByte('$')
			i++
		case strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i:], '}')
			n, err := strconv.Atoi(s[i+2 : i+max(end, 2)])
			if end < 0 || err != nil || n < 1 || n > 8 {
				return r, fmt.Errorf("a replacement refers to groups as ${1} to ${8}, and writes $ as $$")
			}
			if n > groups {
				return r, fmt.Errorf("the replacement uses ${%d}, but the pattern has only %d capturing groups", n, groups)
			}
			r.lits = append(r.lits, lit.String())
			r.groups = append(r.groups, n)
			lit.Reset()
			i += end
		default:
			lit.WriteByte(s[i])
		}
	}
	r.lits = append(r.lits, lit.String())
	return r, nil
}

func (r replacement) expand(s string, m []int) string {
	var b bytes.Buffer
	for i, g := range r.groups {
		b.WriteString(r.lits[i])
		if lo := m[2*g]; lo >= 0 {
			b.WriteString(s[lo:m[2*g+1]])
		}
	}
	b.WriteString(r.lits[len(r.lits)-1])
	return b.String()
}
