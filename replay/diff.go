package replay

import (
	"cmp"
	"maps"
	"slices"

	"github.com/edgerules/edgerules/ruleset"
)

// diffTally counts where two rulesets decide a request differently.
type diffTally struct {
	matrix                   map[[2]string]int64 // by outcome before and after
	changed, changedVerified int64
	ips, paths, uas, bots    *topK // of the requests that changed; bots: verified bots' user agents
}

func newDiffTally() *diffTally {
	return &diffTally{matrix: map[[2]string]int64{}, ips: newTopK(topCounters), paths: newTopK(topCounters),
		uas: newTopK(topCounters), bots: newTopK(topCounters)}
}

// add counts a request the baseline decided before and the ruleset after.
func (t *diffTally) add(before, after string, r *Record, w int64, verified bool) {
	t.matrix[[2]string{before, after}] += w
	if before == after {
		return
	}
	t.changed += w
	t.ips.add(r.ClientIP, w)
	t.paths.add(r.Path(), w)
	t.uas.add(r.ClientRequestUserAgent, w)
	if verified {
		t.changedVerified += w
		t.bots.add(r.ClientRequestUserAgent, w)
	}
}

func (t *diffTally) merge(u *diffTally) {
	for k, n := range u.matrix {
		t.matrix[k] += n
	}
	t.changed += u.changed
	t.changedVerified += u.changedVerified
	t.ips.merge(u.ips)
	t.paths.merge(u.paths)
	t.uas.merge(u.uas)
	t.bots.merge(u.bots)
}

// outcomeOrder is the order of outcomes in a report: those that stop a
// request, then those that let it through; others come after, by name.
var outcomeOrder = []string{"block", "challenge", "js_challenge", "managed_challenge", "redirect", "serve_error",
	"skip", "allow", "bypass", "log", "none"}

// compareOutcomes orders outcomes as outcomeOrder has them, others after
// by name.
func compareOutcomes(a, b string) int {
	rank := func(o string) int {
		if i := slices.Index(outcomeOrder, o); i >= 0 {
			return i
		}
		return len(outcomeOrder)
	}
	return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a, b))
}

// report compares what the baseline (before) and the ruleset (after)
// decided.
func (t *diffTally) report(before, after *tally, carried []bool) *Diff {
	d := &Diff{Changed: t.changed, ChangedVerifiedBots: t.changedVerified, BaselineActions: maps.Clone(before.actions),
		Top: ChangedTop{IPs: t.ips.top(TopValues), Paths: t.paths.top(TopValues), UserAgents: t.uas.top(TopValues),
			VerifiedBots: t.bots.top(TopValues)}}
	for k := range t.matrix {
		for _, o := range k {
			if !slices.Contains(d.Outcomes, o) {
				d.Outcomes = append(d.Outcomes, o)
			}
		}
	}
	slices.SortFunc(d.Outcomes, compareOutcomes)
	for _, b := range d.Outcomes {
		row := make([]int64, len(d.Outcomes))
		for j, a := range d.Outcomes {
			row[j] = t.matrix[[2]string{b, a}]
		}
		d.Matrix = append(d.Matrix, row)
	}
	d.Rules = ruleChanges(before.report(carried), after.report(carried), before.judge.rules(), after.judge.rules())
	return d
}

// ruleChanges pairs the rules of two rulesets by identity (their ref, else
// their id, else their expression) and lists those whose requests differ,
// the largest change first.
func ruleChanges(before, after []RuleReport, beforeRules, afterRules []*ruleset.Rule) []RuleChange {
	var out []RuleChange
	index := map[string]int{}
	at := func(r *ruleset.Rule) *RuleChange {
		key, name := "expression "+r.Expression, r.Expression
		switch {
		case r.Ref != "":
			key, name = "ref "+r.Ref, r.Ref
		case r.ID != "":
			key, name = "id "+r.ID, r.ID
		}
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, RuleChange{Rule: name, Action: string(r.Action)})
		}
		return &out[i]
	}
	for i, r := range beforeRules {
		c := at(r)
		c.Before += before[i].Requests
		c.MatchedBefore += before[i].Matched
	}
	for i, r := range afterRules {
		c := at(r)
		c.Action = string(r.Action)
		c.After += after[i].Requests
		c.MatchedAfter += after[i].Matched
	}
	out = slices.DeleteFunc(out, func(c RuleChange) bool {
		return c.Before == c.After && c.MatchedBefore == c.MatchedAfter
	})
	abs := func(n int64) int64 { return max(n, -n) }
	slices.SortStableFunc(out, func(a, b RuleChange) int {
		return cmp.Or(cmp.Compare(abs(b.After-b.Before), abs(a.After-a.Before)),
			cmp.Compare(abs(b.MatchedAfter-b.MatchedBefore), abs(a.MatchedAfter-a.MatchedBefore)))
	})
	return out
}

// A Diff is where a ruleset decides requests differently from a baseline.
type Diff struct {
	// Outcomes name the rows and columns of Matrix: "none", "log" (only
	// log rules matched), and the actions of the rules that decided.
	Outcomes []string `json:"outcomes"`
	// Matrix[i][j] are the requests the baseline gave Outcomes[i] and the
	// ruleset Outcomes[j].
	Matrix [][]int64 `json:"matrix"`
	// Changed are the requests whose outcome differs.
	Changed int64 `json:"changed"`
	// ChangedVerifiedBots are those of verified bots.
	ChangedVerifiedBots int64 `json:"changed_verified_bots"`
	// BaselineActions are the baseline's requests by outcome, as
	// Report.Actions.
	BaselineActions map[string]int64 `json:"baseline_actions"`
	// Rules are the rules whose requests (decided or matched) differ.
	Rules []RuleChange `json:"rules"`
	// Top are who and what the requests that changed came from and asked for.
	Top ChangedTop `json:"top"`
}

// A RuleChange is what one rule decided and matched in the baseline and in
// the ruleset; a rule in only one of them has 0 in the other.
type RuleChange struct {
	Rule          string `json:"rule"` // its ref, else its id, else its expression
	Action        string `json:"action"`
	Before        int64  `json:"requests_before"`
	After         int64  `json:"requests_after"`
	MatchedBefore int64  `json:"matched_before"`
	MatchedAfter  int64  `json:"matched_after"`
}

// ChangedTop are the most frequent clients, paths and user agents of the
// requests whose outcome changed, and the user agents of the verified bots
// among them.
type ChangedTop struct {
	IPs          []Count `json:"ips"`
	Paths        []Count `json:"paths"`
	UserAgents   []Count `json:"user_agents"`
	VerifiedBots []Count `json:"verified_bots"`
}
