package lint_test

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/lint"
	"github.com/edgerules/edgerules/ruleset"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func checked(t *testing.T, src string) *ast.Checked {
	t.Helper()
	tree, err := expr.Parse(src, expr.MaxLength(1<<16))
	require.NoError(t, err, src)
	c, err := expr.Check(tree, fields.Cloudflare())
	require.NoError(t, err, src)
	return c
}

// show renders findings as "code@offset+len: message; fix".
func show(src string, fs []lint.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s %q: %s; %s", f.Code, src[f.Offset:f.Offset+f.Len], f.Message, f.Fix))
	}
	return out
}

func TestExpression(t *testing.T) {
	tests := []struct {
		src  string
		want []string
	}{
		{`cf.bot_management.score lt 30 and not cf.bot_management.verified_bot`, nil},
		{`ip.geoip.country eq "GB" and not cf.botManagement.verifiedBot`, []string{
			"deprecated-field \"ip.geoip.country\": `ip.geoip.country` is a deprecated name of `ip.src.country`; write `ip.src.country`",
			"deprecated-field \"cf.botManagement.verifiedBot\": `cf.botManagement.verifiedBot` is a deprecated name of `cf.bot_management.verified_bot`; write `cf.bot_management.verified_bot`",
		}},
		{`cf.bot_management.score lt 1`, []string{"score-range \"cf.bot_management.score lt 1\": `cf.bot_management.score lt 1` never holds: bot scores run from 1 to 99; compare with a score from 1 to 99; `eq 1` is definitely automated, `lt 30` likely automated"}},
		{`cf.bot_management.score gt 99`, []string{"score-range \"cf.bot_management.score gt 99\": `cf.bot_management.score gt 99` never holds: bot scores run from 1 to 99; compare with a score from 1 to 99; `eq 1` is definitely automated, `lt 30` likely automated"}},
		{`(cf.bot_management.score ge 1)`, []string{"score-range \"cf.bot_management.score ge 1\": `cf.bot_management.score ge 1` holds for every scored request: bot scores run from 1 to 99; compare with a score from 1 to 99; `eq 1` is definitely automated, `lt 30` likely automated"}},
		{`cf.bot_management.score eq 0 or cf.bot_management.score le 99`, []string{
			"score-range \"cf.bot_management.score eq 0\": `cf.bot_management.score eq 0` never holds: bot scores run from 1 to 99; compare with a score from 1 to 99; `eq 1` is definitely automated, `lt 30` likely automated",
			"score-range \"cf.bot_management.score le 99\": `cf.bot_management.score le 99` holds for every scored request: bot scores run from 1 to 99; compare with a score from 1 to 99; `eq 1` is definitely automated, `lt 30` likely automated",
		}},
		{`cf.bot_management.score lt 2 and cf.bot_management.score gt 98`, []string{
			"contradiction \"cf.bot_management.score gt 98\": `cf.bot_management.score lt 2` and `cf.bot_management.score gt 98` never hold together, so this and never matches; check the values and the operators; perhaps or was meant",
		}},
		{`cf.edge.server_port in {443 010..020}`, []string{"leading-zero \"010..020\": `010` starts with 0, so it is octal: 8; write it without the leading zero, or as 0x… if hex was meant"}},
		{`cf.edge.server_port eq 010`, []string{"leading-zero \"010\": `010` starts with 0, so it is octal: 8; write it without the leading zero, or as 0x… if hex was meant"}},
		{"ssl\tand true", []string{"tab \"\\t\": a tab: Cloudflare's engine may reject tabs inside an expression; use spaces"}},
		{`http.request.uri.path matches "/api"`, []string{"regex-is-string-test \"http.request.uri.path matches \\\"/api\\\"\": this regular expression only tests for a fixed string; write `http.request.uri.path contains \"/api\"`"}},
		{`http.request.uri.path ~ "^/api"`, []string{"regex-is-string-test \"http.request.uri.path ~ \\\"^/api\\\"\": this regular expression only tests for a fixed string; write `starts_with(http.request.uri.path, \"/api\")`"}},
		{`http.request.uri.path matches r"\.php$"`, []string{"regex-is-string-test \"http.request.uri.path matches r\\\"\\\\.php$\\\"\": this regular expression only tests for a fixed string; write `ends_with(http.request.uri.path, \".php\")`"}},
		{`http.request.uri.path matches "^/login$"`, []string{"regex-is-string-test \"http.request.uri.path matches \\\"^/login$\\\"\": this regular expression only tests for a fixed string; write `http.request.uri.path eq \"/login\"`"}},
		{`http.request.uri.path matches "^/api/v[0-9]+"`, nil},
		{`ip.src in $office_network_2 or ip.src in $cf.open_proxies`, nil},
		{`ip.src in $ALLOWED_ADMIN_IPS`, []string{"list-name \"$ALLOWED_ADMIN_IPS\": Cloudflare's list names are lowercase letters, digits and _, so no list is named `ALLOWED_ADMIN_IPS`; write `$allowed_admin_ips`"}},
		{`ip.src in $cf.open_proxy`, []string{"list-name \"$cf.open_proxy\": `$cf.open_proxy` is not one of Cloudflare's managed lists; did you mean `$cf.open_proxies`?"}},
		{`ip.src in $` + strings.Repeat("a", 51), []string{"list-name \"$" + strings.Repeat("a", 51) + "\": the list name `" + strings.Repeat("a", 51) + "` is 51 characters long; Cloudflare allows at most 50; rename the list"}},
		{`http.user_agent matches "(?i)curl"`, nil},
		{`http.request.uri.path matches "^/(a|b)$"`, nil},
		{`regex_replace(http.request.uri.path, "^/v1/", "/") eq "/x" or to_string(ip.src) eq "1.2.3.4"`, []string{
			"rewrite-function \"regex_replace\": `regex_replace` is a rewrite function: Cloudflare accepts it only in the rewrite expressions of Transform Rules and redirect targets, not in a rule's filter expression; test the field itself in the filter, and rewrite in the rule's action parameters",
			"rewrite-function \"to_string\": `to_string` is a rewrite function: Cloudflare accepts it only in the rewrite and header value expressions of Transform Rules and redirect targets, not in a rule's filter expression; test the field itself in the filter, and rewrite in the rule's action parameters",
		}},
		{`lower(http.host) eq "a" and url_decode(http.request.uri.query) contains "x"`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			assert.Equal(t, tt.want, show(tt.src, lint.Expression(checked(t, tt.src))))
		})
	}
}

