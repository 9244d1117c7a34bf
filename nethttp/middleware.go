package nethttp

import (
	"context"
	"errors"
	"expvar"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/ratelimit"
	"github.com/edgerules/edgerules/ruleset"
)

// Options configure a Middleware. The zero Options trust no proxy, read
// bot signals with CloudflareHeaders, locate no address, verify no
// crawler, answer challenges with DefaultChallenge and log to
// slog.Default().
type Options struct {
	// TrustedProxies are the networks whose X-Forwarded-For, Forwarded and
	// bot headers are believed.
	TrustedProxies []netip.Prefix
	// ClientAddr, if set, says who the client is and whether the request
	// came through a trusted proxy, for a server that has worked it out
	// already (Caddy's client_ip, which honours its trusted_proxies);
	// TrustedProxies are then not read.
	ClientAddr func(r *http.Request) (client netip.Addr, trusted bool)
	// Scorer fills the cf.bot_management.* fields.
	Scorer BotScorer
	// Crawlers fill cf.client.bot, cf.bot_management.verified_bot and
	// cf.verified_bot_category where the Scorer does not know them (no
	// trusted Cloudflare header says); see package crawler.
	Crawlers CrawlerVerifier
	// Locator fills the ip.src.* fields (country, ASN, city, ...) that no
	// trusted proxy's Cloudflare headers give; see package geoip.
	Locator Locator
	// Challenge answers the challenge actions (challenge, js_challenge,
	// managed_challenge).
	Challenge http.Handler
	// Logger receives a record for each rule that matches.
	Logger *slog.Logger
	// DetectionOnly logs what the rules decide and lets every request through.
	DetectionOnly bool
	// Now gives the time of a request (http.request.timestamp.*), at
	// which rate limiting rules count it.
	Now func() time.Time
	// ChangeInPlace makes the URL rewrites and request header transforms
	// change the request the middleware was given, rather than pass on a
	// copy, for a server whose other handlers read that request (Caddy's
	// placeholders); its RequestURI becomes the rewritten path and query, as
	// Caddy's rewrite handler sets it.
	ChangeInPlace bool
	// RateLimitStore keeps the counters of rate limiting rules: a
	// redisstore.Store shares them among a fleet. By default the
	// middleware counts in a ratelimit.Memory of its own, which keeps its
	// counts when Load replaces the ruleset.
	RateLimitStore ratelimit.Store
}

type config struct {
	trustedProxies []netip.Prefix
	clientAddr     func(r *http.Request) (netip.Addr, bool)
	scorer         BotScorer
	crawlers       CrawlerVerifier
	locator        Locator
	locates        GeoFields // the fields locator fills
	now            func() time.Time
}

