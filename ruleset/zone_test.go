package ruleset_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/ruleset"
)

// The rulesets of one zone, a phase each, every rule reading what the
// phase before it did.
const (
	redirects = `{"phase": "http_request_dynamic_redirect", "rules": [
 {"ref": "old-blog", "action": "redirect", "expression": "starts_with(http.request.uri.path, \"/old-blog/\")",
  "action_parameters": {"from_value": {"status_code": 308, "preserve_query_string": true,
   "target_url": {"expression": "concat(\"https://blog.example.com/\", substring(http.request.uri.path, 10))"}}}}]}`
	rewrites = `{"phase": "http_request_transform", "rules": [
 {"ref": "v1", "action": "rewrite", "expression": "starts_with(http.request.uri.path, \"/v1/\")",
  "action_parameters": {"uri": {"path": {"expression": "regex_replace(http.request.uri.path, \"^/v1/\", \"/api/\")"}}}},
 {"ref": "v1-query", "action": "rewrite", "expression": "starts_with(http.request.uri.path, \"/v1/\")",
  "action_parameters": {"uri": {"query": {"value": "version=1"}}}}]}`
	custom = `{"phase": "http_request_firewall_custom", "rules": [
 {"ref": "bots-off-api", "action": "block", "expression": "cf.bot_management.score lt 30 and starts_with(http.request.uri.path, \"/api/\")"},
 {"ref": "old-clients", "action": "log", "expression": "starts_with(raw.http.request.uri.path, \"/v1/\") and http.request.uri.args[\"version\"][0] eq \"1\""},
 {"ref": "trusted", "action": "skip", "expression": "ip.src eq 192.0.2.9", "action_parameters": {"phases": ["http_ratelimit"]}}]}`
	limits = `{"phase": "http_ratelimit", "rules": [
 {"ref": "api-rl", "action": "block", "expression": "starts_with(http.request.uri.path, \"/api/\")",
  "ratelimit": {"characteristics": ["ip.src", "cf.colo.id"], "period": 10, "requests_per_period": 1}}]}`
	headers = `{"phase": "http_request_late_transform", "rules": [
 {"ref": "score", "action": "rewrite", "expression": "true",
  "action_parameters": {"headers": {"X-Bot-Score": {"operation": "set", "expression": "to_string(cf.bot_management.score)"},
   "X-Api-Path": {"operation": "set", "expression": "http.request.uri.path"}, "Cf-Connecting-Ip": {"operation": "remove"}}}}]}`
	responses = `{"phase": "http_response_headers_transform", "rules": [
 {"ref": "powered", "action": "rewrite", "expression": "http.response.code eq 200",
  "action_parameters": {"headers": {"X-Powered-By": {"operation": "remove"}, "X-Served": {"operation": "add", "value": "edge"}}}}]}`
)

func parse(t *testing.T, text string) *ruleset.Ruleset {
	t.Helper()
	f, err := ruleset.Parse([]byte(text), ruleset.JSON)
	require.NoError(t, err)
	return f.Ruleset
}

func zoneOf(t *testing.T, texts ...string) *ruleset.ZoneEngine {
	t.Helper()
	var rulesets []*ruleset.Ruleset
	for _, text := range texts {
		rulesets = append(rulesets, parse(t, text))
	}
	z, err := ruleset.NewZone(rulesets...)
	require.NoError(t, err)
	e, err := ruleset.CompileZone(z, fields.Cloudflare(), ruleset.Clock(newClock().Now))
	require.NoError(t, err)
	return e
}

// zoneRequest is the context of a request to path?query from ip with a bot
// score, with the raw fields a proxy fills.
func zoneRequest(ip, path, query string, score int64) *eval.Context {
	c := eval.NewContext(fields.Cloudflare())
	uri := path
	if query != "" {
		uri += "?" + query
	}
	for name, v := range map[string]eval.Value{
		"ip.src": eval.IP(mustAddr(ip)), "cf.bot_management.score": eval.Int(score),
		"http.request.uri.path": eval.String(path), "http.request.uri.query": eval.String(query),
		"http.request.uri": eval.String(uri), "http.request.full_uri": eval.String("https://example.com" + uri),
		"raw.http.request.uri.path": eval.String(path),
	} {
		_ = c.SetName(name, v)
	}
	return c
}

