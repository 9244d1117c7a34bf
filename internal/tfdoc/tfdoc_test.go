package tfdoc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgerules/edgerules/internal/doc"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readOne reads a module of the given files and returns the rulesets of
// the first.
func readOne(t *testing.T, files map[string]string, name string) []Ruleset {
	t.Helper()
	dir := t.TempDir()
	for n, text := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), []byte(text), 0o644))
	}
	_, sets, err := Read(filepath.Join(dir, name), files[name], nil)
	require.NoError(t, err)
	return sets
}

// expressions returns the expression of each rule of a ruleset node, or
// what it depends on for an unknown one.
func expressions(n *doc.Node) []string {
	rules := n
	if n.Kind == doc.Map {
		rules = n.Get("rules")
	}
	var out []string
	for _, r := range rules.Items {
		x := r.Get("expression")
		switch {
		case r.Kind == doc.Unknown:
			out = append(out, "?"+r.Text)
		case x == nil:
			out = append(out, "-")
		case x.Kind == doc.Unknown:
			out = append(out, "?"+x.Text)
		default:
			out = append(out, x.Text)
		}
	}
	return out
}

func TestValues(t *testing.T) {
	sets := readOne(t, map[string]string{
		"main.tf": `locals {
  paths = ["/a", "/b", "/c"]
  by_env = { prod = "p", dev = "d" }
  loop = local.loop
}
resource "cloudflare_ruleset" "r" {
  phase = "http_request_firewall_custom"
  rules = concat(
    [for i, p in local.paths : { action = "block", expression = "http.request.uri.path eq \"${p}\" and ${i} eq ${i}" } if p != "/b"],
    [for k, v in local.by_env : { action = "log", expression = upper("http.host eq \"${k}.${v}\"") }],
    [{ action = "block", expression = var.from_tfvars }],
    [{ action = "block", expression = var.from_default }],
    [{ action = "block", expression = local.loop }],
    [{ action = "block", expression = data.x.y }],
    [{ action = "block", expression = "${local.by_env["prod"]}" }],
    [{ action = "block", expression = lookup(local.by_env, "qa", "none") }],
  )
}
`,
		"variables.tf":     "variable \"from_tfvars\" { default = \"overridden\" }\nvariable \"from_default\" { default = \"http.host eq \\\"d\\\"\" }\n",
		"terraform.tfvars": "from_tfvars = \"http.host eq \\\"t\\\"\"\n",
	}, "main.tf")
	require.Len(t, sets, 1)
	assert.Equal(t, "cloudflare_ruleset.r", sets[0].Address)
	assert.Equal(t, []string{
		`http.request.uri.path eq "/a" and 0 eq 0`,
		`http.request.uri.path eq "/c" and 2 eq 2`,
		`HTTP.HOST EQ "DEV.D"`,
		`HTTP.HOST EQ "PROD.P"`,
		`http.host eq "t"`,
		`http.host eq "d"`,
		"?Terraform cannot evaluate it: local.loop refers to itself",
		"?depends on data.x.y",
		"p",
		"none",
	}, expressions(sets[0].Node))
}

func TestInstances(t *testing.T) {
	sets := readOne(t, map[string]string{"main.tf": `
resource "cloudflare_ruleset" "each" {
  for_each = { a = 1, b = 2 }
  phase    = "http_request_firewall_custom"
  rules    = [{ action = "block", expression = "http.host eq \"${each.key}\" and ip.src.asnum eq ${each.value}" }]
}
resource "cloudflare_ruleset" "counted" {
  count = 2
  phase = "http_request_firewall_custom"
  rules { 
    action     = "block"
    expression = "ip.src.asnum eq ${count.index}"
  }
}
resource "cloudflare_ruleset" "unknown" {
  for_each = var.zones
  phase    = "http_request_firewall_custom"
}
`}, "main.tf")
	var got []string
	for _, s := range sets {
		got = append(got, s.Address+": "+strings.Join(expressions(s.Node), "|"))
	}
	assert.Equal(t, []string{
		`cloudflare_ruleset.each["a"]: http.host eq "a" and ip.src.asnum eq 1`,
		`cloudflare_ruleset.each["b"]: http.host eq "b" and ip.src.asnum eq 2`,
		`cloudflare_ruleset.counted[0]: ip.src.asnum eq 0`,
		`cloudflare_ruleset.counted[1]: ip.src.asnum eq 1`,
	}, got[:4])
	require.Len(t, sets, 5)
	assert.Equal(t, doc.Unknown, sets[4].Node.Kind)
	assert.Contains(t, sets[4].Node.Text, "var.zones")
}

