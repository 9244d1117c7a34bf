package nethttp_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/edgerules/edgerules/nethttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkRequest is a forward-auth request as a proxy sends it.
func checkRequest(method, target string, headers map[string]string) *http.Request {
	r := httptest.NewRequest(method, target, nil)
	r.RemoteAddr = "127.0.0.1:40000"
	for k, v := range headers {
		if k == "Host" {
			r.Host = v
			continue
		}
		r.Header.Set(k, v)
	}
	return r
}

// TestOriginal rebuilds the original request from each proxy's shape of
// forward-auth request (the headers each sets in examples/).
func TestOriginal(t *testing.T) {
	tests := []struct {
		name    string
		r       *http.Request
		prefix  string
		want    string // method, request URI, host, scheme, X-Forwarded-For
		wantErr string
	}{
		{"nginx", checkRequest("GET", "/check", map[string]string{"X-Original-Uri": "/shop/cart?id=7", "X-Original-Method": "POST",
			"X-Real-Ip": "198.51.100.7", "X-Forwarded-Host": "shop.example", "Host": "127.0.0.1:9900"}), "",
			"POST /shop/cart?id=7 shop.example http [198.51.100.7]", ""},
		{"nginx behind a CDN", checkRequest("GET", "/check", map[string]string{"X-Original-Uri": "/", "X-Real-Ip": "203.0.113.1",
			"X-Forwarded-For": "198.51.100.7"}), "",
			"GET / example.com http [198.51.100.7 203.0.113.1]", ""},
		{"traefik", checkRequest("GET", "/check", map[string]string{"X-Forwarded-Uri": "/api/v1?x=1", "X-Forwarded-Method": "DELETE",
			"X-Forwarded-Proto": "https", "X-Forwarded-Host": "api.example", "X-Forwarded-For": "198.51.100.7"}), "",
			"DELETE /api/v1?x=1 api.example https [198.51.100.7]", ""},
		{"caddy keeps the client query on the check URI", checkRequest("GET", "/check?q=1", map[string]string{"X-Forwarded-Uri": "/search?q=1",
			"X-Forwarded-Method": "GET", "X-Forwarded-Proto": "http", "X-Forwarded-Host": "www.example", "X-Forwarded-For": "198.51.100.7"}), "",
			"GET /search?q=1 www.example http [198.51.100.7]", ""},
		{"envoy http mode", checkRequest("PUT", "/ext_authz/upload/a.txt?v=2", map[string]string{"Host": "files.example"}), "/ext_authz",
			"PUT /upload/a.txt?v=2 files.example http []", ""},
		{"envoy prefix with a slash, root path", checkRequest("GET", "/ext_authz", nil), "/ext_authz/",
			"GET / example.com http []", ""},
		{"envoy: a path beside the prefix is not under it", checkRequest("GET", "/ext_authzed", nil), "/ext_authz", "",
			"no X-Original-URI or X-Forwarded-Uri header, and the path is not under the Envoy prefix"},
		{"no convention", checkRequest("GET", "/check", nil), "", "",
			"no X-Original-URI or X-Forwarded-Uri header, and the path is not under the Envoy prefix"},
		{"empty original URI", checkRequest("GET", "/check", map[string]string{"X-Original-Uri": ""}), "", "",
			`the original URI "" is not a path with an optional query`},
		{"absolute original URI", checkRequest("GET", "/check", map[string]string{"X-Forwarded-Uri": "http://x/y"}), "", "",
			`the original URI "http://x/y" is not a path with an optional query`},
		{"bad method", checkRequest("GET", "/check", map[string]string{"X-Original-Uri": "/", "X-Original-Method": "GE T"}), "", "",
			`the original method "GE T" is not an HTTP method`},
		{"bad host", checkRequest("GET", "/check", map[string]string{"X-Forwarded-Uri": "/", "X-Forwarded-Host": "a\tb"}), "", "",
			`the original host "a\tb" holds spaces or control characters`},
		{"bad scheme", checkRequest("GET", "/check", map[string]string{"X-Forwarded-Uri": "/", "X-Forwarded-Proto": "gopher"}), "", "",
			`the original scheme "gopher" is neither http nor https`},
		{"bad X-Real-IP", checkRequest("GET", "/check", map[string]string{"X-Original-Uri": "/", "X-Real-Ip": "not-an-ip"}), "", "",
			`X-Real-IP "not-an-ip" is not an address`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.r.Header.Clone()
			o, err := nethttp.Original(tt.r, tt.prefix)
			assert.Equal(t, before, tt.r.Header, "the check request is left as it was")
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			scheme := "http"
			if o.TLS != nil {
				scheme = "https"
			}
			got := o.Method + " " + o.RequestURI + " " + o.Host + " " + scheme + " "
			assert.Equal(t, tt.want, got+fmt.Sprint(o.Header["X-Forwarded-For"]))
		})
	}
}