func refs(rules []*ruleset.Rule) []string {
	var out []string
	for _, r := range rules {
		out = append(out, r.Ref)
	}
	return out
}

func TestZoneRunsPhasesInOrder(t *testing.T) {
	// Given out of order, the rulesets run in Cloudflare's order.
	z := zoneOf(t, responses, headers, limits, custom, rewrites, redirects)
	assert.Equal(t, []string{ruleset.DynamicRedirectPhase, ruleset.URLRewritePhase, ruleset.CustomPhase,
		ruleset.RateLimitPhase, ruleset.RequestHeadersPhase, ruleset.ResponseHeadersPhase}, z.Phases())
	for i, r := range z.Rules() {
		assert.Equal(t, i, r.ZoneIndex)
	}

	// A human on /v1/items: rewritten to /api/items?version=1; the custom
	// rules read the new path and query, raw.* the old; the late
	// transform sends the score and the new path.
	c := zoneRequest("192.0.2.1", "/v1/items", "", 90)
	o := z.Request(c)
	assert.Nil(t, o.Rule)
	assert.True(t, o.PathRewritten)
	assert.True(t, o.QueryRewritten)
	assert.Equal(t, "/api/items", o.Path)
	assert.Equal(t, "version=1", o.Query)
	assert.Equal(t, []string{"old-clients"}, refs(o.Logged))
	assert.Equal(t, []string{"v1", "v1-query", "score"}, refs(o.Applied))
	// One rule's changes are made in the order of the headers' names.
	assert.Equal(t, []ruleset.HeaderChange{{Op: ruleset.RemoveHeader, Name: "Cf-Connecting-Ip"},
		{Op: ruleset.SetHeader, Name: "X-Api-Path", Value: "/api/items"}, {Op: ruleset.SetHeader, Name: "X-Bot-Score", Value: "90"}}, o.Headers)
	assert.Equal(t, "https://example.com/api/items?version=1", c.Get(field(t, "http.request.full_uri")).Str())
	assert.Equal(t, "/api/items?version=1", c.Get(field(t, "http.request.uri")).Str())

	// The response phase runs once the response's fields are known.
	require.True(t, z.HasResponsePhase())
	_ = c.SetName("http.response.code", eval.Int(200))
	d := z.Response(c, &o)
	assert.Equal(t, []string{"powered"}, refs(d.Applied))
	assert.Equal(t, []ruleset.HeaderChange{{Op: ruleset.RemoveHeader, Name: "X-Powered-By"},
		{Op: ruleset.AddHeader, Name: "X-Served", Value: "edge"}}, o.ResponseHeaders)

	// A bot on the same old path is blocked by the custom rule, which
	// sees the rewritten path: later phases do not run.
	o = z.Request(zoneRequest("192.0.2.1", "/v1/items", "", 5))
	assert.Equal(t, ruleset.Block, o.Action)
	assert.Equal(t, "bots-off-api", o.Rule.Ref)
	assert.Empty(t, o.Headers)
	d = z.Response(c, &o)
	assert.Empty(t, d.Applied, "a blocked request has no response from the origin")
}

func field(t *testing.T, name string) fields.Field {
	t.Helper()
	f, ok := fields.Cloudflare().Field(name)
	require.True(t, ok, name)
	return f
}

func TestZoneRedirectsBeforeAnythingElse(t *testing.T) {
	z := zoneOf(t, redirects, rewrites, custom, limits)
	o := z.Request(zoneRequest("192.0.2.1", "/old-blog/post-1", "utm=x", 5))
	assert.Equal(t, ruleset.Redirect, o.Action)
	assert.Equal(t, ruleset.RedirectTarget{URL: "https://blog.example.com/post-1?utm=x", Status: 308}, o.Redirect)
	assert.False(t, o.ReachesOrigin())
}

