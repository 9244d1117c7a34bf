package lint

import (
	"fmt"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/ruleset"
)

// Rules lints the rules of a ruleset, each with its checked expression
// (checked[i] is nil for a rule that did not check): every expression on
// its own, then what a rule means among the others.
func Rules(rules []*ruleset.Rule, checked []*ast.Checked) []Finding {
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
		if f, ok := noVerifiedBotExemption(r, c); ok {
			found = append(found, f)
		}
		if f, ok := shadowed(rules, checked, conj, i); ok {
			found = append(found, f)
		}
		for _, f := range found {
			f.Rule = r
			out = append(out, f)
		}
	}
	return out
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

// conjuncts returns the canonical text of the conditions an expression
// joins with and; true adds no condition.
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
		set[ast.Format(p)] = true
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