// TestNeverMatches: tests that can never (or always) hold, each from a
// rule as users write them, and the near misses the lints leave alone.
func TestNeverMatches(t *testing.T) {
	tests := []struct {
		src  string
		want []string
	}{
		{"lower(http.user_agent) contains \"Apache-HttpClient\"", []string{"case-mismatch \"\\\"Apache-HttpClient\\\"\": `lower(http.user_agent)` has no upper-case letters, so it never contains \"Apache-HttpClient\"; write `lower(http.user_agent) contains \"apache-httpclient\"`"}},
		{"upper(http.request.uri.path) eq \"/abc\"", []string{"case-mismatch \"\\\"/abc\\\"\": `upper(http.request.uri.path)` has no lower-case letters, so it never equals \"/abc\"; write `upper(http.request.uri.path) eq \"/ABC\"`"}},
		{"starts_with(lower(http.request.uri.path), \"/Admin\")", []string{"case-mismatch \"\\\"/Admin\\\"\": `lower(http.request.uri.path)` has no upper-case letters, so it never starts with \"/Admin\"; write `starts_with(lower(http.request.uri.path), \"/admin\")`"}},
		{"ends_with(lower(http.request.uri.path), \".PHP\")", []string{"case-mismatch \"\\\".PHP\\\"\": `lower(http.request.uri.path)` has no upper-case letters, so it never ends with \".PHP\"; write `ends_with(lower(http.request.uri.path), \".php\")`"}},
		{"lower(http.host) in {\"example.com\" \"Example.org\"}", []string{"case-mismatch \"\\\"Example.org\\\"\": `lower(http.host)` has no upper-case letters, so it never equals \"Example.org\"; write `lower(http.host) in {\"example.com\" \"example.org\"}`"}},
		{"lower(http.user_agent) ne \"Curl\"", []string{"case-mismatch \"\\\"Curl\\\"\": `lower(http.user_agent)` has no upper-case letters, so it always differs from \"Curl\": this condition always holds; write `lower(http.user_agent) ne \"curl\"`"}},
		{"lower(http.host) wildcard \"*.Example.com\"", nil},
		{"lower(http.request.uri.path) strict wildcard \"/Admin/*\"", []string{"case-mismatch \"\\\"/Admin/*\\\"\": `lower(http.request.uri.path)` has no upper-case letters, so it never matches \"/Admin/*\"; write `lower(http.request.uri.path) strict wildcard \"/admin/*\"`"}},
		{"lower(http.user_agent) matches \"^Mozilla/[0-9]\"", []string{"case-mismatch \"\\\"^Mozilla/[0-9]\\\"\": `lower(http.user_agent)` has no upper-case letters, so it never matches \"^Mozilla/[0-9]\"; write the pattern's letters in the value's case, or match either case with (?i)"}},
		{"lower(http.user_agent) matches \"(?i)^Mozilla\"", nil},
		{"lower(http.user_agent) matches \"a|B\"", nil},
		{"lower(http.user_agent) matches r\"\\D[A-Z]\"", []string{"case-mismatch \"r\\\"\\\\D[A-Z]\\\"\": `lower(http.user_agent)` has no upper-case letters, so it never matches r\"\\D[A-Z]\"; write the pattern's letters in the value's case, or match either case with (?i)"}},
		{"any(lower(http.request.headers.names[*])[*] eq \"X-CSRF-Token\")", []string{"case-mismatch \"\\\"X-CSRF-Token\\\"\": `lower(http.request.headers.names[*])` has no upper-case letters, so it never equals \"X-CSRF-Token\"; write `lower(http.request.headers.names[*])[*] eq \"x-csrf-token\"`"}},
		{"http.request.method eq \"get\"", []string{"value-case \"\\\"get\\\"\": Cloudflare writes http.request.method in upper case, so it never equals \"get\"; write `http.request.method eq \"GET\"`"}},
		{"http.request.method in {\"GET\" \"post\"}", []string{"value-case \"\\\"post\\\"\": Cloudflare writes http.request.method in upper case, so it never equals \"post\"; write `http.request.method in {\"GET\" \"POST\"}`"}},
		{"ip.src.country eq \"us\"", []string{"value-case \"\\\"us\\\"\": Cloudflare writes ip.src.country in upper case, so it never equals \"us\"; write `ip.src.country eq \"US\"`"}},
		{"ip.geoip.country eq \"us\"", []string{"deprecated-field \"ip.geoip.country\": `ip.geoip.country` is a deprecated name of `ip.src.country`; write `ip.src.country`", "value-case \"\\\"us\\\"\": Cloudflare writes ip.src.country in upper case, so it never equals \"us\"; write `ip.geoip.country eq \"US\"`"}},
		{"ip.src.continent ne \"eu\"", []string{"value-case \"\\\"eu\\\"\": Cloudflare writes ip.src.continent in upper case, so it always differs from \"eu\": this condition always holds; write `ip.src.continent ne \"EU\"`"}},
		{"any(http.request.headers[\"User-Agent\"][*] contains \"curl\")", []string{"header-name-case \"\\\"User-Agent\\\"\": the keys of http.request.headers are lower case, so \"User-Agent\" is never one; write `http.request.headers[\"user-agent\"]`"}},
		{"http.request.cookies[\"Session\"][0] eq \"x\" and any(http.request.headers.names[*] eq \"X-Debug\")", nil},
		{"http.host eq \"https://example.com/login\"", []string{"host-value \"\\\"https://example.com/login\\\"\": http.host is the Host header, a host name with no scheme or path, so it never equals \"https://example.com/login\"; write `http.host eq \"example.com\"`, and test the path with http.request.uri.path"}},
		{"http.host eq \"Example.com\"", []string{"host-value \"\\\"Example.com\\\"\": browsers send host names in lower case, and eq compares bytes, so \"Example.com\" misses them; write `http.host eq \"example.com\"`"}},
		{"http.host contains \"example.com/\"", []string{"host-value \"\\\"example.com/\\\"\": http.host is the Host header, a host name with no scheme or path, so it never contains \"example.com/\"; compare the host name alone, and test the path with http.request.uri.path, or compare http.request.full_uri"}},
		{"http.host eq \"<YOUR_HOSTNAME>\"", nil},
		{"http.request.uri.path contains \"?\"", []string{"uri-delimiter \"\\\"?\\\"\": http.request.uri.path ends before the ?, so it never contains \"?\"; write `http.request.uri contains \"?\"`, which holds the path and the query"}},
		{"http.request.uri.path eq \"/search?q=1\"", []string{"uri-delimiter \"\\\"/search?q=1\\\"\": http.request.uri.path ends before the ?, so it never equals \"/search?q=1\"; write `http.request.uri eq \"/search?q=1\"`, which holds the path and the query"}},
		{"http.request.uri.path contains \"#top\"", []string{"uri-delimiter \"\\\"#top\\\"\": a URI's #fragment is never sent to the server, so http.request.uri.path never contains \"#top\"; remove the fragment"}},
		{"http.request.uri.query eq \"?debug=1\"", []string{"uri-delimiter \"\\\"?debug=1\\\"\": http.request.uri.query is the query string without its ?, so it never equals \"?debug=1\"; write `http.request.uri.query eq \"debug=1\"`"}},
		{"starts_with(http.request.uri.query, \"?a\")", []string{"uri-delimiter \"\\\"?a\\\"\": http.request.uri.query is the query string without its ?, so it never starts with \"?a\"; write `starts_with(http.request.uri.query, \"a\")`"}},
		{"http.request.uri.query contains \"?\"", nil},
		{"http.request.uri.path eq \"wp-login.php\"", []string{"path-without-slash \"\\\"wp-login.php\\\"\": every path starts with /, so http.request.uri.path never equals \"wp-login.php\"; write `http.request.uri.path eq \"/wp-login.php\"`"}},
		{"starts_with(http.request.uri.path, \"admin/\")", []string{"path-without-slash \"\\\"admin/\\\"\": every path starts with /, so http.request.uri.path never starts with \"admin/\"; write `starts_with(http.request.uri.path, \"/admin/\")`"}},
		{"http.request.uri.path wildcard \"*/admin\"", nil},
		{"cf.bot_management.score lt 30 and cf.bot_management.score gt 50", []string{"contradiction \"cf.bot_management.score gt 50\": `cf.bot_management.score lt 30` and `cf.bot_management.score gt 50` never hold together, so this and never matches; check the values and the operators; perhaps or was meant"}},
		{"http.host eq \"a.example.com\" and http.host eq \"b.example.com\"", []string{"contradiction \"http.host eq \\\"b.example.com\\\"\": `http.host eq \"a.example.com\"` and `http.host eq \"b.example.com\"` never hold together, so this and never matches; to accept either value, write `http.host in {\"a.example.com\" \"b.example.com\"}`"}},
		{"http.request.method ne \"GET\" or http.request.method ne \"POST\"", []string{"tautology \"http.request.method ne \\\"POST\\\"\": `http.request.method ne \"GET\"` or `http.request.method ne \"POST\"` always holds: every value satisfies one of them; to exclude both values, write `not http.request.method in {\"GET\" \"POST\"}`"}},
		{"cf.waf.score lt 50 or (cf.waf.score ge 20)", []string{"tautology \"cf.waf.score ge 20\": `cf.waf.score lt 50` or `cf.waf.score ge 20` always holds: every value satisfies one of them; check the values and the operators; perhaps and was meant"}},
		{"ssl and http.host eq \"a.example.com\" and (ssl)", []string{"repeated-condition \"(ssl)\": `ssl` is already a condition of this and; remove it, or write the condition that was meant"}},
		{"cf.edge.server_port eq 443 and (cf.edge.server_port eq 0x1bb)", nil},
		{"http.request.headers[\"x\"][0] ne \"a\" or http.request.headers[\"x\"][0] ne \"b\"", nil},
		{"cf.bot_management.score ne 5 and cf.bot_management.score ge 5 and cf.bot_management.score le 5", []string{"contradiction \"cf.bot_management.score le 5\": `cf.bot_management.score ne 5` and `cf.bot_management.score le 5` never hold together, so this and never matches; check the values and the operators; perhaps or was meant"}},
		{"http.host in {}", []string{"empty-set \"http.host in {}\": `http.host in {}` never holds: no value is in an empty set; put the values in the set, or remove the condition"}},
		{"cf.edge.server_port in {80 443 0x50 80}", []string{"duplicate-set-value \"0x50\": 0x50 is already in this set, as 80 (3 times in all); remove it, or write the value that was meant"}},
		{"http.request.uri.path eq \"/api/*\"", []string{"star-not-wildcard \"\\\"/api/*\\\"\": eq reads * as a plain star, not a wildcard, so this looks for a star in http.request.uri.path; to match a pattern, write `http.request.uri.path strict wildcard \"/api/*\"`"}},
		{"http.host contains \"*.example.com\"", []string{"star-not-wildcard \"\\\"*.example.com\\\"\": contains reads * as a plain star, not a wildcard, so this looks for a star in http.host; to match a pattern, write `http.host wildcard \"*.example.com*\"`"}},
		{"starts_with(http.request.uri.path, \"/img/*\")", []string{"star-not-wildcard \"\\\"/img/*\\\"\": starts_with reads * as a plain star, not a wildcard, so this looks for a star in http.request.uri.path; to match a pattern, write `http.request.uri.path strict wildcard \"/img/*\"`"}},
		{"http.request.headers[\"accept\"][0] eq \"*/*\"", nil},
		{"http.request.uri.path matches \"\\\\.php$\"", []string{"regex-double-escape \"\\\"\\\\\\\\.php$\\\"\": `\\\\.` in this pattern stands for a backslash followed by a bare `.`, not for an escaped `.`; after matches, a quoted string keeps each escape pair for the regular expression (only \\\" stands for a quote), so \\\\ matches one backslash; write `http.request.uri.path matches \"\\.php$\"` (in a JSON file, where \\\\ is one backslash, that is `\\\\.`)"}},
		{"http.request.uri.path matches r\"^/api/v\\\\d+/\"", []string{"regex-double-escape \"r\\\"^/api/v\\\\\\\\d+/\\\"\": `\\\\d` in this pattern stands for a backslash followed by a bare `d`, not for an escaped `d`; a raw string hands every backslash to the regular expression, so \\\\ matches one backslash; write `http.request.uri.path matches r\"^/api/v\\d+/\"` (in a JSON file, where \\\\ is one backslash, that is `\\\\d`)"}},
		{"http.request.uri.path matches \"[\\\\(]\"", nil},
		{"http.request.uri.path matches \"\\\\\\\\(x)\"", nil},
		{"ip.geoip.country eq \"GB\" or ip.geoip.country eq \"FR\" or ip.geoip.country eq \"DE\"", []string{"deprecated-field \"ip.geoip.country\": `ip.geoip.country` is a deprecated name of `ip.src.country` (used 3 times here); write `ip.src.country`"}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			assert.Equal(t, tt.want, show(tt.src, lint.Expression(checked(t, tt.src))))
		})
		t.Run("fix/"+tt.src, func(t *testing.T) { checkFixes(t, tt.src) })
	}
}

