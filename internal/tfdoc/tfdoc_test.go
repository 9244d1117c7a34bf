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

	// Blocks come in the order of the body's keys, dynamic ones too, and
	// a "//" key is a comment.
	sets = readOne(t, map[string]string{"main.tf.json": `{
  "resource": {"cloudflare_ruleset": {"r": {
    "phase": "http_request_firewall_custom",
    "dynamic": {"rules": {"for_each": ["d"], "content": {"action": "block", "expression": "http.host eq \"${rules.value}\""}}},
    "rules": {"//": "one block, as an object", "action": "block", "expression": "http.host eq \"s\""}
  }}}
}`}, "main.tf.json")
	require.Len(t, sets, 1)
	assert.Equal(t, []string{`http.host eq "d"`, `http.host eq "s"`}, expressions(sets[0].Node))
	assert.Nil(t, sets[0].Node.Get("rules").Items[1].Get("//"))
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

// TestDecodeMatchesHCL decodes the literal parts of strings and heredocs
// as template does, and checks them against the values HCL decodes, and
// each byte's place against the text.
func TestDecodeMatchesHCL(t *testing.T) {
	for _, src := range []string{
		`a = "x\"y\\z\n\u00e9\U0001F600$${q}%%{r}"` + "\n",
		"a = <<EOT\n  first $${x}\n\ttab\nEOT\n",
		"a = <<-EOT\n    one\n      two\n\n    three %%{y}\n    EOT\n",
		// A first line indented deeper than the next: HCL takes the
		// indentation off before the part starts.
		"a = <<-EOT\n        deep\n      shallow\n      EOT\n",
		// Spaces after an interpolation are the text's, not indentation.
		"a = <<-EOT\n    ${\"x\"}   spaced\n    next\n    EOT\n",
		"a = <<-EOT\r\n    crlf\r\n      more\r\n    EOT\r\n",
	} {
		f, diags := hclsyntax.ParseConfig([]byte(src), "t.tf", hcl.InitialPos)
		require.False(t, diags.HasErrors(), "%q: %v", src, diags)
		x := f.Body.(*hclsyntax.Body).Attributes["a"].Expr.(*hclsyntax.TemplateExpr)
		strip := 0
		if h := frame(src[x.SrcRange.Start.Byte:x.SrcRange.End.Byte]); strings.HasPrefix(h.open, "<<-") {
			strip = heredocStrip(src[x.SrcRange.Start.Byte+len(h.open) : x.SrcRange.End.Byte-len(h.close)])
		}
		for _, part := range x.Parts {
			lit, ok := part.(*hclsyntax.LiteralValueExpr)
			if !ok {
				continue
			}
			r := lit.SrcRange
			raw := src[r.Start.Byte:r.End.Byte]
			var got string
			var offs []int
			if strings.HasPrefix(src[x.SrcRange.Start.Byte:], "<<") {
				got, offs = decodeHeredoc(raw, strip, src[r.Start.Byte-1] == '\n')
			} else {
				got, offs = decodeQuoted(raw)
			}
			require.Equal(t, lit.Val.AsString(), got, "%q", src)
			for i := range len(got) {
				c := raw[offs[i]]
				assert.True(t, c == got[i] || c == '\\' || c == '$' || c == '%', "%q: byte %d %q placed at %q", src, i, got[i], c)
			}
		}
	}
}

// TestObjects: values of the module whose objects carry an expression are
// rules when they carry an action or a Cloudflare resource reads them;
// other data with expressions (CloudWatch's metric math) is not.
func TestObjects(t *testing.T) {
	sets := readOne(t, map[string]string{"main.tf": `
locals {
  metric_queries = [{ id = "e1", expression = "m1 + m2" }]
  with_action    = [{ action = "block", expression = "http.host eq \"a\"" }]
  read_by_rules  = [{ expression = "http.host eq \"b\"" }]
  indirect       = local.read_by_rules
}
resource "cloudflare_ruleset" "r" {
  phase = "http_request_firewall_custom"
  dynamic "rules" {
    for_each = local.indirect
    content {
      action     = "block"
      expression = rules.value.expression
    }
  }
}
resource "aws_cloudwatch_metric_alarm" "a" {
  dynamic "metric_query" {
    for_each = local.metric_queries
    content {
      id         = metric_query.value.id
      expression = metric_query.value.expression
    }
  }
}
`}, "main.tf")
	var got []string
	for _, s := range sets {
		got = append(got, s.Address+": "+strings.Join(expressions(s.Node), "|"))
	}
	assert.Equal(t, []string{
		`local.with_action: http.host eq "a"`,
		`local.read_by_rules: http.host eq "b"`,
		`local.indirect: http.host eq "b"`,
		`cloudflare_ruleset.r: http.host eq "b"`,
	}, got)
}

// TestVarPrecedence: terraform.tfvars, then *.auto.tfvars by name, then
// the var files given, the later winning, as Terraform loads them.
func TestVarPrecedence(t *testing.T) {
	files := map[string]string{
		"main.tf": `variable "host" {}
resource "cloudflare_ruleset" "r" {
  phase = "http_request_firewall_custom"
  rules = [{ action = "block", expression = "http.host eq \"${var.host}\"" }]
}
`,
		"terraform.tfvars": `host = "terraform"`,
		"b.auto.tfvars":    `host = "b"`,
		"a.auto.tfvars":    `host = "a"`,
	}
	sets := readOne(t, files, "main.tf")
	assert.Equal(t, []string{`http.host eq "b"`}, expressions(sets[0].Node))
	dir := t.TempDir()
	for n, text := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), []byte(text), 0o644))
	}
	given := filepath.Join(t.TempDir(), "ci.tfvars")
	require.NoError(t, os.WriteFile(given, []byte(`host = "ci"`), 0o644))
	_, sets, err := Read(filepath.Join(dir, "main.tf"), files["main.tf"], []string{given})
	require.NoError(t, err)
	assert.Equal(t, []string{`http.host eq "ci"`}, expressions(sets[0].Node))
}

// TestCountLimits: a count that is not a whole number, or is more than
// maxInstances, is a note rather than instances.
func TestCountLimits(t *testing.T) {
	for count, want := range map[string]string{
		"1.5":  `Terraform cannot evaluate it: count must be a whole number, not "1.5"`,
		"5000": "edgerules does not follow it: count is 5000, more than 1000",
	} {
		sets := readOne(t, map[string]string{"main.tf": `resource "cloudflare_ruleset" "r" {
  count = ` + count + `
  phase = "http_request_firewall_custom"
}
`}, "main.tf")
		require.Len(t, sets, 1)
		assert.Equal(t, doc.Unknown, sets[0].Node.Kind)
		assert.Equal(t, want, sets[0].Node.Text)
	}
}
