package edgerulescaddy_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2/caddytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/edgerules/edgerules/caddy"
	"github.com/edgerules/edgerules/internal/redistest"
)

// The tests share one Caddy in the test process, configured through its
// admin endpoint on caddytest's fixed port: none of them runs in parallel.

// globals are the global options every test configuration starts with.
// The test client connects from 127.0.0.1, which private_ranges trusts, so
// its Cf-Bot-Score and X-Forwarded-For headers are believed.
const globals = `
	skip_install_trust
	admin localhost:2999
	http_port 9080
	https_port 9443
	grace_period 1ns
	servers {
		trusted_proxies static private_ranges
	}
`

// start loads a Caddyfile into the test Caddy.
func start(t *testing.T, caddyfile string) *caddytest.Tester {
	t.Helper()
	return load(t, caddyfile, "caddyfile")
}

// load loads a configuration of the given type ("caddyfile" or "json")
// into the test Caddy. A test that caddytest would skip, because the
// in-process Caddy does not start, fails instead.
func load(t *testing.T, config, configType string) *caddytest.Tester {
	t.Helper()
	t.Cleanup(func() {
		if t.Skipped() && !testing.Short() {
			t.Error("caddytest skipped the test: the in-process Caddy did not start")
		}
	})
	tester := caddytest.NewTester(t)
	tester.InitServer(config, configType)
	return tester
}

// request is what a test client sends.
type request struct {
	path, score, ua, verified, forwardedFor string
}

// answer is what the client got: status, the Cf-Mitigated header, body.
func answer(t *testing.T, tester *caddytest.Tester, q request) string {
	t.Helper()
	r, err := http.NewRequest("GET", "http://localhost:9080"+q.path, nil)
	require.NoError(t, err)
	for name, value := range map[string]string{"Cf-Bot-Score": q.score, "User-Agent": q.ua,
		"Cf-Verified-Bot": q.verified, "X-Forwarded-For": q.forwardedFor} {
		if value != "" {
			r.Header.Set(name, value)
		}
	}
	resp, err := tester.Client.Do(r)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	out := fmt.Sprint(resp.StatusCode)
	if m := resp.Header.Get("Cf-Mitigated"); m != "" {
		out += " cf-mitigated=" + m
		body = []byte("(challenge page)")
	}
	return out + " " + string(body)
}

const (
	browser = "Mozilla/5.0 (X11; Linux x86_64) Firefox/125.0"
	app     = "App_Name 2.0 (iOS 17)"
)

// The seed's layered rules, as a user configures them: the global option,
// the directive with no order line, and handle_errors styling blocks.
func TestLayeredRulesCaddyfile(t *testing.T) {
	rules, err := filepath.Abs("../examples/rules/bot-management.yaml")
	require.NoError(t, err)
	tester := start(t, `{`+globals+`
		edgerules {
			rules `+rules+`
			mode enforce
		}
	}
	http://localhost:9080 {
		edgerules
		respond "origin"
		handle_errors {
			respond "styled {err.status_code}"
		}
	}`)
	for _, c := range []struct {
		name string
		q    request
		want string
	}{
		{"a likely bot on a browser path is blocked", request{path: "/products", score: "12", ua: browser}, "403 styled 403"},
		{"the same bot on the API passes", request{path: "/api/items", score: "12", ua: browser}, "200 origin"},
		{"the mobile app at score 1 is blocked", request{path: "/home", score: "1", ua: app}, "403 styled 403"},
		{"the mobile app at score 20 is challenged", request{path: "/home", score: "20", ua: app}, "403 cf-mitigated=challenge (challenge page)"},
		{"a verified bot passes", request{path: "/products", score: "1", ua: "Googlebot/2.1", verified: "true"}, "200 origin"},
		{"a human passes", request{path: "/products", score: "87", ua: browser}, "200 origin"},
		{"no score, no block", request{path: "/products", ua: browser}, "200 origin"},
	} {
		assert.Equal(t, c.want, answer(t, tester, c.q), c.name)
	}
}

// The same rules in JSON configuration, where the server trusts no proxy:
// the bot headers of an untrusted client are not believed.
func TestJSONConfigTrustsNoHeadersOfUntrustedClients(t *testing.T) {
	rules, err := filepath.Abs("../examples/rules/bot-management.json")
	require.NoError(t, err)
	tester := load(t, `{
		"admin": {"listen": "localhost:2999"},
		"apps": {
			"edgerules": {"rules": "`+rules+`"},
			"http": {"http_port": 9080, "grace_period": 1, "servers": {"srv0": {
				"listen": [":9080"],
				"routes": [{"handle": [
					{"handler": "edgerules"},
					{"handler": "static_response", "body": "origin"}
				]}]
			}}},
			"pki": {"certificate_authorities": {"local": {"install_trust": false}}}
		}
	}`, "json")
	assert.Equal(t, "200 origin", answer(t, tester, request{path: "/products", score: "12", ua: browser}))
}

