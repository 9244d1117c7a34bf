package ruleset_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/ruleset"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// problems returns the messages of a file's shape errors.
func problems(t *testing.T, text string, format ruleset.Format) []string {
	t.Helper()
	_, err := ruleset.Parse([]byte(text), format)
	var list ruleset.ErrorList
	if !errors.As(err, &list) {
		var one *ruleset.SyntaxError
		require.ErrorAs(t, err, &one)
		list = ruleset.ErrorList{one}
	}
	var out []string
	for _, e := range list {
		out = append(out, e.Error())
	}
	return out
}

// TestShapeErrors: every problem of a file's shape is reported at once, at
// its line and column, in the user's words.
func TestShapeErrors(t *testing.T) {
	assert.Equal(t, []string{
		`2:4: unknown key "expresion" in a rule; did you mean "expression"?`,
		`3:15: "enabled" must be true or false, found a string`,
		`4:3: a rule must be an object, found a string`,
		`5:25: unknown key "colour" in a rule, which has id, ref, description, expression, action, action_parameters, enabled, logging, ratelimit, version, last_updated, categories, exposed_credential_check, position`,
	}, problems(t, `[
  {"expresion": "ssl", "action": "block"},
  {"enabled": "yes", "expression": "ssl", "action": "block"},
  "ssl",
  {"expression": "ssl", "colour": "red", "action": "log"}
]`, ruleset.JSON))

	assert.Equal(t, []string{`1:11: "rules" must be a list of rules, found an object`},
		problems(t, `{"rules": {"expression": "ssl"}}`, ruleset.JSON))
	assert.Equal(t, []string{`1:1: the file is not a ruleset: a ruleset is an object with "rules", a list of rules`},
		problems(t, `{"rule": []}`, ruleset.JSON))
	_, err := ruleset.Parse([]byte(`{"office_network": "ip"}`), ruleset.JSON)
	assert.ErrorIs(t, err, ruleset.ErrNotRuleset)
	assert.Equal(t, []string{`1:1: a ruleset file holds a list of rules or a ruleset object, found a string`},
		problems(t, "just text\n", ruleset.YAML))
	assert.Equal(t, []string{`1:12: "result" must be a ruleset or a list of rules, found a Boolean`},
		problems(t, `{"result": true}`, ruleset.JSON))

	// A key written twice is an error in JSON as in YAML.
	assert.Equal(t, []string{`1:43: the key "expression" is repeated (first at 1:3)`},
		problems(t, `[{"expression": "ssl", "action": "block", "expression": "true"}]`, ruleset.JSON))
	assert.Equal(t, []string{`3:3: the key "expression" is repeated (first at 1:3)`},
		problems(t, "- expression: ssl\n  action: block\n  expression: \"true\"\n", ruleset.YAML))
}

// TestShapeErrorsKeepRules: a file whose shape has problems still gives the
// rules that could be read, so that check reports everything at once.
func TestShapeErrorsKeepRules(t *testing.T) {
	f, err := ruleset.Parse([]byte(`[{"expresion": "ssl", "action": "block"}, {"expression": "ssl and", "action": "log"}]`), ruleset.JSON)
	require.Error(t, err)
	require.NotNil(t, f)
	require.Len(t, f.Rules, 2)
	assert.Equal(t, "ssl and", f.Rules[1].Expression)
}

// TestValidateAtKeys: a rule's problems are placed at the value they are
// about, or at the rule when the key is missing.
func TestValidateAtKeys(t *testing.T) {
	f, err := ruleset.Parse([]byte(`{"phase": "http_request_firewall_custom", "rules": [
  {"expression": "ssl"},
  {"expression": "ssl", "action": "rewrite"},
  {"expression": "ssl", "action": "redirect"},
  {"expression": "ssl", "action": "allow"},
  {"expression": "", "action": "block"}
]}`), ruleset.JSON)
	require.NoError(t, err)
	var got []string
	for _, e := range f.Validate() {
		line, col := e.Rule.Position(e.Key)
		got = append(got, fmtPos(line, col)+e.Error())
	}
	assert.Equal(t, []string{
		`2:3 rule 1: the rule has no "action"`,
		`4:35 rule 3: the phase http_request_firewall_custom has no action "redirect"; its actions are block, challenge, js_challenge, managed_challenge, log, skip, execute, rewrite`,
		`5:35 rule 4: the phase http_request_firewall_custom has no action "allow", which is the legacy Firewall Rules'; use skip, with action_parameters {"ruleset": "current"} or the phases and products to skip`,
		`6:18 rule 5: the rule has no expression`,
	}, got)
}

func fmtPos(line, col int) string {
	return itoa(line) + ":" + itoa(col) + " "
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + itoa(n%10)
}

