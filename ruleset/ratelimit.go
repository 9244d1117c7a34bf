package ruleset

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// RateLimitPhase is the phase of rate limiting rules.
const RateLimitPhase = "http_ratelimit"

// A RateLimit is a rate limiting rule's parameters, its "ratelimit" object,
// as Cloudflare's documentation of rate limiting parameters gives them
// (developers.cloudflare.com/waf/rate-limiting-rules/parameters/).
type RateLimit struct {
	// Characteristics form the counter's key: fields or value expressions
	// of the request, such as ip.src or http.request.headers["x-api-key"].
	// cf.colo.id, Cloudflare's data center, is one value outside
	// Cloudflare; cf.unique_visitor_id counts as ip.src.
	Characteristics []string
	// Period is the window of the rate.
	Period time.Duration
	// RequestsPerPeriod is the most requests a key may make in a period;
	// 0 for a limit by score.
	RequestsPerPeriod int64
	// ScorePerPeriod is the most score a key may gather in a period, the
	// score of a request being the integer the origin gives in its
	// response header ScoreHeader; 0 for a limit by requests.
	ScorePerPeriod int64
	ScoreHeader    string
	// MitigationTimeout is how long the action applies to a key once it
	// goes over; 0 applies it only to requests while the key is over.
	MitigationTimeout time.Duration
	// CountingExpression selects the requests that count; empty counts
	// those the rule's expression selects.
	CountingExpression string
	// RequestsToOrigin counts only the requests that reach the origin.
	RequestsToOrigin bool
}

// The values Cloudflare documents for period and mitigation_timeout, in
// seconds, and the range of a response's score.
var (
	ratePeriods  = []int64{10, 60, 120, 300, 600, 3600}
	rateTimeouts = []int64{0, 10, 60, 120, 300, 600, 3600, 86400}
)

// MaxScore is the largest score an origin may give a request; a response
// whose score header is missing, not an integer or outside 1 to MaxScore
// counts nothing, as Cloudflare documents.
const MaxScore = 1_000_000

// The characteristics that are no field of the scheme.
const (
	// ColoCharacteristic is Cloudflare's data center. Cloudflare requires
	// it of every rate limiting rule, so that counters are not shared
	// among data centers; outside Cloudflare it is one value.
	ColoCharacteristic = "cf.colo.id"
	// VisitorCharacteristic is Cloudflare's "IP with NAT support", which
	// tells visitors behind one address apart by means only Cloudflare has;
	// outside it, it counts as ip.src.
	VisitorCharacteristic = "cf.unique_visitor_id"
)

var rateLimitKeys = []string{"characteristics", "period", "requests_per_period", "score_per_period",
	"score_response_header_name", "mitigation_timeout", "counting_expression", "requests_to_origin"}

// A paramError is a problem with one parameter, at its key in the rule.
type paramError struct {
	key string
	err error
}

// RateLimit reads the rule's ratelimit parameters: nil for a rule without
// them, and an error, the first of those Validate reports, for parameters
// that are not as Cloudflare documents them.
func (r *Rule) RateLimit() (*RateLimit, error) {
	rl, errs := readRateLimit(r.Ratelimit)
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s: %w", errs[0].key, errs[0].err)
	}
	return rl, nil
}

// readRateLimit reads and checks the parameters of m, reporting each
// problem at its key under "ratelimit".
func readRateLimit(m map[string]any) (*RateLimit, []paramError) {
	if m == nil {
		return nil, nil
	}
	var errs []paramError
	fail := func(key, format string, args ...any) {
		if key != "" {
			key = "." + key
		}
		errs = append(errs, paramError{"ratelimit" + key, fmt.Errorf(format, args...)})
	}
	rl := &RateLimit{}
	rl.Characteristics = readCharacteristics(m["characteristics"], fail)

	period, ok := integer(m, "period", fail)
	switch {
	case !ok:
	case m["period"] == nil:
		fail("period", `a rate limit has a "period", in seconds: %s`, seconds(ratePeriods))
	case !slices.Contains(ratePeriods, period):
		fail("period", "period %d is not one Cloudflare has: %s seconds", period, seconds(ratePeriods))
	default:
		rl.Period = time.Duration(period) * time.Second
	}
	if timeout, ok := integer(m, "mitigation_timeout", fail); ok && !slices.Contains(rateTimeouts, timeout) {
		fail("mitigation_timeout", "mitigation_timeout %d is not one Cloudflare has: %s seconds", timeout, seconds(rateTimeouts))
	} else {
		rl.MitigationTimeout = time.Duration(timeout) * time.Second
	}

	requests, requestsOK := integer(m, "requests_per_period", fail)
	score, scoreOK := integer(m, "score_per_period", fail)
	header, headerOK := m["score_response_header_name"].(string)
	if v := m["score_response_header_name"]; v != nil && !headerOK {
		fail("score_response_header_name", `"score_response_header_name" must be a string, found %s`, kindOf(v))
	}
	byRequests, byScore := m["requests_per_period"] != nil, m["score_per_period"] != nil
	switch {
	case byRequests && byScore:
		fail("score_per_period", "a rate limit counts requests_per_period or score_per_period, not both")
	case !byRequests && !byScore:
		fail("", `a rate limit has "requests_per_period", or "score_per_period" with "score_response_header_name"`)
	case byRequests && requestsOK && requests < 1:
		fail("requests_per_period", "requests_per_period must be 1 or more, found %d", requests)
	case byScore && scoreOK && score < 1:
		fail("score_per_period", "score_per_period must be 1 or more, found %d", score)
	case byScore && strings.TrimSpace(header) == "" && headerOK:
		fail("score_response_header_name", "score_response_header_name is empty; it names the origin's response header with each request's score")
	case byScore && m["score_response_header_name"] == nil:
		fail("score_per_period", `a rate limit by score names the origin's response header with each request's score in "score_response_header_name"`)
	case !byScore && m["score_response_header_name"] != nil:
		fail("score_response_header_name", `"score_response_header_name" is for a rate limit by "score_per_period"`)
	}
	rl.RequestsPerPeriod, rl.ScorePerPeriod, rl.ScoreHeader = requests, score, strings.ToLower(strings.TrimSpace(header))

	if v, ok := m["counting_expression"]; ok && v != nil {
		if rl.CountingExpression, ok = v.(string); !ok {
			fail("counting_expression", `"counting_expression" must be a string, found %s`, kindOf(v))
		}
	}
	if v, ok := m["requests_to_origin"]; ok && v != nil {
		if rl.RequestsToOrigin, ok = v.(bool); !ok {
			fail("requests_to_origin", `"requests_to_origin" must be true or false, found %s`, kindOf(v))
		}
	}
	return rl, errs
}