func (c *config) trusted(a netip.Addr) bool {
	for _, p := range c.trustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// A Middleware applies a ruleset to the requests of an http.Handler. Its
// ruleset can be replaced while it serves; it is safe for concurrent use.
type Middleware struct {
	cfg      config
	fillable []bool // by slot: the fields cfg can fill
	opts     Options
	current  atomic.Pointer[loaded]
	pool     sync.Pool
	requests atomic.Uint64
	actions  map[ruleset.Action]*atomic.Uint64
}

// loaded is one zone with what the middleware prepared for it.
type loaded struct {
	zone      *ruleset.ZoneEngine
	matches   []atomic.Uint64 // per rule, by ZoneIndex
	responses []*response     // per rule, for block and serve_error
	unfilled  []UnfilledRule  // the rules that read fields nothing fills
	geoNeeds  GeoFields       // the geo fields the rules read that the locator fills
	// waits: rate limiting rules count once the response is known, or
	// response header transforms change it, so the request's context lives
	// until then.
	waits bool
}

// New returns a middleware applying rules (a *ruleset.Ruleset, or a
// *ruleset.Zone of a ruleset per phase), or the reasons they do not
// compile.
func New(rules ruleset.Source, opts Options) (*Middleware, error) {
	if bindErr != nil {
		return nil, bindErr
	}
	m := &Middleware{cfg: config{trustedProxies: opts.TrustedProxies, clientAddr: opts.ClientAddr, scorer: opts.Scorer, crawlers: opts.Crawlers, locator: opts.Locator, now: opts.Now}, opts: opts,
		actions: map[ruleset.Action]*atomic.Uint64{}}
	if opts.Locator != nil {
		var err error
		if m.cfg.locates, err = GeoFieldsOf(opts.Locator.Fills()...); err != nil {
			return nil, fmt.Errorf("the Locator's Fills: %w", err)
		}
	}
	if m.cfg.scorer == nil {
		m.cfg.scorer = CloudflareHeaders{}
	}
	if m.opts.Challenge == nil {
		m.opts.Challenge = DefaultChallenge
	}
	if m.opts.Logger == nil {
		m.opts.Logger = slog.Default()
	}
	if m.cfg.now == nil {
		m.cfg.now = time.Now
	}
	if m.opts.RateLimitStore == nil {
		m.opts.RateLimitStore = ratelimit.NewMemory(ratelimit.MemoryOptions{})
	}
	for _, a := range []ruleset.Action{ruleset.Block, ruleset.Challenge, ruleset.JSChallenge, ruleset.ManagedChallenge,
		ruleset.Redirect, ruleset.ServeError, ruleset.Skip, ruleset.Allow, ruleset.Log} {
		m.actions[a] = new(atomic.Uint64)
	}
	m.fillable = fillable(&m.cfg)
	m.pool.New = func() any { return newSlot(&m.cfg) }
	if err := m.Load(rules); err != nil {
		return nil, err
	}
	return m, nil
}

// Load compiles rules and, if they compile, makes them the rules of every
// request that starts from now on; requests under way finish with the old
// ones. If they do not compile, the old rules stay and Load says why.
// The match counts of rules start again from zero; the counters of rate
// limiting rules stay in the store, by each rule's ref (or id, or place).
// Each rule that reads fields this middleware can never fill is logged as
// a warning (see Unfilled), and so is each ruleset of a phase the
// middleware does not run.
func (m *Middleware) Load(rules ruleset.Source) error {
	zone, err := ruleset.CompileZone(rules, fields.Cloudflare(), ruleset.RateLimitStore(m.opts.RateLimitStore), ruleset.Clock(m.cfg.now))
	if err != nil {
		return err
	}
	all := zone.Rules()
	l := &loaded{zone: zone, matches: make([]atomic.Uint64, len(all)), responses: make([]*response, len(all)),
		waits: zone.CountsResponses() || zone.HasResponsePhase()}
	for i, r := range all {
		if l.responses[i], err = prepareResponse(r); err != nil {
			return &ruleset.RuleError{Rule: r, Err: err}
		}
	}
	for _, ig := range zone.Ignored() {
		m.opts.Logger.Warn("edgerules: a ruleset of this phase does not run here", "phase", ig.Phase,
			"rules", len(ig.Ruleset.Rules), "why", ig.Why)
	}
	l.unfilled = unfilled(zone, m.fillable)
	l.geoNeeds = geoNeeds(zone) & m.cfg.locates
	for _, u := range l.unfilled {
		m.opts.Logger.Warn("edgerules: the rule reads fields nothing fills here; its tests on them never hold",
			"ref", u.Rule, "fields", u.Fields)
	}
	m.current.Store(l)
	return nil
}

// Unfilled returns the rules of the current ruleset that read fields this
// middleware, as it is set up, can never fill, with those fields.
func (m *Middleware) Unfilled() []UnfilledRule { return m.current.Load().unfilled }

// A slot is the per-request state of one request at a time: a context
// whose resolvers read the request it holds. Slots are pooled.
type slot struct {
	ctx *eval.Context
	req request
	geo geoState
	// respHeader are the headers of the response, once the origin answered.
	respHeader http.Header
}

// begin makes the slot's resolvers read r, for rules that read the geo
// fields geoNeeds (which the locator fills).
func (s *slot) begin(r *http.Request, cfg *config, geoNeeds GeoFields) {
	s.req = request{r: r, cfg: cfg, geo: &s.geo, geoNeeds: geoNeeds}
}

func newSlot(cfg *config) *slot {
	s := &slot{ctx: eval.NewContext(fields.Cloudflare())}
	for _, b := range bound {
		// A bound field is the standard scheme's, which the context has:
		// SetResolver cannot refuse it.
		_ = s.ctx.SetResolver(b.field, func(*eval.Context) eval.Value { return b.compute(&s.req) })
	}
	_ = s.ctx.SetResolver(responseHeaders, func(*eval.Context) eval.Value { return responseHeadersOf(s) })
	return s
}

// A binding is a field the middleware fills, with how it computes it.
type binding struct {
	field   fields.Field
	compute func(q *request) eval.Value
}

// bound are the fields of resolvers and botFields, looked up once in the
// standard scheme; bindErr names a field the scheme lacks, which New
// reports rather than leaving that field silently unfilled.
var bound, bindErr = bind(fields.Cloudflare(), []map[string]func(q *request) eval.Value{resolvers, crawlerFields}, botFields, geoFields)

func bind(scheme *fields.Scheme, fromRequest []map[string]func(q *request) eval.Value, fromBot map[string]func(b *Bot) eval.Value,
	fromLocation []geoField) ([]binding, error) {
	var out []binding
	var errs []error
	add := func(name string, compute func(q *request) eval.Value) {
		f, ok := scheme.Field(name)
		if !ok {
			errs = append(errs, fmt.Errorf("nethttp fills %s, a field the scheme does not have", name))
			return
		}
		out = append(out, binding{f, compute})
	}
	for _, m := range fromRequest {
		for name, resolve := range m {
			add(name, resolve)
		}
	}
	for name, read := range fromBot {
		add(name, func(q *request) eval.Value { return read(q.botSignals()) })
	}
	for i, g := range fromLocation {
		add(g.name, func(q *request) eval.Value { return q.geoValue(i) })
	}
	return out, errors.Join(errs...)
}

// Wrap returns a handler that applies the rules to each request before
// next sees it: it answers for a rule that stops the request, and passes
// on the request as the URL rewrites and request header transforms changed
// it; response header transforms change the response's headers before
// they are sent. A middleware that only detects changes nothing.
func (m *Middleware) Wrap(next http.Handler) http.Handler {
	var n Next = handlerNext{next}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _ = m.Serve(w, r, n, nil) })
}

