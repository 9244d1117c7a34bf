package nethttp

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/internal/webpath"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// valueOf evaluates a value expression on a request as the middleware
// would, through a slot's resolvers.
func valueOf(t *testing.T, cfg *config, r *http.Request, src string) string {
	t.Helper()
	p, err := expr.CompileValue(src, fields.Cloudflare())
	require.NoError(t, err, src)
	s := newSlot(cfg)
	cfg.now = func() time.Time { return time.Unix(1700000000, 123e6) }
	s.begin(r, cfg, 0)
	return p.Eval(s.ctx).String()
}

func TestRequestFields(t *testing.T) {
	r := httptest.NewRequest("POST", "https://shop.example.com/a%20b/Index.PHP?x=1&utm=a+b&x=2&flag", nil)
	r.Header.Set("User-Agent", "curl/8.0")
	r.Header.Set("Referer", "https://example.org/")
	r.Header.Add("Cookie", "session=abc; theme=dark")
	r.Header.Add("Cookie", "session=def")
	r.Header.Add("X-Multi", "1")
	r.Header.Add("X-Multi", "2")
	r.Header.Set("Accept-Language", "fr;q=0.8, en-US, *;q=0.5, de;q=0, en;q=0.9")
	r.TLS = &tls.ConnectionState{}
	cfg := &config{}
	for src, want := range map[string]string{
		`http.host`:                              `"shop.example.com"`,
		`http.request.method`:                    `"POST"`,
		`http.request.uri`:                       `"/a%20b/Index.PHP?x=1&utm=a+b&x=2&flag"`,
		`http.request.uri.path`:                  `"/a b/Index.PHP"`,
		`http.request.uri.path.extension`:        `"php"`,
		`http.request.uri.query`:                 `"x=1&utm=a+b&x=2&flag"`,
		`http.request.full_uri`:                  `"https://shop.example.com/a%20b/Index.PHP?x=1&utm=a+b&x=2&flag"`,
		`http.request.version`:                   `"HTTP/1.1"`,
		`http.request.timestamp.sec`:             `1700000000`,
		`http.request.timestamp.msec`:            `123`,
		`http.user_agent`:                        `"curl/8.0"`,
		`http.referer`:                           `"https://example.org/"`,
		`http.cookie`:                            `"session=abc; theme=dark; session=def"`,
		`http.x_forwarded_for`:                   `""`,
		`http.request.headers["x-multi"]`:        `["1", "2"]`,
		`http.request.headers["user-agent"][0]`:  `"curl/8.0"`,
		`http.request.headers.names`:             `["Accept-Language", "Cookie", "Cookie", "Referer", "User-Agent", "X-Multi", "X-Multi"]`,
		`http.request.headers.values[5]`:         `"1"`,
		`http.request.accepted_languages`:        `["en-US", "en", "fr"]`,
		`http.request.headers.truncated`:         `false`,
		`http.request.cookies["session"]`:        `["abc", "def"]`,
		`http.request.uri.args["x"]`:             `["1", "2"]`,
		`http.request.uri.args["utm"][0]`:        `"a+b"`,
		`http.request.uri.args.names`:            `["x", "utm", "x", "flag"]`,
		`http.request.uri.args.values`:           `["1", "a+b", "2", ""]`,
		`raw.http.request.uri.path`:              `"/a%20b/Index.PHP"`,
		`raw.http.request.uri.path.extension`:    `"php"`,
		`raw.http.request.uri.query`:             `"x=1&utm=a+b&x=2&flag"`,
		`raw.http.request.uri.args.names`:        `["x", "utm", "x", "flag"]`,
		`raw.http.request.headers["cookie"][1]`:  `"session=def"`,
		`ssl`:                                    `true`,
		`ip.src`:                                 `192.0.2.1`,
		`cf.bot_management.score`:                `missing`,
		`cf.bot_management.static_resource`:      `false`,
		`lower(http.request.uri.path.extension)`: `"php"`,
	} {
		assert.Equal(t, want, valueOf(t, cfg, r, src), src)
	}
}

func TestExtension(t *testing.T) {
	for p, want := range map[string]string{
		"/a/b.HTML": "html", "/a/b": "", "/.htaccess": "", "/a/b.": "", "/a.tar.gz": "gz", "/dir.d/": "", "/": "",
	} {
		assert.Equal(t, want, webpath.Extension(p), p)
	}
}

func TestVersionAndOddRequests(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/2.0", 2, 0
	r.Host = ""
	r.RemoteAddr = "192.0.2.9" // no port
	r.Header.Set("User-Agent", "bad \xff\xfe utf-8")
	cfg := &config{}
	assert.Equal(t, `"HTTP/2"`, valueOf(t, cfg, r, `http.request.version`))
	assert.Equal(t, `missing`, valueOf(t, cfg, r, `http.host`), "no Host")
	assert.Equal(t, `192.0.2.9`, valueOf(t, cfg, r, `ip.src`), "a RemoteAddr without a port")
	assert.Equal(t, `"bad \xff\xfe utf-8"`, valueOf(t, cfg, r, `http.user_agent`), "bytes as they came")
	r.RemoteAddr = "not an address"
	assert.Equal(t, `missing`, valueOf(t, cfg, r, `ip.src`))
	r.RemoteAddr = "[2001:db8::7%eth0]:443"
	assert.Equal(t, `2001:db8::7`, valueOf(t, cfg, r, `ip.src`), "an IPv6 client, zone dropped")
}

