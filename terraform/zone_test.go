package terraform_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgerules/edgerules/ruleset"
	"github.com/edgerules/edgerules/terraform"
)

func write(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	return p
}

const zoneTF = `resource "cloudflare_ruleset" "headers" {
  zone_id = "z"
  name    = "headers"
  kind    = "zone"
  phase   = "http_request_late_transform"
  rules = [{
    action     = "rewrite"
    expression = "true"
    action_parameters = { headers = { "X-Bot-Score" = { operation = "set", expression = "to_string(cf.bot_management.score)" } } }
  }]
}

resource "cloudflare_ruleset" "redirects" {
  zone_id = "z"
  name    = "redirects"
  kind    = "zone"
  phase   = "http_request_dynamic_redirect"
  rules = [{
    action     = "redirect"
    expression = "http.request.uri.path eq \"/old\""
    action_parameters = { from_value = { target_url = { value = "https://example.com/new" } } }
  }]
}
`

func TestLoadZoneFromAFolder(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "custom.json", `[{"action": "block", "expression": "cf.bot_management.score lt 30"}]`)
	write(t, dir, "rewrite.yaml", "phase: http_request_transform\nrules:\n  - action: rewrite\n    expression: 'true'\n    action_parameters: {uri: {path: {value: /x}}}\n")
	write(t, dir, "zone.tf", zoneTF)
	write(t, dir, "custom.test.yaml", "rules: custom.json\ntests: []\n")
	write(t, dir, ".terraform/modules/m/main.tf", zoneTF)
	write(t, dir, "README.md", "not rules")

	z, files, err := terraform.LoadZone([]string{dir})
	require.NoError(t, err)
	var phases, paths []string
	for i, rs := range z.Rulesets() {
		phases = append(phases, ruleset.PhaseOf(rs))
		assert.Same(t, rs, files[i].Ruleset)
		paths = append(paths, filepath.Base(files[i].Path))
	}
	assert.Equal(t, []string{ruleset.DynamicRedirectPhase, ruleset.URLRewritePhase, ruleset.CustomPhase, ruleset.RequestHeadersPhase}, phases)
	assert.Equal(t, []string{"zone.tf#cloudflare_ruleset.redirects", "rewrite.yaml", "custom.json", "zone.tf#cloudflare_ruleset.headers"}, paths)
}

func TestLoadZoneRefusesTwoRulesetsOfAPhase(t *testing.T) {
	dir := t.TempDir()
	a := write(t, dir, "a.json", `[{"action": "block", "expression": "true"}]`)
	b := write(t, dir, "b.yaml", "phase: http_request_firewall_custom\nrules: []\n")
	_, _, err := terraform.LoadZone([]string{a, b})
	require.EqualError(t, err, a+" and "+b+" are both rulesets of phase http_request_firewall_custom; a zone has one per phase")
}

func TestLoadZoneOfOneAddress(t *testing.T) {
	p := write(t, t.TempDir(), "zone.tf", zoneTF)
	z, files, err := terraform.LoadZone([]string{p + "#cloudflare_ruleset.headers"})
	require.NoError(t, err)
	require.Len(t, z.Rulesets(), 1)
	assert.Equal(t, p+"#cloudflare_ruleset.headers", files[0].Path)

	_, _, err = terraform.LoadZone([]string{filepath.Join(filepath.Dir(p), "missing.json")})
	require.Error(t, err)
}

func TestLoadZoneNamesTheFileInError(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "good.json", `[{"action": "block", "expression": "true"}]`)
	bad := write(t, dir, "phase.yaml", "phase: http_request_transform\nrules:\n  - action: 3\n")
	_, _, err := terraform.LoadZone([]string{dir})
	require.Error(t, err)
	assert.Equal(t, bad+`: 3:13: "action" must be a string, found a number`, err.Error())
}
