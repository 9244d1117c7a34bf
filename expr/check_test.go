package expr_test

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// typeErrorCases are expressions that parse but do not compile with the
// standard scheme, with the first error each gives. Their rendered
// messages are pinned in testdata/type-errors.golden.
var typeErrorCases = []errorCase{
	{"misspelt field", `cf.bot_managment.score lt 30`, expr.ErrUnknownField, 0, 22},
	{"misspelt header field", `http.useragent contains "curl"`, expr.ErrUnknownField, 0, 14},
	{"unknown field, no suggestion", `request.path eq "/"`, expr.ErrUnknownField, 0, 12},
	{"function used as a field", `lower eq "a"`, expr.ErrNotCondition, 0, 5},
	{"field called as a function", `http.host("a")`, expr.ErrUnknownFunction, 0, 9},
	{"misspelt function", `lowr(http.host) eq "a"`, expr.ErrUnknownFunction, 0, 4},
	{"String field used bare", `http.host`, expr.ErrNotCondition, 0, 9},
	{"Int field used bare", `cf.bot_management.score and ssl`, expr.ErrNotCondition, 0, 23},
	{"Array field used bare", `cf.bot_management.detection_ids`, expr.ErrNotCondition, 0, 31},
	{"not of a String", `not http.host`, expr.ErrNotCondition, 4, 9},
	{"value expression as a filter", `lower(http.host)`, expr.ErrNotCondition, 0, 16},
	{"Boolean compared with eq", `ssl eq 1`, expr.ErrTypeMismatch, 0, 8},
	{"Boolean compared with ne", `cf.bot_management.verified_bot ne 0`, expr.ErrTypeMismatch, 0, 35},
	{"ordering on IP", `ip.src lt 192.0.2.1`, expr.ErrTypeMismatch, 7, 2},
	{"contains on Int", `cf.bot_management.score contains 3`, expr.ErrTypeMismatch, 24, 8},
	{"matches on IP", `ip.src matches "^10\."`, expr.ErrTypeMismatch, 7, 7},
	{"wildcard on Int", `cf.waf.score wildcard "1*"`, expr.ErrTypeMismatch, 13, 8},
	{"strict wildcard on IP", `ip.src strict wildcard "10.*"`, expr.ErrTypeMismatch, 7, 15},
	{"bitwise_and on String", `http.host & 1`, expr.ErrTypeMismatch, 10, 1},
	{"Array compared whole", `http.request.headers.names eq "a"`, expr.ErrTypeMismatch, 0, 26},
	{"Map compared whole", `http.request.headers contains "a"`, expr.ErrTypeMismatch, 0, 20},
	{"unquoted String", `http.host eq example.com`, expr.ErrBadValue, 13, 11},
	{"field compared with a field", `http.host eq http.referer`, expr.ErrBadValue, 13, 12},
	{"field of another namespace", `cf.bot_management.verified_bot_category eq "Search Engine Crawler"`, expr.ErrUnknownField, 0, 39},
	{"number for a String", `http.host eq 3`, expr.ErrBadValue, 13, 1},
	{"quoted Int", `cf.bot_management.score eq "3"`, expr.ErrBadValue, 27, 3},
	{"bad octal", `cf.bot_management.score eq 08`, expr.ErrBadValue, 27, 2},
	{"Int too large", `cf.bot_management.score lt 99999999999999999999`, expr.ErrBadValue, 27, 20},
	{"not an IP", `ip.src eq 256.1.1.1`, expr.ErrBadValue, 10, 9},
	{"quoted IP", `ip.src eq "192.0.2.1"`, expr.ErrBadValue, 10, 11},
	{"CIDR with host bits", `ip.src in {192.0.2.1/24}`, expr.ErrBadValue, 11, 12},
	{"range across families", `ip.src in {10.0.0.1..::1}`, expr.ErrBadValue, 11, 13},
	{"empty Int range", `cf.edge.server_port in {90..80}`, expr.ErrBadValue, 24, 6},
	{"String in an Int set", `cf.edge.server_port in {80 "443"}`, expr.ErrBadValue, 27, 5},
	{"regex that is not a string", `http.host matches 1`, expr.ErrTypeMismatch, 18, 1},
	{"ASN list on an IP field", `ip.src in $cf.open_proxies and ip.src.asnum in $cf.vpn`, expr.ErrListKind, 47, 7},
	{"star at the top", `http.request.headers.names[*] eq "x"`, expr.ErrStar, 0, 36},
	{"star twice", `any(http.request.headers[*][*] eq "x")`, expr.ErrStar, 27, 3},
	{"star mixed with a single condition", `any(http.request.headers.names[*] eq "x" and ssl)`, expr.ErrStar, 4, 44},
	{"star over two arrays", `any(http.request.headers.names[*] eq "a" and http.request.headers.values[*] eq "b")`, expr.ErrStar, 45, 37},
	{"star in a second argument", `concat("a", http.request.headers.names[*]) eq "b"`, expr.ErrStar, 12, 29},
	{"index on a String", `http.host[0] eq "a"`, expr.ErrTypeMismatch, 0, 12},
	{"quoted index of an Array", `http.request.headers.names["a"] eq "b"`, expr.ErrBadValue, 27, 3},
	{"number index of a Map", `http.request.headers[0][0] eq "b"`, expr.ErrBadValue, 21, 1},
	{"negative index", `http.request.headers.names[-1] eq "b"`, expr.ErrBadValue, 27, 2},
	{"too few arguments", `starts_with(http.host) `, expr.ErrArgumentCount, 0, 22},
	{"too many arguments", `lower(http.host, "x") eq "a"`, expr.ErrArgumentCount, 0, 21},
	{"argument of the wrong type", `lower(cf.bot_management.score) eq "a"`, expr.ErrTypeMismatch, 6, 23},
	{"literal where a field must be", `ends_with(".html", http.request.uri.path)`, expr.ErrArgumentKind, 10, 7},
	{"field where a literal must be", `split(http.host, http.host, 2)[0] eq "a"`, expr.ErrArgumentKind, 17, 9},
	{"any of a single condition", `any(ssl)`, expr.ErrTypeMismatch, 4, 3},
	{"to_string of a String", `to_string(http.host) eq "a"`, expr.ErrTypeMismatch, 10, 9},
	{"bad regex", `http.request.uri.path matches "(unclosed"`, expr.ErrBadPattern, 30, 11},
	{"bad regex in regex_replace", `regex_replace(http.host, "a(", "b") eq "c"`, expr.ErrBadPattern, 25, 4},
	{"double star in a wildcard", `http.host wildcard "**.example.com"`, expr.ErrBadPattern, 19, 16},
	{"bad escape in a wildcard", `http.host wildcard "a\\b"`, expr.ErrBadPattern, 19, 6},
	{"split limit out of range", `split(http.host, ".", 200)[0] eq "a"`, expr.ErrBadValue, 22, 3},
	{"empty split separator", `split(http.host, "", 2)[0] eq "a"`, expr.ErrBadValue, 17, 2},
	{"cidr prefix out of range", `cidr(ip.src, 33, 64) eq 10.0.0.0`, expr.ErrBadValue, 13, 2},
	{"unknown url_decode option", `url_decode(http.host, "x") eq "a"`, expr.ErrBadValue, 22, 3},
	{"unknown base64 flag", `encode_base64(http.host, "z") eq "a"`, expr.ErrBadValue, 25, 3},
	{"replacement group out of range", `regex_replace(http.host, "(a)", "${2}") eq "a"`, expr.ErrBadValue, 32, 6},
	{"too many regular expressions", strings.Repeat(`http.host matches "a" or `, 64) + `http.host matches "b"`, expr.ErrTooManyRegexes, 1618, 3},
}