func TestZoneSkipsLaterPhases(t *testing.T) {
	z := zoneOf(t, custom, limits)
	// The rate limit allows one request to /api/ per 10 s; a second one
	// is blocked, unless the skip rule passed over the phase.
	for _, want := range []ruleset.Action{"", ruleset.Block} {
		o := z.Request(zoneRequest("192.0.2.1", "/api/x", "", 90))
		assert.Equal(t, want, o.Action)
	}
	for range 3 {
		o := z.Request(zoneRequest("192.0.2.9", "/api/x", "", 90))
		assert.Empty(t, o.Action)
		assert.Equal(t, []string{"trusted"}, refs(o.Applied))
	}
}

func TestZoneOfOneRulesetIsItsEngine(t *testing.T) {
	rs := parse(t, `[{"ref": "a", "action": "log", "expression": "true"},
	 {"ref": "b", "action": "skip", "expression": "ip.src eq 192.0.2.1", "action_parameters": {"ruleset": "current"}},
	 {"ref": "c", "action": "block", "expression": "true"}]`)
	z, err := ruleset.CompileZone(rs, fields.Cloudflare())
	require.NoError(t, err)
	e, err := ruleset.Compile(rs, fields.Cloudflare())
	require.NoError(t, err)
	for _, ip := range []string{"192.0.2.1", "192.0.2.2"} {
		o, d := z.Request(zoneRequest(ip, "/", "", 1)), e.Evaluate(zoneRequest(ip, "/", "", 1))
		assert.Equal(t, d.Action, o.Action, ip)
		assert.Equal(t, d.Rule.Ref, o.Rule.Ref, ip)
		assert.Equal(t, refs(d.Logged), refs(o.Logged), ip)
	}
}

func TestZoneHeaderSetToNothingIsRemoved(t *testing.T) {
	z := zoneOf(t, `{"phase": "http_request_late_transform", "rules": [
	 {"action": "rewrite", "expression": "true", "action_parameters": {"headers": {
	  "X-Country": {"operation": "set", "expression": "ip.src.country"},
	  "X-Path": {"operation": "set", "expression": "concat(\"a\", http.request.uri.path)"}}}}]}`)
	o := z.Request(zoneRequest("192.0.2.1", "/bad\npath", "", 1))
	// No country: the header is removed. A value with a character
	// Cloudflare refuses is not sent.
	assert.Equal(t, []ruleset.HeaderChange{{Op: ruleset.RemoveHeader, Name: "X-Country"}}, o.Headers)
}

func TestZoneRefusesTwoRulesetsOfOnePhase(t *testing.T) {
	a, b := parse(t, `{"name": "a", "rules": []}`), parse(t, `{"name": "b", "phase": "http_request_firewall_custom", "rules": []}`)
	_, err := ruleset.NewZone(a, b)
	require.EqualError(t, err, `two rulesets of phase http_request_firewall_custom ("a" and "b"); a zone has one per phase`)
}

func TestZoneIgnoresPhasesItCannotRun(t *testing.T) {
	z := zoneOf(t, custom, `{"phase": "http_request_cache_settings", "rules": [
	 {"action": "set_cache_settings", "expression": "true", "action_parameters": {"cache": false}}]}`,
		`{"phase": "http_request_made_up", "rules": []}`)
	assert.Equal(t, []string{ruleset.CustomPhase}, z.Phases())
	require.Len(t, z.Ignored(), 2)
	assert.Equal(t, "http_request_cache_settings", z.Ignored()[0].Phase)
	assert.Contains(t, z.Ignored()[0].Why, "Cloudflare's cache")
	assert.Equal(t, "edgerules does not know this phase", z.Ignored()[1].Why)
}

