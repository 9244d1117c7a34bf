package eval_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"testing"

	"github.com/edgerules/edgerules/eval"
	"github.com/stretchr/testify/assert"
)

// TestFunctions evaluates each built-in function on a request and on a
// request that lacks its input.
func TestFunctions(t *testing.T) {
	req := values{
		"http.host":              eval.String("www.Example.com"),
		"http.request.uri.path":  eval.String("/a%2Fb+c/%252F"),
		"http.request.uri.query": eval.String("a=1&utm_source=x&b=2&utm_source=y"),
		"http.request.full_uri":  eval.String("https://shop.example.com/en/shoes?x=1"),
		"http.request.headers": eval.StringsMap(map[string][]string{
			"accept": {"text/html", "application/json"}, "x-json": {`{"user":"admin","ids":[7,8],"n":42,"f":4.5}`},
		}),
		"ip.src":                  ip("198.51.100.77"),
		"cf.edge.server_ip":       ip("2001:db8:aaaa:bbbb::1"),
		"cf.bot_management.score": eval.Int(12),
		"ssl":                     eval.Bool(true),
		"cf.random_seed":          eval.String("seed"),
	}
	tests := []struct {
		src  string
		want string // the value as eval.Value.String formats it
	}{
		{`concat("String1", " ", "String", 2)`, `"String1 String2"`},
		{`concat("https://", ip.src.country, ".example.com")`, `"https://.example.com"`},
		{`concat(http.request.headers["accept"], http.request.headers["x-json"])`,
			`["text/html", "application/json", "{\"user\":\"admin\",\"ids\":[7,8],\"n\":42,\"f\":4.5}"]`},
		{`starts_with(http.host, "www.")`, `true`},
		{`ends_with(http.host, ".org")`, `false`},
		{`len(http.host)`, `15`},
		{`len(http.request.headers)`, `2`},
		{`len(http.request.headers["accept"])`, `2`},
		{`lower(http.host)`, `"www.example.com"`},
		{`upper(http.host)`, `"WWW.EXAMPLE.COM"`},
		{`lookup_json_string(http.request.headers["x-json"][0], "user")`, `"admin"`},
		{`lookup_json_integer(http.request.headers["x-json"][0], "ids", 1)`, `8`},
		{`lookup_json_integer(http.request.headers["x-json"][0], "n")`, `42`},
		{`lookup_json_integer(http.request.headers["x-json"][0], "f")`, `missing`},
		{`lookup_json_integer(http.request.headers["x-json"][0], "user")`, `missing`},
		{`lookup_json_string(http.request.headers["x-json"][0], "ids", 9)`, `missing`},
		{`remove_bytes(http.host, "\x2e\x77")`, `"Examplecom"`},
		{`substring(http.host, 4)`, `"Example.com"`},
		{`substring(http.host, 4, 11)`, `"Example"`},
		{`substring(http.host, -3)`, `"com"`},
		{`substring(http.host, 10, 2)`, `""`},
		{`substring(http.host, 0, 100)`, `"www.Example.com"`},
		{`url_decode(http.request.uri.path)`, `"/a/b c/%2F"`},
		{`url_decode(http.request.uri.path, "r")`, `"/a/b c//"`},
		{`url_decode("%u00e9t%C3%A9", "u")`, `"été"`},
		{`cidr(ip.src, 24, 64)`, `198.51.100.0`},
		{`cidr(cf.edge.server_ip, 24, 32)`, `2001:db8::`},
		{`cidr6(cf.edge.server_ip, 48)`, `2001:db8:aaaa::`},
		{`cidr6(ip.src, 48)`, `198.51.100.77`},
		{`decode_base64("aGVsbG8gd29ybGQ=")`, `"hello world"`},
		{`decode_base64("aGVsbG8gd29ybGQ")`, `"hello world"`},
		{`decode_base64("%%%")`, `missing`},
		{`encode_base64("hello world?>")`, `"aGVsbG8gd29ybGQ/Pg"`},
		{`encode_base64("hello world?>", "u")`, `"aGVsbG8gd29ybGQ_Pg"`},
		{`encode_base64("hello world?>", "up")`, `"aGVsbG8gd29ybGQ_Pg=="`},
		{`len(sha256("abc"))`, `32`},
		{`encode_base64(sha256("abc"), "p")`, `"ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="`},
		{`join(http.request.headers["accept"], ", ")`, `"text/html, application/json"`},
		{`join(http.request.headers["none"], ", ")`, `missing`},
		{`split("a,b,c,d", ",", 3)`, `["a", "b", "c,d"]`},
		{`split("a,b", ",", 1)`, `["a,b"]`},
		{`to_string(cf.bot_management.score)`, `"12"`},
		{`to_string(ssl)`, `"true"`},
		{`to_string(ip.src)`, `"198.51.100.77"`},
		{`regex_replace(http.host, "^www\\.", "")`, `"Example.com"`},
		{`regex_replace("/b", "^/b$", "/b$$")`, `"/b$"`},
		{`regex_replace("/foo", "^/FOO$", "/x")`, `"/foo"`},
		{`regex_replace("/foo/a/path", "^/foo/([^/]*)/(.*)$", "/bar/${2}/${1}")`, `"/bar/path/a"`},
		{`regex_replace("aaa", "a", "b")`, `"baa"`},
		{`wildcard_replace(http.request.full_uri, "https://*.example.com/*/*", "https://example.com/${1}/${2}/${3}")`,
			`"https://example.com/shop/en/shoes?x=1"`},
		{`wildcard_replace(http.request.full_uri, "https://SHOP.example.com/*", "${1}")`, `"en/shoes?x=1"`},
		{`wildcard_replace(http.request.full_uri, "https://SHOP.example.com/*", "${1}", "s")`,
			`"https://shop.example.com/en/shoes?x=1"`},
		{`remove_query_args(http.request.uri.query, "utm_source")`, `"a=1&b=2"`},
		{`remove_query_args(http.request.uri.query, "a", "b")`, `"utm_source=x&utm_source=y"`},
		{`uuidv4(cf.random_seed)`, `"19b25856-e1c1-40ca-834c-ffc8b59b23ad"`},
		{`lower(concat("https://", ip.geoip.country, ".example.com"))`, `"https://.example.com"`},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			assert.Equal(t, tt.want, evalValue(t, tt.src, req).String())
		})
	}
}

