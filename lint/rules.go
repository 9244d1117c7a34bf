package lint

import (
	"fmt"
	"slices"
	"strings"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/ruleset"
)

// Rules lints the rules of a ruleset, each with its checked expression
// (checked[i] is nil for a rule that did not check): every expression on
// its own, what it means in the ruleset's phase, then what a rule means
// among the others.
func Rules(rs *ruleset.Ruleset, checked []*ast.Checked) []Finding {
	rules := rs.Rules
	var out []Finding
	conj := make([]map[string]bool, len(rules))
	for i, c := range checked {
		if c != nil {
			conj[i] = conjuncts(c)
		}
	}
	for i, r := range rules {
		c := checked[i]
		if c == nil {
			continue
		}
		found := Expression(c)
		found = append(found, inPhase(rs.Phase, c)...)
		found = append(found, transformPhase(rs.Phase, r)...)
		if f, ok := noVerifiedBotExemption(r, c); ok {
			found = append(found, f)
		}
		if f, ok := shadowed(rules, checked, conj, i); ok {
			found = append(found, f)
		}
		if f, ok := rateLimitFilter(r, c); ok {
			found = append(found, f)
		}
		for _, f := range found {
			f.Rule = r
			out = append(out, f)
		}
	}
	return out
}

// The prefixes of the fields only a response phase has.
var responsePrefixes = []string{"http.response.", "raw.http.response.", "cf.response."}

// inPhase flags what a rule cannot do in the phase of a Rulesets API
// ruleset (none for a ruleset without a phase, such as a plain list of
// Firewall Rules): read a response field in a request phase, where it never
// has a value. (An action the phase lacks is an error of ruleset.Validate.)
func inPhase(phase string, c *ast.Checked) []Finding {
	return responseFields(phase, c)
}

// responseFields flags each response field an expression reads in a
// request phase, where it never has a value.
func responseFields(phase string, c *ast.Checked) []Finding {
	if !requestPhase(phase) {
		return nil
	}
	var out []Finding
	for n := range ast.Preorder(c.X) {
		id, ok := n.(*ast.Ident)
		if !ok {
			continue
		}
		name := fieldOf(c, id)
		if slices.ContainsFunc(responsePrefixes, func(p string) bool { return strings.HasPrefix(name, p) }) {
			out = append(out, Finding{Code: ResponseField, Severity: Error, Offset: id.Pos(), Len: len(id.Name),
				Message: fmt.Sprintf("`%s` is a response field: in the request phase %s it never has a value", id.Name, phase),
				Fix:     "move the rule to a response phase, such as http_response_headers_transform or http_custom_errors"})
		}
	}
	return out
}

// transformPhase flags a rewrite whose "uri" or "headers" stands in a
// phase that does not apply it, such as headers in the URL rewrite phase
// or a URL rewrite among the custom rules: Cloudflare and a zone run each
// transform in its own phase only, so the part would change nothing.
func transformPhase(phase string, r *ruleset.Rule) []Finding {
	if phase == "" || r.Action != ruleset.Rewrite {
		return nil
	}
	var out []Finding
	for _, part := range []string{"uri", "headers"} {
		phases := ruleset.RewritePhases(part)
		if r.ActionParameters[part] == nil || slices.Contains(phases, phase) {
			continue
		}
		out = append(out, Finding{Code: TransformPhase, Severity: Error, Key: "action_parameters." + part,
			Message: fmt.Sprintf("a rewrite's %q is applied only in phase %s; in %s it changes nothing", part, strings.Join(phases, " or "), phase),
			Fix:     "move it to a rule of a ruleset of phase " + strings.Join(phases, " or ")})
	}
	return out
}

// Parameter lints an expression of a rule's parameters (one of
// Rule.Expressions after the first), checked: as Expression does, except
// that a value expression is where the rewrite functions belong, and a
// rate limiting rule's counting expression may read the response.
func Parameter(phase string, r *ruleset.Rule, x ruleset.Expression, c *ast.Checked) []Finding {
	var out []Finding
	for _, f := range Expression(c) {
		if f.Code != RewriteFunction || x.Filter {
			out = append(out, f)
		}
	}
	if !x.Filter && !strings.HasPrefix(x.Key, "exposed_credential_check.") {
		out = append(out, valueFunctions(x.Key, c)...)
	}
	if x.Key != countingExpression {
		out = append(out, responseFields(phase, c)...)
	} else {
		out = append(out, countingLints(r, c)...)
	}
	if strings.HasPrefix(x.Key, "action_parameters.uri.") {
		out = append(out, urlRewrite(c)...)
	}
	if strings.HasPrefix(x.Key, "exposed_credential_check.") {
		out = append(out, credentialCheck(c)...)
	}
	for i := range out {
		out[i].Rule = r
	}
	return out
}

