package ruleset

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/internal/webpath"
)

// zonePhases are the phases a zone runs, in the order Cloudflare runs them
// on a request's way to the origin and the response's way back: the
// dynamic redirects, the URL rewrites, the custom rules, the rate limiting
// rules, the request header transforms, and, once the origin answers, the
// response header transforms. The phases between them at Cloudflare
// (configuration, origin, managed rules, Super Bot Fight Mode, bulk
// redirects, cache) set Cloudflare's own features; see ignoredPhases.
var zonePhases = [maxPhases]string{DynamicRedirectPhase, URLRewritePhase, CustomPhase, RateLimitPhase, RequestHeadersPhase, ResponseHeadersPhase}

// maxPhases is how many phases a zone runs.
const maxPhases = 6

// skippablePhases are the phases a skip rule's "phases" may name, as
// Cloudflare documents them; of those, a zone runs the rate limiting phase.
var skippablePhases = []string{RateLimitPhase, "http_request_sbfm", "http_request_firewall_managed"}

// skippableProducts are the products a skip rule's "products" may name:
// Cloudflare's security features outside the Ruleset Engine, which do not
// run here.
var skippableProducts = []string{"zoneLockdown", "uaBlock", "bic", "hot", "securityLevel", "rateLimit", "waf"}

// ignoredPhases are the phases a zone knows and does not run, with why.
var ignoredPhases = map[string]string{
	"http_request_firewall_managed": "it runs Cloudflare's managed rulesets, which exist only at Cloudflare",
	"http_request_sbfm":             "Super Bot Fight Mode is Cloudflare's",
	"http_request_redirect":         "bulk redirects read redirect lists kept in a Cloudflare account",
	"http_request_origin":           "origin rules choose Cloudflare's route to an origin; a proxy's own configuration routes",
	"http_request_cache_settings":   "cache rules set Cloudflare's cache",
	"http_config_settings":          "configuration rules set Cloudflare's features",
	"http_response_compression":     "compression rules set Cloudflare's compression",
	"http_custom_errors":            "custom error rules change the error pages Cloudflare serves",
	"http_log_custom_fields":        "custom log fields are Cloudflare's Logpush fields",
	"ddos_l7":                       "DDoS protection is Cloudflare's",
}

// A Source is what a zone is compiled from: one *Ruleset, or a *Zone of
// several.
type Source interface {
	// Rulesets returns the rulesets, one per phase.
	Rulesets() []*Ruleset
}

// Rulesets returns rs alone: a ruleset is a zone of one phase.
func (rs *Ruleset) Rulesets() []*Ruleset { return []*Ruleset{rs} }

// A Zone is a zone's rulesets, at most one per phase, as Cloudflare keeps
// them: the entry point ruleset of each phase. CompileZone runs them in
// Cloudflare's order.
type Zone struct {
	rulesets []*Ruleset
}

