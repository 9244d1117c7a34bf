package yamlscalar

import (
	"testing"

	"go.yaml.in/yaml/v3"
)

// ruleset is a typical rule file of about 30 lines, in several styles.
const ruleset = `# Edge rules for example.com
version: 1
rules:
  - name: block bad bots
    expression: cf.bot_management.score lt 30 and not cf.bot_management.verified_bot
    action: block
  - name: admin only from the office
    expression: >-
      http.request.uri.path contains "/admin"
      and not ip.src in {10.0.0.0/8 192.168.0.0/16}
    action: block
  - name: challenge logins
    expression: |
      http.request.uri.path eq "/login"
      and http.request.method eq "POST"
    action: challenge
  - name: allow health checks
    expression: &health "http.request.uri.path eq \"/healthz\""
    action: allow
  - name: quoted
    expression: 'http.host eq "example.com" and ssl'
    action: log
  - name: flow
    rule: {expression: "ip.geoip.country in {\"T1\"}", action: block}
  - name: multi-line plain
    expression: http.user_agent contains "curl"
      and not cf.client.bot
    action: managed_challenge
lists: []
`

func BenchmarkLocate(b *testing.B) {
	n := findScalar(b, ruleset, "http.user_agent contains \"curl\" and not cf.client.bot")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Locate(ruleset, n); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRuleset locates every expression of the benchmark's document.
func TestRuleset(t *testing.T) {
	nodes := scalars(t, ruleset)
	found := 0
	for i, n := range nodes {
		if n.Kind != yaml.ScalarNode || n.Value != "expression" {
			continue
		}
		found++
		v := nodes[i+1]
		s, err := Locate(ruleset, v)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkOffsets(ruleset, s, v.Value); err != nil {
			t.Fatal(err)
		}
		for _, value := range newValues {
			if _, err := checkRender(ruleset, s, nodes, i+1, value); err != nil {
				t.Fatal(err)
			}
		}
	}
	if found != 7 {
		t.Fatalf("found %d expressions, want 7", found)
	}
}
