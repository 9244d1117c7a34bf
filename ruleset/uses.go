package ruleset

import "github.com/edgerules/edgerules/eval"

// Uses returns what the expression of the engine's rule r reads: its
// fields, functions and lists. A disabled rule, a rule without an
// expression, or a rule that is not the engine's reads nothing.
func (e *Engine) Uses(r *Rule) eval.Uses {
	if r.Index < 0 || r.Index >= len(e.rules) || e.rules[r.Index] != r || e.match[r.Index] == nil {
		return eval.Uses{}
	}
	return e.match[r.Index].Uses
}