// checkFixes checks that each fix that gives a whole condition to write
// gives one that checks and that the same lint no longer flags.
func checkFixes(t *testing.T, src string) {
	for _, f := range lint.Expression(checked(t, src)) {
		_, rest, ok := strings.Cut(f.Fix, "write `")
		fix, _, _ := strings.Cut(rest, "`")
		tree, err := expr.Parse(fix)
		if !ok || err != nil {
			continue
		}
		c, err := expr.Check(tree, fields.Cloudflare())
		if err != nil {
			continue // a part of a condition, such as a map index
		}
		for _, g := range lint.Expression(c) {
			assert.NotEqual(t, f.Code, g.Code, "the fix %s of %s: %s", fix, src, g.Message)
		}
	}
}

func TestTooLong(t *testing.T) {
	var hosts strings.Builder
	for i := range 300 {
		fmt.Fprintf(&hosts, `"a%d.example.com" `, i)
	}
	src := `http.host in {` + hosts.String() + `}`
	fs := lint.Expression(checked(t, src))
	require.Len(t, fs, 1)
	assert.Equal(t, lint.TooLong, fs[0].Code)
	assert.Equal(t, lint.Error, fs[0].Severity)
	assert.Equal(t, 4096, fs[0].Offset)
}

// lintRuleset lints a JSON ruleset whose expressions all check.
func lintRuleset(t *testing.T, text string) []lint.Finding {
	t.Helper()
	f, err := ruleset.Parse([]byte(text), ruleset.JSON)
	require.NoError(t, err)
	var cs []*ast.Checked
	for _, r := range f.Rules {
		cs = append(cs, checked(t, r.Expression))
	}
	return lint.Rules(f.Ruleset, cs)
}

