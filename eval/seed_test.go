package eval_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/edgerules/edgerules/eval"
)

// The rules of the seed document "Challenge bad bots", in the order it
// layers them, with their actions.
var seedRules = []struct{ name, action, src string }{
	{"API", "block", `(cf.bot_management.score lt 30) and not (cf.bot_management.verified_bot) and not (http.request.uri.path contains "/api")`},
	{"Mobile - Block", "block", `(cf.bot_management.score lt 2) and (http.user_agent contains "App_Name 2.0")`},
	{"Mobile - Challenge", "challenge", `(cf.bot_management.score lt 30) and (http.user_agent contains "App_Name 2.0")`},
	{"Browser - Block", "block", `(cf.bot_management.score lt 30) and not (cf.bot_management.verified_bot)`},
}

// matching returns the names of the seed rules that match a request.
func matching(t *testing.T, vs values) []string {
	var names []string
	for _, r := range seedRules {
		if match(t, r.src, vs) {
			names = append(names, r.name)
		}
	}
	return names
}

func request(score int64, verified bool, path, ua string) values {
	return values{
		"cf.bot_management.score":        eval.Int(score),
		"cf.bot_management.verified_bot": eval.Bool(verified),
		"http.request.uri.path":          eval.String(path),
		"http.user_agent":                eval.String(ua),
	}
}

const (
	browser = "Mozilla/5.0 (X11; Linux x86_64) Firefox/125.0"
	mobile  = "App_Name 2.0 (iPhone; iOS 17.4)"
)

func TestSeedBrowserRule(t *testing.T) {
	rule := seedRules[3].src
	for score, blocked := range map[int64]bool{1: true, 12: true, 29: true, 30: false, 99: false} {
		assert.Equal(t, blocked, match(t, rule, request(score, false, "/", browser)), "score %d", score)
	}
	assert.False(t, match(t, rule, request(1, true, "/", browser)), "a verified bot is never blocked")
}

// TestSeedRules checks each rule of the seed against the requests its text
// speaks of; which rule acts when several match is the ruleset's business.
func TestSeedRules(t *testing.T) {
	tests := []struct {
		name string
		req  values
		want []string
	}{
		{"a likely bot on a browser path", request(12, false, "/products", browser), []string{"API", "Browser - Block"}},
		{"the same bot on the API is exempt from the API rule", request(12, false, "/api/v1/items", browser), []string{"Browser - Block"}},
		{"a human", request(87, false, "/products", browser), nil},
		{"a verified crawler", request(1, true, "/products", "Googlebot/2.1"), nil},
		{"the mobile app, definitely automated", request(1, false, "/api/feed", mobile), []string{"Mobile - Block", "Mobile - Challenge", "Browser - Block"}},
		{"the mobile app, likely automated", request(20, false, "/api/feed", mobile), []string{"Mobile - Challenge", "Browser - Block"}},
		{"the mobile app at 29", request(29, false, "/api/feed", mobile), []string{"Mobile - Challenge", "Browser - Block"}},
		{"the mobile app, likely human", request(37, false, "/api/feed", mobile), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, matching(t, tt.req))
		})
	}
}

func TestSeedStaticResources(t *testing.T) {
	// The seed writes the exemption with the Workers name; both spellings
	// read the same field.
	for _, name := range []string{"cf.botManagement.staticResource", "cf.bot_management.static_resource"} {
		rule := `(cf.bot_management.score lt 30) and not (cf.bot_management.verified_bot) and not (` + name + `)`
		req := request(5, false, "/logo.png", browser)
		req["cf.bot_management.static_resource"] = eval.Bool(true)
		assert.False(t, match(t, rule, req), "%s: a static resource is left alone", name)
		req["cf.bot_management.static_resource"] = eval.Bool(false)
		assert.True(t, match(t, rule, req), "%s: a page is not", name)
	}
}

func TestSeedScoreMissing(t *testing.T) {
	// Without Bot Management the score is missing: no score rule matches.
	for _, r := range seedRules {
		assert.False(t, match(t, r.src, values{"http.user_agent": eval.String(mobile)}), r.name)
	}
}
