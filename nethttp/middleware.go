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

// loaded is one ruleset with what the middleware prepared for it.
type loaded struct {
	engine    *ruleset.Engine
	matches   []atomic.Uint64 // per rule
	responses []*response     // per rule, for block, redirect and serve_error
	unfilled  []UnfilledRule  // the rules that read fields nothing fills
	geoNeeds  GeoFields       // the geo fields the rules read that the locator fills
	// countsResponses: rate limiting rules count once the response is
	// known, so the request's context lives until then.
	countsResponses bool
}

// New returns a middleware applying rs, or the reasons rs does not compile.
func New(rs *ruleset.Ruleset, opts Options) (*Middleware, error) {
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
	if err := m.Load(rs); err != nil {
		return nil, err
	}
	return m, nil
}

// Load compiles rs and, if it compiles, makes it the ruleset of every
// request that starts from now on; requests under way finish with the old
// one. If it does not compile, the old ruleset stays and Load says why.
// The match counts of rules start again from zero; the counters of rate
// limiting rules stay in the store, by each rule's ref (or id, or place).
// Each rule that reads fields this middleware can never fill is logged as
// a warning (see Unfilled).
func (m *Middleware) Load(rs *ruleset.Ruleset) error {
	engine, err := ruleset.Compile(rs, fields.Cloudflare(), ruleset.RateLimitStore(m.opts.RateLimitStore), ruleset.Clock(m.cfg.now))
	if err != nil {
		return err
	}
	rules := engine.Rules()
	l := &loaded{engine: engine, matches: make([]atomic.Uint64, len(rules)), responses: make([]*response, len(rules)),
		countsResponses: engine.CountsResponses()}
	for i, r := range rules {
		if l.responses[i], err = prepareResponse(r); err != nil {
			return &ruleset.RuleError{Rule: r, Err: err}
		}
	}
	l.unfilled = unfilled(engine, m.fillable)
	l.geoNeeds = geoNeeds(engine) & m.cfg.locates
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
// next sees it.
func (m *Middleware) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, s := m.decide(r)
		if v.Respond(w, r) {
			m.release(s)
			return
		}
		if v.l.countsResponses {
			// Rate limiting rules that count by response read it in the
			// request's context, which waits for it.
			rec := &recorder{ResponseWriter: w, code: http.StatusOK}
			next.ServeHTTP(rec, r)
			rec.fill(s.ctx)
			v.l.engine.CountResponse(s.ctx, v.Decision)
			m.release(s)
			return
		}
		// The context goes back to the pool before the origin answers.
		m.release(s)
		next.ServeHTTP(w, r)
	})
}

// record counts and logs the rules that matched.
func (m *Middleware) record(ctx context.Context, l *loaded, d ruleset.Decision, q *request) {
	matched := func(r *ruleset.Rule, decided bool) {
		l.matches[r.Index].Add(1)
		if c := m.actions[r.Action]; c != nil && (decided || r.Action == ruleset.Log) {
			c.Add(1)
		}
		client := q.clientIP()
		m.opts.Logger.LogAttrs(ctx, slog.LevelInfo, "edgerules: rule matched",
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
	for i, r := range l.engine.Rules() {
		c.Rules = append(c.Rules, RuleCount{ruleName(r), r.Action, l.matches[i].Load()})
	}
	return c
}

// Var returns the counters as an expvar.Var, to publish under a name of
// your choice: expvar.Publish("edgerules", m.Var()).
func (m *Middleware) Var() expvar.Var { return expvar.Func(func() any { return m.Counts() }) }
