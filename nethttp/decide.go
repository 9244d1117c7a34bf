package nethttp

import (
	"net/http"
	"net/url"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/ruleset"
)

// A Verdict is what the rules decided for one request, and what they
// change in it, with what the middleware answers for it.
type Verdict struct {
	ruleset.Outcome
	m *Middleware
	l *loaded
}

// Decide evaluates the rules in force on r, and counts and logs the rules
// that matched, as Wrap does. It does not answer: Respond does. A service
// that only decides (a proxy's forward-auth endpoint) calls it with the
// request the proxy forwards.
func (m *Middleware) Decide(r *http.Request) Verdict {
	var v Verdict
	m.release(m.decide(r, &v))
	return v
}

// decide is Decide, writing the verdict into v, which must be the zero
// Verdict, and keeping the request's context (its slot) for the caller to
// release: Wrap counts responses in it.
func (m *Middleware) decide(r *http.Request, v *Verdict) *slot {
	l := m.current.Load()
	s := m.acquire(r, l.geoNeeds)
	v.m, v.l = m, l
	l.zone.RequestInto(s.ctx, &v.Outcome)
	m.requests.Add(1)
	m.record(r.Context(), l, v.Decision, &s.req)
	return s
}

// acquire takes a slot from the pool and points its resolvers at r, for
// rules that read the geo fields geoNeeds.
func (m *Middleware) acquire(r *http.Request, geoNeeds GeoFields) *slot {
	s := m.pool.Get().(*slot)
	s.begin(r, &m.cfg, geoNeeds)
	return s
}

// release returns a request's slot to the pool.
func (m *Middleware) release(s *slot) {
	s.ctx.Reset()
	s.req, s.respHeader = request{}, nil
	m.pool.Put(s)
}

// Zone returns the compiled zone that decided the verdict: the rules in
// force when the request came, whatever a reload did since.
func (v Verdict) Zone() *ruleset.ZoneEngine { return v.l.zone }

// Zone returns the compiled zone in force.
func (m *Middleware) Zone() *ruleset.ZoneEngine { return m.current.Load().zone }

// Stops reports whether the verdict keeps the request from the origin: a
// block, challenge, redirect or serve_error, unless the middleware only
// detects.
func (v Verdict) Stops() bool {
	if v.m.opts.DetectionOnly {
		return false
	}
	switch v.Action {
	case ruleset.Block, ruleset.ServeError, ruleset.Redirect,
		ruleset.Challenge, ruleset.JSChallenge, ruleset.ManagedChallenge:
		return true
	}
	return false
}

// Respond writes the answer of a verdict that stops the request (the
// rule's response, or the challenge) and reports whether it did; for any
// other verdict it writes nothing.
func (v Verdict) Respond(w http.ResponseWriter, r *http.Request) bool { return v.respond(w, r) }

// respond is Respond on the verdict where it stands, uncopied.
func (v *Verdict) respond(w http.ResponseWriter, r *http.Request) bool {
	return v.Stops() && v.m.respond(w, r, v.l, &v.Outcome)
}

// Apply returns r as the verdict's URL rewrites and request header
// transforms change it, for the origin: r itself when they change nothing,
// else a copy (r is left as it was). The rewritten path and query replace
// r.URL's; r.RequestURI stays what the client sent.
func (v Verdict) Apply(r *http.Request) *http.Request {
	if !v.PathRewritten && !v.QueryRewritten && len(v.Headers) == 0 {
		return r
	}
	out := new(http.Request)
	*out = *r
	u := *r.URL
	out.URL = &u
	if v.PathRewritten {
		u.RawPath = v.Path
		if p, err := url.PathUnescape(v.Path); err == nil {
			u.Path = p
		} else {
			u.Path, u.RawPath = v.Path, ""
		}
	}
	if v.QueryRewritten {
		u.RawQuery = v.Query
	}
	if len(v.Headers) > 0 {
		if out.Header = r.Header.Clone(); out.Header == nil {
			out.Header = http.Header{} // a request made in code may have none
		}
		ruleset.ApplyHeaders(out.Header, v.Headers)
	}
	return out
}

// PlainBlock returns the status of a block whose rule gives no response of
// its own (403), for a server that answers such a block with its own error
// page, as Caddy's handle_errors does. It returns 0 for any other verdict:
// a rate limit's block, whose answer tells when to retry, is Respond's; and
// when the middleware only detects.
func (v Verdict) PlainBlock() int {
	if !v.Stops() || v.Action != ruleset.Block || !v.Until.IsZero() {
		return 0
	}
	if resp := v.l.responses[v.Rule.ZoneIndex]; !resp.own {
		return resp.status
	}
	return 0
}

// Match reports whether f holds for r, with the request's fields read as
// the middleware reads them. f must be compiled against
// fields.Cloudflare(). Nothing is counted or logged.
func (m *Middleware) Match(f *eval.Filter, r *http.Request) bool {
	s := m.acquire(r, geoReads(f.Uses.Fields()...)&m.cfg.locates)
	defer m.release(s)
	return f.Match(s.ctx)
}

// RuleName names a rule as the middleware's logs and counts do: its ref,
// else its id, else its place in the ruleset.
func RuleName(r *ruleset.Rule) string { return ruleName(r) }
