package ruletest_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/ruleset"
	"github.com/edgerules/edgerules/ruletest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRun(t *testing.T) {
	suite, err := ruletest.Load("testdata/cases.test.yaml")
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join("testdata", "rules.yaml")}, suite.RulesPaths())
	results, err := suite.Run(fields.Cloudflare())
	require.NoError(t, err)
	want := map[string]string{
		"wrong action":               `testdata/cases.test.yaml:28:5: got managed_challenge by rule 5 (ref "bad-agents"), want block`,
		"wrong rule":                 `testdata/cases.test.yaml:31:5: got block by rule 4 (ref "bad-asn"), want block by rule 6 (id 3f2a9c)`,
		"nothing expected to decide": `testdata/cases.test.yaml:35:5: got js_challenge by rule 6 (id 3f2a9c), want none`,
		"logs differ":                `testdata/cases.test.yaml:38:5: logged rule 1 (ref "api-log"), want nothing`,
		"a typo in a field":          `testdata/cases.test.yaml:43:14: unknown field cf.bot_managment.score; did you mean cf.bot_management.score?`,
		"a value of the wrong type":  "testdata/cases.test.yaml:47:15: field ip.src: `192.0.2.300` is not an IP address",
		"a rule the ruleset lacks":   `testdata/cases.test.yaml:49:5: rules.yaml has no rule with ref or id "browser-block"`,
	}
	require.Len(t, results, 12)
	for _, r := range results {
		if msg, fails := want[r.Case.Name]; fails {
			if assert.NotNil(t, r.Err, r.Case.Name) {
				assert.Equal(t, msg, r.Err.Error())
			}
			continue
		}
		assert.Nil(t, r.Err, r.Case.Name)
	}
	assert.Equal(t, ruleset.Skip, results[1].Got.Action)
	assert.Equal(t, "office", results[1].Got.Rule.Ref)
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ name, text, want string }{
		{"empty", "", "s.test.yaml:1:1: the suite is empty: give rules and cases"},
		{"empty document", "---\n", "s.test.yaml:1:1: the suite is empty: give rules and cases"},
		{"UTF-16", "\xfe\xff\x00r", "s.test.yaml:1:1: byte 0xfe is not UTF-8: a suite is UTF-8 text"},
		{"Latin-1", "rules: r.json\ncases: [{name: caf\xe9}]", "s.test.yaml:2:19: byte 0xe9 is not UTF-8: a suite is UTF-8 text"},
		{"not yaml", "rules: [a\ncases: x", "s.test.yaml:1:1: did not find expected ',' or ']'"},
		{"not a mapping", "- a\n- b", "s.test.yaml:1:1: the suite must be a mapping of keys to values"},
		{"unknown key", "rules: r.json\ncase: []", `s.test.yaml:2:1: the suite has no key "case"; its keys are rules, var_files, lists, cases`},
		{"repeated key", "rules: a.json\nrules: b.json", `s.test.yaml:2:1: the suite has "rules" twice`},
		{"no rules", "cases: [{name: a, action: none}]", "s.test.yaml:1:1: the suite names no ruleset: add rules: FILE, or a list of a zone's files and folders"},
		{"rules an empty list", "rules: []\ncases: [{name: a, action: none}]", "s.test.yaml:1:1: the suite names no ruleset: add rules: FILE, or a list of a zone's files and folders"},
		{"rules a mapping", "rules: {a: b}", "s.test.yaml:1:8: rules must be a single value"},
		{"rules a list of lists", "rules: [a, [b]]", "s.test.yaml:1:12: rules item must be a single value"},
		{"no cases", "rules: r.json", "s.test.yaml:1:1: the suite has no cases"},
		{"cases a mapping", "rules: r.json\ncases: {a: b}", "s.test.yaml:2:8: cases must be a list"},
		{"case not a mapping", "rules: r.json\ncases: [a]", "s.test.yaml:2:9: case 1 must be a mapping of keys to values"},
		{"unknown case key", "rules: r.json\ncases:\n  - name: a\n    acton: block", `s.test.yaml:4:5: case 1 has no key "acton"; its keys are name, values, action, rule, logged, path, query, headers, redirect, response_headers, repeat, seconds, at`},
		{"no name", "rules: r.json\ncases:\n  - action: block", "s.test.yaml:3:5: case 1 has no name"},
		{"no action", "rules: r.json\ncases:\n  - name: a", `s.test.yaml:3:5: case "a" says no action: give the action that ends evaluation, or none`},
		{"null action", "rules: r.json\ncases:\n  - {name: a, action: }", "s.test.yaml:3:23: case 1's action must be a single value"},
		{"unknown action", "rules: r.json\ncases:\n  - {name: a, action: blok}", `s.test.yaml:3:23: unknown action "blok"; did you mean "block"?`},
		{"log action", "rules: r.json\ncases:\n  - {name: a, action: log}", "s.test.yaml:3:23: log does not end evaluation, so no case can expect it; a log rule goes under logged"},
		{"rule with none", "rules: r.json\ncases:\n  - {name: a, action: none, rule: x}", `s.test.yaml:3:5: case "a" names a rule that decides, but its action is none`},
		{"same name", "rules: r.json\ncases:\n  - {name: a, action: none}\n  - {name: a, action: block}", `s.test.yaml:4:5: case "a" is already the name of the case on line 3`},
		{"values a list", "rules: r.json\ncases:\n  - {name: a, action: none, values: [1]}", "s.test.yaml:3:37: case 1's values must map field names to values"},
		{"field twice", "rules: r.json\ncases:\n  - {name: a, action: none, values: {ip.src: 1.1.1.1, ip.src: 2.2.2.2}}", "s.test.yaml:3:55: field ip.src is given twice"},
		{"logged not a list", "rules: r.json\ncases:\n  - {name: a, action: none, logged: x}", "s.test.yaml:3:37: case 1's logged must be a list"},
		{"logged item a list", "rules: r.json\ncases:\n  - {name: a, action: none, logged: [[x]]}", "s.test.yaml:3:38: case 1's logged item must be a single value"},
		{"lists a list", "rules: r.json\nlists: [a]", "s.test.yaml:2:8: lists must map each list's name to its kind and items"},
		{"list kind", "rules: r.json\nlists:\n  a: {kind: cidr, items: []}", `s.test.yaml:3:13: list a: list kind "cidr" is not ip, hostname, asn or string`},
		{"list without kind", "rules: r.json\nlists:\n  a: {items: [x]}", "s.test.yaml:3:3: list a has no kind: ip, hostname, asn or string"},
		{"list twice", "rules: r.json\nlists:\n  a: {kind: ip}\n  a: {kind: ip}", "s.test.yaml:4:3: list a is given twice"},
		{"list key", "rules: r.json\nlists:\n  a: {kind: ip, item: []}", `s.test.yaml:3:17: list a has no key "item"; its keys are kind, items`},
	} {
		_, err := ruletest.Parse("s.test.yaml", []byte(c.text))
		if assert.Error(t, err, c.name) {
			assert.Equal(t, c.want, err.Error(), c.name)
		}
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
		return p
	}
	write("broken.json", `[{"expression": "ip.src eq 1", "action": "block"}]`)
	write("good.json", `[{"expression": "ip.src in $x", "action": "block"}]`)
	write("main.tf", `variable "ips" {}
resource "cloudflare_ruleset" "a" {
  phase = "http_request_firewall_custom"
  rules {
    action     = "block"
    expression = "ip.src in {${join(" ", var.ips)}}"
  }
}
resource "cloudflare_ruleset" "b" {
  phase = "http_request_firewall_custom"
  rules {
    action     = "block"
    expression = "http.host eq \"a\""
  }
}
`)
	for _, c := range []struct{ name, suite, want string }{
		{"missing ruleset", "rules: nowhere.json\ncases: [{name: a, action: none}]", "stat " + filepath.Join(dir, "nowhere.json")},
		{"broken ruleset", "rules: broken.json\ncases: [{name: a, action: none}]", "broken.json does not compile; run edgerules check on it:"},
		{"bad IP item", "rules: good.json\nlists: {x: {kind: ip, items: [1.2.3.4, nope]}}\ncases: [{name: a, action: none}]", "s.test.yaml:2:9: list x, item 2:"},
		{"Terraform, several rulesets", "rules: main.tf\ncases: [{name: a, action: none}]", "main.tf#cloudflare_ruleset.a and " + filepath.Join(dir, "main.tf#cloudflare_ruleset.b") + " are both rulesets of phase http_request_firewall_custom; a zone has one per phase"},
		{"Terraform, no such ruleset", "rules: main.tf#cloudflare_ruleset.c\ncases: [{name: a, action: none}]", "main.tf has no ruleset cloudflare_ruleset.c"},
		{"Terraform, a rule only apply knows", "rules: main.tf#cloudflare_ruleset.a\ncases: [{name: a, action: none}]", "main.tf:6:32: the expression is not checked: depends on var.ips"},
		{"bad ASN item", "rules: good.json\nlists: {x: {kind: asn, items: [AS13335]}}\ncases: [{name: a, action: none}]", `s.test.yaml:2:9: list x, item 1: "AS13335" is not an AS number`},
	} {
		suite, err := ruletest.Parse(write("s.test.yaml", c.suite), []byte(c.suite))
		require.NoError(t, err, c.name)
		_, err = suite.Run(fields.Cloudflare())
		if assert.Error(t, err, c.name) {
			assert.Contains(t, err.Error(), c.want, c.name)
		}
	}
}