// The fields a URL rewrite's expression may read, and the functions it
// may call once only, as Cloudflare's URL rewrite reference gives them.
var (
	rewriteFields = []string{"http.request.uri", "http.request.headers", "http.request.accepted_languages"}
	rewriteOnce   = []string{"concat", "regex_replace", "wildcard_replace"}
)

// urlRewrite flags what a URL rewrite's path or query expression may not
// do: read a field other than the request's URI, headers and accepted
// languages, or call concat, regex_replace or wildcard_replace twice.
func urlRewrite(c *ast.Checked) []Finding {
	var out []Finding
	calls := map[string]int{}
	for n := range ast.Preorder(c.X) {
		switch n := n.(type) {
		case *ast.Ident:
			name := fieldOf(c, n)
			allowed := slices.ContainsFunc(rewriteFields, func(f string) bool { return name == f || strings.HasPrefix(name, f+".") })
			if _, isField := c.Fields[n]; isField && !allowed {
				out = append(out, Finding{Code: RewriteField, Severity: Error, Offset: n.Pos(), Len: len(n.Name),
					Message: fmt.Sprintf("a URL rewrite may read only http.request.uri.*, http.request.headers.* and http.request.accepted_languages, not `%s`", n.Name),
					Fix:     "test it in the rule's filter, or rewrite with a header transform or a redirect"})
			}
		case *ast.CallExpr:
			if slices.Contains(rewriteOnce, n.Fun.Name) {
				if calls[n.Fun.Name]++; calls[n.Fun.Name] == 2 {
					out = append(out, Finding{Code: RewriteFunction, Severity: Error, Offset: n.Fun.Pos(), Len: len(n.Fun.Name),
						Message: fmt.Sprintf("`%s` may appear only once in a URL rewrite expression", n.Fun.Name),
						Fix:     "join the parts in one call"})
				}
			}
		}
	}
	return out
}

// valueFunctions flags each rewrite function a value expression calls
// that Cloudflare does not accept in the parameter at key, such as
// wildcard_replace in a header's value or uuidv4 in a redirect's target.
func valueFunctions(key string, c *ast.Checked) []Finding {
	var out []Finding
	for n := range ast.Preorder(c.X) {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			continue
		}
		fn, ok := rewriteOnly[call.Fun.Name]
		if !ok || slices.ContainsFunc(fn.in, func(k string) bool { return strings.HasPrefix(key, k) }) {
			continue
		}
		out = append(out, Finding{Code: RewriteFunction, Severity: Error, Offset: call.Fun.Pos(), Len: len(call.Fun.Name),
			Message: fmt.Sprintf("Cloudflare accepts `%s` only in %s, not in %s", call.Fun.Name, fn.where, placeOf(key)),
			Fix:     "compute the value with other functions, or in the kind of rule that accepts it"})
	}
	return out
}

// placeOf words where a value expression stands in a rule.
func placeOf(key string) string {
	switch {
	case strings.HasPrefix(key, uriKey):
		return "a URL rewrite"
	case strings.HasPrefix(key, headersKey):
		return "a header's value"
	case strings.HasPrefix(key, redirectKey):
		return "a redirect's target URL"
	case strings.HasPrefix(key, "ratelimit."):
		return "a rate limiting rule's characteristics"
	}
	return "a bulk redirect's key"
}

// credentialFunctions are the functions an exposed-credential check's
// username and password expressions may call, one at a time (none inside
// another), as Cloudflare's documentation of the check gives them.
var credentialFunctions = []string{"lower", "upper", "url_decode", "lookup_json_string"}