func TestTypeErrors(t *testing.T) {
	runErrorCases(t, typeErrorCases, func(src string) error {
		_, err := expr.Compile(src, fields.Cloudflare())
		return err
	}, "testdata/type-errors.golden")
}

// TestCheckOwnsSemanticErrors: what the compiler once refused in a tree
// Check had accepted, Check now refuses, with its code and span.
func TestCheckOwnsSemanticErrors(t *testing.T) {
	for _, tt := range []errorCase{
		{"star over two arrays", `any(http.request.headers.names[*] eq "a" and http.request.headers.values[*] eq "b")`, expr.ErrStar, 45, 37},
		{"star over two arrays, nested", `any(http.request.headers.names[*] eq "a" and (http.request.headers.names[*] eq "b" or http.request.headers.values[*] contains "c"))`, expr.ErrStar, 86, 43},
		{"star over an element and over its array", `any(http.request.headers["a"][*] eq "b" or http.request.headers.names[*] eq "c")`, expr.ErrStar, 43, 36},
		{"bad regex", `http.request.uri.path matches "(unclosed"`, expr.ErrBadPattern, 30, 11},
		{"bad regex over [*]", `any(http.request.headers.names[*] matches "a{2,1}")`, expr.ErrBadPattern, 42, 8},
		{"double star in a wildcard", `http.host wildcard "**.example.com"`, expr.ErrBadPattern, 19, 16},
		{"bad escape in a strict wildcard", `http.host strict wildcard "a\\b"`, expr.ErrBadPattern, 26, 6},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tree, err := expr.Parse(tt.src)
			require.NoError(t, err)
			_, err = expr.Check(tree, fields.Cloudflare())
			var e *expr.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tt.code, e.Code, "code")
			assert.Equal(t, [2]int{tt.off, tt.len}, [2]int{e.Offset, e.Len}, "span")
		})
	}
	tree, err := expr.Parse(`any(http.request.headers.names[*] eq "a" and not (http.request.headers.names[*] contains "b"))`)
	require.NoError(t, err)
	_, err = expr.Check(tree, fields.Cloudflare())
	assert.NoError(t, err, "two [*] over one array, written twice")
}