// TestTerraformSuite runs a suite against one ruleset of a Terraform file,
// named by its address.
func TestTerraformSuite(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(`locals { limit = 30 }
resource "cloudflare_ruleset" "waf" {
  phase = "http_request_firewall_custom"
  rules = [{ action = "block", ref = "bots", expression = "cf.bot_management.score lt ${local.limit}" }]
}
resource "cloudflare_ruleset" "other" {
  phase = "http_request_firewall_custom"
  rules = [{ action = "block", expression = "true" }]
}
`), 0o644))
	text := "rules: main.tf#cloudflare_ruleset.waf\ncases:\n  - {name: bot, values: {cf.bot_management.score: 29}, action: block, rule: bots}\n  - {name: human, values: {cf.bot_management.score: 30}, action: none}\n"
	suite, err := ruletest.Parse(filepath.Join(dir, "waf.test.yaml"), []byte(text))
	require.NoError(t, err)
	results, err := suite.Run(fields.Cloudflare())
	require.NoError(t, err)
	require.Len(t, results, 2)
	for _, r := range results {
		assert.Nil(t, r.Err, r.Case.Name)
	}

	// A variable without a value takes it from the suite's var file.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "vars.tf"), []byte(`variable "asn" {}
resource "cloudflare_ruleset" "asn" {
  phase = "http_request_firewall_custom"
  rules = [{ action = "block", expression = "ip.src.asnum eq ${var.asn}" }]
}
`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "test.tfvars"), []byte("asn = 64496\n"), 0o644))
	text = "rules: vars.tf\nvar_files: [test.tfvars]\ncases:\n  - {name: the AS, values: {ip.src.asnum: 64496}, action: block}\n"
	suite, err = ruletest.Parse(filepath.Join(dir, "asn.test.yaml"), []byte(text))
	require.NoError(t, err)
	results, err = suite.Run(fields.Cloudflare())
	require.NoError(t, err)
	assert.Nil(t, results[0].Err)
}

func TestIsSuite(t *testing.T) {
	for path, want := range map[string]bool{
		"rules/bot.test.yaml": true, "bot.TEST.YML": true, "a/b.test.json": true,
		"bot.yaml": false, "test.yaml": false, "bot.test.txt": false, "bot.test.yaml/x.json": false,
	} {
		assert.Equal(t, want, ruletest.IsSuite(path), path)
	}
}

func TestJSONSuite(t *testing.T) {
	text := `{"rules": "rules.yaml", "lists": {"office": {"kind": "ip", "items": ["192.0.2.0/24"]}},
	 "cases": [{"name": "a bot", "values": {"cf.bot_management.score": 3, "http.request.headers": {"x-a": ["1"]}}, "action": "js_challenge", "rule": "3f2a9c", "logged": []},
	           {"name": "the office", "values": {"ip.src": "192.0.2.1"}, "action": "skip"}]}`
	suite, err := ruletest.Parse("testdata/j.test.json", []byte(text))
	require.NoError(t, err)
	results, err := suite.Run(fields.Cloudflare())
	require.NoError(t, err)
	for _, r := range results {
		assert.Nil(t, r.Err, r.Case.Name)
	}
	assert.Equal(t, ruletest.Pos{Line: 2, Column: 13}, suite.Cases[0].At)
}

// TestRateLimitSequences: a case of many requests, over seconds or at
// given times, is judged by the decision of its last.
func TestRateLimitSequences(t *testing.T) {
	suite, err := ruletest.Load("testdata/ratelimit.test.yaml")
	require.NoError(t, err)
	results, err := suite.Run(fields.Cloudflare())
	require.NoError(t, err)
	require.Len(t, results, 7)
	for _, r := range results[:6] {
		assert.Nil(t, r.Err, r.Case.Name)
	}
	require.NotNil(t, results[6].Err)
	assert.Equal(t, "testdata/ratelimit.test.yaml:30:5: got none, want block", results[6].Err.Error())
}

func TestSequenceErrors(t *testing.T) {
	for _, c := range []struct{ name, text, want string }{
		{"at and repeat", "rules: r.json\ncases:\n- {name: a, action: none, repeat: 2, at: [0, 1]}", "s.test.yaml:3:42: case 1 gives at and repeat: at gives the time of each request, repeat how many come over seconds"},
		{"seconds alone", "rules: r.json\ncases:\n- {name: a, action: none, seconds: 60}", "s.test.yaml:3:36: case 1 gives seconds but not repeat, how many requests come over them"},
		{"repeat 0", "rules: r.json\ncases:\n- {name: a, action: none, repeat: 0}", "s.test.yaml:3:35: case 1's repeat must be a whole number from 1 to 100000, found 0"},
		{"negative seconds", "rules: r.json\ncases:\n- {name: a, action: none, repeat: 2, seconds: -1}", "s.test.yaml:3:47: case 1's seconds must be a number of seconds, 0 or more, found -1"},
		{"out of order", "rules: r.json\ncases:\n- {name: a, action: none, at: [0, 2, 1]}", "s.test.yaml:3:38: case 1's at must be in order: 1 comes before 2"},
		{"empty at", "rules: r.json\ncases:\n- {name: a, action: none, at: []}", "s.test.yaml:3:31: case 1's at must be a list of 1 to 100000 times in seconds"},
	} {
		_, err := ruletest.Parse("s.test.yaml", []byte(c.text))
		if assert.Error(t, err, c.name) {
			assert.Equal(t, c.want, err.Error(), c.name)
		}
	}
}

// TestZone runs cases through the example zone that expect what it does
// not do: each fails at the position of the expectation that differs, and
// says what the zone did.
func TestZone(t *testing.T) {
	suite, err := ruletest.Load("testdata/zone.test.yaml")
	require.NoError(t, err)
	results, err := suite.Run(fields.Cloudflare())
	require.NoError(t, err)
	want := []string{
		`testdata/zone.test.yaml:8:11: the origin gets the path "/api/items" (rewritten), want "/v1/items"`,
		`testdata/zone.test.yaml:12:12: the origin gets the query "a=1" (the request's own: no URL rewrite changed it), want "b=2"`,
		`testdata/zone.test.yaml:16:11: the origin gets the path "/products" (the request's own: no URL rewrite changed it), want "/api/products"`,
		`testdata/zone.test.yaml:20:28: the origin gets x-bot-score: "87", want x-bot-score: "86"`,
		`testdata/zone.test.yaml:24:27: the origin gets no X-Internal header, want X-Internal: "1"`,
		`testdata/zone.test.yaml:28:23: the origin gets Accept: "a", "b", want Accept: "a"`,
		`testdata/zone.test.yaml:32:15: redirect to https://store.example.com/a (301), want https://store.example.com/a (302)`,
		`testdata/zone.test.yaml:36:15: redirect to https://store.example.com/a?x=1 (301), want https://store.example.com/a`,
		`testdata/zone.test.yaml:40:39: the response has no Cache-Control header, want Cache-Control: "no-store"`,
		`testdata/zone.test.yaml:41:5: logged nothing, want rule 1 (ref "v1-callers") of http_request_firewall_custom`,
		`testdata/zone.test.yaml:45:5: got none, want block by rule 2 (ref "bots-off-api") of http_request_firewall_custom`,
	}
	require.Len(t, results, len(want)+1)
	for i, msg := range want {
		if assert.NotNil(t, results[i].Err, results[i].Case.Name) {
			assert.Equal(t, msg, results[i].Err.Error())
		}
	}
	last := results[len(want)]
	assert.Nil(t, last.Err)
	assert.Equal(t, "/api/items", last.Got.Path)
	assert.Equal(t, []ruleset.HeaderChange{{Op: ruleset.SetHeader, Name: "X-Bot-Score", Value: "87"}, {Op: ruleset.RemoveHeader, Name: "X-Internal"}}, last.Got.Headers)
}

