package replay

import (
	"slices"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/ruleset"
)

// A judge decides requests with a zone's rulesets, in phase order (one
// ruleset being a zone of one phase). It is the one place the replay uses
// the engine.
type judge struct{ zone *ruleset.ZoneEngine }

// decide evaluates the request in c and, when it reaches the origin, the
// response phase on the response the log records (its status, its content
// type), and counts it for the rate limiting rules that count responses.
// The rules of the response phase that matched are among Logged and
// Applied. A rule's place among the tallies is its ZoneIndex.
func (j judge) decide(c *eval.Context) ruleset.Decision {
	o := j.zone.Request(c)
	if o.ReachesOrigin() {
		if j.zone.HasResponsePhase() {
			d := j.zone.Response(c, &o)
			o.Logged = append(o.Logged, d.Logged...)
			o.Applied = append(o.Applied, d.Applied...)
		}
		j.zone.CountResponse(c, &o)
	}
	return o.Decision
}

// rules are the zone's rules, in the order they run.
func (j judge) rules() []*ruleset.Rule { return j.zone.Rules() }

// unfilled names, for each rule, the fields it reads that carried says no
// record fills.
func (j judge) unfilled(carried []bool) map[*ruleset.Rule][]string {
	return j.zone.Unfilled(carried)
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