// readCharacteristics reads the list of characteristics: strings, none
// twice, with cf.colo.id, and not both of ip.src and cf.unique_visitor_id.
func readCharacteristics(v any, fail func(key, format string, args ...any)) []string {
	list, ok := v.([]any)
	switch {
	case v == nil:
		fail("", `a rate limit has "characteristics", a list such as ["ip.src", "cf.colo.id"]`)
		return nil
	case !ok:
		fail("characteristics", `"characteristics" must be a list of strings, found %s`, kindOf(v))
		return nil
	}
	var out []string
	for i, x := range list {
		key := fmt.Sprintf("characteristics.%d", i)
		s, ok := x.(string)
		switch {
		case !ok:
			fail(key, "a characteristic must be a string, found %s", kindOf(x))
			continue
		case strings.TrimSpace(s) == "":
			fail(key, "a characteristic is empty")
			continue
		case slices.Contains(out, strings.TrimSpace(s)):
			fail(key, "characteristic %s is already in the list", strings.TrimSpace(s))
			continue
		}
		out = append(out, strings.TrimSpace(s))
	}
	if !slices.Contains(out, ColoCharacteristic) {
		fail("characteristics", "the characteristics must include %s, as Cloudflare requires of every rate limiting rule; outside Cloudflare it is one value", ColoCharacteristic)
	}
	if slices.Contains(out, "ip.src") && slices.Contains(out, VisitorCharacteristic) {
		fail("characteristics", "ip.src and %s cannot both be characteristics of a rule", VisitorCharacteristic)
	}
	return out
}

// integer reads an optional whole number of m; ok is false when it is
// there and is not one.
func integer(m map[string]any, key string, fail func(key, format string, args ...any)) (int64, bool) {
	v := m[key]
	if v == nil {
		return 0, true
	}
	f, isNumber := v.(float64)
	if !isNumber || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		fail(key, "%q must be a whole number, found %s", key, kindOf(v))
		return 0, false
	}
	return int64(f), true
}

// kindOf names a decoded JSON value's kind, for messages.
func kindOf(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("the string %q", v)
	case float64:
		return fmt.Sprintf("%g", v)
	case bool:
		return fmt.Sprint(v)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return "null"
}

func seconds(list []int64) string {
	s := make([]string, len(list))
	for i, n := range list {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// validateRateLimit reports a rate limiting rule's parameters that are not
// as documented, a rule of the rate limiting phase without them, and a rule
// of another known phase with them.
func (rs *Ruleset) validateRateLimit(r *Rule) []paramError {
	_, knownPhase := phaseActions[rs.Phase]
	switch {
	case r.Ratelimit == nil && rs.Phase == RateLimitPhase && !r.reportedObject("ratelimit"):
		return []paramError{{"", fmt.Errorf(`a rule of phase %s has a "ratelimit" object: its characteristics, period and requests_per_period`, RateLimitPhase)}}
	case r.Ratelimit != nil && knownPhase && rs.Phase != RateLimitPhase:
		return []paramError{{"ratelimit", fmt.Errorf(`only rules of phase %s have a "ratelimit" object; this ruleset's phase is %s`, RateLimitPhase, rs.Phase)}}
	}
	_, errs := readRateLimit(r.Ratelimit)
	if r.node != nil {
		// A misspelt key was reported as such, not as a missing one.
		errs = slices.DeleteFunc(errs, func(e paramError) bool { return slices.Contains(r.node.misspelt, e.key) })
	}
	return errs
}

// reportedObject reports whether Parse reported the object at key already:
// the file gave it a value of the wrong kind, or misspelt the key.
func (r *Rule) reportedObject(key string) bool {
	if r.node == nil {
		return false
	}
	n := r.node.at([]string{key})
	return n != nil || slices.Contains(r.node.misspelt, key)
}
