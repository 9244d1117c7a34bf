package nethttp_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgerules/edgerules/nethttp"
	"github.com/edgerules/edgerules/ratelimit"
)

// loginRL is the example of issue 19.
const loginRL = `{"phase": "http_ratelimit", "rules": [
 {"ref": "login-rl", "action": "block", "expression": "http.request.uri.path eq \"/login\"",
  "ratelimit": {"characteristics": ["ip.src", "cf.colo.id"], "period": 60, "requests_per_period": 100,
                "mitigation_timeout": 600}}]}`

// clock is a time that a test moves.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time          { return c.now }
func (c *clock) advance(d time.Duration) { c.now = c.now.Add(d) }

func newClock() *clock { return &clock{time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)} }

// get sends a request from addr for path through h and returns the
// response.
func get(h http.Handler, addr, path string) *http.Response {
	r := httptest.NewRequest("GET", "http://example.com"+path, nil)
	r.RemoteAddr = addr + ":40000"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func TestRateLimitMiddleware(t *testing.T) {
	c := newClock()
	m, err := nethttp.New(rules(t, loginRL), nethttp.Options{Now: c.Now, Logger: quiet})
	require.NoError(t, err)
	h := m.Wrap(upstream)
	for i := 1; i <= 100; i++ {
		require.Equal(t, http.StatusOK, get(h, "192.0.2.1", "/login").StatusCode, "request %d", i)
		c.advance(500 * time.Millisecond)
	}
	resp := get(h, "192.0.2.1", "/login")
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode, "request 101")
	assert.Equal(t, "600", resp.Header.Get("Retry-After"))
	assert.Equal(t, http.StatusOK, get(h, "192.0.2.2", "/login").StatusCode, "another address")

	// A reload keeps the counts: the store is the middleware's.
	require.NoError(t, m.Load(rules(t, loginRL)))
	c.advance(9 * time.Minute)
	resp = get(h, "192.0.2.1", "/login")
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode, "nine minutes later")
	assert.Equal(t, "60", resp.Header.Get("Retry-After"))
	c.advance(time.Minute)
	assert.Equal(t, http.StatusOK, get(h, "192.0.2.1", "/login").StatusCode, "ten minutes later")
	assert.Equal(t, uint64(2), m.Counts().Actions["block"])
}

func TestRateLimitMiddlewareCountsResponses(t *testing.T) {
	// Failed logins count: three 401s in ten seconds block an address.
	c := newClock()
	m, err := nethttp.New(rules(t, `{"phase": "http_ratelimit", "rules": [
 {"ref": "bad-logins", "action": "block", "expression": "http.request.uri.path eq \"/login\"",
  "ratelimit": {"characteristics": ["ip.src", "cf.colo.id"], "period": 10, "requests_per_period": 2, "mitigation_timeout": 60,
                "counting_expression": "http.request.uri.path eq \"/login\" and http.response.code eq 401"}}]}`),
		nethttp.Options{Now: c.Now, Logger: quiet})
	require.NoError(t, err)
	origin := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("password") != "right" {
			w.WriteHeader(http.StatusUnauthorized)
		}
	})
	h := m.Wrap(origin)
	for range 5 {
		require.Equal(t, http.StatusOK, get(h, "192.0.2.1", "/login?password=right").StatusCode, "right passwords do not count")
	}
	for range 3 {
		require.Equal(t, http.StatusUnauthorized, get(h, "192.0.2.1", "/login?password=wrong").StatusCode)
	}
	assert.Equal(t, http.StatusTooManyRequests, get(h, "192.0.2.1", "/login?password=right").StatusCode)
}

func TestRateLimitMiddlewareScore(t *testing.T) {
	c := newClock()
	m, err := nethttp.New(rules(t, `{"phase": "http_ratelimit", "rules": [
 {"ref": "cost", "action": "block", "expression": "starts_with(http.request.uri.path, \"/search\")",
  "ratelimit": {"characteristics": ["ip.src", "cf.colo.id"], "period": 60, "score_per_period": 100,
                "score_response_header_name": "x-cost", "mitigation_timeout": 60}}]}`),
		nethttp.Options{Now: c.Now, Logger: quiet, RateLimitStore: ratelimit.NewMemory(ratelimit.MemoryOptions{})})
	require.NoError(t, err)
	h := m.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Header().Set("X-Cost", "40") }))
	for range 3 {
		require.Equal(t, http.StatusOK, get(h, "192.0.2.1", "/search").StatusCode)
	}
	assert.Equal(t, http.StatusTooManyRequests, get(h, "192.0.2.1", "/search").StatusCode, "120 is over 100")
	assert.Equal(t, http.StatusOK, get(h, "192.0.2.2", "/search").StatusCode)
}
