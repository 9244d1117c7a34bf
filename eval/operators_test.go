package eval_test

import (
	"testing"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOperators runs each comparison operator on each type it is defined
// on, against one request, and the same rules against a request that lacks
// the field: every comparison on a missing value is false, ne included.
func TestOperators(t *testing.T) {
	req := values{
		"cf.bot_management.score": eval.Int(12),
		"cf.waf.score":            eval.Int(0x0a),
		"http.host":               eval.String("shop.Example.com"),
		"http.request.uri.path":   eval.String("/api/v1/login.aspx"),
		"ip.src":                  ip("198.51.100.5"),
		"cf.edge.server_ip":       ip("2001:db8::17"),
	}
	tests := []struct {
		src  string
		want bool
	}{
		// Int
		{`cf.bot_management.score eq 12`, true},
		{`cf.bot_management.score == 13`, false},
		{`cf.bot_management.score ne 13`, true},
		{`cf.bot_management.score != 12`, false},
		{`cf.bot_management.score lt 13`, true},
		{`cf.bot_management.score lt 12`, false},
		{`cf.bot_management.score le 12`, true},
		{`cf.bot_management.score gt 11`, true},
		{`cf.bot_management.score gt 12`, false},
		{`cf.bot_management.score ge 12`, true},
		{`cf.bot_management.score eq 0xc`, true},
		{`cf.bot_management.score eq 014`, true},
		{`cf.bot_management.score in {1 12 99}`, true},
		{`cf.bot_management.score in {2..11 13..99}`, false},
		{`cf.bot_management.score in {1..29}`, true},
		{`cf.bot_management.score in {}`, false},
		{`cf.waf.score bitwise_and 0x02`, true},
		{`cf.waf.score & 0x04`, false},
		{`cf.bot_management.score gt -1`, true},
		// String
		{`http.host eq "shop.Example.com"`, true},
		{`http.host eq "shop.example.com"`, false},
		{`http.host ne "shop.example.com"`, true},
		{`http.host lt "shop.f"`, true},
		{`http.host gt "shop.F"`, false},
		{`http.host le "shop.Example.com"`, true},
		{`http.host ge "shop.Example.com"`, true},
		{`http.host contains "Example"`, true},
		{`http.host contains "example"`, false},
		{`http.request.uri.path matches "^/api/v[0-9]+/"`, true},
		{`http.request.uri.path ~ r"login\.aspx$"`, true},
		{`http.request.uri.path matches "^/v1"`, false},
		{`http.request.uri.path matches "(?u)^/api"`, true},
		{`http.host wildcard "*.example.com"`, true},
		{`http.host wildcard "*.example.org"`, false},
		{`http.host wildcard "shop.*.com"`, true},
		{`http.host wildcard "shop"`, false},
		{`http.host strict wildcard "*.example.com"`, false},
		{`http.host strict wildcard "*.Example.com"`, true},
		{`http.request.uri.path wildcard "/api/*/login*"`, true},
		{`http.host in {"a.com" "shop.Example.com"}`, true},
		{`http.host in {"shop.example.com"}`, false},
		{`http.host eq 73:68:6f:70:2e:45:78:61:6d:70:6c:65:2e:63:6f:6d`, true},
		// IP
		{`ip.src eq 198.51.100.5`, true},
		{`ip.src ne 198.51.100.5`, false},
		{`ip.src eq ::ffff:198.51.100.5`, false},
		{`ip.src in {198.51.100.0/24}`, true},
		{`ip.src in {198.51.100.6..198.51.100.9 10.0.0.0/8}`, false},
		{`ip.src in {198.51.100.1..198.51.100.5}`, true},
		{`ip.src in {2001:db8::/32}`, false},
		{`cf.edge.server_ip in {2001:db8::/32 10.0.0.0/8}`, true},
		{`cf.edge.server_ip in {2001:db8::0..2001:db8::16}`, false},
		{`cf.edge.server_ip eq 2001:db8::17`, true},
		// Booleans and logic
		{`true`, true},
		{`false or not false`, true},
		{`true xor true`, false},
		{`true xor false xor true`, false},
		{`true ^^ false`, true},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			assert.Equal(t, tt.want, match(t, tt.src, req))
			if tt.src != "true" && tt.src[0] != 't' && tt.src[0] != 'f' {
				assert.False(t, match(t, tt.src, values{}), "on a request without the field")
			}
		})
	}
}

func TestShortCircuit(t *testing.T) {
	calls := 0
	c := newContext(t, values{"cf.bot_management.score": eval.Int(90)})
	f, _ := c.Scheme().Field("http.user_agent")
	_ = c.SetResolver(f, func(*eval.Context) eval.Value { calls++; return eval.String("x") })
	compiled := compile(t, `cf.bot_management.score lt 30 and http.user_agent contains "bot"`)
	assert.False(t, compiled.Match(c))
	assert.Zero(t, calls, "and stops at its first false operand")
	compiled = compile(t, `cf.bot_management.score gt 30 or http.user_agent contains "bot"`)
	assert.True(t, compiled.Match(c))
	assert.Zero(t, calls, "or stops at its first true operand")
}

// TestNotEqualMissing: with the scheme option, ne is true on a missing
// left side, as in Cloudflare's open-source engine; other comparisons stay
// false.
func TestNotEqualMissing(t *testing.T) {
	def := fields.CloudflareDefinition()
	def.NotEqualMissing = true
	s, err := fields.NewScheme(def)
	require.NoError(t, err)
	for src, want := range map[string]bool{
		`http.request.headers["x-api-key"][0] ne "secret"`: true,
		`http.host != "a"`:                          true,
		`cf.bot_management.score ne 30`:             true,
		`ip.src ne 192.0.2.1`:                       true,
		`http.host eq "a"`:                          false,
		`not http.host eq "a"`:                      true,
		`cf.bot_management.score lt 30`:             false,
		`any(http.request.headers.names[*] ne "x")`: false,
	} {
		f, err := expr.Compile(src, s)
		require.NoError(t, err, src)
		assert.Equal(t, want, f.Match(eval.NewContext(s)), src)
	}
	f, err := expr.Compile(`http.host ne "a"`, s)
	require.NoError(t, err)
	c := eval.NewContext(s)
	require.NoError(t, c.SetName("http.host", eval.String("a")))
	assert.False(t, f.Match(c), "a value that is there and equal")
}
