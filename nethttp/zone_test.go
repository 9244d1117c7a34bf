package nethttp_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgerules/edgerules/nethttp"
	"github.com/edgerules/edgerules/ruleset"
)

// zoneRules are a zone's phases, each rule depending on the phase before
// it: the redirect reads the path as sent, the custom rules read the
// rewritten path (and raw.* the original), the late transform sends the
// bot score, as Cloudflare's guide does, and the rewritten path.
var zoneRules = []string{
	`{"phase": "http_request_dynamic_redirect", "rules": [
	 {"ref": "old-shop", "action": "redirect", "expression": "starts_with(http.request.uri.path, \"/shop/\")",
	  "action_parameters": {"from_value": {"status_code": 301, "preserve_query_string": true,
	   "target_url": {"expression": "concat(\"https://store.example.com/\", substring(http.request.uri.path, 6))"}}}}]}`,
	`{"phase": "http_request_transform", "rules": [
	 {"ref": "v1", "action": "rewrite", "expression": "starts_with(http.request.uri.path, \"/v1/\")",
	  "action_parameters": {"uri": {"path": {"expression": "regex_replace(http.request.uri.path, \"^/v1/\", \"/api/\")"},
	   "query": {"value": "from=v1"}}}}]}`,
	`{"phase": "http_request_firewall_custom", "rules": [
	 {"ref": "bots-off-api", "action": "block", "expression": "cf.bot_management.score lt 30 and starts_with(http.request.uri.path, \"/api/\")"},
	 {"ref": "v1-only-get", "action": "block", "expression": "starts_with(raw.http.request.uri.path, \"/v1/\") and http.request.method ne \"GET\""}]}`,
	`{"phase": "http_request_late_transform", "rules": [
	 {"ref": "bot-score-header", "action": "rewrite", "expression": "true",
	  "action_parameters": {"headers": {"X-Bot-Score": {"operation": "set", "expression": "to_string(cf.bot_management.score)"},
	   "X-Seen-Path": {"operation": "set", "expression": "http.request.uri.path"},
	   "X-Internal": {"operation": "remove"}}}}]}`,
	`{"phase": "http_response_headers_transform", "rules": [
	 {"ref": "hide-server", "action": "rewrite", "expression": "http.response.code eq 200 and starts_with(http.request.uri.path, \"/api/\")",
	  "action_parameters": {"headers": {"X-Powered-By": {"operation": "remove"},
	   "X-Edge-Path": {"operation": "set", "expression": "raw.http.request.uri.path"}}}}]}`,
}

func zone(t testing.TB, texts ...string) *ruleset.Zone {
	t.Helper()
	var rulesets []*ruleset.Ruleset
	for _, text := range texts {
		rulesets = append(rulesets, rules(t, text))
	}
	z, err := ruleset.NewZone(rulesets...)
	require.NoError(t, err)
	return z
}

// seen is what the origin received.
type seen struct {
	Path, Query, Score, SeenPath, Internal string
}

// origin is a real upstream behind httputil.ReverseProxy: it answers with
// what it received, and an X-Powered-By header.
func origin(t *testing.T) *url.URL {
	o := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Powered-By", "origin/1.0")
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(seen{r.URL.Path, r.URL.RawQuery, r.Header.Get("X-Bot-Score"),
			r.Header.Get("X-Seen-Path"), r.Header.Get("X-Internal")})
	}))
	u, err := url.Parse(o.URL)
	require.NoError(t, err)
	return u
}

