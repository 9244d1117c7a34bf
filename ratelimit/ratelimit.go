// Package ratelimit counts requests for rate limiting rules: a Store keeps
// one counter per key, and tells whether a key is over its Limit.
//
//	store := ratelimit.NewMemory(ratelimit.MemoryOptions{})
//	res := store.Hit(key, 1, now, ratelimit.Limit{Period: time.Minute, Max: 100, Timeout: 10 * time.Minute})
//	if res.Over { /* apply the rule's action */ }
//
// The rate is Cloudflare's: a sliding window approximated from two fixed
// windows, the current one and the one before it, as Cloudflare's
// engineering blog describes in "How we built rate limiting capable of
// scaling to millions of domains" (June 2017,
// https://blog.cloudflare.com/counting-things-a-lot-of-different-things/).
// The count of the previous window is weighted by the part of it that the
// sliding window still covers:
//
//	rate = previous × (period − elapsed) / period + current
//
// where elapsed is the time since the current window started. A key goes
// over when its rate, with the request, exceeds Limit.Max; with a Timeout
// it then stays over for that long whatever its rate, and without one it
// is over only while its rate is. A request that finds its key over, which
// the rule acts on, does not count (Store.Hit): a throttled client gets
// the limit's rate through, as Cloudflare's rate limiting documents its
// throttling, and a blocked one finds its count where it left it when the
// block ends. A request the rule lets through counts whatever the rate
// (Store.Count): one that the counting expression selects and the rule's
// expression does not, or one counted by its response.
//
// Memory is the store of one process; the package
// github.com/edgerules/edgerules/ratelimit/redisstore shares counts among
// a fleet. This package imports nothing of the rest of edgerules.
package ratelimit

import "time"

// A Limit is what a key's counter is held to.
type Limit struct {
	// Period is the length of a window (Cloudflare's period). A limit
	// without one, 0 or less, counts nothing and is never over.
	Period time.Duration
	// Max is how much a key may count in a period (requests_per_period or
	// score_per_period); the key goes over when its rate exceeds it.
	Max int64
	// Timeout is how long a key stays over once it goes over
	// (mitigation_timeout); 0 throttles: the key is over only while its
	// rate is.
	Timeout time.Duration
}

// A Result is what a store says of a key after a hit.
type Result struct {
	// Rate is the key's estimated count over the last period, after the hit.
	Rate float64
	// Over reports whether the key is over its limit.
	Over bool
	// Until is when the key stops being over, for a limit with a Timeout;
	// zero otherwise.
	Until time.Time
}

// A Store keeps the counters of keys. It is safe for concurrent use.
type Store interface {
	// Hit adds n to the counter of key at time now (n may be 0 to look
	// without counting), unless the key is over l with it, and reports
	// whether it is: the request a rule acts on. A store that
	// cannot answer (a server out of reach) answers as its documented
	// failure policy says; Hit never blocks for longer than the store's
	// timeout. Hit does not keep key.
	Hit(key []byte, n int64, now time.Time, l Limit) Result
	// Count adds n to the counter of key at time now, whatever the
	// limit: a request the rule does not act on, which its counting
	// expression counts, or one counted once its response is known.
	Count(key []byte, n int64, now time.Time, l Limit)
}

// A Window is the count of one key in two fixed windows: the current one,
// numbered Index since the Unix epoch in periods, and the one before it.
// Stores that keep their counts elsewhere (Redis) compute the same rate.
type Window struct {
	Index    int64 // the current window: Unix time ÷ period
	Current  int64
	Previous int64
}

// Advance moves w to the window that holds now, dropping counts that fall
// out of the sliding window; a time before w's window (a late arrival)
// counts in w's current window.
func (w *Window) Advance(now time.Time, period time.Duration) {
	i := now.UnixNano() / int64(period)
	switch {
	case i <= w.Index:
	case i == w.Index+1:
		w.Previous, w.Current = w.Current, 0
	default:
		w.Previous, w.Current = 0, 0
	}
	w.Index = max(w.Index, i)
}

// Rate returns the estimated count over the period that ends at now, for
// a window advanced to now.
func (w *Window) Rate(now time.Time, period time.Duration) float64 {
	return Rate(w.Previous, w.Current, now.UnixNano()-w.Index*int64(period), period)
}

// Rate weights the previous window's count by the part of it the sliding
// window still covers, elapsed being the time since the current window
// started, and adds the current count.
func Rate(previous, current, elapsed int64, period time.Duration) float64 {
	left := max(int64(period)-elapsed, 0)
	return float64(previous)*float64(left)/float64(period) + float64(current)
}