func TestRules(t *testing.T) {
	fs := lintRuleset(t, `[
		{"ref": "bots", "expression": "cf.bot_management.score lt 30", "action": "block"},
		{"ref": "logged", "expression": "cf.bot_management.score lt 30", "action": "log"},
		{"ref": "narrower", "expression": "(cf.bot_management.score lt 30) and http.host eq \"a\"", "action": "managed_challenge"},
		{"ref": "verified", "expression": "cf.bot_management.score lt 10 and not cf.client.bot", "action": "block"},
		{"ref": "off", "expression": "cf.bot_management.score lt 30 and ssl", "action": "block", "enabled": false},
		{"ref": "skip", "expression": "true and ssl", "action": "skip", "action_parameters": {"ruleset": "current"}},
		{"ref": "after-skip", "expression": "ssl and http.host eq \"b\" and not cf.bot_management.verified_bot", "action": "challenge"}
	]`)
	var got []string
	for _, fd := range fs {
		got = append(got, fmt.Sprintf("%s %s", fd.Rule.Ref, fd.Code))
	}
	assert.Equal(t, []string{
		"bots no-verified-bot-exemption",
		"logged shadowed-rule",
		"narrower no-verified-bot-exemption",
		"narrower shadowed-rule",
		"off no-verified-bot-exemption",
		"after-skip shadowed-rule",
	}, got)
	assert.Equal(t, "this rule never acts: rule 1 (ref \"bots\") (block) matches every request it matches and ends evaluation first", fs[1].Message)
	assert.Equal(t, "add `and not cf.bot_management.verified_bot`", fs[0].Fix)
}

