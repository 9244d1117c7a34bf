package ruleset

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/ratelimit"
)

// A limited is a rate limiting rule as the engine runs it.
type limited struct {
	limit    ratelimit.Limit
	prefix   string          // the rule's name, which starts its keys
	keys     []*eval.Program // the characteristics that are fields, in order
	counting *eval.Filter    // nil: the requests the rule's expression selects count
	// afterResponse: the rule counts once the response is known, in
	// CountResponse: by score, with a counting expression that reads the
	// response, or only the requests that reach the origin.
	afterResponse bool
	scoreHeader   string // by score: the response header with the score
}

// limiting is what an engine with rate limiting rules needs.
type limiting struct {
	rules     []*limited // per rule; nil for a rule that does not limit
	store     ratelimit.Store
	clock     func() time.Time
	sec, msec fields.Field // http.request.timestamp.*, when the scheme has them
	hasTime   bool
	response  fields.Field // http.response.headers, when the scheme has it
	hasScore  bool
	buffers   sync.Pool // *[]byte for keys
}

// RateLimitStore gives the engine the store of its rate limiting rules'
// counters, to share them among engines (reloaded rulesets, other
// processes); by default each engine counts in a ratelimit.Memory of its
// own.
func RateLimitStore(s ratelimit.Store) Option {
	return Option{func(set *settings) { set.store = s }}
}

// Clock gives the time of a request whose context has no
// http.request.timestamp.sec (time.Now by default); rate limiting rules
// count requests at the time of the request.
func Clock(now func() time.Time) Option {
	return Option{func(set *settings) { set.clock = now }}
}

// The prefixes of the fields a response gives.
var responsePrefixes = []string{"http.response.", "raw.http.response.", "cf.response."}

func readsResponse(u eval.Uses) bool {
	return slices.ContainsFunc(u.Fields(), func(f fields.Field) bool {
		return slices.ContainsFunc(responsePrefixes, func(p string) bool { return strings.HasPrefix(f.Name(), p) })
	})
}

// compileLimits prepares the rate limiting rules of e, once Validate and
// the compiling of every expression found nothing wrong with them; it
// reports a scheme that lacks what a rule needs.
func (e *Engine) compileLimits(set settings) error {
	opts := set.expr
	for i, r := range e.rules {
		if r.Ratelimit == nil || e.match[i] == nil {
			continue
		}
		rl, err := r.RateLimit()
		if err != nil {
			return &RuleError{Rule: r, Err: err}
		}
		l := &limited{prefix: ruleKey(r), scoreHeader: rl.ScoreHeader,
			limit:         ratelimit.Limit{Period: rl.Period, Max: max(rl.RequestsPerPeriod, rl.ScorePerPeriod), Timeout: rl.MitigationTimeout},
			afterResponse: rl.ScorePerPeriod > 0 || rl.RequestsToOrigin}
		for j, c := range rl.Characteristics {
			if c == VisitorCharacteristic {
				c = "ip.src"
			} else if !isField(c) {
				continue
			}
			p, err := expr.CompileValue(c, e.scheme, opts...)
			if err != nil {
				return &RuleError{Rule: r, Key: "ratelimit.characteristics." + strconv.Itoa(j), Err: err}
			}
			l.keys = append(l.keys, p)
		}
		if strings.TrimSpace(rl.CountingExpression) != "" {
			if l.counting, err = expr.Compile(rl.CountingExpression, e.scheme, opts...); err != nil {
				return &RuleError{Rule: r, Key: "ratelimit.counting_expression", Err: err}
			}
			l.afterResponse = l.afterResponse || readsResponse(l.counting.Uses)
		}
		if e.limits == nil {
			e.limits = &limiting{rules: make([]*limited, len(e.rules)), store: set.store, clock: set.clock}
		}
		e.limits.rules[i] = l
		e.limits.hasScore = e.limits.hasScore || l.scoreHeader != ""
	}
	if e.limits == nil {
		return nil
	}
	lm := e.limits
	if lm.store == nil {
		lm.store = ratelimit.NewMemory(ratelimit.MemoryOptions{})
	}
	if lm.clock == nil {
		lm.clock = time.Now
	}
	lm.sec, lm.hasTime = e.scheme.Field("http.request.timestamp.sec")
	if lm.hasTime {
		lm.msec, lm.hasTime = e.scheme.Field("http.request.timestamp.msec")
	}
	lm.buffers.New = func() any { b := make([]byte, 0, 128); return &b }
	var ok bool
	if lm.response, ok = e.scheme.Field("http.response.headers"); lm.hasScore && !ok {
		return fmt.Errorf("a rate limit by score reads the score from http.response.headers, which the scheme does not have")
	}
	return nil
}

// ruleKey names a rule in its counters' keys: by its ref, else its id,
// else its place, so that engines of the same ruleset share counters in a
// shared store.
func ruleKey(r *Rule) string {
	switch {
	case r.Ref != "":
		return "ref:" + r.Ref
	case r.ID != "":
		return "id:" + r.ID
	}
	return "rule:" + strconv.Itoa(r.Index+1)
}