func TestClientAddress(t *testing.T) {
	trusted := &config{trustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}}
	tests := []struct {
		name, remote, xff, fwd string
		cfg                    *config
		want                   string
	}{
		{"no proxy", "203.0.113.5:4711", "", "", trusted, "203.0.113.5"},
		{"an untrusted peer's header is ignored", "203.0.113.5:4711", "198.51.100.1", "", trusted, "203.0.113.5"},
		{"a trusted peer's header is read", "10.1.2.3:80", "198.51.100.1", "", trusted, "198.51.100.1"},
		{"trusted hops are passed over", "10.1.2.3:80", "198.51.100.1, 10.9.9.9", "", trusted, "198.51.100.1"},
		{"a forged left part is not believed", "10.1.2.3:80", "1.1.1.1, 198.51.100.1", "", trusted, "198.51.100.1"},
		{"an unreadable hop stops the walk", "10.1.2.3:80", "198.51.100.1, garbage", "", trusted, "10.1.2.3"},
		{"Forwarded wins over X-Forwarded-For", "10.1.2.3:80", "198.51.100.1", `for="[2001:db8::1]:4711";proto=https, for=10.0.0.2`, trusted, "2001:db8::1"},
		{"IPv6 trusted peer", "[::1]:9000", "192.0.2.44", "", trusted, "192.0.2.44"},
		{"IPv4-mapped peer", "[::ffff:10.1.2.3]:80", "192.0.2.45", "", trusted, "192.0.2.45"},
		{"nothing is trusted by default", "10.1.2.3:80", "198.51.100.1", "", &config{}, "10.1.2.3"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		if tt.fwd != "" {
			r.Header.Set("Forwarded", tt.fwd)
		}
		q := &request{r: r, cfg: tt.cfg}
		assert.Equal(t, tt.want, q.clientIP().String(), tt.name)
	}
}

func TestCloudflareHeaders(t *testing.T) {
	r := httptest.NewRequest("GET", "/static/app.js", nil)
	r.Header.Set("Cf-Bot-Score", "12")
	r.Header.Set("Cf-Verified-Bot", "true")
	r.Header.Set("Cf-Ja3-Hash", "abc")
	r.Header.Set("Cf-Ja4", "t13d")
	assert.Equal(t, Bot{Score: 12, VerifiedBot: true, VerifiedKnown: true, StaticResource: true, JA3Hash: "abc", JA4: "t13d"}, CloudflareHeaders{}.Score(r, true))
	assert.Equal(t, Bot{StaticResource: true}, CloudflareHeaders{}.Score(r, false), "headers from anyone else are not believed")
	for _, bad := range []string{"0", "100", "-3", "twelve", ""} {
		r.Header.Set("Cf-Bot-Score", bad)
		assert.Zero(t, CloudflareHeaders{}.Score(r, true).Score, "%q is no score", bad)
	}
	assert.True(t, StaticResource("/.well-known/security.txt"))
	assert.False(t, StaticResource("/checkout"))
}

type countingScorer struct{ calls int }

func (s *countingScorer) Score(*http.Request, bool) Bot {
	s.calls++
	return Bot{Score: 5, DetectionIDs: []int64{50331651}}
}

func TestScorerRunsOnceAndOnlyWhenRead(t *testing.T) {
	scorer := &countingScorer{}
	cfg := &config{scorer: scorer}
	r := httptest.NewRequest("GET", "/", nil)
	assert.Equal(t, `"/"`, valueOf(t, cfg, r, `http.request.uri.path`))
	assert.Zero(t, scorer.calls, "no bot field read, no scoring")
	p, err := expr.Compile(`cf.bot_management.score lt 30 and any(cf.bot_management.detection_ids[*] eq 50331651) and not cf.bot_management.verified_bot`, fields.Cloudflare())
	require.NoError(t, err)
	s := newSlot(cfg)
	s.begin(r, cfg, 0)
	assert.True(t, p.Match(s.ctx))
	assert.Equal(t, 1, scorer.calls, "three bot fields, one scoring")
}

// TestBind: every field the middleware fills is one of the scheme's; a
// name the scheme lacks is an error New reports, not a field left empty.
func TestBind(t *testing.T) {
	require.NoError(t, bindErr)
	assert.Len(t, bound, len(resolvers)+len(crawlerFields)+len(botFields)+len(geoFields))
	_, err := bind(fields.Cloudflare(), []map[string]func(q *request) eval.Value{{
		"http.request.uri.pth": func(*request) eval.Value { return eval.Value{} },
	}}, nil, nil)
	assert.EqualError(t, err, "nethttp fills http.request.uri.pth, a field the scheme does not have")
}