func TestTransformsAreValidatedAsCloudflareDoes(t *testing.T) {
	for _, tc := range []struct{ phase, params, want string }{
		{"http_request_late_transform", `{"headers": {"X Bad": {"operation": "set", "value": "1"}}}`,
			`header name "X Bad" has ' ' at 2`},
		{"http_request_late_transform", `{"headers": {"X-A": {"operation": "set", "value": "a\u00e9"}}}`,
			`has the byte 0xC3 at 2, which a header's value cannot have`},
		{"http_request_late_transform", `{"headers": {"cf-ray": {"operation": "remove"}}}`,
			"header cf-ray is Cloudflare's"},
		{"http_request_late_transform", `{"headers": {"X-Forwarded-For": {"operation": "set", "value": "1.2.3.4"}}}`,
			"tells the client's address"},
		{"http_request_late_transform", `{"headers": {"Host": {"operation": "set", "value": "a"}}}`,
			"is the protocol's"},
		{"http_request_late_transform", `{"headers": {"X-Forwarded-Proto": {"operation": "remove"}}}`,
			"a transform cannot remove it"},
		{"http_request_late_transform", `{"headers": {"Cookie": {"operation": "set", "value": "session=forged"}}}`,
			"may only be removed"},
		{"http_request_firewall_custom", `{"phases": ["http_request_late_transform"]}`,
			`a skip rule's "phases" are http_ratelimit, http_request_sbfm, http_request_firewall_managed; found the string "http_request_late_transform"`},
		{"http_request_firewall_custom", `{"products": ["waf", "bfm"]}`, `found the string "bfm"`},
		{"http_request_late_transform", `{"headers": {"X-A": {"operation": "replace", "value": "a"}}}`,
			`a header's "operation" is set, add or remove`},
		{"http_request_late_transform", `{"headers": {"X-A": {"operation": "set", "value": "a", "expression": "\"b\""}}}`,
			`X-A has a "value" or an "expression", not both`},
		{"http_response_headers_transform", `{"headers": {"Content-Length": {"operation": "remove"}}}`,
			"frames the response"},
		{"http_request_transform", `{"uri": {"path": {"value": "new"}}}`, "a rewritten path starts with /"},
		{"http_request_transform", `{"uri": {"query": {"value": "?a=1"}}}`, `without its "?"`},
		{"http_request_transform", `{"uri": {}}`, `a URL rewrite has a "path", a "query", or both`},
		{"http_request_dynamic_redirect", `{"from_value": {"status_code": 305, "target_url": {"value": "/x"}}}`,
			"status_code is 301, 302, 303, 307 or 308, found 305"},
		{"http_request_dynamic_redirect", `{"from_value": {"target_url": {}}}`, `target_url has a "value" or an "expression"`},
	} {
		action := "rewrite"
		switch {
		case strings.Contains(tc.phase, "redirect"):
			action = "redirect"
		case tc.phase == ruleset.CustomPhase:
			action = "skip"
		}
		text := `{"phase": "` + tc.phase + `", "rules": [{"action": "` + action + `", "expression": "true",
		  "action_parameters": ` + tc.params + `}]}`
		f, err := ruleset.Parse([]byte(text), ruleset.JSON)
		require.NoError(t, err, tc.params)
		errs := f.Ruleset.Validate()
		require.Len(t, errs, 1, tc.params)
		assert.Contains(t, errs[0].Error(), tc.want)
		line, _ := errs[0].Rule.Position(errs[0].Key)
		assert.Equal(t, 2, line, "%s: the error is at the parameter: %v", tc.params, errs[0])
	}
}

func TestZoneExpressionsAreChecked(t *testing.T) {
	rs := parse(t, `{"phase": "http_request_late_transform", "rules": [{"action": "rewrite", "expression": "true",
	 "action_parameters": {"headers": {"X-A": {"operation": "set", "expression": "cf.bot_management.score"}}}}]}`)
	_, err := ruleset.CompileZone(rs, fields.Cloudflare())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "String")
}

