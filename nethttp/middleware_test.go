package nethttp_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/edgerules/edgerules/nethttp"
	"github.com/edgerules/edgerules/ruleset"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func rules(t testing.TB, doc string) *ruleset.Ruleset {
	t.Helper()
	f, err := ruleset.Parse([]byte(doc), ruleset.JSON)
	require.NoError(t, err)
	return f.Ruleset
}

var upstream = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "upstream") })

func serve(t *testing.T, h http.Handler) *httptest.Server {
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

func TestResponses(t *testing.T) {
	m, err := nethttp.New(rules(t, `[
		{"ref": "teapot", "expression": "http.request.uri.path eq \"/tea\"", "action": "block",
		 "action_parameters": {"response": {"status_code": 418, "content": "{\"error\":\"no\"}", "content_type": "application/json"}}},
		{"ref": "moved", "expression": "starts_with(http.request.uri.path, \"/old\")", "action": "redirect",
		 "action_parameters": {"from_value": {"target_url": {"value": "https://example.com/new"}, "status_code": 302, "preserve_query_string": true}}},
		{"ref": "down", "expression": "http.request.uri.path eq \"/down\"", "action": "serve_error",
		 "action_parameters": {"content": "<p>maintenance</p>", "content_type": "text/html", "status_code": 503}},
		{"ref": "check", "expression": "http.request.uri.path eq \"/login\"", "action": "managed_challenge"}
	]`), nethttp.Options{
		Challenge: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "solve this", http.StatusTooManyRequests) }),
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	require.NoError(t, err)
	s := serve(t, m.Wrap(upstream))
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for path, want := range map[string]string{
		"/tea":       "418 application/json {\"error\":\"no\"}",
		"/old/a?x=1": "302  <a href=\"https://example.com/new?x=1\">Found</a>.\n\n",
		"/down":      "503 text/html <p>maintenance</p>",
		"/login":     "429 text/plain; charset=utf-8 solve this\n",
		"/other":     "200 text/plain; charset=utf-8 upstream",
	} {
		resp, err := client.Get(s.URL + path)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		ct := resp.Header.Get("Content-Type")
		if resp.StatusCode == 302 {
			ct = ""
			assert.Equal(t, "https://example.com/new?x=1", resp.Header.Get("Location"))
		}
		assert.Equal(t, want, fmt.Sprintf("%d %s %s", resp.StatusCode, ct, body), path)
	}
}

func TestBadParametersAreRefused(t *testing.T) {
	for name, doc := range map[string]string{
		"redirect without a target":        `[{"expression": "ssl", "action": "redirect"}]`,
		"block with status 200":            `[{"expression": "ssl", "action": "block", "action_parameters": {"response": {"status_code": 200}}}]`,
		"redirect with status 200":         `[{"expression": "ssl", "action": "redirect", "action_parameters": {"from_value": {"target_url": {"value": "/x"}, "status_code": 200}}}]`,
		"expression that does not compile": `[{"expression": "ssl eq 1", "action": "block"}]`,
	} {
		_, err := nethttp.New(rules(t, doc), nethttp.Options{})
		assert.Error(t, err, name)
	}
	m, err := nethttp.New(rules(t, `[{"ref": "a", "expression": "true", "action": "block"}]`), nethttp.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	assert.Error(t, m.Load(rules(t, `[{"expression": "nope", "action": "block"}]`)))
	assert.Equal(t, "a", m.Counts().Rules[0].Rule, "the old ruleset stays")
}

func TestCountersAndExpvar(t *testing.T) {
	var logs bytes.Buffer
	m, err := nethttp.New(rules(t, `[
		{"ref": "seen", "expression": "true", "action": "log"},
		{"ref": "bots", "expression": "cf.bot_management.score lt 30", "action": "block"}
	]`), nethttp.Options{
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Logger:         slog.New(slog.NewJSONHandler(&logs, nil)),
	})
	require.NoError(t, err)
	s := serve(t, m.Wrap(upstream))
	for _, score := range []string{"5", "80", "12"} {
		req, _ := http.NewRequest("GET", s.URL+"/", nil)
		req.Header.Set("Cf-Bot-Score", score)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
	}
	c := m.Counts()
	assert.Equal(t, uint64(3), c.Requests)
	assert.Equal(t, uint64(2), c.Actions["block"])
	assert.Equal(t, uint64(3), c.Actions["log"])
	assert.Equal(t, []nethttp.RuleCount{{Rule: "seen", Action: "log", Matches: 3}, {Rule: "bots", Action: "block", Matches: 2}}, c.Rules)
	var published nethttp.Counts
	require.NoError(t, json.Unmarshal([]byte(m.Var().String()), &published))
	assert.Equal(t, c, published, "expvar shows the same counters")
	assert.Equal(t, 5, strings.Count(logs.String(), `"msg":"edgerules: rule matched"`))
	assert.Contains(t, logs.String(), `"ref":"bots","action":"block","decided":true`)
}

// TestOddInput sends requests no client should send over a real
// connection: the server answers each, and keeps serving.
func TestOddInput(t *testing.T) {
	m, err := nethttp.New(rules(t, `[{"ref": "r", "expression": "http.request.uri.path contains \"x\" or http.user_agent contains \"bot\" or ip.src in {10.0.0.0/8} or http.host eq \"\" or any(http.request.headers.names[*] eq \"X\")", "action": "block"}]`),
		nethttp.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	s := serve(t, m.Wrap(upstream))
	addr := strings.TrimPrefix(s.URL, "http://")
	for name, raw := range map[string]string{
		"bad escape in the path": "GET /%zz%G1/a HTTP/1.1\r\nHost: a\r\n\r\n",
		"invalid UTF-8":          "GET /\xff\xfe HTTP/1.1\r\nHost: a\r\nUser-Agent: \xc3\x28bot\r\n\r\n",
		"no Host, HTTP/1.0":      "GET / HTTP/1.0\r\n\r\n",
		"huge header":            "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + strings.Repeat("a", 2<<20) + "\r\n\r\n",
		"absolute form":          "GET http://a/x HTTP/1.1\r\nHost: a\r\n\r\n",
		"many headers":           "GET / HTTP/1.1\r\nHost: a\r\n" + strings.Repeat("X-A: 1\r\n", 5000) + "\r\n",
	} {
		conn, err := net.Dial("tcp", addr)
		require.NoError(t, err, name)
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		_, _ = conn.Write([]byte(raw))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		require.NoError(t, err, name)
		assert.Contains(t, []int{200, 400, 403, 431}, resp.StatusCode, name)
		conn.Close()
	}
	resp, err := http.Get(s.URL + "/still-serving")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
}

func TestIPv6Client(t *testing.T) {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skip("no IPv6 loopback here:", err)
	}
	m, err := nethttp.New(rules(t, `[{"ref": "v6", "expression": "ip.src in {::1/128}", "action": "block"}]`),
		nethttp.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	s := &http.Server{Handler: m.Wrap(upstream)}
	go s.Serve(ln)
	defer s.Close()
	resp, err := http.Get("http://" + ln.Addr().String() + "/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 403, resp.StatusCode, "ip.src is the IPv6 client")
}

func TestMissingRemotePort(t *testing.T) {
	m, err := nethttp.New(rules(t, `[{"ref": "r", "expression": "ip.src eq 192.0.2.1", "action": "block"}]`),
		nethttp.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	for remote, want := range map[string]int{"192.0.2.1": 403, "": 200, "garbage": 200} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		w := httptest.NewRecorder()
		m.Wrap(upstream).ServeHTTP(w, r)
		assert.Equal(t, want, w.Code, "RemoteAddr %q", remote)
	}
}
