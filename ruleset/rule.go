// Package ruleset holds ordered rules with actions, as Cloudflare's
// Rulesets API shapes them: loading them from JSON or YAML, and evaluating
// them against a request the way the Ruleset Engine does.
//
//	file, err := ruleset.Load("rules.yaml")              // or Parse: JSON, YAML, legacy exports
//	engine, err := ruleset.Compile(file.Ruleset, fields.Cloudflare())
//	d := engine.Evaluate(ctx)                            // d.Action, d.Rule, d.Logged
//
// Parse reads every shape users keep (a list of rules, a ruleset, an API
// response, the legacy Firewall Rules and Filters exports) and reports
// every problem of a file's shape at its line and column, in an ErrorList.
// Each rule knows where its expressions stand in its file: Rule.Expressions
// gives the filter and the expressions of its parameters, each with its
// Location and its Check and Compile. Validate reports rules the engine
// cannot run; Compile checks and compiles them into an Engine, which keeps
// its own copy of the rules and is safe for concurrent use.
//
// Rate limiting rules (a Rule with Ratelimit, read by Rule.RateLimit)
// count the requests they select in a ratelimit.Store, in memory unless
// the RateLimitStore option gives another, at the time of the request
// (http.request.timestamp.*, or the Clock option); such a rule matches
// only when its key is over its limit. Engine.CountResponse counts the
// rules that wait for the response.
//
// A zone is a ruleset per phase (NewZone); CompileZone runs its phases in
// Cloudflare's order, dynamic redirects, URL rewrites, custom rules, rate
// limits, request and then response header transforms, and gives in an
// Outcome what they decided and what they change in the request and its
// response. A single Ruleset is a zone of one phase.
//
// File.Rewrite and File.Edit change expressions in the file's text and
// nothing else, in the style each string is written in, and verify the new
// text before they return it: a formatter and a linter's fixes go through
// them.
package ruleset

import (
	"fmt"
	"slices"
	"strings"

	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/internal/doc"
)

// An Action is what a rule does when its expression matches.
type Action string

// The actions of the Ruleset Engine, and the legacy Firewall Rules actions
// allow and bypass.
const (
	Block            Action = "block"
	Challenge        Action = "challenge"
	JSChallenge      Action = "js_challenge"
	ManagedChallenge Action = "managed_challenge"
	Redirect         Action = "redirect"
	ServeError       Action = "serve_error"
	Log              Action = "log"
	Skip             Action = "skip"
	Execute          Action = "execute"
	Rewrite          Action = "rewrite"
	Route            Action = "route"
	SetConfig        Action = "set_config"
	CompressResponse Action = "compress_response"
	SetCacheSettings Action = "set_cache_settings"
	LogCustomField   Action = "log_custom_field"
	Allow            Action = "allow"  // legacy: ends evaluation and lets the request through
	Bypass           Action = "bypass" // legacy: lets the request skip the products it names
)

var actions = []Action{
	Block, Challenge, JSChallenge, ManagedChallenge, Redirect, ServeError, Log, Skip, Execute, Rewrite,
	Route, SetConfig, CompressResponse, SetCacheSettings, LogCustomField, Allow, Bypass,
}

// Known reports whether a is an action of the Ruleset Engine or a legacy one.
func (a Action) Known() bool { return slices.Contains(actions, a) }

// Terminating reports whether a ends the evaluation of the ruleset when its
// rule matches: blocks, challenges, redirects, served errors, and allow.
func (a Action) Terminating() bool {
	switch a {
	case Block, Challenge, JSChallenge, ManagedChallenge, Redirect, ServeError, Allow:
		return true
	}
	return false
}

// Mitigating reports whether a stops or challenges the request.
func (a Action) Mitigating() bool {
	switch a {
	case Block, Challenge, JSChallenge, ManagedChallenge:
		return true
	}
	return false
}

