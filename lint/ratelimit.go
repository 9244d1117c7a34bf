package lint

import (
	"fmt"
	"slices"
	"strings"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/ruleset"
)

// countingLints flags a rate limiting rule's counting expression, c, that
// counts requests the rule's expression does not select (Cloudflare's
// counting expression does not extend the rule's), and what Cloudflare
// refuses of it: both response fields and lists, or lists in a rule that
// counts only requests to the origin.
func countingLints(r *ruleset.Rule, c *ast.Checked) []Finding {
	var out []Finding
	if filter, err := r.Expressions()[0].Check(c.Scheme); err == nil && !subset(conjuncts(filter), conjuncts(c)) {
		out = append(out, Finding{Code: RateLimitCounting, Severity: Warning, Offset: c.X.Pos(), Len: c.X.End() - c.X.Pos(),
			Message: "the counting expression does not hold every condition of the rule's expression, so it counts requests the rule does not select: a counting expression does not extend the rule's",
			Fix:     fmt.Sprintf("add the rule's conditions: `%s and %s`, unless other requests are meant to count", ast.Format(c.X), operand(filter.X))})
	}
	list := firstList(c)
	switch {
	case list == nil:
	case readsResponse(c):
		out = append(out, listFinding(list, "a counting expression that reads the response cannot use lists"))
	case origin(r):
		out = append(out, listFinding(list, "a rule that counts only requests to the origin (requests_to_origin) cannot use lists"))
	}
	return out
}

// rateLimitFilter flags the expression, c, of a rate limiting rule that
// counts only requests to the origin and uses lists, which Cloudflare
// refuses.
func rateLimitFilter(r *ruleset.Rule, c *ast.Checked) (Finding, bool) {
	if list := firstList(c); list != nil && origin(r) {
		return listFinding(list, "a rule that counts only requests to the origin (requests_to_origin) cannot use lists"), true
	}
	return Finding{}, false
}

func listFinding(l *ast.ListRef, msg string) Finding {
	return Finding{Code: RateLimitLists, Severity: Error, Offset: l.Pos(), Len: l.End() - l.Pos(),
		Message: "Cloudflare refuses this rate limiting rule: " + msg,
		Fix:     "count cached requests too (requests_to_origin false), and test the response without the list"}
}

// origin reports whether a rate limiting rule counts only requests to the
// origin.
func origin(r *ruleset.Rule) bool {
	rl, err := r.RateLimit()
	return err == nil && rl != nil && rl.RequestsToOrigin
}

func firstList(c *ast.Checked) *ast.ListRef {
	for n := range ast.Preorder(c.X) {
		if l, ok := n.(*ast.ListRef); ok {
			return l
		}
	}
	return nil
}

func readsResponse(c *ast.Checked) bool {
	for n := range ast.Preorder(c.X) {
		if id, ok := n.(*ast.Ident); ok {
			name := fieldOf(c, id)
			if slices.ContainsFunc(responsePrefixes, func(p string) bool { return strings.HasPrefix(name, p) }) {
				return true
			}
		}
	}
	return false
}

// operand prints x as an operand of and: in parentheses if it is an or.
func operand(x ast.Expr) string {
	if l, ok := x.(*ast.LogicalExpr); ok && l.Op != ast.OpAnd {
		return "(" + ast.Format(x) + ")"
	}
	return ast.Format(x)
}