// NewZone gathers rulesets into a zone. A ruleset without a phase is the
// custom rules'. Two rulesets of the same phase are an error, as they are
// at Cloudflare, which has one entry point per phase.
func NewZone(rulesets ...*Ruleset) (*Zone, error) {
	seen := map[string]*Ruleset{}
	var errs []error
	for _, rs := range rulesets {
		phase := PhaseOf(rs)
		if prev := seen[phase]; prev != nil {
			errs = append(errs, fmt.Errorf("two rulesets of phase %s (%s and %s); a zone has one per phase", phase, describe(prev), describe(rs)))
			continue
		}
		seen[phase] = rs
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	z := &Zone{rulesets: slices.Clone(rulesets)}
	slices.SortStableFunc(z.rulesets, func(a, b *Ruleset) int { return phaseRank(PhaseOf(a)) - phaseRank(PhaseOf(b)) })
	return z, nil
}

// Rulesets returns the zone's rulesets in the order they run.
func (z *Zone) Rulesets() []*Ruleset { return z.rulesets }

// PhaseOf is the phase a ruleset runs in: its own, or the custom rules'.
func PhaseOf(rs *Ruleset) string {
	if rs.Phase == "" {
		return CustomPhase
	}
	return rs.Phase
}

// phaseRank orders phases as they run; phases a zone does not run come last.
func phaseRank(phase string) int {
	if i := slices.Index(zonePhases[:], phase); i >= 0 {
		return i
	}
	return len(zonePhases)
}

func describe(rs *Ruleset) string {
	if rs.Name != "" {
		return fmt.Sprintf("%q", rs.Name)
	}
	return fmt.Sprintf("a ruleset of %d rules", len(rs.Rules))
}

// An IgnoredRuleset is a ruleset of a phase a zone does not run, with why.
type IgnoredRuleset struct {
	Ruleset *Ruleset
	Phase   string
	Why     string
}

// A ZoneEngine is a compiled zone: an Engine per phase, run in Cloudflare's
// order, with the changes its transform and redirect rules make. It is
// immutable and safe for concurrent use, each request with its own
// eval.Context.
type ZoneEngine struct {
	phases  []zonePhase // in the order they run; the response phase, if any, last
	ignored []IgnoredRuleset
	rules   []*Rule
	scheme  *fields.Scheme
	uri     uriFields
	plain   bool // one request phase whose rules change nothing
	// rateLimitBit is the bit of the rate limiting phase, which a legacy
	// allow passes over; 0 without one.
	rateLimitBit uint32
	sources      []*Ruleset // the rulesets of the phases, as given, in the order of phases
}

// zonePhase is one phase's engine, with the transform of each rule (nil
// for a rule that changes nothing).
type zonePhase struct {
	name       string
	engine     *Engine
	transforms []*transform
	skippable  bool // a skip rule's "phases" may name it: the rate limiting phase
}

// CompileZone compiles each ruleset of src and the expressions of its
// transforms, as Compile does, into a ZoneEngine. Each rule's ZoneIndex is
// its place among all the zone's rules. Rulesets of phases the zone does not
// run are left out and listed by Ignored.
func CompileZone(src Source, scheme *fields.Scheme, options ...Option) (*ZoneEngine, error) {
	rulesets := src.Rulesets()
	if _, isZone := src.(*Zone); !isZone {
		z, err := NewZone(rulesets...)
		if err != nil {
			return nil, err
		}
		rulesets = z.rulesets
	}
	set := settings{}
	for _, o := range options {
		o.set(&set)
	}
	z := &ZoneEngine{scheme: scheme, uri: lookupURIFields(scheme)}
	var errs []error
	for _, rs := range rulesets {
		phase := PhaseOf(rs)
		if phaseRank(phase) == len(zonePhases) {
			why, known := ignoredPhases[phase]
			if !known {
				why = "edgerules does not know this phase"
			}
			z.ignored = append(z.ignored, IgnoredRuleset{Ruleset: rs, Phase: phase, Why: why})
			continue
		}
		engine, err := Compile(rs, scheme, options...)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p := zonePhase{name: phase, engine: engine, transforms: make([]*transform, len(engine.rules)),
			skippable: slices.Contains(skippablePhases, phase)}
		for i, r := range engine.rules {
			r.ZoneIndex = len(z.rules)
			z.rules = append(z.rules, r)
			if p.transforms[i], err = compileTransform(phase, r, scheme, set.expr); err != nil {
				errs = append(errs, err)
			}
		}
		z.phases = append(z.phases, p)
		z.sources = append(z.sources, rs)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	z.rateLimitBit = z.skipBits([]any{RateLimitPhase})
	z.plain = len(z.phases) == 1 && z.phases[0].name != ResponseHeadersPhase &&
		!slices.ContainsFunc(z.phases[0].transforms, func(t *transform) bool { return t != nil })
	return z, nil
}

// compileTransform reads a rule's transform and compiles its expressions;
// Compile has checked them already.
func compileTransform(phase string, r *Rule, scheme *fields.Scheme, opts []expr.Option) (*transform, error) {
	t, errs := readTransform(phase, r)
	if len(errs) > 0 {
		return nil, nil // Validate, in Compile, reported them
	}
	if t == nil {
		if r.Action == Redirect && r.IsEnabled() {
			return nil, &RuleError{Rule: r, Key: "action_parameters.from_list",
				Err: fmt.Errorf("a bulk redirect reads a redirect list kept in a Cloudflare account; edgerules runs single redirects (from_value)")}
		}
		return nil, nil
	}
	exprs := r.Expressions()
	for _, v := range t.values() {
		if v.key == "" {
			continue
		}
		i := slices.IndexFunc(exprs, func(x Expression) bool { return x.Key == v.key })
		if i < 0 {
			return nil, &RuleError{Rule: r, Key: v.key, Err: fmt.Errorf("the expression is not where the rule keeps one")}
		}
		checked, err := exprs[i].Check(scheme, opts...)
		if err == nil {
			v.prog, err = expr.CompileValueChecked(checked, opts...)
		}
		if err != nil {
			return nil, &RuleError{Rule: r, Key: v.key, Err: err}
		}
	}
	return t, nil
}

// Rules returns the engine's own copies of the rules of every phase it
// runs, in the order they run; a rule's place is its ZoneIndex.
func (z *ZoneEngine) Rules() []*Rule { return z.rules }

// Scheme returns the scheme the rules were compiled against.
func (z *ZoneEngine) Scheme() *fields.Scheme { return z.scheme }

// Ignored returns the rulesets of phases the zone does not run, with why.
func (z *ZoneEngine) Ignored() []IgnoredRuleset { return z.ignored }

// Phases returns the phases the zone runs, in order.
func (z *ZoneEngine) Phases() []string {
	out := make([]string, len(z.phases))
	for i, p := range z.phases {
		out[i] = p.name
	}
	return out
}

// Rulesets returns the ruleset of each phase, as it was given (read-only),
// in the order of Phases.
func (z *ZoneEngine) Rulesets() []*Ruleset { return z.sources }

// Engines returns the engine of each phase, in the order of Phases.
func (z *ZoneEngine) Engines() []*Engine {
	out := make([]*Engine, len(z.phases))
	for i, p := range z.phases {
		out[i] = p.engine
	}
	return out
}

// PhaseOf returns the phase of one of the engine's rules.
func (z *ZoneEngine) PhaseOf(r *Rule) string {
	if p := z.phaseOf(r); p != nil {
		return p.name
	}
	return ""
}

func (z *ZoneEngine) phaseOf(r *Rule) *zonePhase {
	for i := range z.phases {
		if rules := z.phases[i].engine.rules; r.Index < len(rules) && rules[r.Index] == r {
			return &z.phases[i]
		}
	}
	return nil
}

// A RuleChange is what one of a zone's rules changes, the same for every
// request: the parts of the URL a rewrite sets, the headers a transform
// changes (their values, which may be computed per request, left out),
// whether it redirects. A service that cannot change requests itself tells
// from it which rules a proxy can honour.
type RuleChange struct {
	Path, Query bool
	// Headers are the names and operations of the header changes: of the
	// request's headers, or of the response's when Response is set.
	Headers  []HeaderChange
	Response bool
	Redirect bool
}

// ChangeOf returns what rule r, one of the engine's, changes: nil for a
// rule that changes nothing.
func (z *ZoneEngine) ChangeOf(r *Rule) *RuleChange {
	p := z.phaseOf(r)
	if p == nil || p.transforms[r.Index] == nil {
		return nil
	}
	t := p.transforms[r.Index]
	c := &RuleChange{Path: t.path != nil, Query: t.query != nil, Response: t.response, Redirect: t.redirect != nil}
	for _, h := range t.headers {
		c.Headers = append(c.Headers, HeaderChange{Op: h.op, Name: h.name})
	}
	return c
}

// An Outcome is what a zone's request phases decided for a request, and
// what they change in it.
type Outcome struct {
	// Decision holds the rule that ended evaluation: a terminating rule,
	// which ends every phase, or else the skip of a ruleset or the legacy
	// allow that ended the last phase one ended. Logged and Applied are the
	// other rules that matched, phase after phase; a skip or an allow that
	// ended an earlier phase, when a later one ended too, is among Applied.
	Decision
	// Redirect is where a redirect rule that decided sends the client.
	Redirect RedirectTarget
	// Path and Query are the request's path and query after the URL
	// rewrites, when PathRewritten and QueryRewritten say they changed.
	Path, Query                   string
	PathRewritten, QueryRewritten bool
	// Headers are the changes to the headers sent to the origin, in order.
	Headers []HeaderChange
	// ResponseHeaders are the changes to the response's headers, once
	// Response has run.
	ResponseHeaders []HeaderChange

	ran, skipped uint32           // bits by phase: the phases that ran, and those a skip rule passed over
	ended        [maxPhases]*Rule // by phase: the rule that ended it, if one did
}

// Request runs the zone's request phases, in order, on the request in c:
// each phase's rules as Engine.Evaluate does. A terminating rule ends
// every phase; a skip of the current ruleset ends its phase; a skip rule's
// "phases" pass over later phases. The matching URL rewrites of a phase
// change the path and query the later phases read (http.request.uri.* in
// c; raw.http.request.uri.* keep the request's own), the last rewrite of
// each winning; header transforms and redirect targets are computed on the
// request as the phase sees it.
func (z *ZoneEngine) Request(c *eval.Context) Outcome {
	var o Outcome
	z.RequestInto(c, &o)
	return o
}

// RequestInto is Request, writing the outcome into o, which must be the
// zero Outcome: a caller on a hot path keeps it where it wants it, uncopied.
func (z *ZoneEngine) RequestInto(c *eval.Context, o *Outcome) {
	if z.plain {
		// One phase that changes nothing: its engine decides alone.
		o.Decision, o.ran = z.phases[0].engine.Evaluate(c), 1
		o.ended[0] = o.Rule
		return
	}
	for i := range z.phases {
		p := &z.phases[i]
		if p.name == ResponseHeadersPhase || o.skipped&(1<<i) != 0 {
			continue
		}
		o.ran |= 1 << i
		d := p.engine.Evaluate(c)
		if d.Rule != nil && o.Rule != nil {
			// The skip or the allow that ended an earlier phase gives way
			// to the rule that ends this one.
			o.Applied = append(o.Applied, o.Rule)
		}
		o.Logged = appendRules(o.Logged, d.Logged)
		o.Applied = appendRules(o.Applied, d.Applied)
		if d.Rule != nil {
			o.Action, o.Rule, o.Until = d.Action, d.Rule, d.Until
			o.ended[i] = d.Rule
		}
		for _, r := range d.Applied {
			z.apply(c, p, r, o)
		}
		if d.Action == Skip {
			z.apply(c, p, d.Rule, o)
		}
		if d.Rule != nil && d.Action.Terminating() {
			if t := p.transforms[d.Rule.Index]; t != nil && t.redirect != nil {
				o.Redirect = z.redirectTo(c, t)
			}
			if d.Action != Allow {
				return
			}
			// A legacy allow lets the request past the security phases
			// that follow; the transforms still run.
			o.skipped |= z.rateLimitBit
		}
		if p.name == URLRewritePhase && (o.PathRewritten || o.QueryRewritten) {
			z.uri.set(c, o.Path, o.PathRewritten, o.Query, o.QueryRewritten)
		}
	}
}

// appendRules appends rules to list, without copying when list is empty.
func appendRules(list, rules []*Rule) []*Rule {
	if len(list) == 0 {
		return rules
	}
	return append(list, rules...)
}

// apply makes the change of rule r, which matched in phase p: a skip of
// later phases, a URL rewrite, header changes.
func (z *ZoneEngine) apply(c *eval.Context, p *zonePhase, r *Rule, o *Outcome) {
	if r.Action == Skip {
		if phases, ok := r.ActionParameters["phases"].([]any); ok {
			o.skipped |= z.skipBits(phases)
		}
		return
	}
	t := p.transforms[r.Index]
	if t == nil {
		return
	}
	if t.path != nil {
		o.Path, o.PathRewritten = t.path.eval(c), true
	}
	if t.query != nil {
		o.Query, o.QueryRewritten = t.query.eval(c), true
	}
	for i := range t.headers {
		h := &t.headers[i]
		change := HeaderChange{Op: h.op, Name: h.name}
		if h.op != RemoveHeader {
			change.Value = h.value.eval(c)
			switch {
			case change.Value == "" && h.op == SetHeader:
				// Cloudflare removes a header set to nothing.
				change.Op = RemoveHeader
			case change.Value == "", headerValue(change.Value, t.response) != nil:
				// A computed value Cloudflare would refuse is not sent.
				continue
			}
		}
		if t.response {
			o.ResponseHeaders = append(o.ResponseHeaders, change)
		} else {
			o.Headers = append(o.Headers, change)
		}
	}
}

// skipBits are the bits of the phases a skip rule's "phases" names that
// may be skipped.
func (z *ZoneEngine) skipBits(phases []any) uint32 {
	var bits uint32
	for i, p := range z.phases {
		if p.skippable && slices.Contains(phases, any(p.name)) {
			bits |= 1 << i
		}
	}
	return bits
}

// redirectTo computes a redirect's target for the request in c.
func (z *ZoneEngine) redirectTo(c *eval.Context, t *transform) RedirectTarget {
	target := t.redirect.eval(c)
	if t.keepQuery {
		if q := c.Get(z.uri.query).Str(); q != "" {
			// The query goes before a fragment, after one the target has.
			base, fragment, hasFragment := strings.Cut(target, "#")
			sep := "?"
			if strings.Contains(base, "?") {
				sep = "&"
			}
			target = base + sep + q
			if hasFragment {
				target += "#" + fragment
			}
		}
	}
	return RedirectTarget{URL: target, Status: t.status}
}

// Response runs the response header phase on the request in c, whose
// context now holds the response's fields (http.response.*), unless a
// rule decided for the request or a skip passed over the phase; it adds
// the changes to o.ResponseHeaders and returns what the phase matched.
func (z *ZoneEngine) Response(c *eval.Context, o *Outcome) Decision {
	if len(z.phases) == 0 || o.Rule != nil && o.Action.Terminating() && o.Action != Allow {
		return Decision{}
	}
	i := len(z.phases) - 1
	p := &z.phases[i]
	if p.name != ResponseHeadersPhase || o.skipped&(1<<i) != 0 {
		return Decision{}
	}
	o.ran |= 1 << i
	d := p.engine.Evaluate(c)
	for _, r := range d.Applied {
		z.apply(c, p, r, o)
	}
	return d
}

// HasResponsePhase reports whether the zone transforms responses, so that
// a caller keeps a request's context until its response and calls Response.
func (z *ZoneEngine) HasResponsePhase() bool {
	return len(z.phases) > 0 && z.phases[len(z.phases)-1].name == ResponseHeadersPhase
}

// CountsResponses reports whether a rate limiting rule of the zone counts
// once the response is known (see Engine.CountsResponses).
func (z *ZoneEngine) CountsResponses() bool {
	return slices.ContainsFunc(z.phases, func(p zonePhase) bool { return p.engine.CountsResponses() })
}

// CountResponse counts a request that reached the origin, whose context
// now holds the response's fields, for the rate limiting rules of the
// phases that ran (see Engine.CountResponse).
func (z *ZoneEngine) CountResponse(c *eval.Context, o *Outcome) {
	for i := range z.phases {
		p := &z.phases[i]
		if o.ran&(1<<i) == 0 || !p.engine.CountsResponses() {
			continue
		}
		p.engine.CountResponse(c, Decision{Rule: o.ended[i]})
	}
}

// uriFields are the fields a URL rewrite changes for the phases after it.
type uriFields struct {
	path, extension, query, uri, fullURI, args, argNames, argValues fields.Field
	ok                                                              bool
}

func lookupURIFields(s *fields.Scheme) uriFields {
	var u uriFields
	u.ok = true
	for name, f := range map[string]*fields.Field{
		"http.request.uri.path": &u.path, "http.request.uri.path.extension": &u.extension,
		"http.request.uri.query": &u.query, "http.request.uri": &u.uri, "http.request.full_uri": &u.fullURI,
		"http.request.uri.args": &u.args, "http.request.uri.args.names": &u.argNames, "http.request.uri.args.values": &u.argValues,
	} {
		var found bool
		if *f, found = s.Field(name); !found {
			u.ok = false
		}
	}
	return u
}

// set gives the URI fields of c the rewritten path and query.
func (u uriFields) set(c *eval.Context, path string, setPath bool, query string, setQuery bool) {
	if !u.ok {
		return
	}
	oldURI, oldFull := c.Get(u.uri), c.Get(u.fullURI)
	if !setPath {
		path = c.Get(u.path).Str()
	}
	if !setQuery {
		query = c.Get(u.query).Str()
	}
	uri := path
	if query != "" {
		uri += "?" + query
	}
	names, values := webpath.Args(query)
	_ = c.Set(u.path, eval.String(path))
	_ = c.Set(u.extension, eval.String(webpath.Extension(path)))
	_ = c.Set(u.query, eval.String(query))
	_ = c.Set(u.uri, eval.String(uri))
	if !oldFull.Missing() {
		_ = c.Set(u.fullURI, eval.String(origin(oldFull.Str(), oldURI.Str())+uri))
	}
	_ = c.Set(u.args, eval.StringsMap(webpath.ArgsMap(names, values)))
	_ = c.Set(u.argNames, eval.Strings(names...))
	_ = c.Set(u.argValues, eval.Strings(values...))
}

// origin is the scheme and host of a full URI: what comes before its URI,
// or else before the first / after "://".
func origin(full, uri string) string {
	if o, ok := strings.CutSuffix(full, uri); ok && uri != "" {
		return o
	}
	scheme, rest, ok := strings.Cut(full, "://")
	if !ok {
		return ""
	}
	host, _, _ := strings.Cut(rest, "/")
	host, _, _ = strings.Cut(host, "?")
	return scheme + "://" + host
}