// A Rule is one rule of a ruleset, with the fields of Cloudflare's Rulesets
// API that matter here; others in a file are ignored.
type Rule struct {
	ID               string         `json:"id,omitempty" yaml:"id,omitempty"`
	Ref              string         `json:"ref,omitempty" yaml:"ref,omitempty"`
	Description      string         `json:"description,omitempty" yaml:"description,omitempty"`
	Expression       string         `json:"expression" yaml:"expression"`
	Action           Action         `json:"action" yaml:"action"`
	ActionParameters map[string]any `json:"action_parameters,omitempty" yaml:"action_parameters,omitempty"`
	// Ratelimit holds a rate limiting rule's parameters as the API gives
	// them.
	Ratelimit map[string]any `json:"ratelimit,omitempty" yaml:"ratelimit,omitempty"`
	// ExposedCredentialCheck holds the username and password expressions
	// of an exposed-credential check.
	ExposedCredentialCheck map[string]any `json:"exposed_credential_check,omitempty" yaml:"exposed_credential_check,omitempty"`
	// Enabled is true when absent, as in the API.
	Enabled *bool `json:"enabled,omitempty" yaml:"enabled,omitempty"`

	// Index is the rule's place in its ruleset, from 0.
	Index int `json:"-" yaml:"-"`
	// ZoneIndex is the rule's place among the rules of every phase of the
	// ZoneEngine it was compiled into, from 0; Index for an Engine's own.
	ZoneIndex int `json:"-" yaml:"-"`
	// Source is where the expression stands in the file the rule was read
	// from; nil for a rule made in code.
	Source *Location `json:"-" yaml:"-"`

	node *ruleNode // the object the rule was read from; nil for a rule made in code
}

// IsEnabled reports whether the rule takes part in evaluation.
func (r *Rule) IsEnabled() bool { return r.Enabled == nil || *r.Enabled }

// SkipsRuleset reports whether the rule is a skip of the rest of the current
// ruleset (action_parameters.ruleset = "current").
func (r *Rule) SkipsRuleset() bool {
	return r.Action == Skip && r.ActionParameters["ruleset"] == "current"
}

// Name identifies the rule in messages: rule 3 (ref "api").
func (r *Rule) Name() string { return r.nameAt(r.Index) }

// nameAt names the rule as the one at index i of its ruleset.
func (r *Rule) nameAt(i int) string {
	switch {
	case r.Ref != "":
		return fmt.Sprintf("rule %d (ref %q)", i+1, r.Ref)
	case r.ID != "":
		return fmt.Sprintf("rule %d (id %s)", i+1, r.ID)
	}
	return fmt.Sprintf("rule %d", i+1)
}

// clone returns a copy of the rule that shares nothing the caller may
// change: its parameters are copied too.
func (r *Rule) clone() *Rule {
	c := *r
	if r.Enabled != nil {
		enabled := *r.Enabled
		c.Enabled = &enabled
	}
	c.ActionParameters = deepCopy(r.ActionParameters)
	c.Ratelimit = deepCopy(r.Ratelimit)
	c.ExposedCredentialCheck = deepCopy(r.ExposedCredentialCheck)
	return &c
}

// deepCopy copies a map of the values JSON decodes into.
func deepCopy(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return copyValue(m).(map[string]any)
}

func copyValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		c := make(map[string]any, len(v))
		for k, x := range v {
			c[k] = copyValue(x)
		}
		return c
	case []any:
		c := make([]any, len(v))
		for i, x := range v {
			c[i] = copyValue(x)
		}
		return c
	}
	return v
}

// A Ruleset is an ordered list of rules.
type Ruleset struct {
	Name        string `json:"name,omitempty" yaml:"name,omitempty"`
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
	// Kind is the ruleset's kind: zone, custom, managed or root.
	Kind  string  `json:"kind,omitempty" yaml:"kind,omitempty"`
	Phase string  `json:"phase,omitempty" yaml:"phase,omitempty"`
	Rules []*Rule `json:"rules" yaml:"rules"`
	// Shape is the API the rules were read in: the Rulesets API unless the
	// file was a legacy export.
	Shape Shape `json:"-" yaml:"-"`
}

// A RuleError is a problem with one rule of a ruleset.
type RuleError struct {
	Rule *Rule
	// Key names the part of the rule the problem is with, such as "action"
	// or "action_parameters.uri.path.expression", for Rule.Position; empty
	// for the rule as a whole or its expression.
	Key string
	Err error

	at int // the rule's place in the ruleset Validate read, from 1; 0 for Rule.Index
}