// TestLegacyShapes: exports of the Firewall Rules and Filters APIs are read
// like rulesets.
func TestLegacyShapes(t *testing.T) {
	f, err := ruleset.Parse([]byte(`{"success": true, "result": [
  {"id": "372e67954025e0ba6aaa6d586b9e0b61", "paused": true, "description": "Block bots", "action": "block", "priority": 1,
   "filter": {"id": "33b3cfe8ab3f4b5e8e2f2a5e4bb5a3a4", "expression": "cf.bot_management.score lt 30", "paused": false}},
  {"action": "bypass", "products": ["waf", "rateLimit"], "filter": {"expression": "ip.src in {192.0.2.0/24}"}},
  {"action": "managed_challenge", "filter": {"expression": "ssl and"}}
]}`), ruleset.JSON)
	require.NoError(t, err)
	require.Len(t, f.Rules, 3)
	assert.Equal(t, ruleset.FirewallRulesShape, f.Shape)
	assert.Equal(t, "cf.bot_management.score lt 30", f.Rules[0].Expression)
	assert.False(t, f.Rules[0].IsEnabled(), "paused")
	assert.Equal(t, "Block bots", f.Rules[0].Description)
	assert.Equal(t, map[string]any{"products": []any{"waf", "rateLimit"}}, f.Rules[1].ActionParameters)
	line, col := f.Rules[2].Source.Position(4)
	assert.Equal(t, [2]int{5, 65}, [2]int{line, col}, "the filter's expression, in place")
	assert.Empty(t, f.Validate())

	f, err = ruleset.Parse([]byte("- id: a\n  expression: http.host eq \"example.com\"\n  paused: false\n  description: the shop\n- expression: ssl\n  paused: true\n"), ruleset.YAML)
	require.NoError(t, err)
	assert.Equal(t, ruleset.FiltersShape, f.Shape)
	assert.Empty(t, f.Validate(), "filters have no action")
	assert.False(t, f.Rules[1].IsEnabled())

	assert.Equal(t, []string{`1:36: unknown key "expression" in a firewall rule, which has id, ref, description, action, paused, priority, products, filter, created_on, modified_on, index`},
		problems(t, `[{"action": "block", "filter": {}, "expression": "ssl"}]`, ruleset.JSON))
	f, err = ruleset.Parse([]byte(`[{"action": "skip", "filter": {"expression": "ssl"}}]`), ruleset.JSON)
	require.NoError(t, err)
	require.Len(t, f.Validate(), 1)
	assert.EqualError(t, f.Validate()[0], `rule 1: a legacy firewall rule has no action "skip"; its actions are block, challenge, js_challenge, managed_challenge, allow, log, bypass`)
}

// TestExpressions: the expressions of a rule's parameters are found with
// their kind and place.
func TestExpressions(t *testing.T) {
	text := `[
  {"ref": "rw", "expression": "starts_with(http.request.uri.path, \"/news/2012/\")", "action": "rewrite",
   "action_parameters": {"uri": {"path": {"expression": "concat(\"/archive\", http.request.uri.path)"}, "query": {"value": "a=1"}}}},
  {"ref": "hdr", "expression": "true", "action": "rewrite",
   "action_parameters": {"headers": {"X-Bot-Score": {"operation": "set", "expression": "to_string(cf.bot_management.score)"},
                                     "A-First": {"operation": "set", "expression": "http.host"},
                                     "X-Gone": {"operation": "remove"}}}},
  {"ref": "rl", "expression": "http.request.uri.path eq \"/login\"", "action": "block",
   "ratelimit": {"characteristics": ["ip.src", "cf.colo.id"], "period": 60, "requests_per_period": 5,
                 "counting_expression": "http.response.code eq 401"}}
]`
	f, err := ruleset.Parse([]byte(text), ruleset.JSON)
	require.NoError(t, err)
	type seen struct {
		Key, Text string
		Filter    bool
		At        string // the file from where the expression's last 6 bytes are placed
	}
	lines := strings.Split(text, "\n")
	var got []seen
	for _, r := range f.Rules {
		for _, x := range r.Expressions()[1:] {
			line, col := x.Source.Position(len(x.Text) - 6)
			got = append(got, seen{x.Key, x.Text, x.Filter, lines[line-1][col-1:][:6]})
		}
	}
	assert.Equal(t, []seen{
		{"action_parameters.uri.path.expression", `concat("/archive", http.request.uri.path)`, false, ".path)"},
		{"action_parameters.headers.A-First.expression", "http.host", false, "p.host"},
		{"action_parameters.headers.X-Bot-Score.expression", "to_string(cf.bot_management.score)", false, "score)"},
		{"ratelimit.counting_expression", "http.response.code eq 401", true, "eq 401"},
		{"ratelimit.characteristics.0", "ip.src", false, "ip.src"},
	}, got)
}

// TestYAMLBooleans: yes, no, on and off are Booleans in YAML 1.1, which
// yaml.v3 honours when it decodes into a bool, and so do rules.
func TestYAMLBooleans(t *testing.T) {
	f, err := ruleset.Parse([]byte("- expression: ssl\n  action: log\n  enabled: no\n- expression: ssl\n  action: log\n  enabled: On\n"), ruleset.YAML)
	require.NoError(t, err)
	assert.False(t, f.Rules[0].IsEnabled())
	assert.True(t, f.Rules[1].IsEnabled())
}

// TestRuleErrorNamesTheExpression: an error in a parameter's expression
// says which one.
func TestRuleErrorNamesTheExpression(t *testing.T) {
	f, err := ruleset.Parse([]byte(`[{"expression": "ssl", "action": "rewrite", "action_parameters": {"headers": {"X-Foo": {"operation": "set", "expression": "http.hots"}}}}]`), ruleset.JSON)
	require.NoError(t, err)
	_, err = ruleset.Compile(f.Ruleset, fields.Cloudflare())
	assert.ErrorContains(t, err, "rule 1, action_parameters.headers.X-Foo.expression: ")
}
