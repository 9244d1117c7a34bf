package expr_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/internal/golden"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type errorCase struct {
	name     string
	src      string
	code     expr.Code
	off, len int // the span of the error
}

// errorCases are malformed expressions with the error each must give. Their
// rendered messages are pinned in testdata/errors.golden.
var errorCases = []errorCase{
	{"empty input", ``, expr.ErrUnexpectedToken, 0, 0},
	{"only whitespace", "  \n ", expr.ErrUnexpectedToken, 4, 0},
	{"value missing at the end", `cf.bot_management.score lt`, expr.ErrUnexpectedToken, 26, 0},
	{"value missing before )", `(cf.bot_management.score lt ) and ssl`, expr.ErrUnexpectedToken, 28, 1},
	{"value missing before and", `http.host eq and ssl`, expr.ErrUnexpectedToken, 13, 3},
	{"unterminated string", `http.user_agent contains "App_Name 2.0`, expr.ErrUnterminatedString, 25, 13},
	{"unterminated string at a backslash", `http.host eq "abc\`, expr.ErrUnterminatedString, 13, 5},
	{"bad escape", `http.host eq "a\qb"`, expr.ErrBadEscape, 15, 2},
	{"bad escape of a multi-byte character", `http.host eq "a\ü"`, expr.ErrBadEscape, 15, 3},
	{"bad hex escape", `http.host eq "\x4g"`, expr.ErrBadEscape, 14, 4},
	{"octal escape out of range", `http.host eq "\777"`, expr.ErrBadEscape, 14, 4},
	{"unterminated raw string", `http.host eq r#"abc"`, expr.ErrUnterminatedString, 13, 7},
	{"raw string without a quote", `http.host eq r#abc`, expr.ErrUnterminatedString, 13, 2},
	{"raw string with too many #", `http.host eq r` + strings.Repeat("#", 256) + `"a"` + strings.Repeat("#", 256), expr.ErrRawStringHashes, 13, 257},
	{"unterminated regex", `http.request.uri.path matches "^/api`, expr.ErrUnterminatedString, 30, 6},
	{"quote inside an open regex class", `http.request.uri.path matches "[abc"`, expr.ErrUnterminatedString, 30, 6},
	{"operand missing after and", `ssl and`, expr.ErrUnexpectedToken, 7, 0},
	{"two operators", `ssl and or x`, expr.ErrUnexpectedToken, 8, 2},
	{"starts with an operator", `and ssl`, expr.ErrUnexpectedToken, 0, 3},
	{"not alone", `not`, expr.ErrUnexpectedToken, 3, 0},
	{"unclosed parenthesis", `(ssl and x lt 3`, expr.ErrUnexpectedToken, 15, 0},
	{"extra closing parenthesis", `ssl and x lt 3)`, expr.ErrUnexpectedToken, 14, 1},
	{"unbalanced nested parentheses", `((ssl)`, expr.ErrUnexpectedToken, 6, 0},
	{"empty parentheses", `ssl and ()`, expr.ErrUnexpectedToken, 9, 1},
	{"missing operator", `ssl x`, expr.ErrUnexpectedToken, 4, 1},
	{"uppercase AND", `ssl AND x lt 3`, expr.ErrKeywordCase, 4, 3},
	{"capitalised Or", `ssl Or x lt 3`, expr.ErrKeywordCase, 4, 2},
	{"uppercase NOT", `NOT ssl`, expr.ErrKeywordCase, 0, 3},
	{"uppercase comparison", `cf.bot_management.score LT 30`, expr.ErrKeywordCase, 24, 2},
	{"ends_with used as an operator", `http.request.uri.path ends_with ".html"`, expr.ErrFunctionAsOperator, 22, 9},
	{"function as an operator in parentheses", `(http.request.uri.path ends_with ".php")`, expr.ErrFunctionAsOperator, 23, 9},
	{"call after a comparison", `lower(http.host) ne lower(http.referer)`, expr.ErrValuePlacement, 20, 6},
	{"starts_with used as an operator", `http.request.uri.path starts_with "/api"`, expr.ErrFunctionAsOperator, 22, 11},
	{"CIDR outside a set", `ip.src == 192.0.2.0/24`, expr.ErrValuePlacement, 10, 12},
	{"set after eq", `ip.src eq {192.0.2.0/24}`, expr.ErrValuePlacement, 10, 14},
	{"list after eq", `ip.src eq $cf.open_proxies`, expr.ErrValuePlacement, 10, 16},
	{"in without a set", `ip.src in 192.0.2.1`, expr.ErrValuePlacement, 10, 9},
	{"commas in a set", `http.host in {"a.com", "b.com"}`, expr.ErrUnexpectedToken, 21, 1},
	{"unclosed set", `http.host in {"a.com" "b.com"`, expr.ErrUnexpectedToken, 29, 0},
	{"set without in", `{"a.com"}`, expr.ErrUnexpectedToken, 0, 1},
	{"stray character", `ssl @ x`, expr.ErrUnexpectedChar, 4, 1},
	{"single =", `http.host = "a.com"`, expr.ErrUnexpectedChar, 10, 1},
	{"single |", `ssl | x`, expr.ErrUnexpectedChar, 4, 1},
	{"single ^", `ssl ^ x`, expr.ErrUnexpectedChar, 4, 1},
	{"single quotes", `http.host eq 'a.com'`, expr.ErrUnexpectedChar, 13, 1},
	{"comment in an expression", `http.host eq "a.example.com" # the shop`, expr.ErrUnexpectedChar, 29, 1},
	{"control character", "ssl \x01", expr.ErrUnexpectedChar, 4, 1},
	{"Boolean compared with true", `ssl eq true`, expr.ErrUnexpectedToken, 7, 4},
	{"index missing", `http.request.headers[`, expr.ErrUnexpectedToken, 21, 0},
	{"index not closed", `http.request.headers["x"`, expr.ErrUnexpectedToken, 24, 0},
	{"unquoted map key", `http.request.headers[host][0] eq "a"`, expr.ErrUnexpectedToken, 21, 4},
	{"raw map key", `http.request.headers[r"host"][0] eq "a"`, expr.ErrUnexpectedToken, 21, 7},
	{"argument missing after a comma", `starts_with(http.request.uri.path, )`, expr.ErrUnexpectedToken, 35, 1},
	{"comma missing between arguments", `starts_with(http.request.uri.path "/api")`, expr.ErrUnexpectedToken, 34, 6},
	{"call not closed", `lower(http.host`, expr.ErrUnexpectedToken, 15, 0},
	{"call of a literal", `"lower"(http.host) eq "a"`, expr.ErrUnexpectedToken, 7, 1},
	{"list without a name", `ip.src in $`, expr.ErrBadName, 10, 1},
	{"name ending with a dot", `http. eq 1`, expr.ErrBadName, 0, 5},
	{"strict without wildcard", `http.host strict "a*"`, expr.ErrUnexpectedToken, 10, 6},
	{"error after tabs", "ssl\tand\tx lt\t)", expr.ErrUnexpectedToken, 13, 1},
	{"error on the third line", "ssl\nand (x lt 30\n))", expr.ErrUnexpectedToken, 18, 1},
	{"error after multi-byte characters", `http.host eq "ünï" and ü`, expr.ErrUnexpectedChar, 25, 2},
	{"error far into a long line", strings.Repeat("x eq 1 and ", 30) + "x eq", expr.ErrUnexpectedToken, 334, 0},
	{"over-long input", `http.host eq "` + strings.Repeat("a", expr.DefaultMaxLength) + `"`, expr.ErrTooLong, 4096, 15},
	{"parentheses nested deeper than 128", strings.Repeat("(", 129) + "ssl" + strings.Repeat(")", 129), expr.ErrNestingDepth, 128, 1},
	{"not nested deeper than 128", strings.Repeat("not ", 129) + "ssl", expr.ErrNestingDepth, 512, 3},
	{"calls nested deeper than 128", strings.Repeat("lower(", 129) + "x" + strings.Repeat(")", 129), expr.ErrNestingDepth, 768, 6},
}

// TestErrors pins the code and span of each error, and its rendered text in
// a golden file.
func TestErrors(t *testing.T) {
	runErrorCases(t, errorCases, func(src string) error { _, err := expr.Parse(src); return err }, "testdata/errors.golden")
}

// runErrorCases checks that each case fails with its code and span, and
// compares the rendered errors with a golden file.
func runErrorCases(t *testing.T, cases []errorCase, try func(src string) error, goldenPath string) {
	require.GreaterOrEqual(t, len(cases), 40)
	var rendered strings.Builder
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			err := try(tt.src)
			var e *expr.Error
			require.True(t, errors.As(err, &e), "want an *expr.Error, got %v", err)
			assert.Equal(t, tt.code, e.Code, "code")
			assert.Equal(t, tt.off, e.Offset, "offset")
			assert.Equal(t, tt.len, e.Len, "length")
			assertLocated(t, tt.src, e)
			fmt.Fprintf(&rendered, "### %s\n%s\n\n", tt.name, err)
		})
	}
	golden.Check(t, goldenPath, rendered.String())
}