// now returns the time of the request in c.
func (lm *limiting) now(c *eval.Context) time.Time {
	if lm.hasTime {
		if sec := c.Get(lm.sec); !sec.Missing() {
			return time.Unix(sec.Int(), c.Get(lm.msec).Int()*int64(time.Millisecond))
		}
	}
	return lm.clock()
}

// key builds the key of the request in c for rule l in a buffer of the
// pool, to put back once used.
func (lm *limiting) key(l *limited, c *eval.Context) *[]byte {
	buf := lm.buffers.Get().(*[]byte)
	*buf = append((*buf)[:0], l.prefix...)
	for _, p := range l.keys {
		*buf = appendValue(*buf, p.Eval(c))
	}
	return buf
}

// over counts the request in c for rule l, unless the rule counts after
// the response or its counting expression passes it over, and reports
// whether its key is over the limit: a request the rule acts on, which
// does not count then.
func (lm *limiting) over(l *limited, c *eval.Context) ratelimit.Result {
	var n int64
	if !l.afterResponse && (l.counting == nil || l.counting.Match(c)) {
		n = 1
	}
	key := lm.key(l, c)
	res := lm.store.Hit(*key, n, lm.now(c), l.limit)
	lm.buffers.Put(key)
	return res
}

// count counts n for the request in c for rule l, whatever its rate: the
// rule does not act on it.
func (lm *limiting) count(l *limited, c *eval.Context, n int64) {
	key := lm.key(l, c)
	lm.store.Count(*key, n, lm.now(c), l.limit)
	lm.buffers.Put(key)
}

// countOnly counts a request that the rule's expression does not select
// but its own counting expression does: as Cloudflare documents, the
// counting expression does not extend the rule's expression.
func (lm *limiting) countOnly(l *limited, c *eval.Context) {
	if l.counting != nil && !l.afterResponse && l.counting.Match(c) {
		lm.count(l, c, 1)
	}
}

// CountsResponses reports whether the engine has rate limiting rules that
// count once the response is known, so that a caller calls CountResponse.
func (e *Engine) CountsResponses() bool {
	return e.limits != nil && slices.ContainsFunc(e.limits.rules, func(l *limited) bool { return l != nil && l.afterResponse })
}

// CountResponse counts the request in c, whose context now holds the
// response's fields too, if its counting expression selects it (or its
// expression, without one), for the rate limiting rules that count once
// the response is known: those by score (the score being the integer in the
// response header the rule names, 1 to MaxScore; a response without one
// counts nothing), those whose counting expression reads the response,
// and those that count only requests to the origin. Call it for a request
// that reached the origin (Decision.ReachesOrigin), with the Decision
// Evaluate gave it: rules after the one that decided were not evaluated and
// count nothing.
func (e *Engine) CountResponse(c *eval.Context, d Decision) {
	if e.limits == nil {
		return
	}
	last := len(e.rules)
	if d.Rule != nil {
		last = d.Rule.Index
	}
	for i, l := range e.limits.rules[:last] {
		if l == nil || !l.afterResponse {
			continue
		}
		if l.counting == nil && !e.match[i].Match(c) || l.counting != nil && !l.counting.Match(c) {
			continue
		}
		n := int64(1)
		if l.scoreHeader != "" {
			if n = e.limits.score(c, l.scoreHeader); n == 0 {
				continue
			}
		}
		e.limits.count(l, c, n)
	}
}

// score reads a request's score from the response header named header: 0
// when it is missing or not an integer from 1 to MaxScore.
func (lm *limiting) score(c *eval.Context, header string) int64 {
	v := c.Get(lm.response).Key(header)
	if v.Len() == 0 {
		return 0
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v.Index(0).Str()), 10, 64)
	if err != nil || n < 1 || n > MaxScore {
		return 0
	}
	return n
}

// appendValue appends v to a key so that different values give different
// bytes: a tag for the type (missing is not the empty string), then the
// value, strings and lists with their length.
func appendValue(b []byte, v eval.Value) []byte {
	t := v.Type()
	b = binary.BigEndian.AppendUint32(b, uint32(t))
	switch {
	case t == fields.String:
		b = binary.AppendUvarint(b, uint64(len(v.Str())))
		b = append(b, v.Str()...)
	case t == fields.Int || t == fields.Bool:
		b = binary.BigEndian.AppendUint64(b, uint64(v.Int()))
	case t == fields.IP:
		a := v.IP().As16()
		b = append(b, byte(v.IP().BitLen()))
		b = append(b, a[:]...)
	case t.IsArray():
		b = binary.AppendUvarint(b, uint64(v.Len()))
		for _, x := range v.Elems() {
			b = appendValue(b, x)
		}
	case t.IsMap():
		b = binary.AppendUvarint(b, uint64(len(v.Keys())))
		for _, k := range v.Keys() {
			b = appendValue(b, eval.String(k))
			b = appendValue(b, v.Key(k))
		}
	}
	return b
}
