package replay

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/edgerules/edgerules/ruleset"
)

// A Condition is a test on a report's totals, for a gate in CI:
//
//	condition = name op number [ "%" ]
//	op        = ">" | ">=" | "<" | "<=" | "==" | "!="
//
// A number with % is a share of the requests. The names are:
//
//	records, requests, malformed    what was read
//	none, log, block, challenge, ... the requests of each outcome: an action,
//	                                 "log" (only log rules matched), "none"
//	challenged                      challenge, js_challenge and managed_challenge
//	verified_bots                   requests of verified bots
//	verified_bots_blocked           of them, blocked
//	verified_bots_challenged        of them, challenged
//	changed                         requests whose outcome the ruleset changes
//	                                from the baseline's (needs a baseline)
//	verified_bots_changed           of them, verified bots' (needs a baseline)
type Condition struct {
	text    string
	name    string
	op      string
	value   float64
	percent bool
}

// challenges are the actions that challenge.
var challenges = []string{string(ruleset.Challenge), string(ruleset.JSChallenge), string(ruleset.ManagedChallenge)}

// totals are the names a condition may test, but outcomes, with how to
// read them from a report.
var totals = map[string]func(*Report) int64{
	"records":   func(r *Report) int64 { return r.Records },
	"requests":  func(r *Report) int64 { return r.Requests },
	"malformed": func(r *Report) int64 { return r.Malformed },
	"challenged": func(r *Report) int64 {
		return sumOf(r.Actions, challenges...)
	},
	"verified_bots": func(r *Report) int64 {
		var n int64
		for _, c := range r.VerifiedBotActions {
			n += c
		}
		return n
	},
	"verified_bots_blocked":    func(r *Report) int64 { return r.VerifiedBotActions[string(ruleset.Block)] },
	"verified_bots_challenged": func(r *Report) int64 { return sumOf(r.VerifiedBotActions, challenges...) },
	"changed":                  func(r *Report) int64 { return r.Diff.Changed },
	"verified_bots_changed":    func(r *Report) int64 { return r.Diff.ChangedVerifiedBots },
}

func sumOf(counts map[string]int64, keys ...string) int64 {
	var n int64
	for _, k := range keys {
		n += counts[k]
	}
	return n
}

var operators = []string{">=", "<=", "==", "!=", ">", "<"}

// A ConditionError is a condition that does not parse.
type ConditionError struct {
	Column int // of the condition, from 1, in bytes
	Msg    string
}

func (e *ConditionError) Error() string { return fmt.Sprintf("at column %d: %s", e.Column, e.Msg) }

// ParseCondition reads a condition.
func ParseCondition(s string) (Condition, error) {
	c := Condition{text: strings.TrimSpace(s)}
	i := 0
	space := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
	}
	fail := func(format string, args ...any) (Condition, error) {
		return Condition{}, &ConditionError{Column: i + 1, Msg: fmt.Sprintf(format, args...)}
	}
	found := func() string {
		if i == len(s) {
			return "the end"
		}
		return strconv.Quote(s[i:])
	}
	space()
	start := i
	for i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] == '_' || i > start && s[i] >= '0' && s[i] <= '9') {
		i++
	}
	if c.name = s[start:i]; c.name == "" {
		return fail("expected a name (block, changed, verified_bots_blocked, ...), found %s", found())
	}
	if _, ok := totals[c.name]; !ok && !isOutcome(c.name) {
		i = start
		return fail("unknown name %q: use records, requests, malformed, an action (block, challenge, ...), log, none, challenged, verified_bots, verified_bots_blocked, verified_bots_challenged, changed or verified_bots_changed", c.name)
	}
	space()
	for _, op := range operators {
		if strings.HasPrefix(s[i:], op) {
			c.op = op
			break
		}
	}
	if c.op == "" {
		return fail("expected a comparison (>, >=, <, <=, ==, !=), found %s", found())
	}
	i += len(c.op)
	space()
	start = i
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	v, err := strconv.ParseFloat(s[start:i], 64)
	if start == i || err != nil {
		i = start
		return fail("expected a number, found %s", found())
	}
	c.value = v
	if i < len(s) && s[i] == '%' {
		c.percent = true
		i++
	}
	space()
	if i < len(s) {
		return fail("unexpected %s after the number", found())
	}
	return c, nil
}

// isOutcome reports whether name is an outcome: an action, log or none.
func isOutcome(name string) bool {
	return name == "none" || name == "log" || slices.Contains(outcomeOrder, name) || ruleset.Action(name).Known()
}

// NeedsBaseline reports whether the condition tests what changed from a
// baseline.
func (c Condition) NeedsBaseline() bool {
	return c.name == "changed" || c.name == "verified_bots_changed"
}

func (c Condition) String() string { return c.text }

// Check reports whether the condition holds for rep, and says why: the
// value it tested.
func (c Condition) Check(rep *Report) (bool, string) {
	var n int64
	if total, ok := totals[c.name]; ok {
		if c.NeedsBaseline() && rep.Diff == nil {
			return false, c.name + " needs a baseline"
		}
		n = total(rep)
	} else {
		n = rep.Actions[c.name]
	}
	value := float64(n)
	what := fmt.Sprintf("%s is %s", c.name, group(n))
	if c.percent {
		value = percent(n, rep.Requests)
		what = fmt.Sprintf("%s is %.2f%% of requests (%s of %s)", c.name, value, group(n), group(rep.Requests))
	}
	var holds bool
	switch c.op {
	case ">":
		holds = value > c.value
	case ">=":
		holds = value >= c.value
	case "<":
		holds = value < c.value
	case "<=":
		holds = value <= c.value
	case "==":
		holds = value == c.value
	case "!=":
		holds = value != c.value
	}
	return holds, what
}