// assertLocated checks an error's span lies in the source and its line and
// column agree with its offset.
func assertLocated(t *testing.T, src string, e *expr.Error) {
	t.Helper()
	require.True(t, 0 <= e.Offset && e.Offset+e.Len <= len(src), "span [%d,+%d) outside %d bytes", e.Offset, e.Len, len(src))
	before := src[:e.Offset]
	assert.Equal(t, strings.Count(before, "\n")+1, e.Line, "line")
	assert.Equal(t, len(before)-strings.LastIndex(before, "\n"), e.Col, "column")
}

func TestLimitOptions(t *testing.T) {
	long := `http.host eq "` + strings.Repeat("a", 5000) + `"`
	_, err := expr.Parse(long)
	require.Error(t, err)
	_, err = expr.Parse(long, expr.MaxLength(8000))
	var e *expr.Error
	require.ErrorAs(t, err, &e, "the string inside is over MaxStringLength")
	assert.Equal(t, expr.ErrStringTooLong, e.Code)
	assert.Equal(t, 13, e.Offset)
	_, err = expr.Parse(long, expr.MaxLength(8000), expr.MaxStringLength(6000))
	require.NoError(t, err)
	_, err = expr.Parse(`x eq r#"abcdef"#`, expr.MaxStringLength(8))
	require.ErrorAs(t, err, &e, "raw strings count too")
	assert.Contains(t, e.Msg, "the string is 11 bytes long; the limit (MaxStringLength) is 8 bytes")

	nested := func(n int) string { return strings.Repeat("(", n) + "ssl" + strings.Repeat(")", n) }
	_, err = expr.Parse(nested(expr.DefaultMaxDepth))
	require.NoError(t, err, "the default depth itself is allowed")
	_, err = expr.Parse(nested(11), expr.MaxDepth(10))
	require.ErrorAs(t, err, &e)
	assert.Equal(t, expr.ErrNestingDepth, e.Code)
	assert.Contains(t, e.Msg, "deeper than 10 levels")
	_, err = expr.Parse(nested(10), expr.MaxDepth(10))
	require.NoError(t, err)

	// not and calls count as levels too, mixed with parentheses.
	mixed := strings.Repeat("not (", 5) + "ssl" + strings.Repeat(")", 5)
	_, err = expr.Parse(mixed, expr.MaxDepth(9))
	require.ErrorAs(t, err, &e)
	assert.Equal(t, expr.ErrNestingDepth, e.Code)
	_, err = expr.Parse(mixed, expr.MaxDepth(10))
	require.NoError(t, err)

	_, err = expr.Parse(nested(3), expr.MaxDepth(0), expr.MaxLength(-1))
	require.NoError(t, err, "limits below 1 keep the defaults")
}