func TestZoneThroughAProxy(t *testing.T) {
	m, err := nethttp.New(zone(t, zoneRules...), nethttp.Options{
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	require.NoError(t, err)
	proxy := serve(t, m.Wrap(httputil.NewSingleHostReverseProxy(origin(t))))
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(method, path, score string) (*http.Response, seen) {
		req, err := http.NewRequest(method, proxy.URL+path, nil)
		require.NoError(t, err)
		req.Header.Set("Cf-Bot-Score", score)
		req.Header.Set("X-Internal", "secret")
		resp, err := client.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var s seen
		if resp.StatusCode == http.StatusOK {
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&s))
		}
		return resp, s
	}

	// A human on an old API path: the origin sees the rewritten path and
	// query, the bot score header, and not the header the rule removes; the
	// response loses X-Powered-By and says the path the client sent.
	resp, s := get("GET", "/v1/items?page=2", "87")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, seen{Path: "/api/items", Query: "from=v1", Score: "87", SeenPath: "/api/items"}, s)
	assert.Empty(t, resp.Header.Get("X-Powered-By"))
	assert.Equal(t, "/v1/items", resp.Header.Get("X-Edge-Path"))

	// Elsewhere the response transform does not match.
	resp, s = get("GET", "/home", "87")
	assert.Equal(t, seen{Path: "/home", Score: "87", SeenPath: "/home"}, s)
	assert.Equal(t, "origin/1.0", resp.Header.Get("X-Powered-By"))

	// A bot on the old path is blocked by the custom rule, which reads the
	// rewritten path; a POST to it by the rule on raw.http.request.uri.path.
	resp, _ = get("GET", "/v1/items", "5")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	resp, _ = get("POST", "/v1/items", "87")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)

	// The dynamic redirect runs first, on the path as sent.
	resp, _ = get("GET", "/shop/shoes?size=9", "5")
	assert.Equal(t, http.StatusMovedPermanently, resp.StatusCode)
	assert.Equal(t, "https://store.example.com/shoes?size=9", resp.Header.Get("Location"))

	counts := map[string]uint64{}
	for _, c := range m.Counts().Rules {
		counts[c.Rule] = c.Matches
	}
	assert.Equal(t, map[string]uint64{"old-shop": 1, "v1": 3, "bots-off-api": 1, "v1-only-get": 1,
		"bot-score-header": 2, "hide-server": 1}, counts)
}

func TestZoneDetectionOnlyChangesNothing(t *testing.T) {
	m, err := nethttp.New(zone(t, zoneRules...), nethttp.Options{
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)), DetectionOnly: true,
	})
	require.NoError(t, err)
	proxy := serve(t, m.Wrap(httputil.NewSingleHostReverseProxy(origin(t))))
	resp, err := http.Get(proxy.URL + "/v1/items")
	require.NoError(t, err)
	defer resp.Body.Close()
	var s seen
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&s))
	assert.Equal(t, seen{Path: "/v1/items"}, s)
	assert.Equal(t, "origin/1.0", resp.Header.Get("X-Powered-By"))
}

func TestZoneIgnoredPhaseIsLogged(t *testing.T) {
	var log bytes.Buffer
	_, err := nethttp.New(zone(t, `{"phase": "http_request_cache_settings", "rules": [
	 {"action": "set_cache_settings", "expression": "true", "action_parameters": {"cache": false}}]}`),
		nethttp.Options{Logger: slog.New(slog.NewTextHandler(&log, nil))})
	require.NoError(t, err)
	assert.Contains(t, log.String(), `msg="edgerules: a ruleset of this phase does not run here" phase=http_request_cache_settings rules=1 why="cache rules set Cloudflare's cache"`)
}

// BenchmarkZone is a request through a zone of five phases with one
// matching transform (the bot score header), beside one ruleset of the
// same custom rules.
func BenchmarkZone(b *testing.B) {
	for _, bc := range []struct {
		name  string
		rules ruleset.Source
	}{
		{"one-ruleset", rules(b, zoneRules[2])},
		{"five-phases", zone(b, zoneRules[0], zoneRules[1], zoneRules[2], zoneRules[3], zoneRules[4])},
	} {
		m, err := nethttp.New(bc.rules, nethttp.Options{
			TrustedProxies: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")},
			Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
		})
		require.NoError(b, err)
		h := m.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		r := httptest.NewRequest("GET", "https://shop.example.com/products/shoes", nil)
		r.Header.Set("Cf-Bot-Score", "87")
		w := &discardWriter{h: http.Header{}}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(w, r)
			}
		})
	}
}

// A request made in code without headers gets the headers the rules set.
func TestZoneApplyToARequestWithoutHeaders(t *testing.T) {
	m, err := nethttp.New(zone(t, zoneRules[3]), nethttp.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	r := &http.Request{Method: "GET", URL: &url.URL{Path: "/"}, RemoteAddr: "192.0.2.1:1234"}
	v := m.Decide(r)
	out := v.Apply(r)
	assert.Nil(t, r.Header)
	assert.Equal(t, http.Header{"X-Seen-Path": {"/"}}, out.Header, "no score: X-Bot-Score is removed; the path is set")
}

// A handler behind a zone that waits for responses can still take the
// connection over, as a WebSocket upgrade does.
func TestZoneLetsAHandlerHijack(t *testing.T) {
	m, err := nethttp.New(zone(t, zoneRules...), nethttp.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	s := serve(t, m.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if !assert.NoError(t, err) {
			return
		}
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
		_ = buf.Flush()
	})))
	resp, err := http.Get(s.URL + "/home")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "hijacked", string(body))
}
