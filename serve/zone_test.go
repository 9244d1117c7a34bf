package serve_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgerules/edgerules/serve"
)

// zoneDir is the example zone: a ruleset per phase, one file each.
const zoneDir = "../examples/rules/zone"

func TestZoneForwardAuthAnswer(t *testing.T) {
	s, log := newService(t, serve.Options{Rules: []string{zoneDir}, TrustedProxies: loopback})

	// Allowed: the answer carries the headers for the origin, the bot
	// score set, X-Internal empty (removed).
	resp := check(s, map[string]string{"X-Original-Uri": "/v1/items?page=2", "Cf-Bot-Score": "87", "X-Internal": "secret"})
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "none", resp.Header.Get(serve.HeaderAction))
	assert.Equal(t, []string{"87"}, resp.Header["X-Bot-Score"])
	assert.Equal(t, []string{""}, resp.Header["X-Internal"])

	// The custom rule reads the path the URL rewrite made.
	resp = check(s, map[string]string{"X-Original-Uri": "/v1/items", "Cf-Bot-Score": "5"})
	assert.Equal(t, 403, resp.StatusCode)
	assert.Equal(t, "bots-off-api", resp.Header.Get(serve.HeaderRule))
	assert.Empty(t, resp.Header["X-Bot-Score"], "a denial carries no headers for the origin")

	// A dynamic redirect answers with its status and computed target.
	resp = check(s, map[string]string{"X-Original-Uri": "/shop/shoes?size=9"})
	assert.Equal(t, 301, resp.StatusCode)
	assert.Equal(t, "https://store.example.com/shoes?size=9", resp.Header.Get("Location"))
	assert.Equal(t, "old-shop", resp.Header.Get(serve.HeaderRule))

	for _, line := range []string{
		`msg="edgerules: ruleset" file=../examples/rules/zone/2-rewrites.yaml phase=http_request_transform rules=1`,
		`msg="edgerules: an allowed request's answer carries the request headers the rules change, for the proxy to copy to the origin" headers=X-Bot-Score,X-Internal`,
		`msg="edgerules: a proxy that asks the service cannot make this change" ref=v1-to-api phase=http_request_transform change="URL rewrite of the path`,
		`msg="edgerules: a proxy that asks the service cannot make this change" ref=bot-score-header phase=http_request_late_transform change="removal of X-Internal`,
		`msg="edgerules: a proxy that asks the service cannot make this change" ref=hide-powered-by phase=http_response_headers_transform change="response headers`,
	} {
		assert.Contains(t, log.String(), line)
	}
}

func TestZoneDetectionOnlyAnswersTheClientsHeaders(t *testing.T) {
	s, _ := newService(t, serve.Options{Rules: []string{zoneDir}, TrustedProxies: loopback, DetectionOnly: true})
	resp := check(s, map[string]string{"X-Original-Uri": "/home", "Cf-Bot-Score": "87", "X-Internal": "secret"})
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, []string{""}, resp.Header["X-Bot-Score"], "the client sent none")
	assert.Equal(t, []string{"secret"}, resp.Header["X-Internal"])
}

func TestZoneGRPCChangesTheUpstreamRequest(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS(zoneDir)))
	// A rewrite of the query too, and a header added beside the client's.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "2-rewrites.yaml"), []byte(`phase: http_request_transform
rules:
  - ref: v1-to-api
    expression: starts_with(http.request.uri.path, "/v1/")
    action: rewrite
    action_parameters:
      uri:
        path: {expression: 'regex_replace(http.request.uri.path, "^/v1/", "/api/")'}
        query: {value: "from=v1&page=3"}
`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "4-request-headers.yaml"), []byte(`phase: http_request_late_transform
rules:
  - ref: bot-score-header
    expression: "true"
    action: rewrite
    action_parameters:
      headers:
        X-Bot-Score: {operation: set, expression: to_string(cf.bot_management.score)}
        X-Internal: {operation: remove}
        X-Tag: {operation: add, value: edge}
`), 0o644))
	s, _ := newService(t, serve.Options{Rules: []string{dir}, TrustedProxies: loopback})
	client := grpcClient(t, s)

	resp, err := client.Check(context.Background(), envoyCheck("/v1/items?page=2&sort=asc", map[string]string{
		"cf-bot-score": "87", "x-internal": "secret", "x-tag": "client"}))
	require.NoError(t, err)
	ok := resp.GetOkResponse()
	require.NotNil(t, ok, "allowed")
	type header struct {
		key, value string
		action     corev3.HeaderValueOption_HeaderAppendAction
	}
	var got []header
	for _, h := range ok.GetHeaders() {
		if h.GetHeader().GetKey() != serve.HeaderAction && h.GetHeader().GetKey() != serve.HeaderRule {
			got = append(got, header{h.GetHeader().GetKey(), h.GetHeader().GetValue(), h.GetAppendAction()})
		}
	}
	assert.Equal(t, []header{
		{"X-Bot-Score", "87", corev3.HeaderValueOption_OVERWRITE_IF_EXISTS_OR_ADD},
		{"X-Tag", "client", corev3.HeaderValueOption_OVERWRITE_IF_EXISTS_OR_ADD},
		{"X-Tag", "edge", corev3.HeaderValueOption_APPEND_IF_EXISTS_OR_ADD},
	}, got)
	assert.Equal(t, []string{"x-internal"}, ok.GetHeadersToRemove())
	var set []string
	for _, q := range ok.GetQueryParametersToSet() {
		set = append(set, q.GetKey()+"="+q.GetValue())
	}
	assert.Equal(t, []string{"from=v1", "page=3"}, set)
	assert.Equal(t, []string{"sort"}, ok.GetQueryParametersToRemove())

	// A redirect is Envoy's to send, with its Location.
	resp, err = client.Check(context.Background(), envoyCheck("/shop/shoes", nil))
	require.NoError(t, err)
	denied := resp.GetDeniedResponse()
	require.NotNil(t, denied)
	assert.Equal(t, 301, int(denied.GetStatus().GetCode()))
	location := ""
	for _, h := range denied.GetHeaders() {
		if h.GetHeader().GetKey() == "Location" {
			location = h.GetHeader().GetValue()
		}
	}
	assert.Equal(t, "https://store.example.com/shoes", location)

	// A request no transform matches changes nothing upstream.
	resp, err = client.Check(context.Background(), envoyCheck("/home", map[string]string{"cf-bot-score": "87"}))
	require.NoError(t, err)
	assert.Empty(t, resp.GetOkResponse().GetQueryParametersToSet())
}

func TestSeveralRulesFlagsAndOnePhaseTwice(t *testing.T) {
	s, _ := newService(t, serve.Options{Rules: []string{filepath.Join(zoneDir, "3-custom.yaml"), filepath.Join(zoneDir, "4-request-headers.yaml")},
		TrustedProxies: loopback})
	resp := check(s, map[string]string{"X-Original-Uri": "/api/x", "Cf-Bot-Score": "50"})
	assert.Equal(t, []string{"50"}, resp.Header["X-Bot-Score"])

	_, err := serve.New(serve.Options{Rules: []string{zoneDir, seedRules}})
	assert.ErrorContains(t, err, "are both rulesets of phase http_request_firewall_custom")
}
