package ruleset_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/ratelimit"
	"github.com/edgerules/edgerules/ruleset"
)

// loginRL is the example of issue 19: 100 requests a minute to /login from
// one address, then a block of ten minutes.
const loginRL = `{"phase": "http_ratelimit", "rules": [
 {"ref": "login-rl", "action": "block", "expression": "http.request.uri.path eq \"/login\"",
  "ratelimit": {"characteristics": ["ip.src", "cf.colo.id"], "period": 60, "requests_per_period": 100,
                "mitigation_timeout": 600}}]}`

// fakeClock is a time that tests move.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time          { return c.now }
func (c *fakeClock) advance(d time.Duration) { c.now = c.now.Add(d) }
func newClock() *fakeClock                   { return &fakeClock{time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)} }

func limitEngine(t *testing.T, text string, clock *fakeClock, opts ...ruleset.Option) *ruleset.Engine {
	t.Helper()
	f, err := ruleset.Parse([]byte(text), ruleset.JSON)
	require.NoError(t, err)
	e, err := ruleset.Compile(f.Ruleset, fields.Cloudflare(), append(opts, ruleset.Clock(clock.Now))...)
	require.NoError(t, err)
	return e
}

// visit is one request: its address, path and headers.
type visit struct {
	ip, path string
	headers  map[string][]string
}

func (v visit) context() *eval.Context {
	c := eval.NewContext(fields.Cloudflare())
	_ = c.SetName("ip.src", eval.IP(mustAddr(v.ip)))
	_ = c.SetName("http.request.uri.path", eval.String(v.path))
	_ = c.SetName("http.request.headers", eval.StringsMap(v.headers))
	return c
}

func TestRateLimitBlocksThe101stRequest(t *testing.T) {
	clock := newClock()
	e := limitEngine(t, loginRL, clock)
	alice, bob := visit{ip: "192.0.2.1", path: "/login"}, visit{ip: "192.0.2.2", path: "/login"}
	for i := 1; i <= 100; i++ {
		d := e.Evaluate(alice.context())
		require.Empty(t, d.Action, "request %d", i)
		clock.advance(500 * time.Millisecond)
	}
	d := e.Evaluate(alice.context())
	assert.Equal(t, ruleset.Block, d.Action, "request 101")
	assert.Equal(t, "login-rl", d.Rule.Ref)
	assert.True(t, clock.now.Add(10*time.Minute).Equal(d.Until))

	assert.Empty(t, e.Evaluate(bob.context()).Action, "another address")
	assert.Empty(t, e.Evaluate(visit{ip: "192.0.2.1", path: "/"}.context()).Action, "another path")

	// The block lasts the mitigation timeout, though the rate falls.
	clock.advance(10*time.Minute - time.Second)
	assert.Equal(t, ruleset.Block, e.Evaluate(alice.context()).Action, "just before the timeout")
	clock.advance(time.Second)
	assert.Empty(t, e.Evaluate(alice.context()).Action, "at the timeout")
}

func TestRateLimitThrottles(t *testing.T) {
	// Without a mitigation timeout a challenge applies to each request
	// while the key is over its rate, and not after.
	clock := newClock()
	e := limitEngine(t, `{"phase": "http_ratelimit", "rules": [
 {"ref": "api", "action": "managed_challenge", "expression": "starts_with(http.request.uri.path, \"/api/\")",
  "ratelimit": {"characteristics": ["cf.colo.id", "http.request.headers[\"x-api-key\"]"], "period": 10, "requests_per_period": 2,
                "mitigation_timeout": 0}}]}`, clock)
	key := func(k string) visit {
		return visit{ip: "192.0.2.1", path: "/api/x", headers: map[string][]string{"x-api-key": {k}}}
	}
	assert.Empty(t, e.Evaluate(key("a").context()).Action)
	assert.Empty(t, e.Evaluate(key("a").context()).Action)
	d := e.Evaluate(key("a").context())
	assert.Equal(t, ruleset.ManagedChallenge, d.Action)
	assert.True(t, d.Until.IsZero())
	assert.Empty(t, e.Evaluate(key("b").context()).Action, "another key has its own counter")
	assert.Empty(t, e.Evaluate(visit{ip: "192.0.2.1", path: "/api/x"}.context()).Action, "no key is a key too")
	clock.advance(20 * time.Second)
	assert.Empty(t, e.Evaluate(key("a").context()).Action, "two periods later")
}