// TestCheckDecodesLiterals: the checked tree holds the value of every
// literal, decoded by the type it must have, and the elements of every set.
func TestCheckDecodesLiterals(t *testing.T) {
	tree, err := expr.Parse(`cf.edge.server_port in {80 8000..8099} and ip.src eq 192.0.2.1 and http.host eq 61:62 and http.request.headers.names[0x1] eq "x" and http.request.uri.path matches "^/a"`)
	require.NoError(t, err)
	checked, err := expr.Check(tree, fields.Cloudflare())
	require.NoError(t, err)
	values := map[string]ast.Const{}
	for lit, v := range checked.Values {
		values[lit.Raw] = v
	}
	assert.Equal(t, map[string]ast.Const{
		"192.0.2.1": {Type: fields.IP, IP: netip.MustParseAddr("192.0.2.1")},
		"61:62":     {Type: fields.String, Str: "ab"},
		"0x1":       {Type: fields.Int, Int: 1},
		`"x"`:       {Type: fields.String, Str: "x"},
		`"^/a"`:     {Type: fields.String, Str: "^/a"},
	}, values)
	require.Len(t, checked.Sets, 1)
	for _, elems := range checked.Sets {
		port := func(n int64) ast.Const { return ast.Const{Type: fields.Int, Int: n} }
		assert.Equal(t, []ast.ConstRange{{Lo: port(80), Hi: port(80)}, {Lo: port(8000), Hi: port(8099)}}, elems)
	}
	require.Len(t, checked.Regexps, 1)
}