func TestPhase(t *testing.T) {
	rules := `[
		{"ref": "code", "expression": "http.response.code eq 404 or any(raw.http.response.headers.names[*] eq \"x\")", "action": "block"},
		{"ref": "error", "expression": "cf.response.error_type eq \"waf\" and http.host eq \"a\"", "action": "log"},
		{"ref": "legacy", "expression": "ip.src in {192.0.2.0/24}", "action": "allow"},
		{"ref": "request", "expression": "http.request.uri.path eq \"/\"", "action": "bypass", "action_parameters": {"products": ["waf"]}}
	]`
	findings := func(phase string) []string {
		var got []string
		for _, fd := range lintRuleset(t, `{"phase": "`+phase+`", "rules": `+rules+`}`) {
			got = append(got, fmt.Sprintf("%s %s %s %d+%d: %s", fd.Rule.Ref, fd.Severity, fd.Code, fd.Offset, fd.Len, fd.Message))
		}
		return got
	}
	assert.Equal(t, []string{
		"code error response-field 0+18: `http.response.code` is a response field: in the request phase http_request_firewall_custom it never has a value",
		"code error response-field 33+31: `raw.http.response.headers.names` is a response field: in the request phase http_request_firewall_custom it never has a value",
		"error error response-field 0+22: `cf.response.error_type` is a response field: in the request phase http_request_firewall_custom it never has a value",
	}, findings("http_request_firewall_custom"))
	assert.Empty(t, findings("http_response_headers_transform"), "a response phase reads response fields")
	assert.Empty(t, findings(""), "without a phase the rules may be legacy Firewall Rules")
	assert.Len(t, findings("http_ratelimit"), 3, "a rate limiting rule's expression sees no response")
	assert.Empty(t, findings("http_custom_errors"), "custom error rules read responses")
}