func TestRateLimitCountsResponses(t *testing.T) {
	// Cloudflare's example B: a request counts when the origin answers
	// 400; the fourth request, after two such answers, is blocked.
	clock := newClock()
	e := limitEngine(t, `{"phase": "http_ratelimit", "rules": [
 {"ref": "form", "action": "block", "expression": "http.request.uri.path eq \"/form\"",
  "ratelimit": {"characteristics": ["cf.colo.id", "ip.src"], "period": 10, "requests_per_period": 1, "mitigation_timeout": 600,
                "counting_expression": "http.request.uri.path eq \"/form\" and http.response.code eq 400"}}]}`, clock)
	require.True(t, e.CountsResponses())
	form := visit{ip: "192.0.2.1", path: "/form"}
	for i, code := range []int64{400, 200, 400} {
		c := form.context()
		d := e.Evaluate(c)
		require.Empty(t, d.Action, "request %d", i+1)
		require.NoError(t, c.SetName("http.response.code", eval.Int(code)))
		e.CountResponse(c, d)
		clock.advance(time.Second)
	}
	d := e.Evaluate(form.context())
	assert.Equal(t, ruleset.Block, d.Action, "request 4")
	assert.True(t, clock.now.Add(10*time.Minute).Equal(d.Until), "the block starts with request 4: %v", d.Until)
}

func TestRateLimitThrottlesByResponse(t *testing.T) {
	// Without a mitigation timeout, responses that count put the key
	// over, and each request is challenged while it is.
	clock := newClock()
	e := limitEngine(t, `{"phase": "http_ratelimit", "rules": [
 {"ref": "form", "action": "managed_challenge", "expression": "http.request.uri.path eq \"/form\"",
  "ratelimit": {"characteristics": ["cf.colo.id", "ip.src"], "period": 10, "requests_per_period": 1, "mitigation_timeout": 0,
                "counting_expression": "http.response.code eq 400"}}]}`, clock)
	form := visit{ip: "192.0.2.1", path: "/form"}
	for range 2 {
		c := form.context()
		d := e.Evaluate(c)
		require.Empty(t, d.Action)
		require.NoError(t, c.SetName("http.response.code", eval.Int(400)))
		e.CountResponse(c, d)
	}
	assert.Equal(t, ruleset.ManagedChallenge, e.Evaluate(form.context()).Action)
	assert.Equal(t, ruleset.ManagedChallenge, e.Evaluate(form.context()).Action, "still over")
	clock.advance(20 * time.Second)
	assert.Empty(t, e.Evaluate(form.context()).Action, "the windows moved on")
}

func TestRateLimitByScore(t *testing.T) {
	clock := newClock()
	e := limitEngine(t, `{"phase": "http_ratelimit", "rules": [
 {"ref": "gql", "action": "block", "expression": "http.request.uri.path eq \"/graphql\"",
  "ratelimit": {"characteristics": ["cf.colo.id", "ip.src"], "period": 60, "score_per_period": 400,
                "score_response_header_name": "X-Score", "mitigation_timeout": 60}}]}`, clock)
	gql := visit{ip: "192.0.2.1", path: "/graphql"}
	respond := func(score ...string) ruleset.Decision {
		c := gql.context()
		d := e.Evaluate(c)
		if d.Action == "" {
			require.NoError(t, c.SetName("http.response.headers", eval.StringsMap(map[string][]string{"x-score": score})))
			e.CountResponse(c, d)
		}
		return d
	}
	// Scores outside 1 to 1,000,000, or no score, count nothing.
	for _, s := range [][]string{{"150"}, {"0"}, {"2000000"}, {"ten"}, nil, {"150"}, {"100"}} {
		require.Empty(t, respond(s...).Action)
	}
	assert.Empty(t, respond("1").Action, "400 so far: not over")
	assert.Equal(t, ruleset.Block, respond().Action, "401: over")
}