// TestDecideOnOriginal: the rules see the original request, and its client
// address and bot headers only when the proxy is trusted.
func TestDecideOnOriginal(t *testing.T) {
	rs := rules(t, `[
		{"ref": "api", "expression": "starts_with(http.request.uri.path, \"/api\")", "action": "skip", "action_parameters": {"ruleset": "current"}},
		{"ref": "client", "expression": "ip.src eq 198.51.100.7", "action": "block"},
		{"ref": "bots", "expression": "cf.bot_management.score lt 30", "action": "managed_challenge"}
	]`)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	trusting, err := nethttp.New(rs, nethttp.Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, Logger: quiet})
	require.NoError(t, err)
	distrusting, err := nethttp.New(rs, nethttp.Options{Logger: quiet})
	require.NoError(t, err)
	detecting, err := nethttp.New(rs, nethttp.Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, Logger: quiet, DetectionOnly: true})
	require.NoError(t, err)

	nginx := func(uri string, h map[string]string) *http.Request {
		h["X-Original-Uri"] = uri
		r, err := nethttp.Original(checkRequest("GET", "/check", h), "")
		require.NoError(t, err)
		return r
	}
	tests := []struct {
		name       string
		m          *nethttp.Middleware
		r          *http.Request
		action     string
		stops      bool
		status     int
		mitigation string
	}{
		{"client from X-Real-IP", trusting, nginx("/", map[string]string{"X-Real-Ip": "198.51.100.7"}), "block", true, 403, ""},
		{"skip on the original path", trusting, nginx("/api/x", map[string]string{"X-Real-Ip": "198.51.100.7"}), "skip", false, 200, ""},
		{"bot header through a trusted proxy", trusting, nginx("/", map[string]string{"Cf-Bot-Score": "5"}), "managed_challenge", true, 403, "challenge"},
		{"untrusted: neither X-Real-IP", distrusting, nginx("/", map[string]string{"X-Real-Ip": "198.51.100.7"}), "", false, 200, ""},
		{"untrusted: nor bot headers", distrusting, nginx("/", map[string]string{"Cf-Bot-Score": "5"}), "", false, 200, ""},
		{"detection only", detecting, nginx("/", map[string]string{"X-Real-Ip": "198.51.100.7"}), "block", false, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.m.Decide(tt.r)
			assert.Equal(t, tt.action, string(v.Action))
			assert.Equal(t, tt.stops, v.Stops())
			w := httptest.NewRecorder()
			assert.Equal(t, tt.stops, v.Respond(w, tt.r))
			assert.Equal(t, tt.status, w.Code)
			assert.Equal(t, tt.mitigation, w.Header().Get("Cf-Mitigated"))
		})
	}
	v := trusting.Decide(nginx("/", map[string]string{"X-Real-Ip": "198.51.100.7"}))
	assert.Equal(t, "client", nethttp.RuleName(v.Rule))
}