// Custom responses are answered as package nethttp answers them, not by
// handle_errors; detection-only lets everything through.
func TestCustomResponseAndDetectMode(t *testing.T) {
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.json")
	require.NoError(t, os.WriteFile(rules, []byte(`[
		{"ref": "teapot", "expression": "http.request.uri.path eq \"/tea\"", "action": "block",
		 "action_parameters": {"response": {"status_code": 418, "content": "no tea", "content_type": "text/plain"}}},
		{"ref": "bots", "expression": "cf.bot_management.score lt 30", "action": "block"}
	]`), 0o644))
	site := `
	http://localhost:9080 {
		edgerules
		respond "origin"
		handle_errors {
			respond "styled {err.status_code}"
		}
	}`
	tester := start(t, `{`+globals+`
		edgerules {
			rules `+rules+`
		}
	}`+site)
	assert.Equal(t, "418 no tea", answer(t, tester, request{path: "/tea", score: "80"}))
	assert.Equal(t, "403 styled 403", answer(t, tester, request{path: "/", score: "5"}))

	tester = start(t, `{`+globals+`
		edgerules {
			rules `+rules+`
			mode detect
		}
	}`+site)
	assert.Equal(t, "200 origin", answer(t, tester, request{path: "/tea", score: "80"}))
	assert.Equal(t, "200 origin", answer(t, tester, request{path: "/", score: "5"}))
}

// The matcher reads fields as the handler does, the client address from
// Caddy's client_ip; it needs no rules file. An expression is one
// backquoted token or several words whose quotes are kept.
func TestMatcher(t *testing.T) {
	tester := start(t, `{`+globals+`}
	http://localhost:9080 {
		@bots edgerules `+"`cf.bot_management.score lt 30 and not cf.bot_management.verified_bot`"+`
		@office edgerules ip.src in {198.51.100.0/24} and http.user_agent contains "App_Name 2.0"
		handle @bots {
			respond "bot"
		}
		handle @office {
			respond "office app"
		}
		handle {
			respond "other"
		}
	}`)
	for q, want := range map[request]string{
		{path: "/", score: "12"}:                               "200 bot",
		{path: "/", score: "12", verified: "true"}:             "200 other",
		{path: "/", score: "80"}:                               "200 other",
		{path: "/", ua: app, forwardedFor: "198.51.100.7"}:     "200 office app",
		{path: "/", ua: app, forwardedFor: "203.0.113.7"}:      "200 other",
		{path: "/", ua: browser, forwardedFor: "198.51.100.7"}: "200 other",
	} {
		assert.Equal(t, want, answer(t, tester, q), "%+v", q)
	}
}

func TestConfigErrors(t *testing.T) {
	for name, c := range map[string]struct{ config, want string }{
		"handler without rules": {`{` + globals + `}
			http://localhost:9080 {
				edgerules
			}`, "the handler needs rules"},
		"matcher that does not compile": {`{` + globals + `}
			http://localhost:9080 {
				@bad edgerules ` + "`cf.bot_management.score lt \"x\"`" + `
				respond @bad "x"
			}`, "edgerules matcher"},
		"unknown mode": {`{` + globals + `
				edgerules {
					rules /dev/null
					mode block
				}
			}
			http://localhost:9080 {
				edgerules
			}`, `mode is \"enforce\" or \"detect\", found \"block\"`},
		"directive with arguments": {`{` + globals + `}
			http://localhost:9080 {
				edgerules detect
			}`, "the edgerules directive takes no arguments"},
	} {
		t.Run(name, func(t *testing.T) {
			caddytest.AssertLoadError(t, c.config, "caddyfile", c.want)
		})
	}
}

// writeRules replaces the rules file with a rule that blocks path, or
// with text that is not a ruleset, and moves its time on so that the
// watcher cannot take it for the version before.
func writeRules(t *testing.T, file, text string, at time.Time) {
	t.Helper()
	require.NoError(t, os.WriteFile(file, []byte(text), 0o644))
	require.NoError(t, os.Chtimes(file, at, at))
}

func blocking(path string) string {
	return `[{"ref": "no-` + strings.Trim(path, "/") + `", "expression": "http.request.uri.path eq \"` + path + `\"", "action": "block"}]`
}

// The app reloads the rules file when it changes, without a Caddy
// reload; a broken file is logged and the old rules keep serving.
func TestReloadWhenTheFileChanges(t *testing.T) {
	rules := filepath.Join(t.TempDir(), "rules.json")
	now := time.Now()
	writeRules(t, rules, blocking("/a"), now)
	tester := start(t, `{`+globals+`
		edgerules {
			rules `+rules+`
			watch_interval 50ms
		}
	}
	http://localhost:9080 {
		edgerules
		respond "origin"
	}`)
	status := func(path string) string { return answer(t, tester, request{path: path})[:3] }
	require.Equal(t, "403", status("/a"))
	require.Equal(t, "200", status("/b"))

	writeRules(t, rules, blocking("/b"), now.Add(time.Second))
	require.Eventually(t, func() bool { return status("/b") == "403" }, 5*time.Second, 20*time.Millisecond)
	assert.Equal(t, "200", status("/a"))

	// A broken file: twenty watch intervals later, /b is still blocked.
	writeRules(t, rules, `[{"expression": "http.request.uri.path eq", "action": "block"}]`, now.Add(2*time.Second))
	time.Sleep(time.Second)
	assert.Equal(t, "403", status("/b"))
	assert.Equal(t, "200", status("/c"))

	// Mended, it loads.
	writeRules(t, rules, blocking("/c"), now.Add(3*time.Second))
	require.Eventually(t, func() bool { return status("/c") == "403" }, 5*time.Second, 20*time.Millisecond)
	assert.Equal(t, "200", status("/b"))
}