func TestRateLimitLogs(t *testing.T) {
	clock := newClock()
	e := limitEngine(t, `{"phase": "http_ratelimit", "rules": [
 {"ref": "watch", "action": "log", "expression": "true",
  "ratelimit": {"characteristics": ["cf.colo.id", "ip.src"], "period": 10, "requests_per_period": 1}}]}`, clock)
	v := visit{ip: "192.0.2.1", path: "/"}
	assert.Empty(t, e.Evaluate(v.context()).Logged)
	d := e.Evaluate(v.context())
	assert.Empty(t, d.Action)
	require.Len(t, d.Logged, 1)
	assert.Equal(t, "watch", d.Logged[0].Ref)
}

func TestRateLimitSharedStore(t *testing.T) {
	// Two engines of one ruleset with one store count together.
	clock := newClock()
	store := ratelimit.NewMemory(ratelimit.MemoryOptions{})
	a := limitEngine(t, loginRL, clock, ruleset.RateLimitStore(store))
	b := limitEngine(t, loginRL, clock, ruleset.RateLimitStore(store))
	v := visit{ip: "192.0.2.1", path: "/login"}
	for i := range 100 {
		e := a
		if i%2 == 1 {
			e = b
		}
		require.Empty(t, e.Evaluate(v.context()).Action)
	}
	assert.Equal(t, ruleset.Block, b.Evaluate(v.context()).Action)
}

func TestRateLimitTimeOfTheRequest(t *testing.T) {
	// A context with http.request.timestamp.sec counts at that time, not
	// the clock's: a log replays at its own pace.
	clock := newClock()
	e := limitEngine(t, loginRL, clock)
	at := func(sec int64) *eval.Context {
		c := visit{ip: "192.0.2.1", path: "/login"}.context()
		_ = c.SetName("http.request.timestamp.sec", eval.Int(sec))
		return c
	}
	for range 101 {
		e.Evaluate(at(1000))
	}
	assert.Equal(t, ruleset.Block, e.Evaluate(at(1000+599)).Action)
	assert.Empty(t, e.Evaluate(at(1000+601)).Action)
}

