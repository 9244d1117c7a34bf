package ruleset

import (
	"maps"

	"github.com/edgerules/edgerules/eval"
)

// Uses returns what the expression of the engine's rule r reads: its
// fields, functions and lists. A disabled rule, a rule without an
// expression, or a rule that is not the engine's reads nothing.
func (e *Engine) Uses(r *Rule) eval.Uses {
	if r.Index < 0 || r.Index >= len(e.rules) || e.rules[r.Index] != r || e.match[r.Index] == nil {
		return eval.Uses{}
	}
	return e.match[r.Index].Uses
}

// Unfilled returns, for each rule whose expression reads fields that
// filled (indexed by slot) says no request will have, those fields by
// name: a middleware without a GeoIP database, say, or a log without the
// threat score. Such a rule's tests on them never hold.
func (e *Engine) Unfilled(filled []bool) map[*Rule][]string {
	out := map[*Rule][]string{}
	for _, r := range e.rules {
		for _, f := range e.Uses(r).Fields() {
			if f.Index() >= len(filled) || !filled[f.Index()] {
				out[r] = append(out[r], f.Name())
			}
		}
	}
	return out
}

// Unfilled is Engine.Unfilled for the rules of every phase.
func (z *ZoneEngine) Unfilled(filled []bool) map[*Rule][]string {
	out := map[*Rule][]string{}
	for _, p := range z.phases {
		maps.Copy(out, p.engine.Unfilled(filled))
	}
	return out
}