// TestZoneErrors: the rules of a zone that cannot be one, and a case that
// names a ref two of its phases use.
func TestZoneErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	write("a.yaml", "phase: http_request_firewall_custom\nrules: [{ref: x, expression: ssl, action: block}]\n")
	write("b.yaml", "rules: [{ref: y, expression: ssl, action: block}]\n")
	write("c.yaml", "phase: http_request_late_transform\nrules: [{ref: x, expression: ssl, action: rewrite, action_parameters: {headers: {X-A: {operation: remove}}}}]\n")
	suite, err := ruletest.Parse(filepath.Join(dir, "s.test.yaml"), []byte("rules: [a.yaml, b.yaml]\ncases: [{name: a, action: none}]"))
	require.NoError(t, err)
	_, err = suite.Run(fields.Cloudflare())
	require.Error(t, err)
	assert.Equal(t, filepath.Join(dir, "s.test.yaml")+":1:8: "+filepath.Join(dir, "a.yaml")+" and "+filepath.Join(dir, "b.yaml")+
		" are both rulesets of phase http_request_firewall_custom; a zone has one per phase", err.Error())

	suite, err = ruletest.Parse(filepath.Join(dir, "s.test.yaml"), []byte("rules: [a.yaml, c.yaml]\ncases: [{name: a, action: block, rule: x}]"))
	require.NoError(t, err)
	results, err := suite.Run(fields.Cloudflare())
	require.NoError(t, err)
	require.NotNil(t, results[0].Err)
	assert.Equal(t, `"x" names a rule of http_request_firewall_custom and one of http_request_late_transform; name the rule by its id`, results[0].Err.Msg)
}

