package serve

import (
	"net/http"
	"slices"
	"strings"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	authv3 "github.com/envoyproxy/go-control-plane/envoy/service/auth/v3"

	"github.com/edgerules/edgerules/internal/webpath"
	"github.com/edgerules/edgerules/nethttp"
	"github.com/edgerules/edgerules/ruleset"
	"github.com/edgerules/edgerules/terraform"
)

// A plan is what the answers carry beside the decision for one zone: the
// request headers its rules may change, under their canonical names. An
// allowed request's forward-auth answer carries each of them with the
// value the origin is to get, for the proxy to copy.
type plan struct {
	zone    *ruleset.ZoneEngine
	headers []string
}

func newPlan(zone *ruleset.ZoneEngine) *plan {
	p := &plan{zone: zone}
	for _, r := range zone.Rules() {
		if c := zone.ChangeOf(r); c != nil && !c.Response && r.IsEnabled() {
			for _, h := range c.Headers {
				if name := http.CanonicalHeaderKey(h.Name); !slices.Contains(p.headers, name) {
					p.headers = append(p.headers, name)
				}
			}
		}
	}
	return p
}

// planOf returns the plan of the zone that decided v.
func (s *Service) planOf(v nethttp.Verdict) *plan {
	if p := s.plan.Load(); p.zone == v.Zone() {
		return p
	}
	// The rules a reload has just replaced.
	return newPlan(v.Zone())
}

// loaded takes in the rules just loaded from files: it logs each file's
// ruleset, the headers the answers carry, and each change of a rule that
// no proxy asking the service can make (once per load).
func (s *Service) loaded(files []terraform.ZoneFile) {
	zone := s.rules.Zone()
	p := newPlan(zone)
	s.plan.Store(p)
	for _, f := range files {
		s.log.Info("edgerules: ruleset", "file", f.Path, "phase", ruleset.PhaseOf(f.Ruleset), "rules", len(f.Rules))
	}
	if len(p.headers) > 0 {
		s.log.Info("edgerules: an allowed request's answer carries the request headers the rules change, for the proxy to copy to the origin",
			"headers", strings.Join(p.headers, ","))
	}
	for _, r := range zone.Rules() {
		c := zone.ChangeOf(r)
		if c == nil || !r.IsEnabled() {
			continue
		}
		for _, why := range unhonoured(c) {
			s.log.Warn("edgerules: a proxy that asks the service cannot make this change", "ref", nethttp.RuleName(r),
				"phase", zone.PhaseOf(r), "change", why)
		}
	}
}

// unhonoured says which of a rule's changes a proxy that asks cannot make.
func unhonoured(c *ruleset.RuleChange) []string {
	var out []string
	if c.Path {
		out = append(out, "URL rewrite of the path: no proxy takes a path from the answer (forward-auth nor Envoy's gRPC)")
	}
	if c.Query {
		out = append(out, "URL rewrite of the query: only Envoy's gRPC ext_authz applies it, not forward-auth")
	}
	if c.Response {
		out = append(out, "response headers: the service answers before the origin does")
		return out
	}
	for _, h := range c.Headers {
		if h.Op == ruleset.RemoveHeader {
			out = append(out, "removal of "+h.Name+": a forward-auth answer carries it empty, which nginx does not send on, Traefik and Caddy send on empty; Envoy's gRPC removes it")
		}
	}
	return out
}

// upstreamHeaders adds to the answer to an allowed request the headers the
// origin is to get, under each name the rules may change: the client's
// own with the rules' changes made, or an empty value for a header the
// origin is not to get (removed, or never sent).
func (s *Service) upstreamHeaders(h http.Header, r *http.Request, v nethttp.Verdict) {
	p := s.planOf(v)
	if len(p.headers) == 0 {
		return
	}
	if !s.opts.DetectionOnly {
		r = v.Apply(r)
	}
	for _, name := range p.headers {
		if values := r.Header[name]; len(values) > 0 {
			h[name] = values
		} else {
			h[name] = []string{""}
		}
	}
}

// applyUpstream has Envoy make the changes of v to the request it sends
// upstream: the headers the rules change, set to the values the origin is
// to get (or removed), and a rewritten query, as query parameters set and
// removed.
func (s *Service) applyUpstream(ok *authv3.OkHttpResponse, r *http.Request, v nethttp.Verdict) {
	if s.opts.DetectionOnly || len(v.Headers) == 0 && !v.QueryRewritten {
		return
	}
	out := v.Apply(r)
	var done []string
	for _, c := range v.Headers {
		name := http.CanonicalHeaderKey(c.Name)
		if slices.Contains(done, name) {
			continue
		}
		done = append(done, name)
		values := out.Header[name]
		if len(values) == 0 {
			ok.HeadersToRemove = append(ok.HeadersToRemove, strings.ToLower(name))
			continue
		}
		for i, value := range values {
			action := corev3.HeaderValueOption_APPEND_IF_EXISTS_OR_ADD
			if i == 0 {
				action = corev3.HeaderValueOption_OVERWRITE_IF_EXISTS_OR_ADD
			}
			ok.Headers = append(ok.Headers, &corev3.HeaderValueOption{
				Header: &corev3.HeaderValue{Key: name, Value: value}, AppendAction: action})
		}
	}
	if v.QueryRewritten {
		ok.QueryParametersToSet, ok.QueryParametersToRemove = queryChanges(r.URL.RawQuery, v.Query)
	}
}

// queryChanges turns a rewrite of the query from to into Envoy's changes:
// the parameters to set, then those of from to remove, as Envoy reads them
// (not decoded). Envoy sets one value per name: of a name the new query
// repeats, the last value stays.
func queryChanges(from, to string) (set []*corev3.QueryParameter, remove []string) {
	keep, values := webpath.Args(to)
	for i, k := range keep {
		set = append(set, &corev3.QueryParameter{Key: k, Value: values[i]})
	}
	had, _ := webpath.Args(from)
	for _, k := range had {
		if !slices.Contains(keep, k) && !slices.Contains(remove, k) {
			remove = append(remove, k)
		}
	}
	return set, remove
}