// TestParameter: the value expressions of a rule's parameters may use the
// rewrite functions; a counting expression may read the response, a
// request header's value may not.
func TestParameter(t *testing.T) {
	f, err := ruleset.Parse([]byte(`[
		{"ref": "hdr", "expression": "true", "action": "rewrite", "action_parameters": {"headers": {
			"X-Score": {"operation": "set", "expression": "to_string(cf.bot_management.score)"},
			"X-Code": {"operation": "set", "expression": "to_string(http.response.code)"}}}},
		{"ref": "rl", "expression": "true", "action": "block", "ratelimit": {"counting_expression": "http.response.code eq 401 and to_string(1) eq \"1\""}}
	]`), ruleset.JSON)
	require.NoError(t, err)
	var got []string
	for _, phase := range []string{"http_request_late_transform", "http_response_headers_transform", "http_ratelimit"} {
		for _, r := range f.Rules {
			for _, x := range r.Expressions()[1:] {
				tree, err := expr.Parse(x.Text)
				require.NoError(t, err)
				c, err := expr.CheckValue(tree, fields.Cloudflare())
				require.NoError(t, err)
				for _, fd := range lint.Parameter(phase, r, x, c) {
					got = append(got, fmt.Sprintf("%s %s %s %s", phase, fd.Rule.Ref, x.Key, fd.Code))
				}
			}
		}
	}
	assert.Equal(t, []string{
		"http_request_late_transform hdr action_parameters.headers.X-Code.expression response-field",
		"http_request_late_transform rl ratelimit.counting_expression rewrite-function",
		"http_response_headers_transform rl ratelimit.counting_expression rewrite-function",
		"http_ratelimit hdr action_parameters.headers.X-Code.expression response-field",
		"http_ratelimit rl ratelimit.counting_expression rewrite-function",
	}, got)
}