func TestZoneParseErrors(t *testing.T) {
	for _, c := range []struct{ name, text, want string }{
		{"headers a list", "rules: r\ncases:\n  - {name: a, action: none, headers: [a]}", "s.test.yaml:3:38: case 1's headers must map header names to values, lists of values or null"},
		{"header a mapping", "rules: r\ncases:\n  - {name: a, action: none, headers: {A: {b: c}}}", "s.test.yaml:3:42: header A must be a value, a list of values, or null for a header that must be absent"},
		{"header no values", "rules: r\ncases:\n  - {name: a, action: none, headers: {A: []}}", "s.test.yaml:3:42: header A has no values: give null for a header that must be absent"},
		{"header twice", "rules: r\ncases:\n  - {name: a, action: none, response_headers: {A: x, A: y}}", "s.test.yaml:3:54: header A is given twice"},
		{"path a list", "rules: r\ncases:\n  - {name: a, action: none, path: [a]}", "s.test.yaml:3:35: case 1's path must be a single value"},
		{"redirect without redirect", "rules: r\ncases:\n  - {name: a, action: none, redirect: {url: x}}", `s.test.yaml:3:5: case "a" expects a redirect, so its action is redirect`},
		{"redirect without url", "rules: r\ncases:\n  - {name: a, action: redirect, redirect: {status: 301}}", "s.test.yaml:3:43: case 1's redirect has no url: give the target URL, and the status if it matters"},
		{"redirect status", "rules: r\ncases:\n  - {name: a, action: redirect, redirect: {url: x, status: 200}}", "s.test.yaml:3:60: case 1's redirect's status must be a redirect's status code, such as 301 or 302, found 200"},
		{"redirect key", "rules: r\ncases:\n  - {name: a, action: redirect, redirect: {to: x}}", `s.test.yaml:3:44: case 1's redirect has no key "to"; its keys are url, status`},
	} {
		_, err := ruletest.Parse("s.test.yaml", []byte(c.text))
		if assert.Error(t, err, c.name) {
			assert.Equal(t, c.want, err.Error(), c.name)
		}
	}
}
