package ruleset

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/ratelimit"
)

// An Engine is a compiled ruleset. It is immutable and safe for concurrent
// use, each request with its own eval.Context.
type Engine struct {
	rules  []*Rule
	match  []*eval.Filter // nil for a disabled rule
	scheme *fields.Scheme
	limits *limiting // nil without rate limiting rules
}

// A Decision is what a ruleset decided for a request.
type Decision struct {
	// Action is the action of the rule that ended evaluation: a terminating
	// action, or skip for a skip of the rest of the ruleset. It is empty when
	// no such rule matched.
	Action Action
	// Rule is the rule that ended evaluation, or nil.
	Rule *Rule
	// Logged are the log rules that matched on the way, in order.
	Logged []*Rule
	// Applied are the other non-terminating rules that matched (settings,
	// rewrites, other skips, bypass), in order; for settings the last wins.
	Applied []*Rule
	// Until is when the key of a rate limiting rule that ended evaluation
	// stops being over its limit, for a rule with a mitigation timeout;
	// zero otherwise.
	Until time.Time
}

// ReachesOrigin reports whether the request goes on to the origin: no rule
// answered in its place with a block, a challenge, a redirect or an error.
func (d Decision) ReachesOrigin() bool {
	return d.Rule == nil || !d.Action.Terminating() || d.Action == Allow
}

// DefaultMaxRules is how many rules a ruleset may have unless MaxRules
// says otherwise.
const DefaultMaxRules = 10_000

type settings struct {
	maxRules int
	expr     []expr.Option
	store    ratelimit.Store
	clock    func() time.Time
}

// An Option changes how Compile works.
type Option struct{ set func(*settings) }

// MaxRules sets how many rules a ruleset may have (DefaultMaxRules); a
// value below 1 keeps the default.
func MaxRules(n int) Option {
	return Option{func(s *settings) {
		if n > 0 {
			s.maxRules = n
		}
	}}
}

// ExprOptions passes options, limits say, to the compiling of every rule's
// expression.
func ExprOptions(opts ...expr.Option) Option {
	return Option{func(s *settings) { s.expr = append(s.expr, opts...) }}
}

// TooManyRules reports a ruleset over MaxRules.
func TooManyRules(n, limit int) error {
	return fmt.Errorf("the ruleset has %d rules; the limit (MaxRules) is %d", n, limit)
}

// Compile checks and compiles every rule of rs. Errors come as a list of
// *RuleError, whose Err is the expression's *expr.Error or expr.ErrorList.
// The engine keeps its own copy of the rules, numbered by their place
// (Rule.Index), so that changing rs or its rules later, or compiling them
// again into another engine, leaves it as it was; rs is not changed.
func Compile(rs *Ruleset, scheme *fields.Scheme, options ...Option) (*Engine, error) {
	set := settings{maxRules: DefaultMaxRules}
	for _, o := range options {
		o.set(&set)
	}
	if len(rs.Rules) > set.maxRules {
		return nil, TooManyRules(len(rs.Rules), set.maxRules)
	}
	opts := set.expr
	own := *rs
	own.Rules = make([]*Rule, len(rs.Rules))
	for i, r := range rs.Rules {
		own.Rules[i] = r.clone()
		own.Rules[i].Index, own.Rules[i].ZoneIndex = i, i
	}
	rs = &own
	var errs []error
	for _, e := range rs.Validate() {
		errs = append(errs, e)
	}
	e := &Engine{rules: rs.Rules, match: make([]*eval.Filter, len(rs.Rules)), scheme: scheme}
	checked := make([]*ast.Checked, len(rs.Rules))
	for i, r := range rs.Rules {
		if r.Expression == "" {
			continue
		}
		xs := r.Expressions()
		var err error
		if checked[i], err = xs[0].Check(scheme, opts...); err != nil {
			errs = append(errs, &RuleError{Rule: r, Err: err})
		}
		for _, x := range xs[1:] {
			if _, err := x.Compile(scheme, opts...); err != nil {
				errs = append(errs, &RuleError{Rule: r, Key: x.Key, Err: err})
			}
		}
	}
	// Conditions that several rules share run once per request.
	shared := append(slices.Clip(opts), expr.Memo(eval.NewMemo(checked)))
	for i, r := range rs.Rules {
		if checked[i] == nil {
			continue
		}
		f, err := expr.CompileChecked(checked[i], shared...)
		if err != nil {
			errs = append(errs, &RuleError{Rule: r, Err: err})
			continue
		}
		if r.IsEnabled() {
			e.match[i] = f
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if err := e.compileLimits(set); err != nil {
		return nil, err
	}
	return e, nil
}

// Rules returns the engine's own copies of its rules, in order, numbered by
// their place; they are read-only, as the engine is.
func (e *Engine) Rules() []*Rule { return e.rules }

// Scheme returns the scheme the rules were compiled against: the fields a
// context for Evaluate has.
func (e *Engine) Scheme() *fields.Scheme { return e.scheme }

// Evaluate runs the rules in order against the request in c, as the
// Ruleset Engine does: disabled rules are passed over; a terminating action
// ends evaluation; skip with action_parameters.ruleset "current" skips the
// rules after it; log and the other actions are recorded and evaluation goes
// on. A rate limiting rule counts the requests its counting expression
// selects, which are those of its expression unless it has one of its own
// (see CountResponse for rules that count once the response is known),
// and matches a request of its expression only when the request's key is
// over its limit. It allocates nothing unless a non-terminating rule
// matches, or a rate limiting rule's store does (Redis's does, the
// in-memory store does not).
func (e *Engine) Evaluate(c *eval.Context) Decision {
	var d Decision
	for i, f := range e.match {
		if f == nil {
			continue
		}
		if !f.Match(c) {
			if e.limits != nil && e.limits.rules[i] != nil {
				e.limits.countOnly(e.limits.rules[i], c)
			}
			continue
		}
		var until time.Time
		if e.limits != nil && e.limits.rules[i] != nil {
			res := e.limits.over(e.limits.rules[i], c)
			if !res.Over {
				continue
			}
			until = res.Until
		}
		r := e.rules[i]
		switch {
		case r.Action.Terminating() || r.SkipsRuleset():
			d.Action, d.Rule, d.Until = r.Action, r, until
			return d
		case r.Action == Log:
			d.Logged = append(d.Logged, r)
		default:
			d.Applied = append(d.Applied, r)
		}
	}
	return d
}
