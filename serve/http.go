package serve

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/edgerules/edgerules/nethttp"
)

// ServeHTTP answers a forward-auth request on any path: 200 to let the
// original request through, or the answer of the rule that stops it (403
// for a block unless the rule says otherwise, 403 with Cf-Mitigated:
// challenge for a challenge, a redirect's status and Location). Either way
// the X-Edgerules-Action and X-Edgerules-Rule headers say what the rules
// decided. A 200 also carries, under its own name, each request header the
// zone's rules may change, with the value the origin is to get (see
// upstreamHeaders), for the proxy to copy.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	defer s.metrics.observe(s.metrics.httpLatency, start)
	orig, err := nethttp.Original(r, s.opts.EnvoyPrefix)
	if err != nil {
		s.unreadable(r.Context(), "http", r.RemoteAddr, err)
		setErrorHeaders(w.Header(), err)
		if s.opts.DenyOnError {
			http.Error(w, "Forbidden", http.StatusForbidden)
		}
		return
	}
	v := s.rules.Decide(orig)
	setDecisionHeaders(w.Header(), v)
	if !v.Respond(w, orig) {
		s.upstreamHeaders(w.Header(), orig, v)
	}
}

// setDecisionHeaders says what the rules decided.
func setDecisionHeaders(h http.Header, v nethttp.Verdict) {
	action := string(v.Action)
	if action == "" {
		action = "none"
	}
	rule := ""
	if v.Rule != nil {
		rule = nethttp.RuleName(v.Rule)
	}
	h.Set(HeaderAction, action)
	h.Set(HeaderRule, rule)
}

// setErrorHeaders say that the request could not be read, and why.
func setErrorHeaders(h http.Header, err error) {
	h.Set(HeaderAction, "error")
	h.Set(HeaderRule, "")
	h.Set(HeaderError, err.Error())
}

// unreadable logs and counts a request the service could not read.
func (s *Service) unreadable(ctx context.Context, transport, peer string, err error) {
	s.metrics.errors.WithLabelValues(transport).Inc()
	answer := "allow"
	if s.opts.DenyOnError {
		answer = "deny"
	}
	s.log.LogAttrs(ctx, slog.LevelWarn, "edgerules: request not readable; answered by --on-error",
		slog.String("transport", transport), slog.String("peer", peer),
		slog.String("on_error", answer), slog.String("error", err.Error()))
}
