// Package redisstore keeps the counters of rate limiting rules in Redis, so
// that a fleet of proxies shares them: each counted request is one round
// trip, a Lua script that advances the key's two windows, adds the count,
// computes the rate and sets the key's block, as ratelimit.Memory does in
// one process.
//
//	store, err := redisstore.Open("redis://127.0.0.1:6379/0", redisstore.Options{})
//	mw, err := nethttp.New(rs, nethttp.Options{RateLimitStore: store})
//
// When Redis does not answer within Options.Timeout, the store fails open
// by default: the request is not over its limit, as if the rule were not
// there, so that an outage of Redis does not take the site down with it.
// Options.FailClosed makes every such request over its limit instead. Each
// failure is counted (Failures) and logged, at most once a second.
//
// It lives apart from package ratelimit so that only a program that uses
// Redis depends on its client.
package redisstore

import (
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/edgerules/edgerules/ratelimit"
)

// Options configure a Store. The zero Options name keys edgerules:rl:…,
// wait 50 ms for Redis, fail open and log to slog.Default().
type Options struct {
	// Prefix starts the name of every key the store writes.
	Prefix string
	// Timeout bounds each round trip to Redis.
	Timeout time.Duration
	// FailClosed makes a request over its limit when Redis cannot answer;
	// by default it is not (fail open).
	FailClosed bool
	// Logger receives a record when Redis cannot answer, at most once a
	// second.
	Logger *slog.Logger
}

// DefaultTimeout is how long a Store waits for Redis unless
// Options.Timeout says otherwise.
const DefaultTimeout = 50 * time.Millisecond

// A Store is a ratelimit.Store in Redis. It is safe for concurrent use.
type Store struct {
	client   redis.UniversalClient
	opts     Options
	failures atomic.Uint64
	logged   atomic.Int64 // Unix nanoseconds of the last failure logged
}

//go:embed hit.lua
var hitSource string

// hit is the script of a hit. KEYS[1] is the key; ARGV are the time and
// the period in milliseconds, the count to add, the limit, and the
// timeout in milliseconds. It returns whether the key is over (0 or 1),
// the rate as a string, and the time in milliseconds the key is over until.
var hit = redis.NewScript(hitSource)

// New returns a store that talks to Redis through client.
func New(client redis.UniversalClient, o Options) *Store {
	if o.Prefix == "" {
		o.Prefix = "edgerules:rl:"
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Store{client: client, opts: o}
}

// Open connects to the Redis server a URL names, such as
// redis://127.0.0.1:6379/0 or rediss://user:password@host:6380/1, with
// dial, read and write timeouts of Options.Timeout and no retries, so
// that a request never waits longer than that for Redis.
func Open(url string, o Options) (*Store, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, err
	}
	s := New(nil, o)
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = s.opts.Timeout, s.opts.Timeout, s.opts.Timeout
	opt.MaxRetries = -1
	s.client = redis.NewClient(opt)
	return s, nil
}

// Hit counts n for key at now in Redis, unless that puts the key over l,
// and reports whether it does.
func (s *Store) Hit(key []byte, n int64, now time.Time, l ratelimit.Limit) ratelimit.Result {
	return s.hit(key, n, now, l, 0)
}

// Count adds n to the counter of key at now in Redis, whatever l.
func (s *Store) Count(key []byte, n int64, now time.Time, l ratelimit.Limit) {
	s.hit(key, n, now, l, 1)
}

// hit runs the script; always is 1 for Count.
func (s *Store) hit(key []byte, n int64, now time.Time, l ratelimit.Limit, always int) ratelimit.Result {
	if l.Period < time.Millisecond {
		return ratelimit.Result{} // no limit: the script counts in milliseconds
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.Timeout)
	defer cancel()
	reply, err := hit.Run(ctx, s.client, []string{s.opts.Prefix + string(key)},
		now.UnixMilli(), l.Period.Milliseconds(), n, l.Max, l.Timeout.Milliseconds(), always).Slice()
	if err != nil {
		return s.fail(err)
	}
	res, err := result(reply)
	if err != nil {
		return s.fail(err)
	}
	return res
}

// result reads the script's reply.
func result(reply []any) (ratelimit.Result, error) {
	if len(reply) != 3 {
		return ratelimit.Result{}, fmt.Errorf("the script answered %d values, not 3", len(reply))
	}
	over, _ := reply[0].(int64)
	text, _ := reply[1].(string)
	rate, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return ratelimit.Result{}, fmt.Errorf("the script answered a rate of %v: %v", reply[1], err)
	}
	res := ratelimit.Result{Rate: rate, Over: over == 1}
	if until, _ := reply[2].(int64); res.Over && until > 0 {
		res.Until = time.UnixMilli(until)
	}
	return res, nil
}

// fail counts and logs a failure and answers as the policy says.
func (s *Store) fail(err error) ratelimit.Result {
	s.failures.Add(1)
	now := time.Now().UnixNano()
	if last := s.logged.Load(); now-last >= int64(time.Second) && s.logged.CompareAndSwap(last, now) {
		s.opts.Logger.Error("edgerules: the rate limit store did not answer", "error", err,
			"fail_closed", s.opts.FailClosed, "failures", s.failures.Load())
	}
	return ratelimit.Result{Over: s.opts.FailClosed}
}

// Failures returns how many hits Redis did not answer.
func (s *Store) Failures() uint64 { return s.failures.Load() }

// Close closes the client.
func (s *Store) Close() error { return s.client.Close() }
