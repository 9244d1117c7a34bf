package ruletest

import (
	"fmt"
	"net/textproto"
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
	// Got is what the rules decided and changed; zero when the case could
	// not run.
	Got ruleset.Outcome
	// Err says how the outcome differs from the one the case expects, or
	// what is wrong with the case (an unknown field, a value of the wrong
	// type, a rule the rules do not have); nil when the case passed.
	Err *Error
}

// Run loads the suite's rules, a ruleset or a zone, compiles them against
// scheme with opts and runs every case, in order. The error is for rules
// that cannot be read or compiled, or a list that cannot be built; a failed
// case is a Result with an Err.
func (s *Suite) Run(scheme *fields.Scheme, opts ...ruleset.Option) ([]Result, error) {
	varFiles := make([]string, len(s.VarFiles))
	for i, vf := range s.VarFiles {
		varFiles[i] = s.relative(vf)
	}
	zone, files, err := terraform.LoadZone(s.RulesPaths(), varFiles...)
	if err != nil {
		return nil, &Error{Path: s.Path, Pos: s.At, Msg: err.Error()}
	}
	var unknown []string
	for _, f := range files {
		for _, n := range f.Notes {
			if n.Decides() {
				unknown = append(unknown, fmt.Sprintf("%s:%d:%d: %s", strings.SplitN(f.Path, "#", 2)[0], n.Line, n.Column, n.Msg))
			}
		}
	}
	if len(unknown) > 0 {
		// A rule Terraform knows only when it applies would never match
		// here, and the cases would pass or fail for it.
		return nil, &Error{Path: s.Path, Pos: s.At, Msg: fmt.Sprintf("%s cannot be tested: Terraform knows some of its rules only when it applies (a variable's value can be given in a .tfvars file):\n%s",
			s.rulesName(), strings.Join(unknown, "\n"))}
	}
	clock := &caseClock{}
	opts = append(slices.Clip(opts), ruleset.RateLimitStore(clock), ruleset.Clock(clock.Now))
	engine, err := ruleset.CompileZone(zone, scheme, opts...)
	if err != nil {
		return nil, &Error{Path: s.Path, Pos: s.At, Msg: fmt.Sprintf("%s does not compile; run edgerules check on it:\n%v", s.rulesName(), err)}
	}
	lists, err := s.buildLists()
	if err != nil {
		return nil, err
	}
	ctx := eval.NewContext(scheme)
	ctx.SetLists(lists)
	r := &runner{suite: s, zone: engine, ctx: ctx, names: ruleNames(engine.Rules()), clock: clock}
	results := make([]Result, len(s.Cases))
	for i, c := range s.Cases {
		clock.store = ratelimit.NewMemory(ratelimit.MemoryOptions{})
		results[i] = r.run(c)
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

// ruleNames maps each rule's ref and id to the rules of the zone that
// have it: one, unless rulesets of two phases use the same name.
func ruleNames(rules []*ruleset.Rule) map[string][]*ruleset.Rule {
	names := make(map[string][]*ruleset.Rule, 2*len(rules))
	for _, r := range rules {
		for _, name := range []string{r.Ref, r.ID} {
			if name != "" {
				names[name] = append(names[name], r)
			}
		}
	}
	return names
}

// A runner runs the cases of a suite on its compiled rules.
type runner struct {
	suite *Suite
	zone  *ruleset.ZoneEngine
	ctx   *eval.Context
	names map[string][]*ruleset.Rule
	clock *caseClock
}

func (x *runner) run(c *Case) Result {
	s, ctx := x.suite, x.ctx
	res := Result{Case: c}
	fail := func(at Pos, format string, args ...any) Result {
		res.Err = &Error{Path: s.Path, Pos: at, Msg: fmt.Sprintf(format, args...)}
		return res
	}
	for _, name := range append([]string{c.Rule}, c.Logged...) {
		switch rules := x.names[name]; {
		case name == "":
		case len(rules) == 0:
			return fail(c.At, "%s has no rule with ref or id %q", s.rulesName(), name)
		case len(rules) > 1:
			return fail(c.At, "%q names a rule of %s and one of %s; name the rule by its id", name, x.zone.PhaseOf(rules[0]), x.zone.PhaseOf(rules[1]))
		}
	}
	scheme := x.zone.Scheme()
	times := c.Times
	if times == nil {
		times = []time.Duration{0}
	}
	start := sequenceStart
	for k, offset := range times {
		ctx.Reset()
		if at, err := setValues(ctx, c.Values); err != nil {
			return fail(at, "%v", err)
		}
		if k == 0 {
			if sec := ctx.Get(timestampSec(scheme)); !sec.Missing() {
				start = time.Unix(sec.Int(), 0)
			}
		}
		x.clock.now = start.Add(offset)
		if c.Times != nil {
			setTime(ctx, x.clock.now)
		}
		res.Got = x.zone.Request(ctx)
		if res.Got.ReachesOrigin() {
			x.zone.CountResponse(ctx, &res.Got)
		}
	}
	if x.zone.HasResponsePhase() {
		x.zone.Response(ctx, &res.Got)
	}
	if msg := x.compare(c, res.Got); msg != nil {
		return fail(msg.at, "%s", msg.text)
	}
	return res
}

// setValues gives the fields of ctx a case's values, and each raw.* field
// the case does not give the value of its http.* counterpart: the request
// as it came, before any rewrite. The position is that of a bad value.
func setValues(ctx *eval.Context, values []Value) (Pos, error) {
	scheme := ctx.Scheme()
	given := make(map[string]bool, len(values))
	var raws []fields.Field
	var rawValues []eval.Value
	for _, v := range values {
		f, ok := scheme.Field(v.Field)
		if !ok {
			if near := scheme.Suggest(v.Field); len(near) > 0 {
				return v.FieldAt, fmt.Errorf("unknown field %s; did you mean %s?", v.Field, strings.Join(near, " or "))
			}
			return v.FieldAt, fmt.Errorf("unknown field %s", v.Field)
		}
		value, err := eval.ValueOf(f.Type(), v.Value)
		if err == nil {
			err = ctx.Set(f, value)
		}
		if err != nil {
			return v.At, fmt.Errorf("field %s: %w", v.Field, err)
		}
		given[f.Name()] = true
		if raw, ok := scheme.Field("raw." + f.Name()); ok {
			raws, rawValues = append(raws, raw), append(rawValues, value)
		}
	}
	for i, raw := range raws {
		if !given[raw.Name()] {
			_ = ctx.Set(raw, rawValues[i])
		}
	}
	return Pos{}, nil
}

// A mismatch is how an outcome differs from what a case expects, and
// where in the suite the expectation stands.
type mismatch struct {
	at   Pos
	text string
}

// compare returns the first way got differs from what c expects, in the
// order of the file's keys: the decision, the logs, the redirect, the
// path and query, the request's headers, the response's headers.
func (x *runner) compare(c *Case, got ruleset.Outcome) *mismatch {
	var want *ruleset.Rule
	if c.Rule != "" {
		want = x.names[c.Rule][0]
	}
	if got.Action != c.Action || want != nil && got.Rule != want {
		return &mismatch{c.At, fmt.Sprintf("got %s, want %s", x.describe(got.Action, got.Rule), x.describe(c.Action, want))}
	}
	if c.Logged != nil {
		wantLogged := make([]*ruleset.Rule, len(c.Logged))
		for i, name := range c.Logged {
			wantLogged[i] = x.names[name][0]
		}
		if !slices.Equal(got.Logged, wantLogged) {
			return &mismatch{c.At, fmt.Sprintf("logged %s, want %s", x.ruleList(got.Logged), x.ruleList(wantLogged))}
		}
	}
	if w := c.Redirect; w != nil && (got.Redirect.URL != w.URL || w.Status != 0 && got.Redirect.Status != w.Status) {
		return &mismatch{w.At, fmt.Sprintf("redirect to %s, want %s", redirectText(got.Redirect.URL, got.Redirect.Status), redirectText(w.URL, w.Status))}
	}
	scheme := x.zone.Scheme()
	for _, part := range []struct {
		name      string
		want      *Want
		value     string
		rewritten bool
	}{
		{"path", c.Path, got.Path, got.PathRewritten},
		{"query", c.Query, got.Query, got.QueryRewritten},
	} {
		if part.want == nil {
			continue
		}
		value := part.value
		if !part.rewritten {
			f, _ := scheme.Field("http.request.uri." + part.name)
			value = x.ctx.Get(f).Str()
		}
		if value != part.want.Value {
			how := "the request's own: no URL rewrite changed it"
			if part.rewritten {
				how = "rewritten"
			}
			return &mismatch{part.want.At, fmt.Sprintf("the origin gets the %s %q (%s), want %q", part.name, value, how, part.want.Value)}
		}
	}
	if m := compareHeaders(x.ctx, "http.request.headers", got.Headers, c.Headers, "the origin gets"); m != nil {
		return m
	}
	return compareHeaders(x.ctx, "http.response.headers", got.ResponseHeaders, c.ResponseHeaders, "the response has")
}

// compareHeaders compares the headers wants names with those of the field
// of ctx that holds them once changes are made to them.
func compareHeaders(ctx *eval.Context, field string, changes []ruleset.HeaderChange, wants []HeaderWant, verb string) *mismatch {
	if len(wants) == 0 {
		return nil
	}
	h := textproto.MIMEHeader{}
	if f, ok := ctx.Scheme().Field(field); ok {
		m := ctx.Get(f)
		for _, name := range m.Keys() {
			for _, v := range m.Key(name).Elems() {
				h.Add(name, v.Str())
			}
		}
	}
	ruleset.ApplyHeaders(h, changes)
	for _, w := range wants {
		if got := h.Values(w.Name); !slices.Equal(got, w.Values) {
			return &mismatch{w.At, fmt.Sprintf("%s %s, want %s", verb, headerText(w.Name, got), headerText(w.Name, w.Values))}
		}
	}
	return nil
}

// headerText words a header's values: none, one or several lines.
func headerText(name string, values []string) string {
	if len(values) == 0 {
		return "no " + name + " header"
	}
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = strconv.Quote(v)
	}
	return name + ": " + strings.Join(quoted, ", ")
}

// redirectText words a redirect: its target and status, or none.
func redirectText(url string, status int) string {
	switch {
	case url == "":
		return "nowhere (no redirect)"
	case status == 0:
		return url
	}
	return fmt.Sprintf("%s (%d)", url, status)
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

// describe words a decision: its action and the rule that took it, with
// the rule's phase in a zone of several.
func (x *runner) describe(a ruleset.Action, r *ruleset.Rule) string {
	switch {
	case a == "":
		return None
	case r == nil:
		return string(a)
	}
	return fmt.Sprintf("%s by %s", a, x.ruleName(r))
}

// ruleName names a rule, with its phase in a zone of several.
func (x *runner) ruleName(r *ruleset.Rule) string {
	if len(x.zone.Phases()) > 1 {
		return r.Name() + " of " + x.zone.PhaseOf(r)
	}
	return r.Name()
}

func (x *runner) ruleList(rules []*ruleset.Rule) string {
	if len(rules) == 0 {
		return "nothing"
	}
	names := make([]string, len(rules))
	for i, r := range rules {
		names[i] = x.ruleName(r)
	}
	return strings.Join(names, ", ")
}