// TestCompileLimits checks the limits the checker and the compiler keep.
func TestCompileLimits(t *testing.T) {
	set := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "%d ", i)
		}
		return `cf.edge.server_port in {` + b.String() + `}`
	}
	_, err := expr.Compile(set(11), fields.Cloudflare(), expr.MaxSetSize(10))
	var e *expr.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, expr.ErrSetTooLarge, e.Code)
	assert.Equal(t, "the set has 11 elements; the limit (MaxSetSize) is 10", e.Msg)
	_, err = expr.Compile(set(10), fields.Cloudflare(), expr.MaxSetSize(10))
	require.NoError(t, err)

	_, err = expr.Compile(`http.user_agent matches "[a-z]{500}"`, fields.Cloudflare(), expr.MaxRegexSize(300))
	require.ErrorAs(t, err, &e)
	assert.Equal(t, expr.ErrRegexTooLarge, e.Code)
	assert.Contains(t, e.Msg, "the limit (MaxRegexSize) is 300")
	assert.Equal(t, 24, e.Offset, "at the pattern")
	_, err = expr.Compile(`regex_replace(http.host, "(a|b){400}", "x") eq "y"`, fields.Cloudflare(), expr.MaxRegexSize(300))
	require.ErrorAs(t, err, &e)
	assert.Equal(t, expr.ErrRegexTooLarge, e.Code, "regex_replace's pattern too")
	_, err = expr.Compile(`http.user_agent matches "[a-z]{500}"`, fields.Cloudflare())
	require.NoError(t, err, "the default allows it")

	_, err = expr.Compile(strings.Repeat(`ssl and `, 3)+`http.host matches "a" and http.host matches "b"`, fields.Cloudflare(), expr.MaxRegexes(1))
	require.ErrorAs(t, err, &e)
	assert.Equal(t, expr.ErrTooManyRegexes, e.Code)
}

// TestFirstErrorWins checks that a syntax error before a lexical one is the
// one reported.
func TestFirstErrorWins(t *testing.T) {
	_, err := expr.Parse(`x eq ) and y eq "unterminated`)
	var e *expr.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, expr.ErrUnexpectedToken, e.Code)
	assert.Equal(t, 5, e.Offset)

	_, err = expr.Parse(`x eq "bad \q" and )`)
	require.ErrorAs(t, err, &e)
	assert.Equal(t, expr.ErrBadEscape, e.Code)
}
