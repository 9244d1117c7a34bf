package expr_test

import (
	"strings"
	"testing"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/internal/corpus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParse pins the tree of each input as a compact dump.
func TestParse(t *testing.T) {
	tests := []struct{ name, src, dump string }{
		// Fields, Booleans and comparisons in both notations.
		{"bare field", `ssl`, `ssl`},
		{"true", `true`, `true`},
		{"false", `not false`, `not{false}`},
		{"eq", `ip.src.country eq "GB"`, `eq{ip.src.country "GB"}`},
		{"==", `ip.src.country == "GB"`, `eq{ip.src.country "GB"}`},
		{"ne !=", `a ne 1 and b != 2`, `and{ne{a 1} ne{b 2}}`},
		{"lt <", `a lt 1 and b < 2`, `and{lt{a 1} lt{b 2}}`},
		{"le <=", `a le 1 and b <= 2`, `and{le{a 1} le{b 2}}`},
		{"gt >", `a gt 1 and b > 2`, `and{gt{a 1} gt{b 2}}`},
		{"ge >=", `a ge 1 and b >= 2`, `and{ge{a 1} ge{b 2}}`},
		{"contains", `http.user_agent contains "App_Name 2.0"`, `contains{http.user_agent "App_Name 2.0"}`},
		{"matches", `http.request.uri.path matches "^/api"`, `matches{http.request.uri.path re"^/api"}`},
		{"~", `http.request.uri.path ~ "^/api"`, `matches{http.request.uri.path re"^/api"}`},
		{"wildcard", `http.request.full_uri wildcard "http*://example.com/*"`, `wildcard{http.request.full_uri "http*://example.com/*"}`},
		{"strict wildcard", `http.host strict wildcard "*.Example.com"`, `strict wildcard{http.host "*.Example.com"}`},
		{"strict wildcard over a line break", "http.host strict\n  wildcard \"a*\"", `strict wildcard{http.host "a*"}`},
		{"bitwise_and", `tcp.flags bitwise_and 0x02`, `bitwise_and{tcp.flags 0x02}`},
		{"&", `tcp.flags & 0x02`, `bitwise_and{tcp.flags 0x02}`},
		{"no spaces around symbols", `ip.src==34`, `eq{ip.src 34}`},
		{"no spaces in a logical run", `a==1&&b!=2||!c`, `or{and{eq{a 1} ne{b 2}} not{c}}`},

		// Precedence: not > and > xor > or; runs of one operator are one node.
		{"and run", `a and b and c`, `and{a b c}`},
		{"mixed spellings in one run", `a and b && c`, `and{a b c}`},
		{"and binds tighter than or", `a or b and c`, `or{a and{b c}}`},
		{"and binds tighter than xor", `a xor b and c`, `xor{a and{b c}}`},
		{"xor binds tighter than or", `a or b xor c or d`, `or{a xor{b c} d}`},
		{"^^ and ||", `a ^^ b || c`, `or{xor{a b} c}`},
		{"all four", `not a and b xor c or d`, `or{xor{and{not{a} b} c} d}`},
		{"parens regroup", `(a or b) and c`, `and{or{a b} c}`},
		{"parens keep a nested run", `(a and b) and c`, `and{and{a b} c}`},
		{"not binds to a comparison", `not ip.src in {192.0.2.1}`, `not{in{ip.src {192.0.2.1}}}`},
		{"not binds before and", `not a and b`, `and{not{a} b}`},
		{"not of a group", `not (a or b)`, `not{or{a b}}`},
		{"not chain", `not not !a`, `not{not{not{a}}}`},
		{"! without space", `!ssl`, `not{ssl}`},

		// Keywords need a word boundary.
		{"or inside a word", `ssl or order`, `or{ssl order}`},
		{"and inside a word", `android and ssl`, `and{android ssl}`},
		{"keyword as a name segment", `cf.in.not eq 1`, `eq{cf.in.not 1}`},
		{"digit segment", `cf.response.1xxx_code eq 1020`, `eq{cf.response.1xxx_code 1020}`},

		// Values stay as written until the checker knows their type.
		{"decimal", `x eq 30`, `eq{x 30}`},
		{"negative", `x eq -2`, `eq{x -2}`},
		{"hex", `x eq 0x1F`, `eq{x 0x1F}`},
		{"octal", `x eq 010`, `eq{x 010}`},
		{"ipv4", `ip.src eq 192.0.2.1`, `eq{ip.src 192.0.2.1}`},
		{"ipv6", `ip.src eq 2001:db8::1`, `eq{ip.src 2001:db8::1}`},
		{"ipv6 starting with ::", `ip.src eq ::1`, `eq{ip.src ::1}`},
		{"ipv6 starting with a letter", `ip.src ne fe80::1`, `ne{ip.src fe80::1}`},
		{"byte string", `x eq aa:bb:cc`, `eq{x aa:bb:cc}`},
		{"byte string with dashes", `x eq 01-2e-f3`, `eq{x 01-2e-f3}`},
		{"integer set with ranges", `tcp.dstport in {8000..8009 8080..8089}`, `in{tcp.dstport {8000..8009 8080..8089}}`},
		{"ip set", `ip.src in {198.51.100.1 198.51.100.3..198.51.100.7 192.0.2.0/24 2001:0db8::/32}`,
			`in{ip.src {198.51.100.1 198.51.100.3..198.51.100.7 192.0.2.0/24 2001:0db8::/32}}`},
		{"string set", `http.host in {"example.com" r"example.net"}`, `in{http.host {"example.com" r"example.net"}}`},
		{"empty set", `x in {}`, `in{x {}}`},
		{"set over lines", "x in {\n  1\n  2\n}", `in{x {1 2}}`},
		{"list", `ip.src in $office_network`, `in{ip.src $office_network}`},
		{"managed list", `ip.src in $cf.open_proxies`, `in{ip.src $cf.open_proxies}`},

		// Strings.
		{"escaped quote and backslash", `x eq "a\"b\\c"`, `eq{x "a\"b\\c"}`},
		{"hex escape", `remove_bytes(http.host, "\x2e\x77")`, `remove_bytes(http.host, ".w")`},
		{"octal escape", `x eq "\101\102"`, `eq{x "AB"}`},
		{"non-UTF-8 byte", `x eq "\xff"`, `eq{x "\xff"}`},
		{"raw string", `x matches r"/api/login\.aspx$"`, `matches{x r"/api/login\\.aspx$"}`},
		{"raw string with hashes", `x eq r#"say "hi""#`, `eq{x r"say \"hi\""}`},
		{"raw string with two hashes", `x eq r##"a"#b"##`, `eq{x r"a\"#b"}`},
		{"regex escapes pass through", `x matches "\d{10}\.xml"`, `matches{x re"\\d{10}\\.xml"}`},
		{"regex escaped quote", `x matches "a\"b"`, `matches{x re"a\"b"}`},
		{"regex quote in a class", `x matches "[^"]+"`, `matches{x re"[^\"]+"}`},
		{"regex ] first in a class", `x matches "[]"]"`, `matches{x re"[]\"]"}`},
		{"regex posix class", `x matches "[[:alpha:]"]"`, `matches{x re"[[:alpha:]\"]"}`},
		{"regex unicode flag", `x matches "(?u)\p{Hangul}+"`, `matches{x re"(?u)\\p{Hangul}+"}`},
		{"function argument gets basic escapes", `regex_replace(http.host, "\\\\", "a")`, `regex_replace(http.host, "\\\\", "a")`},

		// Indexes, calls, any and all.
		{"array index", `x[0] eq "a"`, `eq{x[0] "a"}`},
		{"map key", `http.request.headers["content-type"][0] eq "a"`, `eq{http.request.headers["content-type"][0] "a"}`},
		{"star", `any(x[*] == "a")`, `any(eq{x[*] "a"})`},
		{"star twice", `any(http.request.body.multipart.content_transfer_encodings[*][0] == "binary")`,
			`any(eq{http.request.body.multipart.content_transfer_encodings[*][0] "binary"})`},
		{"index of a call", `all(len(x[*])[*] in {3 4})`, `all(in{len(x[*])[*] {3 4}})`},
		{"call without arguments", `uuidv4()`, `uuidv4()`},
		{"call arguments", `substring(http.host, -2, 5)`, `substring(http.host, -2, 5)`},
		{"nested calls", `lower(concat("https://", ip.geoip.country, ".example.com"))`,
			`lower(concat("https://", ip.geoip.country, ".example.com"))`},
		{"logical argument", `any(a[*] eq 1 and b[*] eq 2)`, `any(and{eq{a[*] 1} eq{b[*] 2}})`},
		{"literal on the left", `regex_replace("/b", "^/b$", "/b$$") == "/b$"`, `eq{regex_replace("/b", "^/b$", "/b$$") "/b$"}`},

		// Whitespace: space, tab, CR and LF.
		{"tabs and line breaks", "ssl\tand\r\n(x lt 30)", `and{ssl lt{x 30}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := expr.Parse(tt.src)
			require.NoError(t, err)
			assert.Equal(t, tt.dump, ast.Dump(f))
			assertSpans(t, f)
			assertRoundTrip(t, f)
		})
	}
}

// TestCorpus parses every expression of the documentation and the seeds;
// its canonical form parses back to an equal tree.
func TestCorpus(t *testing.T) {
	entries, err := corpus.Load()
	require.NoError(t, err)
	require.Len(t, entries, 59, "corpus files changed: update this count")
	for _, e := range entries {
		t.Run(e.Tag, func(t *testing.T) {
			f, err := expr.Parse(e.Expr)
			require.NoError(t, err, "line %d: %s", e.Line, e.Expr)
			assertSpans(t, f)
			assertRoundTrip(t, f)
		})
	}
}

// TestFormat pins canonical text: English operators, single spaces, the
// author's parentheses (a doubled pair once), strings re-escaped.
func TestFormat(t *testing.T) {
	tests := []struct{ src, want string }{
		{`(cf.bot_management.score lt 30) and not (cf.bot_management.verified_bot)`,
			`(cf.bot_management.score lt 30) and not (cf.bot_management.verified_bot)`},
		{`(cf.bot_management.score lt 30)&&!(cf.bot_management.verified_bot)`,
			`(cf.bot_management.score lt 30) and not (cf.bot_management.verified_bot)`},
		{`a==1&&b!=2||!c`, `a eq 1 and b ne 2 or not c`},
		{`x ~ "a" ^^ y & 3`, `x matches "a" xor y bitwise_and 3`},
		{`(a==1)||(b<2)`, `(a eq 1) or (b lt 2)`},
		{`!(a)`, `not (a)`},
		{`!!a`, `not not a`},
		{`( a )`, `(a)`},
		{`(  a  eq  1  )`, `(a eq 1)`},
		{`((a))`, `(a)`},
		{`(((a eq 1)))`, `(a eq 1)`},
		{`(a and b)`, `(a and b)`},
		{`((a and b) or c)`, `((a and b) or c)`},
		{`(a and not (b or (c)))`, `(a and not (b or (c)))`},
		{`not ((a))`, `not (a)`},
		{`(A and not B) or (C and not D)`, `(A and not B) or (C and not D)`},
		{`(a or b) and c`, `(a or b) and c`},
		{`(a and b) and c`, `(a and b) and c`},
		{`a and (b and c)`, `a and (b and c)`},
		{`((a)) or ((b and c))`, `(a) or (b and c)`},
		{`not (a or b)`, `not (a or b)`},
		{`not (not (a))`, `not (not (a))`},
		{`(a xor b) or c`, `(a xor b) or c`},
		{`a xor b or c`, `a xor b or c`},
		{`a xor (b or c)`, `a xor (b or c)`},
		{"x   in   {\n1    2\t}", `x in {1 2}`},
		{`x strict   wildcard "a"`, `x strict wildcard "a"`},
		{`f( a ,b )`, `f(a, b)`},
		{`f((a or b), c)`, `f((a or b), c)`},
		{`f(((a)), c)`, `f((a), c)`},
		{`x eq "\x41\102"`, `x eq "AB"`},
		{`x eq "\x00\xff\x0a"`, `x eq "\x00\xff\x0a"`},
		{`x eq "ünï"`, `x eq "ünï"`},
		{`x eq r#"plain"#`, `x eq r"plain"`},
		{`x eq r##"a"b"##`, `x eq r#"a"b"#`},
		{`x matches "a\"b\.c"`, `x matches "a\"b\.c"`},
		{`x matches "[^"]"`, `x matches "[^\"]"`},
		{`x[ * ] eq 1`, `x[*] eq 1`},
		{`x in $list`, `x in $list`},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			f, err := expr.Parse(tt.src)
			require.NoError(t, err)
			assert.Equal(t, tt.want, ast.Format(f))
			assertRoundTrip(t, f)
		})
	}
}