// TestRateLimitValidate: parameters that are not as Cloudflare documents
// them are errors at their place in the file.
func TestRateLimitValidate(t *testing.T) {
	for _, tc := range []struct {
		ratelimit string
		at        string // the text where the error is placed
		want      string
	}{
		{`{"characteristics": ["ip.src", "cf.colo.id"], "period": 30, "requests_per_period": 5}`, `30`,
			`rule 1 (ref "r"), ratelimit.period: period 30 is not one Cloudflare has: 10, 60, 120, 300, 600 or 3600 seconds`},
		{`{"characteristics": ["ip.src", "cf.colo.id"], "period": 60, "requests_per_period": 5, "mitigation_timeout": 7}`, `7}`,
			`rule 1 (ref "r"), ratelimit.mitigation_timeout: mitigation_timeout 7 is not one Cloudflare has: 0, 10, 60, 120, 300, 600, 3600 or 86400 seconds`},
		{`{"characteristics": ["ip.src"], "period": 60, "requests_per_period": 5}`, `["ip.src"]`,
			`rule 1 (ref "r"), ratelimit.characteristics: the characteristics must include cf.colo.id, as Cloudflare requires of every rate limiting rule; outside Cloudflare it is one value`},
		{`{"characteristics": ["ip.src", "cf.colo.id", "cf.unique_visitor_id"], "period": 60, "requests_per_period": 5}`, `["ip.src"`,
			`rule 1 (ref "r"), ratelimit.characteristics: ip.src and cf.unique_visitor_id cannot both be characteristics of a rule`},
		{`{"characteristics": ["ip.src", "cf.colo.id", 7], "period": 60, "requests_per_period": 5}`, `7]`,
			`rule 1 (ref "r"), ratelimit.characteristics.2: a characteristic must be a string, found 7`},
		{`{"characteristics": ["ip.src", "cf.colo.id", "ip.src"], "period": 60, "requests_per_period": 5}`, `"ip.src"]`,
			`rule 1 (ref "r"), ratelimit.characteristics.2: characteristic ip.src is already in the list`},
		{`{"characteristics": ["ip.src", "cf.colo.id"], "period": 60}`, `{"characteristics"`,
			`rule 1 (ref "r"): a rate limit has "requests_per_period", or "score_per_period" with "score_response_header_name"`},
		{`{"characteristics": ["ip.src", "cf.colo.id"], "period": 60, "requests_per_period": 0.5}`, `0.5`,
			`rule 1 (ref "r"), ratelimit.requests_per_period: "requests_per_period" must be a whole number, found 0.5`},
		{`{"characteristics": ["ip.src", "cf.colo.id"], "period": 60, "requests_per_period": 5, "score_per_period": 5, "score_response_header_name": "x"}`, `5, "score_response`,
			`rule 1 (ref "r"), ratelimit.score_per_period: a rate limit counts requests_per_period or score_per_period, not both`},
		{`{"characteristics": ["ip.src", "cf.colo.id"], "period": 60, "score_per_period": 5}`, `5}`,
			`rule 1 (ref "r"), ratelimit.score_per_period: a rate limit by score names the origin's response header with each request's score in "score_response_header_name"`},
		{`{"characteristics": ["ip.src", "cf.colo.id"], "period": 60, "requests_per_period": 5, "requests_to_origin": "yes"}`, `"yes"`,
			`rule 1 (ref "r"), ratelimit.requests_to_origin: "requests_to_origin" must be true or false, found the string "yes"`},
		{`{"characteristics": ["ip.src", "cf.colo.id"], "requests_per_period": 5}`, `{"characteristics"`,
			`rule 1 (ref "r"), ratelimit.period: a rate limit has a "period", in seconds: 10, 60, 120, 300, 600 or 3600`},
	} {
		text := "{\"phase\": \"http_ratelimit\", \"rules\": [\n {\"ref\": \"r\", \"action\": \"block\", \"expression\": \"true\",\n  \"ratelimit\": " + tc.ratelimit + "}]}"
		f, err := ruleset.Parse([]byte(text), ruleset.JSON)
		require.NoError(t, err)
		errs := f.Validate()
		require.Len(t, errs, 1, tc.ratelimit)
		assert.EqualError(t, errs[0], tc.want)
		line, col := errs[0].Rule.Position(errs[0].Key)
		require.Equal(t, 3, line, tc.ratelimit)
		assert.True(t, strings.HasPrefix(strings.Split(text, "\n")[2][col-1:], tc.at), "%s: placed at %q", tc.ratelimit, strings.Split(text, "\n")[2][col-1:])
	}
}

