package ruletest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/ratelimit"
	"github.com/edgerules/edgerules/ruleset"
	"github.com/edgerules/edgerules/terraform"
)

// A Result is what one case got.
type Result struct {
	Case *Case
	// Got is the ruleset's decision; zero when the case could not run.
	Got ruleset.Decision
	// Err says how the decision differs from the one the case expects, or
	// what is wrong with the case (an unknown field, a value of the wrong
	// type, a rule the ruleset does not have); nil when the case passed.
	Err *Error
}

// Run loads the suite's ruleset, compiles it against scheme with opts and
// runs every case, in order. The error is for a ruleset that cannot be
// read or compiled, or a list that cannot be built; a failed case is a
// Result with an Err.
func (s *Suite) Run(scheme *fields.Scheme, opts ...ruleset.Option) ([]Result, error) {
	varFiles := make([]string, len(s.VarFiles))
	for i, vf := range s.VarFiles {
		varFiles[i] = s.relative(vf)
	}
	file, err := terraform.LoadAny(s.RulesPath(), varFiles...)
	if err != nil {
		return nil, &Error{Path: s.Path, Pos: s.At, Msg: err.Error()}
	}
	var unknown []string
	for _, n := range file.Notes {
		if n.Decides() {
			unknown = append(unknown, fmt.Sprintf("%s:%d:%d: %s", strings.SplitN(s.RulesPath(), "#", 2)[0], n.Line, n.Column, n.Msg))
		}
	}
	if len(unknown) > 0 {
		// A rule Terraform knows only when it applies would never match
		// here, and the cases would pass or fail for it.
		return nil, &Error{Path: s.Path, Pos: s.At, Msg: fmt.Sprintf("%s cannot be tested: Terraform knows some of its rules only when it applies (a variable's value can be given in a .tfvars file):\n%s",
			s.Rules, strings.Join(unknown, "\n"))}
	}
	clock := &caseClock{}
	opts = append(slices.Clip(opts), ruleset.RateLimitStore(clock), ruleset.Clock(clock.Now))
	engine, err := ruleset.Compile(file.Ruleset, scheme, opts...)
	if err != nil {
		return nil, &Error{Path: s.Path, Pos: s.At, Msg: fmt.Sprintf("%s does not compile; run edgerules check on it:\n%v", s.Rules, err)}
	}
	lists, err := s.buildLists()
	if err != nil {
		return nil, err
	}
	ctx := eval.NewContext(scheme)
	ctx.SetLists(lists)
	names := ruleNames(engine.Rules())
	results := make([]Result, len(s.Cases))
	for i, c := range s.Cases {
		clock.store = ratelimit.NewMemory(ratelimit.MemoryOptions{})
		results[i] = s.runCase(c, engine, ctx, names, clock)
	}
	return results, nil
}

// sequenceStart is when the requests of a case start unless it gives
// http.request.timestamp.sec: the start of a minute.
var sequenceStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// A caseClock is the time and the rate limiting counters of the case that
// runs: each case counts from zero, at its own times.
type caseClock struct {
	now   time.Time
	store ratelimit.Store
}

// Now returns the time of the request that runs.
func (c *caseClock) Now() time.Time { return c.now }

// Hit counts in the case's own store.
func (c *caseClock) Hit(key []byte, n int64, now time.Time, l ratelimit.Limit) ratelimit.Result {
	return c.store.Hit(key, n, now, l)
}

// Count counts in the case's own store.
func (c *caseClock) Count(key []byte, n int64, now time.Time, l ratelimit.Limit) {
	c.store.Count(key, n, now, l)
}

func (s *Suite) buildLists() (*eval.MemoryLists, error) {
	lists := eval.NewLists()
	for _, l := range s.Lists {
		switch l.Kind {
		case fields.IPList:
			if err := lists.AddIPs(l.Name, l.Items...); err != nil {
				return nil, &Error{Path: s.Path, Pos: l.At, Msg: err.Error()}
			}
		case fields.ASNList:
			asns := make([]int64, len(l.Items))
			for i, item := range l.Items {
				n, err := strconv.ParseInt(item, 10, 64)
				if err != nil {
					return nil, &Error{Path: s.Path, Pos: l.At, Msg: fmt.Sprintf("list %s, item %d: %q is not an AS number", l.Name, i+1, item)}
				}
				asns[i] = n
			}
			lists.AddASNs(l.Name, asns...)
		case fields.HostnameList:
			lists.AddHostnames(l.Name, l.Items...)
		case fields.StringList:
			lists.AddStrings(l.Name, l.Items...)
		}
	}
	return lists, nil
}

