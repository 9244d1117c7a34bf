package ruleset_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/ruleset"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func load(t testing.TB, path string) *ruleset.File {
	t.Helper()
	f, err := ruleset.Load(path)
	require.NoError(t, err)
	return f
}

func engine(t testing.TB, rs *ruleset.Ruleset) *ruleset.Engine {
	t.Helper()
	e, err := ruleset.Compile(rs, fields.Cloudflare())
	require.NoError(t, err)
	return e
}

type request struct {
	score    int64
	verified bool
	path, ua string
}

func (r request) context(t testing.TB) *eval.Context {
	c := eval.NewContext(fields.Cloudflare())
	for name, v := range map[string]eval.Value{
		"cf.bot_management.score":        eval.Int(r.score),
		"cf.bot_management.verified_bot": eval.Bool(r.verified),
		"http.request.uri.path":          eval.String(r.path),
		"http.user_agent":                eval.String(r.ua),
	} {
		require.NoError(t, c.SetName(name, v))
	}
	return c
}

const (
	browser = "Mozilla/5.0 (X11; Linux x86_64) Firefox/125.0"
	mobile  = "App_Name 2.0 (iPhone; iOS 17.4)"
)

// TestSeedLayeredRules sends each kind of request of the seed document
// through its rules in the order it gives them.
func TestSeedLayeredRules(t *testing.T) {
	for _, path := range []string{"../examples/rules/bot-management.json", "../examples/rules/bot-management.yaml"} {
		e := engine(t, load(t, path).Ruleset)
		for _, tt := range []struct {
			name   string
			req    request
			action ruleset.Action
			ref    string
		}{
			{"a likely bot on a browser path is blocked", request{12, false, "/products", browser}, ruleset.Block, "browser-block"},
			{"a definite bot on a browser path is blocked", request{1, false, "/", browser}, ruleset.Block, "browser-block"},
			{"the same bot on the API passes", request{12, false, "/api/v1/items", browser}, ruleset.Skip, "api"},
			{"a human passes", request{87, false, "/products", browser}, "", ""},
			{"a verified bot passes", request{1, true, "/products", "Googlebot/2.1"}, "", ""},
			{"the mobile app at score 1 is blocked", request{1, false, "/feed", mobile}, ruleset.Block, "mobile-block"},
			{"the mobile app at score 20 is challenged", request{20, false, "/feed", mobile}, ruleset.Challenge, "mobile-challenge"},
			{"the mobile app at score 29 is challenged", request{29, false, "/feed", mobile}, ruleset.Challenge, "mobile-challenge"},
			{"the mobile app at score 30 passes", request{30, false, "/feed", mobile}, "", ""},
		} {
			d := e.Evaluate(tt.req.context(t))
			assert.Equal(t, tt.action, d.Action, "%s: %s", path, tt.name)
			if tt.ref == "" {
				assert.Nil(t, d.Rule, "%s: %s", path, tt.name)
			} else if assert.NotNil(t, d.Rule, "%s: %s", path, tt.name) {
				assert.Equal(t, tt.ref, d.Rule.Ref, "%s: %s", path, tt.name)
			}
		}
	}
}

func TestShapes(t *testing.T) {
	rule := `{"ref": "r1", "expression": "ssl", "action": "block", "last_updated": "2024-01-01", "version": "3"}`
	for name, doc := range map[string]string{
		"list":         `[` + rule + `]`,
		"ruleset":      `{"name": "n", "kind": "zone", "rules": [` + rule + `]}`,
		"API response": `{"success": true, "errors": [], "result": {"id": "abc", "rules": [` + rule + `]}}`,
	} {
		f, err := ruleset.Parse([]byte(doc), ruleset.JSON)
		require.NoError(t, err, name)
		require.Len(t, f.Rules, 1, name)
		assert.Equal(t, "r1", f.Rules[0].Ref, name)
		assert.True(t, f.Rules[0].IsEnabled(), "%s: enabled when absent", name)
		line, col := f.Rules[0].Source.Position(0)
		assert.Equal(t, 1, line, name)
		assert.Equal(t, strings.Index(doc, `"ssl"`)+2, col, name)
	}
	for name, doc := range map[string]string{
		"list":         "- expression: ssl\n  action: block\n",
		"ruleset":      "rules:\n  - expression: ssl\n    action: block\n",
		"API response": "result:\n  rules:\n    - expression: ssl\n      action: block\n",
	} {
		f, err := ruleset.Parse([]byte(doc), ruleset.YAML)
		require.NoError(t, err, name)
		require.Len(t, f.Rules, 1, name)
		assert.Equal(t, ruleset.Block, f.Rules[0].Action, name)
	}
}