// TestFunctionsOnMissing gives each function a missing input.
func TestFunctionsOnMissing(t *testing.T) {
	for src, want := range map[string]string{
		`concat("a", http.host, "b")`:                                      `"ab"`,
		`starts_with(http.host, "a")`:                                      `false`,
		`ends_with(http.host, "a")`:                                        `false`,
		`len(http.host)`:                                                   `missing`,
		`lower(http.host)`:                                                 `missing`,
		`upper(http.host)`:                                                 `missing`,
		`lookup_json_string(http.host, "a")`:                               `missing`,
		`lookup_json_integer(http.host, "a")`:                              `missing`,
		`remove_bytes(http.host, "a")`:                                     `missing`,
		`substring(http.host, 1)`:                                          `missing`,
		`url_decode(http.host)`:                                            `missing`,
		`cidr(ip.src, 24, 64)`:                                             `missing`,
		`cidr6(ip.src, 64)`:                                                `missing`,
		`decode_base64(http.host)`:                                         `missing`,
		`encode_base64(http.host)`:                                         `missing`,
		`sha256(http.host)`:                                                `missing`,
		`join(http.request.headers.names, ",")`:                            `missing`,
		`split(http.host, ".", 2)`:                                         `missing`,
		`to_string(cf.bot_management.score)`:                               `missing`,
		`regex_replace(http.host, "a", "b")`:                               `missing`,
		`wildcard_replace(http.host, "*", "b")`:                            `missing`,
		`remove_query_args(http.request.uri.query, "a")`:                   `missing`,
		`uuidv4(cf.random_seed)`:                                           `missing`,
		`is_timed_hmac_valid_v0("k", http.request.uri, 10, 1700000000, 0)`: `false`,
		`any(http.request.headers.names[*] eq "a")`:                        `false`,
		`all(http.request.headers.names[*] eq "a")`:                        `false`,
		`lower(http.request.headers.names[*])`:                             `missing`,
		`len(http.request.headers["x"][*])`:                                `missing`,
		`http.request.headers["x"][0]`:                                     `missing`,
	} {
		assert.Equal(t, want, evalValue(t, src, values{}).String(), src)
	}
}

func TestTimedHMAC(t *testing.T) {
	const key, ts = "mysecrettoken", "1484063787"
	mac := func(msg string) []byte {
		h := hmac.New(sha256.New, []byte(key))
		h.Write([]byte(msg + ts))
		return h.Sum(nil)
	}
	path := "/download/cat.jpg"
	std := path + "?verify=" + ts + "-" + url.QueryEscape(base64.StdEncoding.EncodeToString(mac(path)))
	urlSafe := path + ts + "-" + base64.RawURLEncoding.EncodeToString(mac(path))
	rule := func(now int64, extra string) string {
		return fmt.Sprintf(`is_timed_hmac_valid_v0("%s", http.request.uri, 10800, %d%s)`, key, now, extra)
	}
	for _, tt := range []struct {
		uri, extra string
		now        int64
		want       bool
	}{
		{std, ", 8", 1484063787 + 60, true},
		{std, ", 8", 1484063787 + 10801, false},
		{std, ", 8", 1484063787 - 1, false},
		{std, ", 7", 1484063787 + 60, false},
		{urlSafe, ", 0, \"s\"", 1484063787, true},
		{urlSafe, "", 1484063787, false},
		{path + "?verify=" + ts + "-AAAA", ", 8", 1484063787, false},
	} {
		got := evalValue(t, rule(tt.now, tt.extra), values{"http.request.uri": eval.String(tt.uri)})
		assert.Equal(t, tt.want, got.Bool(), "%s now=%d%s", tt.uri, tt.now, tt.extra)
	}
}