func TestDynamicAndHeaders(t *testing.T) {
	sets := readOne(t, map[string]string{"main.tf": `
resource "cloudflare_ruleset" "r" {
  phase = "http_request_late_transform"
  dynamic "rules" {
    for_each = ["a", "b"]
    iterator = it
    content {
      action     = "rewrite"
      expression = "http.host eq \"${it.value}\""
      action_parameters {
        dynamic "headers" {
          for_each = { "X-One" = "1", "X-Two" = "2" }
          content {
            name      = headers.key
            operation = "set"
            value     = headers.value
          }
        }
      }
    }
  }
}
`}, "main.tf")
	require.Len(t, sets, 1)
	assert.Equal(t, []string{`http.host eq "a"`, `http.host eq "b"`}, expressions(sets[0].Node))
	headers := sets[0].Node.Get("rules").Items[0].Get("action_parameters").Get("headers")
	require.Equal(t, doc.Map, headers.Kind)
	assert.Equal(t, "X-One", headers.Keys[0].Text)
	assert.Equal(t, "1", headers.Values[0].Get("value").Text)
	assert.Nil(t, headers.Values[0].Get("name"))
}

func TestJSONSyntax(t *testing.T) {
	sets := readOne(t, map[string]string{"main.tf.json": `{
  "locals": {"hosts": ["a", "b"]},
  "resource": {"cloudflare_ruleset": {"r": {
    "phase": "http_request_firewall_custom",
    "rules": [{"action": "block", "expression": "http.host eq \"x\""}],
    "dynamic": {"rules": {"for_each": "${local.hosts}", "content": {
      "action": "block", "expression": "http.host eq \"${rules.value}\" and \"$${literal}\" ne \"\""}}}
  }}}
}`}, "main.tf.json")
	require.Len(t, sets, 1)
	assert.Equal(t, []string{`http.host eq "x"`, `http.host eq "a" and "${literal}" ne ""`, `http.host eq "b" and "${literal}" ne ""`},
		expressions(sets[0].Node))
}

// TestStringsRoundTrip writes values as quoted strings and heredocs and
// reads them back with HCL: each must decode to the value written.
func TestStringsRoundTrip(t *testing.T) {
	values := []string{"", "plain", `with "quotes" and \ back`, "tab\there", "${not} %{interpolated}", "$${x}",
		"café ☃", "line\nbreak\n", "\x01\x7f", "ends with $", "a\r\nb\n", "EOT\n", "  indented\n    more\n"}
	for _, v := range values {
		for _, frameText := range []string{"", "<<EOT\nx\nEOT", "<<-EOT\n    x\n    EOT"} {
			written := quote(v)
			if frameText != "" {
				written = frame(frameText).render(v)
			}
			src := "a = " + written + "\n"
			f, diags := hclsyntax.ParseConfig([]byte(src), "t.tf", hcl.InitialPos)
			require.False(t, diags.HasErrors(), "%q as %q: %v", v, written, diags)
			got, diags := f.Body.(*hclsyntax.Body).Attributes["a"].Expr.Value(nil)
			require.False(t, diags.HasErrors(), "%q: %v", written, diags)
			assert.Equal(t, v, got.AsString(), "written as %q", written)
		}
	}
}

// TestDecodeMatchesHCL reads literal strings and heredocs with HCL and
// checks that the decoders give HCL's value, byte for byte placed.
func TestDecodeMatchesHCL(t *testing.T) {
	src := `a = "x\"y\\z\n\u00e9\U0001F600$${q}%%{r}"
b = <<EOT
  first $${x}
	tab
EOT
c = <<-EOT
    one
      two

    three %%{y}
    EOT
`
	sets := readOne(t, map[string]string{"vals.tfvars": strings.ReplaceAll(src, "\n", "\n")}, "vals.tfvars")
	assert.Empty(t, sets) // no objects with expressions
	f, _ := hclsyntax.ParseConfig([]byte(src), "t.tf", hcl.InitialPos)
	e := &evaluator{m: &module{locals: map[string]*binding{}, vars: map[string]*binding{}}}
	s := &source{path: "t.tf", text: src}
	for _, name := range []string{"a", "b", "c"} {
		x := f.Body.(*hclsyntax.Body).Attributes[name].Expr
		want, _ := x.Value(nil)
		n := e.eval(x, &scope{src: s, raw: src})
		require.Equal(t, want.AsString(), n.Text, name)
		tok, err := n.Token()
		require.NoError(t, err)
		assert.False(t, tok.Computed, name)
		for i := range len(n.Text) {
			c := src[tok.Offsets[i]]
			ok := c == n.Text[i] || c == '\\' || c == '$' || c == '%'
			assert.True(t, ok, "%s: byte %d %q placed at %q", name, i, n.Text[i], c)
		}
	}
}