// TestPositions maps a position in an expression to its file through
// escapes and YAML styles.
func TestPositions(t *testing.T) {
	f := load(t, "../examples/rules/bot-management.yaml")
	at := func(rule, off int) [2]int {
		line, col := f.Rules[rule].Source.Position(off)
		return [2]int{line, col}
	}
	assert.Equal(t, [2]int{6, 17}, at(0, 0), "plain")
	assert.Equal(t, [2]int{12, 19}, at(1, 1), "single-quoted")
	expr2 := f.Rules[2].Expression
	assert.Equal(t, [2]int{16, 18 + strings.Index(expr2, "contains")}, at(2, strings.Index(expr2, "contains")), "double-quoted")
	assert.Equal(t, [2]int{16, 18 + strings.Index(expr2, "App_Name") + 1}, at(2, strings.Index(expr2, "App_Name")), "double-quoted, after an escape")
	assert.Equal(t, [2]int{22, 11}, at(3, strings.Index(f.Rules[3].Expression, "not")), "a literal block's second line")

	j := load(t, "../examples/rules/bot-management.json")
	src := j.Rules[0].Expression // (http.request.uri.path contains "/api")
	line, col := j.Rules[0].Source.Position(strings.Index(src, "/api"))
	assert.Equal(t, 9, line)
	assert.Equal(t, strings.Index(`      "expression": "(http.request.uri.path contains \"/api\")",`, "/api")+1, col, "the escaped quote counts in the file")

	// Escapes of every kind, among them a surrogate pair and a high
	// surrogate whose next \u escape is not a low one (two runes, as
	// encoding/json decodes it), keep the bytes after them in place.
	line0 := `[{"expression": "http.host in {\"\ud83d\ude00\" \"\ud800\u00e9\" \"\t\/\u20ac\"} and ssl", "action": "block"}]`
	e, err := ruleset.Parse([]byte(line0), ruleset.JSON)
	require.NoError(t, err)
	src = e.Rules[0].Expression
	require.Equal(t, "http.host in {\"\U0001F600\" \"\uFFFD\u00e9\" \"\t/\u20ac\"} and ssl", src)
	line, col = e.Rules[0].Source.Position(strings.Index(src, "ssl"))
	assert.Equal(t, [2]int{1, strings.Index(line0, "ssl") + 1}, [2]int{line, col})
}

func TestValidate(t *testing.T) {
	doc := `[
		{"ref": "a", "expression": "ssl", "action": "blok"},
		{"ref": "a", "expression": "ssl", "action": "block"},
		{"ref": "c", "expression": " ", "action": "log"},
		{"expression": "ssl", "action": "frobnicate"}
	]`
	f, err := ruleset.Parse([]byte(doc), ruleset.JSON)
	require.NoError(t, err)
	var msgs []string
	for _, e := range f.Validate() {
		msgs = append(msgs, e.Error())
	}
	assert.Equal(t, []string{
		`rule 1 (ref "a"): unknown action "blok"; did you mean "block"?`,
		`rule 2 (ref "a"): ref "a" is already used by rule 1 (ref "a")`,
		`rule 3 (ref "c"): the rule has no expression`,
		`rule 4: unknown action "frobnicate"; the actions are block, challenge, js_challenge, managed_challenge, redirect, serve_error, log, skip, execute, rewrite, route, set_config, compress_response, set_cache_settings, log_custom_field, allow, bypass`,
	}, msgs)
	_, err = ruleset.Compile(f.Ruleset, fields.Cloudflare())
	assert.Error(t, err)
}

func TestCompileErrorsNameTheRule(t *testing.T) {
	f, err := ruleset.Parse([]byte(`[{"ref": "x", "expression": "ssl and http.host eq 3", "action": "block"}]`), ruleset.JSON)
	require.NoError(t, err)
	_, err = ruleset.Compile(f.Ruleset, fields.Cloudflare())
	var re *ruleset.RuleError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "x", re.Rule.Ref)
	var ee *expr.Error
	require.ErrorAs(t, re.Err, &ee)
	assert.Equal(t, expr.ErrBadValue, ee.Code)
}