// record counts and logs the rules that matched.
func (m *Middleware) record(ctx context.Context, l *loaded, d ruleset.Decision, q *request) {
	matched := func(r *ruleset.Rule, decided bool) {
		l.matches[r.ZoneIndex].Add(1)
		if c := m.actions[r.Action]; c != nil && (decided || r.Action == ruleset.Log) {
			c.Add(1)
		}
		// A transform changes requests as a matter of course: its matches
		// are logged at debug level.
		level := slog.LevelInfo
		if r.Action == ruleset.Rewrite {
			level = slog.LevelDebug
		}
		if !m.opts.Logger.Enabled(ctx, level) {
			return
		}
		client := q.clientIP()
		m.opts.Logger.LogAttrs(ctx, level, "edgerules: rule matched",
			slog.String("ref", ruleName(r)), slog.String("action", string(r.Action)),
			slog.Bool("decided", decided), slog.Bool("detection_only", m.opts.DetectionOnly),
			slog.String("client", client.String()), slog.String("method", q.r.Method),
			slog.String("host", q.r.Host), slog.String("path", q.r.URL.Path))
	}
	for _, r := range d.Logged {
		matched(r, false)
	}
	for _, r := range d.Applied {
		matched(r, false)
	}
	if d.Rule != nil {
		matched(d.Rule, true)
	}
}

// ruleName is a rule's ref, else its id, else its place.
func ruleName(r *ruleset.Rule) string {
	switch {
	case r.Ref != "":
		return r.Ref
	case r.ID != "":
		return r.ID
	}
	return r.Name()
}

// Counts are what a middleware has seen.
type Counts struct {
	Requests uint64                    `json:"requests"`
	Actions  map[ruleset.Action]uint64 `json:"actions"`            // decisions taken, and log matches
	Rules    []RuleCount               `json:"rules"`              // matches of each rule of the current ruleset
	Unfilled []UnfilledRule            `json:"unfilled,omitempty"` // rules that read fields nothing fills
}

// A RuleCount is how often a rule matched.
type RuleCount struct {
	Rule    string         `json:"rule"`
	Action  ruleset.Action `json:"action"`
	Matches uint64         `json:"matches"`
}

// Counts returns the counters: requests, actions, and matches per rule of
// the current ruleset.
func (m *Middleware) Counts() Counts {
	l := m.current.Load()
	c := Counts{Requests: m.requests.Load(), Actions: map[ruleset.Action]uint64{}, Unfilled: l.unfilled}
	for a, n := range m.actions {
		c.Actions[a] = n.Load()
	}
	for i, r := range l.zone.Rules() {
		c.Rules = append(c.Rules, RuleCount{ruleName(r), r.Action, l.matches[i].Load()})
	}
	return c
}

// Var returns the counters as an expvar.Var, to publish under a name of
// your choice: expvar.Publish("edgerules", m.Var()).
func (m *Middleware) Var() expvar.Var { return expvar.Func(func() any { return m.Counts() }) }
