package nethttp

import (
	"fmt"
	"math"
	"net/http"
	"strconv"

	"github.com/edgerules/edgerules/ruleset"
)

// A response is what a rule answers instead of the origin.
type response struct {
	status      int
	contentType string
	body        string
	own         bool // a block whose rule gives its own response
}

// prepareResponse reads the action parameters of a block or serve_error
// rule once, when the ruleset loads; the zone computes a redirect's
// target.
func prepareResponse(r *ruleset.Rule) (*response, error) {
	p := r.ActionParameters
	switch r.Action {
	case ruleset.Block:
		resp := &response{status: http.StatusForbidden, contentType: "text/plain; charset=utf-8", body: "Forbidden\n"}
		if r.Ratelimit != nil {
			// A rate limiting rule blocks with 429 unless it says otherwise.
			resp.status, resp.body = http.StatusTooManyRequests, "Too Many Requests\n"
		}
		if custom, ok := p["response"].(map[string]any); ok {
			resp.own = true
			return resp, resp.read(custom)
		}
		return resp, nil
	case ruleset.ServeError:
		resp := &response{status: http.StatusInternalServerError, contentType: "text/plain; charset=utf-8"}
		return resp, resp.read(p)
	}
	return nil, nil
}

// read takes status_code, content and content_type from parameters.
func (resp *response) read(p map[string]any) error {
	if code, ok := number(p["status_code"]); ok {
		if code < 400 || code > 599 {
			return fmt.Errorf("status_code must be 400 to 599, found %d", code)
		}
		resp.status = code
	}
	if s, ok := p["content"].(string); ok {
		resp.body = s
	}
	if s, ok := p["content_type"].(string); ok {
		resp.contentType = s
	}
	return nil
}

// number reads an integer from JSON (float64) or YAML (int).
func number(v any) (int, bool) {
	switch n := v.(type) {
	case float64:
		return int(n), n == float64(int(n))
	case int:
		return n, true
	}
	return 0, false
}

// respond answers for a decision that stops the request, and reports
// whether it did.
func (m *Middleware) respond(w http.ResponseWriter, r *http.Request, l *loaded, d *ruleset.Outcome) bool {
	switch d.Action {
	case ruleset.Challenge, ruleset.JSChallenge, ruleset.ManagedChallenge:
		m.opts.Challenge.ServeHTTP(w, r)
		return true
	case ruleset.Redirect:
		http.Redirect(w, r, d.Redirect.URL, d.Redirect.Status)
		return true
	case ruleset.Block, ruleset.ServeError:
		resp := l.responses[d.Rule.ZoneIndex]
		w.Header().Set("Content-Type", resp.contentType)
		if !d.Until.IsZero() {
			// A rate limiting rule's block lasts its mitigation timeout.
			wait := d.Until.Sub(m.cfg.now())
			w.Header().Set("Retry-After", strconv.FormatInt(int64(math.Ceil(max(wait, 0).Seconds())), 10))
		}
		w.WriteHeader(resp.status)
		fmt.Fprint(w, resp.body)
		return true
	}
	return false
}

// DefaultChallenge answers the challenge actions when no handler is given:
// 403 with a short page that says a challenge is required, and the
// Cf-Mitigated: challenge header Cloudflare sets on challenges, so that
// clients can tell a challenge from a block.
var DefaultChallenge http.Handler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cf-Mitigated", "challenge")
	w.WriteHeader(http.StatusForbidden)
	fmt.Fprint(w, challengePage)
})

const challengePage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Checking your browser</title></head>
<body><h1>A challenge is required</h1>
<p>This site needs to check that the request comes from a person before it lets it through.</p></body></html>
`