// assertRoundTrip checks that the canonical text of f parses to an equal
// tree and formats to itself.
func assertRoundTrip(t *testing.T, f *ast.Filter) {
	t.Helper()
	text := ast.Format(f)
	again, err := expr.Parse(text)
	require.NoError(t, err, "canonical form %q does not parse", text)
	assert.True(t, ast.Equal(f, again), "round trip changed the tree:\n%s\n%s", ast.Dump(f), ast.Dump(again))
	assert.Equal(t, text, ast.Format(again), "formatting is not idempotent")
}

// assertSpans checks every node's span against the source: it lies inside
// its parent and, for leaves, holds the node's own text.
func assertSpans(t *testing.T, f *ast.Filter) {
	t.Helper()
	src := f.Source
	var parents []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			parents = parents[:len(parents)-1]
			return false
		}
		require.True(t, 0 <= n.Pos() && n.Pos() < n.End() && n.End() <= len(src), "%T span [%d,%d)", n, n.Pos(), n.End())
		if len(parents) > 0 {
			p := parents[len(parents)-1]
			require.True(t, p.Pos() <= n.Pos() && n.End() <= p.End(), "%T outside its parent %T", n, p)
		}
		text := src[n.Pos():n.End()]
		switch n := n.(type) {
		case *ast.Ident:
			assert.Equal(t, n.Name, text)
		case *ast.Literal:
			assert.Equal(t, n.Raw, text)
		case *ast.ListRef:
			assert.Equal(t, "$"+n.Name, text)
		case *ast.ParenExpr, *ast.CallExpr:
			assert.True(t, strings.HasSuffix(text, ")"))
		case *ast.SetLit:
			assert.True(t, strings.HasPrefix(text, "{") && strings.HasSuffix(text, "}"))
		case *ast.CompareExpr:
			op, ok := ast.LookupOp(strings.Join(strings.Fields(src[n.OpPos:n.OpEnd]), " "))
			assert.True(t, ok && op == n.Op, "operator text %q", src[n.OpPos:n.OpEnd])
		case *ast.LogicalExpr:
			for _, p := range n.OpPos {
				op, _ := ast.LookupOp(src[p : p+len(n.Op.String())])
				alt, _ := ast.LookupOp(src[p : p+2])
				assert.True(t, op == n.Op || alt == n.Op, "operator at %d", p)
			}
		}
		parents = append(parents, n)
		return true
	})
}