// ruleNames maps each rule's ref and id to the rule.
func ruleNames(rules []*ruleset.Rule) map[string]*ruleset.Rule {
	names := make(map[string]*ruleset.Rule, 2*len(rules))
	for _, r := range rules {
		for _, name := range []string{r.Ref, r.ID} {
			if name != "" {
				names[name] = r
			}
		}
	}
	return names
}

func (s *Suite) runCase(c *Case, engine *ruleset.Engine, ctx *eval.Context, names map[string]*ruleset.Rule, clock *caseClock) Result {
	res := Result{Case: c}
	fail := func(at Pos, format string, args ...any) Result {
		res.Err = &Error{Path: s.Path, Pos: at, Msg: fmt.Sprintf(format, args...)}
		return res
	}
	for _, name := range append([]string{c.Rule}, c.Logged...) {
		if _, ok := names[name]; name != "" && !ok {
			return fail(c.At, "%s has no rule with ref or id %q", s.Rules, name)
		}
	}
	scheme := engine.Scheme()
	times := c.Times
	if times == nil {
		times = []time.Duration{0}
	}
	start := sequenceStart
	for k, offset := range times {
		ctx.Reset()
		for _, v := range c.Values {
			f, ok := scheme.Field(v.Field)
			if !ok {
				if near := scheme.Suggest(v.Field); len(near) > 0 {
					return fail(v.FieldAt, "unknown field %s; did you mean %s?", v.Field, strings.Join(near, " or "))
				}
				return fail(v.FieldAt, "unknown field %s", v.Field)
			}
			value, err := eval.ValueOf(f.Type(), v.Value)
			if err == nil {
				err = ctx.Set(f, value)
			}
			if err != nil {
				return fail(v.At, "field %s: %v", v.Field, err)
			}
		}
		if k == 0 {
			if sec := ctx.Get(timestampSec(scheme)); !sec.Missing() {
				start = time.Unix(sec.Int(), 0)
			}
		}
		clock.now = start.Add(offset)
		if c.Times != nil {
			setTime(ctx, clock.now)
		}
		res.Got = engine.Evaluate(ctx)
		if res.Got.ReachesOrigin() {
			engine.CountResponse(ctx, res.Got)
		}
	}
	got := res.Got
	want := names[c.Rule]
	if got.Action != c.Action || want != nil && got.Rule != want {
		return fail(c.At, "got %s, want %s", describe(got.Action, got.Rule), describe(c.Action, want))
	}
	if c.Logged != nil {
		wantLogged := make([]*ruleset.Rule, len(c.Logged))
		for i, name := range c.Logged {
			wantLogged[i] = names[name]
		}
		if !slices.Equal(got.Logged, wantLogged) {
			return fail(c.At, "logged %s, want %s", ruleList(got.Logged), ruleList(wantLogged))
		}
	}
	return res
}

// timestampSec is the scheme's http.request.timestamp.sec, or a field of
// no context when it has none.
func timestampSec(scheme *fields.Scheme) fields.Field {
	f, _ := scheme.Field("http.request.timestamp.sec")
	return f
}

// setTime gives the request in ctx the time t, in the fields of the scheme
// that hold it; a scheme without them leaves the time to the clock.
func setTime(ctx *eval.Context, t time.Time) {
	scheme := ctx.Scheme()
	if sec, ok := scheme.Field("http.request.timestamp.sec"); ok {
		_ = ctx.Set(sec, eval.Int(t.Unix()))
	}
	if msec, ok := scheme.Field("http.request.timestamp.msec"); ok {
		_ = ctx.Set(msec, eval.Int(int64(t.Nanosecond()/1e6)))
	}
}

// describe words a decision: its action and the rule that took it.
func describe(a ruleset.Action, r *ruleset.Rule) string {
	switch {
	case a == "":
		return None
	case r == nil:
		return string(a)
	}
	return fmt.Sprintf("%s by %s", a, r.Name())
}

func ruleList(rules []*ruleset.Rule) string {
	if len(rules) == 0 {
		return "nothing"
	}
	names := make([]string, len(rules))
	for i, r := range rules {
		names[i] = r.Name()
	}
	return strings.Join(names, ", ")
}
