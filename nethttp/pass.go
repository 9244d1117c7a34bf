package nethttp

import (
	"net/http"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/ruleset"
)

// Next is the rest of a server's chain of handlers, for a server whose
// handlers return an error, as Caddy's caddyhttp.Handler does.
type Next interface {
	ServeHTTP(w http.ResponseWriter, r *http.Request) error
}

// handlerNext is an http.Handler as a Next.
type handlerNext struct{ h http.Handler }

func (n handlerNext) ServeHTTP(w http.ResponseWriter, r *http.Request) error {
	n.h.ServeHTTP(w, r)
	return nil
}

// Serve is Wrap's handler for a server whose handlers return an error: it
// applies the rules to r, answers for a rule that stops it or passes it on
// to next as the rules change it, and returns next's error. If plainBlock
// is not nil, a block whose rule gives no response of its own (see
// Verdict.PlainBlock) is not answered: Serve returns the error plainBlock
// makes of it, so that the server answers with its own error page.
func (m *Middleware) Serve(w http.ResponseWriter, r *http.Request, next Next, plainBlock func(status int, v Verdict) error) error {
	var p Pass
	s := m.decide(r, &p.Verdict)
	if plainBlock != nil {
		if status := p.PlainBlock(); status != 0 {
			m.release(s)
			return plainBlock(status, p.Verdict)
		}
	}
	if p.respond(w, r) {
		m.release(s)
		return nil
	}
	m.keep(&p, s)
	if p.Changes() {
		r = m.apply(&p, r)
	}
	if p.s == nil {
		return next.ServeHTTP(w, r)
	}
	// Only a request whose response is awaited copies its Pass.
	return wait(w, r, next, p)
}

// wait passes r on to next with the request's context kept in p until the
// response: rate limiting rules that count by response, and response
// header transforms, read it there.
func wait(w http.ResponseWriter, r *http.Request, next Next, p Pass) error {
	rec := &recorder{ResponseWriter: w, code: http.StatusOK, ready: func(rec *recorder) { p.Responded(rec.code, rec.Header()) }}
	err := next.ServeHTTP(rec, r)
	rec.header()
	p.Done()
	return err
}

// A Pass is a request the rules let through to the origin: the verdict
// and, when the rules read or change the origin's response, the request's
// context, kept until Done.
type Pass struct {
	Verdict
	s *slot // nil: nothing waits for the response
}

// Pass applies the rules to r for a server that hands the request on and
// sees the response later, in calls of its own (a WebAssembly guest of a
// proxy): if they stop r, Pass answers it through w, as Respond does, and
// reports false. Otherwise it returns the Pass of r, and r as it was: when
// the verdict Changes the request, the caller makes its URL rewrite and
// header changes (Path, Query, Headers) on the request it hands on. Once
// the origin answered, call the Pass's Responded with the response, then
// Done.
func (m *Middleware) Pass(w http.ResponseWriter, r *http.Request) (Pass, bool) {
	var p Pass
	s := m.decide(r, &p.Verdict)
	if p.respond(w, r) {
		m.release(s)
		return Pass{}, false
	}
	m.keep(&p, s)
	return p, true
}

// keep keeps the request's context in p if something waits for the
// response, and lets it go otherwise.
func (m *Middleware) keep(p *Pass, s *slot) {
	if p.l.waits {
		p.s = s
		return
	}
	// The context goes back to the pool before the origin answers.
	m.release(s)
}

// apply returns r as the verdict of p changes it: a copy (Verdict.Apply),
// or r itself with Options.ChangeInPlace.
func (m *Middleware) apply(p *Pass, r *http.Request) *http.Request {
	out := p.Apply(r)
	if !m.opts.ChangeInPlace {
		return out
	}
	if p.s != nil {
		// The rules go on reading the request as it came (the raw.*
		// fields, and those of the phases that ran) from a copy of it.
		came := new(http.Request)
		*came = *r
		p.s.req.r = came
	}
	*r = *out
	r.RequestURI = r.URL.RequestURI()
	return r
}

// Changes reports whether the verdict changes the request for the origin:
// a URL rewrite or a request header transform matched, and the middleware
// does not only detect.
func (v Verdict) Changes() bool {
	return !v.m.opts.DetectionOnly && (v.PathRewritten || v.QueryRewritten || len(v.Headers) > 0)
}

// WaitsForResponse reports whether the rules read or change the origin's
// response (rate limiting rules that count by response, response header
// transforms), so that Responded has something to do.
func (p *Pass) WaitsForResponse() bool { return p.s != nil }

// Responded runs the response header transforms on the origin's response,
// whose status is code and headers header, changing header, before the
// response is sent; a middleware that only detects changes nothing. It
// does nothing when nothing waits for the response.
func (p *Pass) Responded(code int, header http.Header) {
	if p.s == nil {
		return
	}
	s, l := p.s, p.l
	s.respHeader = header
	_ = s.ctx.Set(responseCode, eval.Int(int64(code)))
	if !l.zone.HasResponsePhase() {
		return
	}
	d := l.zone.Response(s.ctx, &p.Outcome)
	p.m.record(s.req.r.Context(), l, d, &s.req)
	if !p.m.opts.DetectionOnly {
		ruleset.ApplyHeaders(header, p.ResponseHeaders)
	}
}

// Done counts the response, once Responded has seen it, for the rate
// limiting rules that count by response, and lets the request's context
// go. Call it once, whether or not the origin answered.
func (p *Pass) Done() {
	if p.s == nil {
		return
	}
	p.l.zone.CountResponse(p.s.ctx, &p.Outcome)
	p.m.release(p.s)
	p.s = nil
}
