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

// BenchmarkLocate locates an expression of a 30-line ruleset: through an
// Index, built once for the document, and through Locate, which parses the
// text again each time.
func BenchmarkLocate(b *testing.B) {
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(ruleset), &root); err != nil {
		b.Fatal(err)
	}
	want := "http.user_agent contains \"curl\" and not cf.client.bot"
	n := find(&root, findScalar(b, ruleset, want))
	b.Run("Index", func(b *testing.B) {
		index := NewIndex(ruleset, &root)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := index.Locate(n); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Locate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Locate(ruleset, n); err != nil {
				b.Fatal(err)
			}
		}
	})
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

// TestIndex: an Index locates the nodes of its own tree only.
func TestIndex(t *testing.T) {
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(ruleset), &root); err != nil {
		t.Fatal(err)
	}
	index := NewIndex(ruleset, &root)
	n := find(&root, findScalar(t, ruleset, "http.user_agent contains \"curl\" and not cf.client.bot"))
	s, err := index.Locate(n)
	if err != nil || ruleset[s.Start:s.End] != "http.user_agent contains \"curl\"\n      and not cf.client.bot" {
		t.Fatalf("%v: %q", err, ruleset[s.Start:s.End])
	}
	copied := *n
	if _, err := index.Locate(&copied); err == nil {
		t.Fatal("a node of another tree was located")
	}
	if _, err := NewIndex("a: \xff\n", nil).Locate(n); err == nil {
		t.Fatal("a text that is not UTF-8 was read")
	}
}