// credentialCheck flags a call an exposed-credential check may not make:
// a function other than those, or one inside another.
func credentialCheck(c *ast.Checked) []Finding {
	var out []Finding
	var calls []bool // for each node on the path from the root, whether it is a call
	ast.Inspect(c.X, func(n ast.Node) bool {
		if n == nil {
			calls = calls[:len(calls)-1]
			return false
		}
		call, isCall := n.(*ast.CallExpr)
		switch {
		case !isCall:
		case !slices.Contains(credentialFunctions, call.Fun.Name):
			out = append(out, Finding{Code: RewriteFunction, Severity: Error, Offset: call.Fun.Pos(), Len: len(call.Fun.Name),
				Message: fmt.Sprintf("an exposed-credential check may call only %s, not `%s`", strings.Join(credentialFunctions, ", "), call.Fun.Name),
				Fix:     "read the field directly, or with one of those functions"})
		case slices.Contains(calls, true):
			out = append(out, Finding{Code: RewriteFunction, Severity: Error, Offset: call.Fun.Pos(), Len: len(call.Fun.Name),
				Message: fmt.Sprintf("`%s` is inside another call: an exposed-credential check calls one function, not one inside another", call.Fun.Name),
				Fix:     "call one function on the field"})
		}
		calls = append(calls, isCall)
		return true
	})
	return out
}

// countingExpression is where a rate limiting rule says which requests it
// counts; it runs after the response, so it may read response fields.
const countingExpression = "ratelimit.counting_expression"

// requestPhase reports whether the rules of phase run before there is a
// response: the http_request_* phases, configuration rules and the
// expression (not the counting expression) of rate limiting rules.
func requestPhase(phase string) bool {
	return strings.HasPrefix(phase, "http_request_") || phase == "http_config_settings" || phase == "http_ratelimit"
}

// noVerifiedBotExemption flags a rule that blocks or challenges by bot
// score without leaving verified bots (search engines, monitors) alone.
func noVerifiedBotExemption(r *ruleset.Rule, c *ast.Checked) (Finding, bool) {
	if !r.Action.Mitigating() {
		return Finding{}, false
	}
	var score *ast.Ident
	for n := range ast.Preorder(c.X) {
		id, ok := n.(*ast.Ident)
		if !ok {
			continue
		}
		switch fieldOf(c, id) {
		case verifiedField, clientBot:
			return Finding{}, false
		case scoreField:
			if score == nil {
				score = id
			}
		}
	}
	if score == nil {
		return Finding{}, false
	}
	return Finding{Code: NoVerifiedBotExempt, Severity: Warning, Offset: score.Pos(), Len: len(score.Name),
		Message: fmt.Sprintf("this %s rule also catches verified bots, such as search engine crawlers", r.Action),
		Fix:     "add `and not cf.bot_management.verified_bot`"}, true
}

// shadowed flags rule j when an earlier rule that ends evaluation matches
// every request j matches: its conditions (conj) are a subset of j's.
func shadowed(rules []*ruleset.Rule, checked []*ast.Checked, conj []map[string]bool, j int) (Finding, bool) {
	if !rules[j].IsEnabled() {
		return Finding{}, false
	}
	for i, r := range rules[:j] {
		if checked[i] == nil || !r.IsEnabled() || !(r.Action.Terminating() || r.SkipsRuleset()) {
			continue
		}
		if subset(conj[i], conj[j]) {
			x := checked[j].X
			return Finding{Code: Shadowed, Severity: Warning, Offset: x.Pos(), Len: x.End() - x.Pos(),
				Message: fmt.Sprintf("this rule never acts: %s (%s) matches every request it matches and ends evaluation first", r.Name(), r.Action),
				Fix:     "move this rule before " + r.Name() + ", or narrow that rule"}, true
		}
	}
	return Finding{}, false
}

// conjuncts returns the structure (ast.Dump) of the conditions an
// expression joins with and, so that grouping parentheses do not tell equal
// conditions apart; true adds no condition.
func conjuncts(c *ast.Checked) map[string]bool {
	x := ast.Unparen(c.X)
	parts := []ast.Expr{x}
	if l, ok := x.(*ast.LogicalExpr); ok && l.Op == ast.OpAnd {
		parts = l.X
	}
	set := map[string]bool{}
	for _, p := range parts {
		if b, ok := ast.Unparen(p).(*ast.BoolLit); ok && b.Value {
			continue
		}
		set[ast.Dump(p)] = true
	}
	return set
}

func subset(a, b map[string]bool) bool {
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}