func TestLoadErrors(t *testing.T) {
	_, err := ruleset.Parse([]byte("[\n  {\"expression\": \"ssl\",}\n]"), ruleset.JSON)
	assert.ErrorContains(t, err, "2:24: invalid JSON", "at the }")
	_, err = ruleset.Parse([]byte(`{"rules": [{"expression": 3, "action": "block"}]}`), ruleset.JSON)
	assert.EqualError(t, err, `1:27: "expression" must be a string, found a number`)
	_, err = ruleset.Parse([]byte("rules:\n  - expression: ssl\n    action: block: x\n"), ruleset.YAML)
	var syntax *ruleset.SyntaxError
	require.ErrorAs(t, err, &syntax)
	assert.Equal(t, ruleset.SyntaxError{Line: 3, Column: 1, Msg: "invalid YAML: mapping values are not allowed in this context"}, *syntax)
	_, err = ruleset.Parse([]byte("- expression: ssl\n  action: [block]\n"), ruleset.YAML)
	assert.EqualError(t, err, `2:11: "action" must be a string, found a list`)
	_, err = ruleset.Load("rules.toml")
	assert.ErrorContains(t, err, "ends in .json, .yaml or .yml")
	_, err = ruleset.Load("main.tf")
	assert.ErrorContains(t, err, "main.tf: a Terraform file is read with package terraform")
	_, err = ruleset.Parse([]byte(`[null]`), ruleset.JSON)
	assert.EqualError(t, err, "1:2: a rule must be an object, found null")
}

func TestEvaluationOrder(t *testing.T) {
	f, err := ruleset.Parse([]byte(`[
		{"ref": "log-all", "expression": "true", "action": "log"},
		{"ref": "off", "expression": "true", "action": "block", "enabled": false},
		{"ref": "cache", "expression": "ssl", "action": "set_cache_settings"},
		{"ref": "skip-api", "expression": "starts_with(http.request.uri.path, \"/api\")", "action": "skip", "action_parameters": {"ruleset": "current"}},
		{"ref": "skip-waf", "expression": "ssl", "action": "skip", "action_parameters": {"products": ["waf"]}},
		{"ref": "log-ssl", "expression": "ssl", "action": "log"},
		{"ref": "allow-office", "expression": "ip.src in {192.0.2.0/24}", "action": "allow"},
		{"ref": "challenge", "expression": "true", "action": "managed_challenge"},
		{"ref": "never", "expression": "true", "action": "block"}
	]`), ruleset.JSON)
	require.NoError(t, err)
	e := engine(t, f.Ruleset)
	refs := func(rs []*ruleset.Rule) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Ref)
		}
		return out
	}
	c := eval.NewContext(fields.Cloudflare())
	require.NoError(t, c.SetName("ssl", eval.Bool(true)))
	d := e.Evaluate(c)
	assert.Equal(t, ruleset.ManagedChallenge, d.Action)
	assert.Equal(t, "challenge", d.Rule.Ref, "the disabled block is passed over")
	assert.Equal(t, []string{"log-all", "log-ssl"}, refs(d.Logged))
	assert.Equal(t, []string{"cache", "skip-waf"}, refs(d.Applied))

	require.NoError(t, c.SetName("http.request.uri.path", eval.String("/api/x")))
	d = e.Evaluate(c)
	assert.Equal(t, ruleset.Skip, d.Action)
	assert.Equal(t, "skip-api", d.Rule.Ref)
	assert.Equal(t, []string{"log-all"}, refs(d.Logged), "rules after the skip do not run")

	c.Reset()
	require.NoError(t, c.SetName("ip.src", eval.IP(mustAddr("192.0.2.9"))))
	d = e.Evaluate(c)
	assert.Equal(t, ruleset.Allow, d.Action, "the legacy allow ends evaluation")
	assert.Equal(t, []string{"log-all"}, refs(d.Logged))
}

func TestRuleErrorUnwraps(t *testing.T) {
	err := &ruleset.RuleError{Rule: &ruleset.Rule{Index: 0}, Err: errors.New("x")}
	assert.Equal(t, "rule 1: x", err.Error())
	assert.Equal(t, "x", errors.Unwrap(err).Error())
}

