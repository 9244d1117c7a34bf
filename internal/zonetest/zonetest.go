// Package zonetest holds a zone of five phases for the tests of the proxy
// plugins, which run it through Caddy and Traefik.
package zonetest

import (
	"os"
	"path/filepath"
	"testing"
)

// Files are a zone's phases, each rule depending on the phase before
// it: the dynamic redirect reads the path as sent, the custom rules the
// rewritten path (and raw.* the original), the late transform sends the
// bot score, as Cloudflare's guide does, and the response transform says
// the path the client sent.
var Files = map[string]string{
	"redirects.yaml": `
phase: http_request_dynamic_redirect
rules:
  - ref: old-shop
    action: redirect
    expression: starts_with(http.request.uri.path, "/shop/")
    action_parameters:
      from_value:
        status_code: 301
        preserve_query_string: true
        target_url:
          expression: concat("https://store.example.com/", substring(http.request.uri.path, 6))
`,
	"zone/rewrites.yaml": `
phase: http_request_transform
rules:
  - ref: v1
    action: rewrite
    expression: starts_with(http.request.uri.path, "/v1/")
    action_parameters:
      uri:
        path:
          expression: regex_replace(http.request.uri.path, "^/v1/", "/api/")
        query:
          value: from=v1
`,
	"zone/custom.yaml": `
phase: http_request_firewall_custom
rules:
  - ref: bots-off-api
    action: block
    expression: cf.bot_management.score lt 30 and starts_with(http.request.uri.path, "/api/")
  - ref: v1-only-get
    action: block
    expression: starts_with(raw.http.request.uri.path, "/v1/") and http.request.method ne "GET"
`,
	"zone/late.yaml": `
phase: http_request_late_transform
rules:
  - ref: bot-score-header
    action: rewrite
    expression: "true"
    action_parameters:
      headers:
        X-Bot-Score:
          operation: set
          expression: to_string(cf.bot_management.score)
        X-Internal:
          operation: remove
`,
	"zone/response.yaml": `
phase: http_response_headers_transform
rules:
  - ref: edge-path
    action: rewrite
    expression: http.response.code eq 200 and starts_with(http.request.uri.path, "/api/")
    action_parameters:
      headers:
        X-Powered-By:
          operation: remove
        X-Edge-Path:
          operation: set
          expression: raw.http.request.uri.path
`,
}

// Write writes Files under dir: redirects.yaml, and the other phases in
// the folder zone.
func Write(t testing.TB, dir string) {
	t.Helper()
	for name, text := range Files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