// A rate limiting rule counts requests in the app's store; its block is
// answered as package nethttp answers it, with when to retry.
func TestRateLimit(t *testing.T) {
	rules := filepath.Join(t.TempDir(), "rules.json")
	require.NoError(t, os.WriteFile(rules, []byte(`{"phase": "http_ratelimit", "rules": [
		{"ref": "login-rl", "action": "block", "expression": "http.request.uri.path eq \"/login\"",
		 "ratelimit": {"characteristics": ["ip.src", "cf.colo.id"], "period": 60, "requests_per_period": 2, "mitigation_timeout": 600}}]}`), 0o644))
	tester := start(t, `{`+globals+`
		edgerules {
			rules `+rules+`
		}
	}
	http://localhost:9080 {
		edgerules
		respond "origin"
	}`)
	login := func(client string) *http.Response {
		r, err := http.NewRequest("GET", "http://localhost:9080/login", nil)
		require.NoError(t, err)
		r.Header.Set("X-Forwarded-For", client)
		resp, err := tester.Client.Do(r)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	for range 2 {
		require.Equal(t, http.StatusOK, login("198.51.100.7").StatusCode)
	}
	resp := login("198.51.100.7")
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Equal(t, "600", resp.Header.Get("Retry-After"))
	assert.Equal(t, http.StatusOK, login("198.51.100.8").StatusCode, "another client, as Caddy's client_ip tells")
}

// A rate limiting rule that counts by the response counts only the
// failed logins Caddy answered: the module waits for the response.
func TestRateLimitCountsResponses(t *testing.T) {
	rules := filepath.Join(t.TempDir(), "rules.json")
	require.NoError(t, os.WriteFile(rules, []byte(`{"phase": "http_ratelimit", "rules": [
		{"ref": "bad-logins", "action": "block", "expression": "http.request.uri.path eq \"/login\"",
		 "ratelimit": {"characteristics": ["ip.src", "cf.colo.id"], "period": 60, "requests_per_period": 2, "mitigation_timeout": 600,
		  "counting_expression": "http.request.uri.path eq \"/login\" and http.response.code eq 401"}}]}`), 0o644))
	tester := start(t, `{`+globals+`
		edgerules {
			rules `+rules+`
		}
	}
	http://localhost:9080 {
		edgerules
		@wrong not query password=right
		respond @wrong "wrong password" 401
		respond "welcome"
	}`)
	login := func(password string) int {
		resp, err := tester.Client.Get("http://localhost:9080/login?password=" + password)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	for range 3 {
		require.Equal(t, http.StatusOK, login("right"), "successful logins do not count")
	}
	for range 3 {
		require.Equal(t, http.StatusUnauthorized, login("wrong"))
	}
	assert.Equal(t, http.StatusTooManyRequests, login("right"), "three failed logins are over two")
}

// TestRateLimitRedis keeps a rate limit's counts in a real Redis: a Caddy
// configuration loaded anew (a new app, a new middleware) still finds the
// client over its limit, which a count in memory would have forgotten.
func TestRateLimitRedis(t *testing.T) {
	redis := redistest.Start(t)
	rules := filepath.Join(t.TempDir(), "rules.json")
	require.NoError(t, os.WriteFile(rules, []byte(`{"phase": "http_ratelimit", "rules": [
		{"ref": "login-rl", "action": "block", "expression": "http.request.uri.path eq \"/login\"",
		 "ratelimit": {"characteristics": ["ip.src", "cf.colo.id"], "period": 60, "requests_per_period": 2, "mitigation_timeout": 600}}]}`), 0o644))
	config := func(origin string) string {
		return `{` + globals + `
		edgerules {
			rules ` + rules + `
			ratelimit_redis ` + redis.URL + `
		}
	}
	http://localhost:9080 {
		edgerules
		respond "` + origin + `"
	}`
	}
	tester := start(t, config("first"))
	login := func() int {
		r, err := http.NewRequest("GET", "http://localhost:9080/login", nil)
		require.NoError(t, err)
		r.Header.Set("X-Forwarded-For", "198.51.100.9")
		resp, err := tester.Client.Do(r)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	for range 2 {
		require.Equal(t, http.StatusOK, login())
	}
	tester = start(t, config("second"))
	assert.Equal(t, http.StatusTooManyRequests, login(), "the count outlives the configuration, in Redis")
}