// Error names the rule and says what is wrong with it.
func (e *RuleError) Error() string {
	i := e.Rule.Index
	if e.at > 0 {
		i = e.at - 1
	}
	name := e.Rule.nameAt(i)
	if strings.Contains(e.Key, ".") {
		name += ", " + e.Key // one of the parameters' expressions
	}
	return name + ": " + e.Err.Error()
}

// Unwrap returns what is wrong with the rule.
func (e *RuleError) Unwrap() error { return e.Err }

// Validate reports rules with no expression, rules with no action (filters
// need none), unknown actions and actions their phase does not have,
// rate limiting parameters that are not as Cloudflare documents them (see
// RateLimit), and repeated refs, one RuleError each, naming each rule by its place in rs.
// It changes nothing.
func (rs *Ruleset) Validate() []*RuleError {
	var errs []*RuleError
	first := map[string]int{} // the place of the first rule with each ref
	add := func(i int, key string, err error) {
		errs = append(errs, &RuleError{Rule: rs.Rules[i], Key: key, Err: err, at: i + 1})
	}
	for i, r := range rs.Rules {
		if strings.TrimSpace(r.Expression) == "" && !r.reported("expression") {
			add(i, "expression", fmt.Errorf("the rule has no expression"))
		}
		if err := rs.validateAction(r); err != nil {
			add(i, "action", err)
		} else {
			// The parameters of an action the phase has.
			_, errs := readTransform(PhaseOf(rs), r)
			for _, e := range errs {
				add(i, e.key, e.err)
			}
		}
		for _, e := range rs.validateRateLimit(r) {
			add(i, e.key, e.err)
		}
		if prev, dup := first[r.Ref]; dup && r.Ref != "" {
			add(i, "ref", fmt.Errorf("ref %q is already used by %s", r.Ref, rs.Rules[prev].nameAt(prev)))
		} else if !dup {
			first[r.Ref] = i
		}
	}
	return errs
}

// validateAction reports a missing or unknown action, or one that the
// ruleset's phase, or the legacy Firewall Rules, do not have.
func (rs *Ruleset) validateAction(r *Rule) error {
	a := r.Action
	switch {
	case rs.Shape == FiltersShape, a == "" && (r.reported("action") || rs.Shape == ObjectsShape):
		return nil
	case a == "":
		return fmt.Errorf(`the rule has no "action"`)
	case !a.Known():
		return a.Validate()
	}
	allowed, known := phaseActions[rs.Phase]
	what := fmt.Sprintf("the phase %s", rs.Phase)
	if rs.Shape == FirewallRulesShape {
		allowed, known, what = firewallRuleActions, true, "a legacy firewall rule"
	}
	if !known || slices.Contains(allowed, a) {
		return nil
	}
	if a == Allow || a == Bypass {
		return fmt.Errorf("%s has no action %q, which is the legacy Firewall Rules'; use skip, with action_parameters {\"ruleset\": \"current\"} or the phases and products to skip", what, a)
	}
	names := make([]string, len(allowed))
	for i, x := range allowed {
		names[i] = string(x)
	}
	return fmt.Errorf("%s has no action %q; its actions are %s", what, a, strings.Join(names, ", "))
}

// reported reports whether Parse reported the string at key already: the
// file gave it a value of the wrong kind, or misspelt the key.
func (r *Rule) reported(key string) bool {
	if r.node == nil {
		return false
	}
	n := r.node.at(r.pathOf(key))
	return n != nil && n.Kind != doc.String || slices.Contains(r.node.misspelt, key)
}

// Validate reports an unknown action, naming the known action it is
// closest to.
func (a Action) Validate() error {
	if a.Known() {
		return nil
	}
	names := make([]string, len(actions))
	for i, known := range actions {
		names[i] = string(known)
	}
	if near := fields.Closest(string(a), names, 1); len(near) > 0 {
		return fmt.Errorf("unknown action %q; did you mean %q?", a, near[0])
	}
	return fmt.Errorf("unknown action %q; the actions are %s", a, strings.Join(names, ", "))
}
