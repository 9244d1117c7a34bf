package replay

import (
	"slices"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/ruleset"
)

// A judge decides requests with one ruleset. It is the one place the
// replay uses a ruleset's engine, so that what evaluates a record can
// change (several rulesets in phase order) without the rest of the replay.
type judge struct{ engine *ruleset.Engine }

// decide evaluates the request in c, and counts it for the rate limiting
// rules that count responses when it reaches the origin.
func (j judge) decide(c *eval.Context) ruleset.Decision {
	d := j.engine.Evaluate(c)
	if d.ReachesOrigin() {
		j.engine.CountResponse(c, d)
	}
	return d
}

// rules are the ruleset's rules, in order.
func (j judge) rules() []*ruleset.Rule { return j.engine.Rules() }

// unfilled names, for each rule, the fields it reads that carried says no
// record fills.
func (j judge) unfilled(carried []bool) map[*ruleset.Rule][]string {
	return j.engine.Unfilled(carried)
}

// ordered reports whether the ruleset needs its records one at a time, in
// the order of the log: it has rate limiting rules, which count requests
// per key over time.
func (j judge) ordered() bool {
	return slices.ContainsFunc(j.rules(), func(r *ruleset.Rule) bool {
		rl, err := r.RateLimit()
		return err == nil && rl != nil && r.IsEnabled()
	})
}

// outcome names what a decision did to a request: the action of the rule
// that decided, "log" when only log rules matched, "none" when no rule did.
func outcome(d ruleset.Decision) string {
	switch {
	case d.Rule != nil:
		return string(d.Action)
	case len(d.Logged) > 0:
		return "log"
	}
	return "none"
}

// matched calls f with every rule whose condition held: those that did not
// end evaluation and the one that did.
func matched(d ruleset.Decision, f func(*ruleset.Rule)) {
	for _, rs := range [2][]*ruleset.Rule{d.Logged, d.Applied} {
		for _, r := range rs {
			f(r)
		}
	}
	if d.Rule != nil {
		f(d.Rule)
	}
}