// TestSeveralErrors checks that every error of an expression is reported,
// in source order.
func TestSeveralErrors(t *testing.T) {
	_, err := expr.Compile(`cf.bot_managment.score lt 30 and http.host eq 3 and ip.src lt 1.2.3.4 and lowr(http.host) eq "a"`, fields.Cloudflare())
	var list expr.ErrorList
	require.ErrorAs(t, err, &list)
	var codes []expr.Code
	var offsets []int
	for _, e := range list {
		codes = append(codes, e.Code)
		offsets = append(offsets, e.Offset)
	}
	assert.Equal(t, []expr.Code{expr.ErrUnknownField, expr.ErrBadValue, expr.ErrTypeMismatch, expr.ErrUnknownFunction}, codes)
	assert.Equal(t, []int{0, 46, 59, 74}, offsets)
	var first *expr.Error
	require.ErrorAs(t, err, &first, "errors.As finds an *Error in the list")
	assert.Equal(t, expr.ErrUnknownField, first.Code)

	many := strings.Repeat("nope eq 1 and ", 12) + "ssl"
	_, err = expr.Compile(many, fields.Cloudflare())
	assert.Equal(t, expr.MaxErrors+1, strings.Count(err.Error(), "Filter parsing error")+1, "ten shown")
	assert.True(t, strings.HasSuffix(err.Error(), "and 2 more errors"))
}

func TestCheckKeepsTheTree(t *testing.T) {
	tree, err := expr.Parse(`ip.geoip.country eq "GB" and any(http.request.headers.names[*] eq "x")`)
	require.NoError(t, err)
	checked, err := expr.Check(tree, fields.Cloudflare())
	require.NoError(t, err)
	assert.Same(t, tree, checked.Filter)
	var fieldNames []string
	for id, f := range checked.Fields {
		fieldNames = append(fieldNames, id.Name+"="+f.Name())
	}
	assert.ElementsMatch(t, []string{"ip.geoip.country=ip.src.country", "http.request.headers.names=http.request.headers.names"}, fieldNames)
	assert.Equal(t, "Bool", checked.Types[tree.X].String())
}

func TestCustomScheme(t *testing.T) {
	shout := &fields.Function{
		Name:   "shout",
		Params: []fields.Param{{Name: "text", Types: []fields.Type{fields.String}}},
		Result: fields.String,
		Impl: eval.Func(func(args []eval.Value) eval.Value {
			if args[0].Missing() {
				return eval.Value{}
			}
			return eval.String(strings.ToUpper(args[0].Str()) + "!")
		}),
	}
	s, err := fields.NewScheme(fields.Definition{
		Fields:    map[string]fields.Type{"user.name": fields.String, "user.age": fields.Int, "user.roles": fields.ArrayOf(fields.String)},
		Functions: []*fields.Function{shout},
	})
	require.NoError(t, err)
	f, err := expr.Compile(`shout(user.name) eq "ADA!" and user.age ge 18 and any(user.roles[*] eq "admin")`, s)
	require.NoError(t, err)
	c := eval.NewContext(s)
	require.NoError(t, c.SetName("user.name", eval.String("ada")))
	require.NoError(t, c.SetName("user.age", eval.Int(36)))
	require.NoError(t, c.SetName("user.roles", eval.Strings("dev", "admin")))
	assert.True(t, f.Match(c))

	_, err = expr.Compile(`http.host eq "a"`, s)
	assert.ErrorContains(t, err, "unknown field `http.host`", "the standard fields are not in a custom scheme")
}

func TestCompileValue(t *testing.T) {
	p, err := expr.CompileValue(`regex_replace(http.request.uri.path, "^/old/(.*)$", "/new/${1}")`, fields.Cloudflare())
	require.NoError(t, err)
	assert.Equal(t, fields.String, p.Type())
	c := eval.NewContext(fields.Cloudflare())
	require.NoError(t, c.SetName("http.request.uri.path", eval.String("/old/page")))
	assert.Equal(t, "/new/page", p.Eval(c).Str())

	_, err = expr.CompileValue(`http.request.headers.names[*]`, fields.Cloudflare())
	assert.ErrorContains(t, err, "one answer per element")
}