// TestURLRewrite: a URL rewrite's expression reads only the request's URI,
// headers and accepted languages, and calls concat, regex_replace and
// wildcard_replace once at most.
func TestURLRewrite(t *testing.T) {
	f, err := ruleset.Parse([]byte(`[{"expression": "true", "action": "rewrite", "action_parameters": {"uri": {
		"path": {"expression": "concat(\"/\", lower(http.request.headers[\"x\"][0]), concat(http.host, http.request.uri.path))"},
		"query": {"expression": "regex_replace(raw.http.request.uri.query, \"a\", \"b\")"}}}}]`), ruleset.JSON)
	require.NoError(t, err)
	var got []string
	r := f.Rules[0]
	for _, x := range r.Expressions()[1:] {
		tree, err := expr.Parse(x.Text)
		require.NoError(t, err)
		c, err := expr.CheckValue(tree, fields.Cloudflare())
		require.NoError(t, err)
		got = append(got, show(x.Text, lint.Parameter("http_request_transform", r, x, c))...)
	}
	assert.Equal(t, []string{
		"rewrite-function \"concat\": `concat` may appear only once in a URL rewrite expression; join the parts in one call",
		"rewrite-field \"http.host\": a URL rewrite may read only http.request.uri.*, http.request.headers.* and http.request.accepted_languages, not `http.host`; test it in the rule's filter, or rewrite with a header transform or a redirect",
		"rewrite-field \"raw.http.request.uri.query\": a URL rewrite may read only http.request.uri.*, http.request.headers.* and http.request.accepted_languages, not `raw.http.request.uri.query`; test it in the rule's filter, or rewrite with a header transform or a redirect",
	}, got)
}

// TestCodes: every code the linter makes is listed, so that the command can
// turn it off or up.
func TestCodes(t *testing.T) {
	src, err := os.ReadFile("lint.go")
	require.NoError(t, err)
	consts := regexp.MustCompile(`(?m)^\t[A-Z]\w*\s*= "([a-z-]+)"`).FindAllStringSubmatch(string(src), -1)
	require.NotEmpty(t, consts)
	for _, m := range consts {
		assert.True(t, lint.IsCode(m[1]), "%s is not in Codes", m[1])
	}
	assert.Len(t, lint.Codes(), len(consts))
	assert.True(t, lint.OffByDefault(lint.DuplicateSetValue))
	assert.False(t, lint.OffByDefault(lint.Tab))
}

// TestCredentialCheck: an exposed-credential check calls only lower,
// upper, url_decode and lookup_json_string, and one at a time.
func TestCredentialCheck(t *testing.T) {
	f, err := ruleset.Parse([]byte(`[{"expression": "true", "action": "log", "exposed_credential_check": {
		"username_expression": "url_decode(lower(http.request.body.form[\"user\"][0]))",
		"password_expression": "concat(http.request.body.form[\"pw\"][0], \"\")"}}]`), ruleset.JSON)
	require.NoError(t, err)
	r := f.Rules[0]
	var got []string
	for _, x := range r.Expressions()[1:] {
		tree, err := expr.Parse(x.Text)
		require.NoError(t, err)
		c, err := expr.CheckValue(tree, fields.Cloudflare())
		require.NoError(t, err)
		got = append(got, show(x.Text, lint.Parameter("http_request_firewall_custom", r, x, c))...)
	}
	assert.Equal(t, []string{
		"rewrite-function \"lower\": `lower` is inside another call: an exposed-credential check calls one function, not one inside another; call one function on the field",
		"rewrite-function \"concat\": an exposed-credential check may call only lower, upper, url_decode, lookup_json_string, not `concat`; read the field directly, or with one of those functions",
	}, got)
}
