package bench

import (
	"fmt"
	"regexp"
	"strings"
)

var crawlerUA = regexp.MustCompile(`(?i)(bot|crawler|spider)`)

// RulesetOf makes n rules of the shapes sites grow, per host and per path,
// which share their first conditions; none matches LikelyBot's request
// except when it is the request of a host or path a rule names.
func RulesetOf(n int) []Rule {
	var rules []Rule
	for i := range n {
		k := fmt.Sprint(i)
		var r Rule
		switch i % 4 {
		case 0:
			host := "site-" + k + ".example"
			r = Rule{
				EdgeRules: `(cf.bot_management.score lt 30) and not (cf.bot_management.verified_bot) and http.host eq "` + host + `"`,
				Expr:      `Score < 30 && !VerifiedBot && Host == "` + host + `"`,
				CEL:       `score < 30 && !verified_bot && host == '` + host + `'`,
				Go:        func(r *Request) bool { return r.Score < 30 && !r.VerifiedBot && r.Host == host },
			}
		case 1:
			prefix := "/shop-" + k + "/"
			r = Rule{
				EdgeRules: `http.user_agent matches "(?i)(bot|crawler|spider)" and starts_with(http.request.uri.path, "` + prefix + `")`,
				Expr:      `UserAgent matches "(?i)(bot|crawler|spider)" && Path startsWith "` + prefix + `"`,
				CEL:       `user_agent.matches('(?i)(bot|crawler|spider)') && path.startsWith('` + prefix + `')`,
				Go: func(r *Request) bool {
					return crawlerUA.MatchString(r.UserAgent) && strings.HasPrefix(r.Path, prefix)
				},
			}
		case 2:
			id := "id=" + k
			r = Rule{
				EdgeRules: `http.request.uri.path contains "/admin" and http.request.uri.query contains "` + id + `"`,
				Expr:      `Path contains "/admin" && Query contains "` + id + `"`,
				CEL:       `path.contains('/admin') && query.contains('` + id + `')`,
				Go:        func(r *Request) bool { return strings.Contains(r.Path, "/admin") && strings.Contains(r.Query, id) },
			}
		default:
			needle := "scanner-" + k
			r = Rule{
				EdgeRules: `lower(http.user_agent) contains "` + needle + `"`,
				Expr:      `lower(UserAgent) contains "` + needle + `"`,
				CEL:       `user_agent.lowerAscii().contains('` + needle + `')`,
				Go:        func(r *Request) bool { return strings.Contains(strings.ToLower(r.UserAgent), needle) },
			}
		}
		r.Name = fmt.Sprint("rule-", i)
		rules = append(rules, r)
	}
	return rules
}

// FirstMatch compiles rules with compile and returns a function that
// evaluates them in order until one matches, as a ruleset does.
func FirstMatch(rules []Rule, compile func(Rule) (func() bool, error)) (func() bool, error) {
	fns := make([]func() bool, len(rules))
	for i, r := range rules {
		f, err := compile(r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Name, err)
		}
		fns[i] = f
	}
	return func() bool {
		for _, f := range fns {
			if f() {
				return true
			}
		}
		return false
	}, nil
}
