package replay_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/replay"
	"github.com/edgerules/edgerules/ruleset"
)

// TestReplayZone replays a zone of three phases: a URL rewrite of the old
// API, custom rules that read the rewritten path and the original, and a
// header transform. Its counts are checked against counts made here.
func TestReplayZone(t *testing.T) {
	var rulesets []*ruleset.Ruleset
	for _, text := range []string{
		`{"phase": "http_request_late_transform", "rules": [{"ref": "score-header", "action": "rewrite", "expression": "true",
		  "action_parameters": {"headers": {"X-Bot-Score": {"operation": "set", "expression": "to_string(cf.bot_management.score)"}}}}]}`,
		`{"phase": "http_request_firewall_custom", "rules": [
		  {"ref": "api-bots", "action": "block", "expression": "cf.bot_management.score lt 30 and starts_with(http.request.uri.path, \"/api/\")"},
		  {"ref": "old-clients", "action": "log", "expression": "starts_with(raw.http.request.uri.path, \"/v1/\")"}]}`,
		`{"phase": "http_request_transform", "rules": [{"ref": "v1", "action": "rewrite", "expression": "starts_with(http.request.uri.path, \"/v1/\")",
		  "action_parameters": {"uri": {"path": {"expression": "regex_replace(http.request.uri.path, \"^/v1/\", \"/api/\")"}}}}]}`,
		`{"phase": "http_response_headers_transform", "rules": [{"ref": "errors", "action": "rewrite", "expression": "http.response.code ge 500",
		  "action_parameters": {"headers": {"Cache-Control": {"operation": "set", "value": "no-store"}}}}]}`,
	} {
		f, err := ruleset.Parse([]byte(text), ruleset.JSON)
		require.NoError(t, err)
		rulesets = append(rulesets, f.Ruleset)
	}
	z, err := ruleset.NewZone(rulesets...)
	require.NoError(t, err)
	e, err := ruleset.CompileZone(z, fields.Cloudflare())
	require.NoError(t, err)
	p, err := replay.New(e, fields.Cloudflare(), replay.Decoder{})
	require.NoError(t, err)

	want := map[string]int64{}
	for i := range 60 {
		path := []string{"/v1/items", "/api/items", "/home"}[i%3]
		score := []int{5, 90}[i%2]
		status := []int{200, 200, 200, 200, 502}[i%5]
		p.Line(fmt.Appendf(nil, `{"ClientIP": "192.0.2.%d", "ClientRequestPath": %q, "BotScore": %d, "EdgeResponseStatus": %d}`,
			i, path, score, status), "log", int64(i+1))
		// What the zone must do: /v1/ is the API after its rewrite.
		api := path != "/home"
		if path == "/v1/items" {
			want["v1"]++
		}
		if api && score < 30 {
			want["api-bots"]++
			continue // blocked: later rules and phases do not run
		}
		if path == "/v1/items" {
			want["old-clients"]++
		}
		want["score-header"]++
		if status >= 500 {
			want["errors"]++ // the response phase, for a request the origin answered
		}
	}
	rep := p.Report()
	got := map[string]int64{}
	for _, r := range rep.Rules {
		got[r.Ref] = r.Matched
	}
	assert.Equal(t, want, got)
	assert.Equal(t, []string{"v1", "api-bots", "old-clients", "score-header", "errors"}, refs(rep.Rules))
}

func refs(rules []replay.RuleReport) []string {
	var out []string
	for _, r := range rules {
		out = append(out, r.Ref)
	}
	return out
}