// BenchmarkZone is a request through a zone of five phases with one
// matching transform, beside the same custom rules alone.
func BenchmarkZone(b *testing.B) {
	five := []string{redirects, rewrites, custom, limits, `{"phase": "http_request_late_transform", "rules": [
	 {"ref": "score", "action": "rewrite", "expression": "true",
	  "action_parameters": {"headers": {"X-Bot-Score": {"operation": "set", "expression": "to_string(cf.bot_management.score)"}}}}]}`}
	for _, bc := range []struct {
		name  string
		texts []string
	}{{"custom-only", []string{custom}}, {"five-phases", five}} {
		b.Run(bc.name, func(b *testing.B) {
			var rulesets []*ruleset.Ruleset
			for _, text := range bc.texts {
				f, err := ruleset.Parse([]byte(text), ruleset.JSON)
				require.NoError(b, err)
				rulesets = append(rulesets, f.Ruleset)
			}
			z, err := ruleset.NewZone(rulesets...)
			require.NoError(b, err)
			e, err := ruleset.CompileZone(z, fields.Cloudflare())
			require.NoError(b, err)
			c := zoneRequest("192.0.2.9", "/home", "", 90)
			b.ReportAllocs()
			for b.Loop() {
				_ = e.Request(c)
			}
		})
	}
}

// A legacy allow ends its phase and stays the zone's decision when the
// phases after it decide nothing; the transforms still run.
func TestZoneKeepsAnAllow(t *testing.T) {
	f, err := ruleset.Parse([]byte(`[{"id": "a1", "filter": {"expression": "true"}, "action": "allow"}]`), ruleset.JSON)
	require.NoError(t, err)
	z, err := ruleset.NewZone(f.Ruleset, parse(t, headers))
	require.NoError(t, err)
	e, err := ruleset.CompileZone(z, fields.Cloudflare())
	require.NoError(t, err)
	o := e.Request(zoneRequest("192.0.2.1", "/x", "", 50))
	assert.Equal(t, ruleset.Allow, o.Action)
	assert.Equal(t, "a1", o.Rule.ID)
	assert.Equal(t, []string{"score"}, refs(o.Applied))
	assert.NotEmpty(t, o.Headers)
}

// A skip of the current ruleset keeps the rate limiting rules after it
// from counting a response, however many phases follow.
func TestZoneCountsResponsesUpToTheSkip(t *testing.T) {
	phaseless := `{"rules": [
	 {"ref": "skip", "action": "skip", "expression": "http.request.uri.path eq \"/skip\"", "action_parameters": {"ruleset": "current"}},
	 {"ref": "rl", "action": "block", "expression": "true",
	  "ratelimit": {"characteristics": ["cf.colo.id", "ip.src"], "period": 10, "requests_per_period": 1, "mitigation_timeout": 600,
	   "counting_expression": "http.response.code eq 400"}}]}`
	for _, texts := range [][]string{{phaseless}, {phaseless, headers}} {
		e := zoneOf(t, texts...)
		for range 3 {
			c := zoneRequest("192.0.2.1", "/skip", "", 50)
			o := e.Request(c)
			require.Equal(t, "skip", o.Rule.Ref)
			_ = c.SetName("http.response.code", eval.Int(400))
			e.CountResponse(c, &o)
		}
		o := e.Request(zoneRequest("192.0.2.1", "/other", "", 50))
		assert.Empty(t, o.Action, "%d phases: the skipped requests were not counted", len(texts))
	}
}

func TestZoneRedirectKeepsTheQueryBeforeAFragment(t *testing.T) {
	z := zoneOf(t, `{"phase": "http_request_dynamic_redirect", "rules": [{"action": "redirect", "expression": "true",
	 "action_parameters": {"from_value": {"preserve_query_string": true, "target_url": {"value": "https://example.com/a?x=1#top"}}}}]}`)
	o := z.Request(zoneRequest("192.0.2.1", "/", "utm=2", 50))
	assert.Equal(t, "https://example.com/a?x=1&utm=2#top", o.Redirect.URL)
}
