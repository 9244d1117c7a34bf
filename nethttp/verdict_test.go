package nethttp_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/nethttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const verdictRules = `[
	{"ref": "bots", "expression": "cf.bot_management.score lt 30", "action": "block"},
	{"ref": "teapot", "expression": "http.request.uri.path eq \"/tea\"", "action": "block",
	 "action_parameters": {"response": {"status_code": 418, "content": "no tea"}}},
	{"ref": "check", "expression": "http.request.uri.path eq \"/login\"", "action": "challenge"}
]`

func TestDecideAndRespond(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	trustAll := func(*http.Request) (netip.Addr, bool) { return netip.MustParseAddr("203.0.113.9"), true }
	for _, c := range []struct {
		name, path, score string
		detect            bool
		plain             int    // PlainBlock
		answer            string // status and body if Respond answers, else ""
	}{
		{name: "plain block", path: "/", score: "5", plain: 403, answer: "403 Forbidden\n"},
		{name: "own response", path: "/tea", score: "80", answer: "418 no tea"},
		{name: "challenge", path: "/login", score: "80", answer: "403 " + challengeBody(t)},
		{name: "passes", path: "/", score: "80"},
		{name: "detect only", path: "/", score: "5", detect: true},
	} {
		m, err := nethttp.New(rules(t, verdictRules), nethttp.Options{ClientAddr: trustAll, Logger: quiet, DetectionOnly: c.detect})
		require.NoError(t, err)
		r := httptest.NewRequest("GET", "http://example.com"+c.path, nil)
		r.Header.Set("Cf-Bot-Score", c.score)
		v := m.Decide(r)
		assert.Equal(t, c.plain, v.PlainBlock(), c.name)
		w := httptest.NewRecorder()
		if v.Respond(w, r) {
			assert.Equal(t, c.answer, w.Result().Status[:3]+" "+w.Body.String(), c.name)
		} else {
			assert.Empty(t, c.answer, c.name)
		}
	}
}

// A rate limit's block is not plain: its answer says when to retry.
func TestRateLimitBlockIsNotPlain(t *testing.T) {
	c := newClock()
	m, err := nethttp.New(rules(t, `{"phase": "http_ratelimit", "rules": [
 {"ref": "rl", "action": "block", "expression": "true",
  "ratelimit": {"characteristics": ["ip.src", "cf.colo.id"], "period": 10, "requests_per_period": 1, "mitigation_timeout": 60}}]}`),
		nethttp.Options{Now: c.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	r := httptest.NewRequest("GET", "http://example.com/", nil)
	assert.False(t, m.Decide(r).Stops(), "the first request")
	v := m.Decide(r)
	assert.Zero(t, v.PlainBlock())
	w := httptest.NewRecorder()
	require.True(t, v.Respond(w, r))
	assert.Equal(t, http.StatusTooManyRequests, w.Code)
	assert.Equal(t, "60", w.Header().Get("Retry-After"))
}

func challengeBody(t *testing.T) string {
	w := httptest.NewRecorder()
	nethttp.DefaultChallenge.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	require.Equal(t, "challenge", w.Header().Get("Cf-Mitigated"))
	return w.Body.String()
}

// ClientAddr replaces the middleware's own reading of the peer and its
// forwarding headers, trust included: the bot headers count only when it
// says the request came through a trusted proxy.
func TestClientAddr(t *testing.T) {
	f, err := expr.Compile(`ip.src eq 198.51.100.7 and cf.bot_management.score eq 12`, fields.Cloudflare())
	require.NoError(t, err)
	for _, trusted := range []bool{true, false} {
		m, err := nethttp.New(rules(t, `[]`), nethttp.Options{
			TrustedProxies: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}, // not read
			ClientAddr: func(r *http.Request) (netip.Addr, bool) {
				return netip.MustParseAddr(r.Header.Get("X-Test-Client")), trusted
			},
		})
		require.NoError(t, err)
		r := httptest.NewRequest("GET", "http://example.com/", nil)
		r.RemoteAddr = "192.0.2.1:5000"
		r.Header.Set("X-Forwarded-For", "192.0.2.2")
		r.Header.Set("X-Test-Client", "198.51.100.7")
		r.Header.Set("Cf-Bot-Score", "12")
		assert.Equal(t, trusted, m.Match(f, r), "trusted %v", trusted)
	}
}

// With ClientAddr, the server says which requests are trusted, so the
// bot headers may fill the score: no warning that nothing fills it.
func TestClientAddrMayTrust(t *testing.T) {
	m, err := nethttp.New(rules(t, verdictRules), nethttp.Options{
		ClientAddr: func(*http.Request) (netip.Addr, bool) { return netip.Addr{}, false },
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	require.NoError(t, err)
	assert.Empty(t, m.Unfilled())
}

func TestMatchCountsNothing(t *testing.T) {
	m, err := nethttp.New(rules(t, verdictRules), nethttp.Options{})
	require.NoError(t, err)
	f, err := expr.Compile(`http.request.uri.path eq "/tea"`, fields.Cloudflare())
	require.NoError(t, err)
	assert.True(t, m.Match(f, httptest.NewRequest("GET", "http://example.com/tea", nil)))
	assert.False(t, m.Match(f, httptest.NewRequest("GET", "http://example.com/coffee", nil)))
	assert.Zero(t, m.Counts().Requests)
}