func TestRewrite(t *testing.T) {
	// The same meaning in other words: parentheses around the whole and
	// C-like operators, which the rewriter accepts.
	reword := func(r *ruleset.Rule, x ruleset.Expression) string {
		if r.Ref == "mobile-block" {
			return x.Text
		}
		body := strings.TrimRight(x.Text, "\n")
		return "(" + strings.ReplaceAll(body, " and ", " && ") + ")" + x.Text[len(body):]
	}
	for _, path := range []string{"../examples/rules/bot-management.json", "../examples/rules/bot-management.yaml"} {
		f := load(t, path)
		out, err := f.Rewrite(reword)
		require.NoError(t, err, path)
		again, err := ruleset.Parse([]byte(out), f.Format)
		require.NoError(t, err, "%s:\n%s", path, out)
		for i, r := range again.Rules {
			want := reword(f.Rules[i], f.Rules[i].Expressions()[0])
			assert.Equal(t, want, r.Expression, "%s rule %d", path, i+1)
			assert.Equal(t, f.Rules[i].Description, r.Description, "%s: other fields stay", path)
		}
		// Only the expressions changed: every other line is still there.
		for line := range strings.Lines(f.Text) {
			if !strings.Contains(line, "bot_management") && !strings.Contains(line, "http.") {
				assert.Contains(t, out, line, path)
			}
		}
		same, err := f.Rewrite(func(_ *ruleset.Rule, x ruleset.Expression) string { return x.Text })
		require.NoError(t, err)
		assert.Equal(t, f.Text, same, "no change, no edit")

		_, err = f.Rewrite(func(_ *ruleset.Rule, x ruleset.Expression) string { return "ssl" })
		assert.ErrorContains(t, err, "would not mean what", "%s: a rewrite that changes the meaning is refused", path)
	}
}

func TestMaxRules(t *testing.T) {
	rs := &ruleset.Ruleset{}
	for range 3 {
		rs.Rules = append(rs.Rules, &ruleset.Rule{Expression: "ssl", Action: ruleset.Log})
	}
	_, err := ruleset.Compile(rs, fields.Cloudflare(), ruleset.MaxRules(2))
	assert.EqualError(t, err, "the ruleset has 3 rules; the limit (MaxRules) is 2")
	_, err = ruleset.Compile(rs, fields.Cloudflare(), ruleset.MaxRules(3))
	assert.NoError(t, err)
	rs.Rules[0].Expression = `http.host matches "a" and http.host matches "b"`
	_, err = ruleset.Compile(rs, fields.Cloudflare(), ruleset.ExprOptions(expr.MaxRegexes(1)))
	assert.ErrorContains(t, err, "MaxRegexes", "expression limits reach every rule")
}

// TestCompileKeepsItsOwnRules: an engine is immutable. Compiling a second
// ruleset that shares rules with the first, and changing the rules after,
// leaves the first engine's decisions and numbering as they were; the
// caller's rules are not numbered or changed by Compile or Validate.
func TestCompileKeepsItsOwnRules(t *testing.T) {
	api := &ruleset.Rule{Ref: "api", Expression: `starts_with(http.request.uri.path, "/api")`, Action: ruleset.Block,
		ActionParameters: map[string]any{"response": map[string]any{"status_code": 429.0}}}
	bots := &ruleset.Rule{Ref: "bots", Expression: "cf.bot_management.score lt 30", Action: ruleset.ManagedChallenge}
	first := engine(t, &ruleset.Ruleset{Rules: []*ruleset.Rule{api, bots}})
	second := engine(t, &ruleset.Ruleset{Rules: []*ruleset.Rule{bots, api}})
	assert.Zero(t, api.Index, "the caller's rule is not numbered")
	assert.Zero(t, bots.Index)

	api.Action, api.Expression = ruleset.Log, "false"
	api.ActionParameters["response"].(map[string]any)["status_code"] = 403.0
	bots.Ref = "renamed"

	c := eval.NewContext(fields.Cloudflare())
	require.NoError(t, c.SetName("http.request.uri.path", eval.String("/api/x")))
	require.NoError(t, c.SetName("cf.bot_management.score", eval.Int(5)))
	d := first.Evaluate(c)
	require.NotNil(t, d.Rule)
	assert.Equal(t, ruleset.Block, d.Action)
	assert.Equal(t, "api", d.Rule.Ref)
	assert.Equal(t, 0, d.Rule.Index)
	assert.Equal(t, 429.0, d.Rule.ActionParameters["response"].(map[string]any)["status_code"], "the engine's parameters are its own")
	d = second.Evaluate(c)
	assert.Equal(t, "bots", d.Rule.Ref)
	assert.Equal(t, 0, d.Rule.Index)
	assert.Equal(t, 1, first.Rules()[1].Index, "bots is rule 2 of the first engine")

	rs := &ruleset.Ruleset{Rules: []*ruleset.Rule{{Ref: "a", Expression: "ssl", Action: "blok"}, {Ref: "a", Expression: "ssl", Action: ruleset.Log}}}
	errs := rs.Validate()
	require.Len(t, errs, 2)
	assert.EqualError(t, errs[1], `rule 2 (ref "a"): ref "a" is already used by rule 1 (ref "a")`)
	assert.Zero(t, rs.Rules[1].Index, "Validate changes nothing")
}