// TestResult: a value expression of a place that needs a type, such as a
// header's value, is a type error unless it has that type.
func TestResult(t *testing.T) {
	str := expr.Result(fields.String)
	_, err := expr.CompileValue(`to_string(cf.bot_management.score)`, fields.Cloudflare(), str)
	assert.NoError(t, err)
	_, err = expr.CompileValue(`cf.bot_management.score`, fields.Cloudflare(), str)
	var e *expr.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, expr.ErrTypeMismatch, e.Code)
	assert.Equal(t, "the value must be String, but `cf.bot_management.score` is Int", e.Msg)
	assert.Equal(t, "convert it: `to_string(cf.bot_management.score)`", e.Hint)
	assert.Equal(t, [2]int{0, 23}, [2]int{e.Offset, e.Len})
	_, err = expr.CompileValue(`http.request.headers.names`, fields.Cloudflare(), str)
	require.ErrorAs(t, err, &e)
	assert.Empty(t, e.Hint, "an array has no to_string")
	_, err = expr.CompileValue(`cf.bot_management.score`, fields.Cloudflare())
	assert.NoError(t, err, "without Result any type is a value")
}

// TestCheckValidatesArguments: the literal arguments a built-in function
// cannot take are the checker's errors, at the argument, so that the
// compiler never refuses a tree the checker accepted.
func TestCheckValidatesArguments(t *testing.T) {
	for _, tt := range []struct {
		src, arg string
		code     expr.Code
		msg      string
	}{
		{`url_decode(http.request.uri.path, "rz") eq "a"`, `"rz"`, expr.ErrBadValue, "url_decode options are `r` (recursive) and `u` (%uXXXX), found \"rz\""},
		{`cidr(ip.src, 33, 64) eq 10.0.0.0`, `33`, expr.ErrBadValue, "the IPv4 prefix length of cidr is 1 to 32, found 33"},
		{`cidr6(ip.src, 0) eq 10.0.0.0`, `0`, expr.ErrBadValue, "the IPv6 prefix length of cidr6 is 1 to 128, found 0"},
		{`encode_base64(http.host, "q") eq "a"`, `"q"`, expr.ErrBadValue, "encode_base64 flags are `u` (URL-safe) and `p` (padding), found \"q\""},
		{`any(split(http.host, "", 2)[*] eq "a")`, `""`, expr.ErrBadValue, "the separator of split must not be empty"},
		{`any(split(http.host, ".", 129)[*] eq "a")`, `129`, expr.ErrBadValue, "the limit of split is 1 to 128, found 129"},
		{`regex_replace(http.host, "(", "b") eq "a"`, `"("`, expr.ErrBadPattern, "invalid regular expression: missing closing ): `(`"},
		{`regex_replace(http.host, "(a)", "${2}") eq "a"`, `"${2}"`, expr.ErrBadValue, "the replacement uses ${2}, but the pattern has only 1 capturing groups"},
		{`wildcard_replace(http.request.uri.path, "/a/**", "/b") eq "a"`, `"/a/**"`, expr.ErrBadPattern, ""},
		{`wildcard_replace(http.request.uri.path, "/a/*", "/b/${2}") eq "a"`, `"/b/${2}"`, expr.ErrBadValue, "the replacement uses ${2}, but the pattern has only 1 capturing groups"},
		{`is_timed_hmac_valid_v0("k", http.request.uri, 10, http.request.timestamp.sec, 0, "x")`, `"x"`, expr.ErrBadValue, "the only flag of is_timed_hmac_valid_v0 is `s`, found \"x\""},
	} {
		tree, err := expr.Parse(tt.src)
		require.NoError(t, err, tt.src)
		_, err = expr.Check(tree, fields.Cloudflare())
		var e *expr.Error
		require.ErrorAs(t, err, &e, tt.src)
		assert.Equal(t, tt.code, e.Code, tt.src)
		assert.Equal(t, tt.arg, tt.src[e.Offset:e.Offset+e.Len], tt.src)
		if tt.msg != "" {
			assert.Equal(t, tt.msg, e.Msg, tt.src)
		}
	}
}