func TestRateLimitPhase(t *testing.T) {
	f, err := ruleset.Parse([]byte(`{"phase": "http_ratelimit", "rules": [{"ref": "r", "action": "block", "expression": "true"}]}`), ruleset.JSON)
	require.NoError(t, err)
	require.Len(t, f.Validate(), 1)
	assert.EqualError(t, f.Validate()[0], `rule 1 (ref "r"): a rule of phase http_ratelimit has a "ratelimit" object: its characteristics, period and requests_per_period`)

	f, err = ruleset.Parse([]byte(`{"phase": "http_request_firewall_custom", "rules": [{"ref": "r", "action": "block", "expression": "true",
  "ratelimit": {"characteristics": ["ip.src", "cf.colo.id"], "period": 60, "requests_per_period": 5}}]}`), ruleset.JSON)
	require.NoError(t, err)
	require.Len(t, f.Validate(), 1)
	assert.EqualError(t, f.Validate()[0], `rule 1 (ref "r"): only rules of phase http_ratelimit have a "ratelimit" object; this ruleset's phase is http_request_firewall_custom`)

	f, err = ruleset.Parse([]byte(`[{"ref": "r", "action": "block", "expression": "true",
  "ratelimit": {"characteristics": ["ip.src", "cf.colo.id"], "perod": 60, "requests_per_period": 5}}]`), ruleset.JSON)
	assert.EqualError(t, err, `2:62: unknown key "perod" in a ratelimit object; did you mean "period"?`)
	assert.Empty(t, f.Validate(), "the misspelt period is not reported again as missing")
}

func TestRateLimitCharacteristicErrors(t *testing.T) {
	f, err := ruleset.Parse([]byte(`[{"ref": "r", "action": "block", "expression": "true",
  "ratelimit": {"characteristics": ["ip.scr", "cf.colo.id"], "period": 60, "requests_per_period": 5}}]`), ruleset.JSON)
	require.NoError(t, err)
	_, err = ruleset.Compile(f.Ruleset, fields.Cloudflare())
	assert.ErrorContains(t, err, "rule 1 (ref \"r\"), ratelimit.characteristics.0: Filter parsing error (1:1):")
	assert.ErrorContains(t, err, "unknown field `ip.scr`")
}

func TestRateLimitCountingExpressionStandsAlone(t *testing.T) {
	// As Cloudflare documents, a counting expression does not extend the
	// rule's expression: here every request of the address counts, and the
	// rule acts on /login.
	clock := newClock()
	e := limitEngine(t, `{"phase": "http_ratelimit", "rules": [
 {"ref": "r", "action": "block", "expression": "http.request.uri.path eq \"/login\"",
  "ratelimit": {"characteristics": ["cf.colo.id", "ip.src"], "period": 60, "requests_per_period": 2, "mitigation_timeout": 60,
                "counting_expression": "http.request.uri.path ne \"/health\""}}]}`, clock)
	for _, path := range []string{"/a", "/b", "/health", "/c"} {
		require.Empty(t, e.Evaluate(visit{ip: "192.0.2.1", path: path}.context()).Action, path)
	}
	assert.Equal(t, ruleset.Block, e.Evaluate(visit{ip: "192.0.2.1", path: "/login"}.context()).Action)
	assert.Empty(t, e.Evaluate(visit{ip: "192.0.2.2", path: "/login"}.context()).Action)
}

func TestRateLimitThrottledClientGetsTheRateThrough(t *testing.T) {
	// A client at twice the rate of a throttling rule gets about the
	// rule's rate through: the requests it challenges do not count.
	clock := newClock()
	e := limitEngine(t, `{"phase": "http_ratelimit", "rules": [
 {"ref": "api", "action": "managed_challenge", "expression": "true",
  "ratelimit": {"characteristics": ["cf.colo.id", "ip.src"], "period": 10, "requests_per_period": 10, "mitigation_timeout": 0}}]}`, clock)
	passed := 0
	for range 120 { // 60 s at 2 requests a second
		if e.Evaluate(visit{ip: "192.0.2.1", path: "/"}.context()).Action == "" {
			passed++
		}
		clock.advance(500 * time.Millisecond)
	}
	// 10 each 10 s is 60 in 60 s. Once the previous window is full, the
	// estimate lets one request a second through, one fewer a window than
	// its rate; were challenged requests counted, only the first 10 would
	// pass.
	assert.GreaterOrEqual(t, passed, 50)
	assert.LessOrEqual(t, passed, 60)
}
