package ratelimit_test

import (
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgerules/edgerules/ratelimit"
)

// start is a time at the start of a minute, so that windows of a minute
// and of ten seconds begin with it.
var start = time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)

func TestRateBlogExample(t *testing.T) {
	// Cloudflare's blog: 42 requests in the previous minute, 18 in the
	// current one, 15 seconds into it: 42 × 45/60 + 18 = 49.5.
	assert.InDelta(t, 49.5, ratelimit.Rate(42, 18, int64(15*time.Second), time.Minute), 1e-9)
	assert.InDelta(t, 18.0, ratelimit.Rate(42, 18, int64(time.Minute), time.Minute), 1e-9)
}

func TestWindowAdvance(t *testing.T) {
	var w ratelimit.Window
	w.Advance(start, time.Minute)
	w.Current = 5
	w.Advance(start.Add(59*time.Second), time.Minute)
	assert.Equal(t, int64(5), w.Current, "same window")
	w.Advance(start.Add(61*time.Second), time.Minute)
	assert.Equal(t, ratelimit.Window{Index: w.Index, Current: 0, Previous: 5}, w, "next window")
	w.Advance(start.Add(30*time.Second), time.Minute)
	assert.Equal(t, int64(0), w.Previous-5, "a late time stays in the current window")
	w.Advance(start.Add(3*time.Minute), time.Minute)
	assert.Equal(t, int64(0), w.Previous+w.Current, "two windows later nothing is left")
}

func TestMemoryOverAfterMax(t *testing.T) {
	m := ratelimit.NewMemory(ratelimit.MemoryOptions{})
	l := ratelimit.Limit{Period: time.Minute, Max: 100, Timeout: 10 * time.Minute}
	key := []byte("login\x00192.0.2.1")
	for i := 1; i <= 100; i++ {
		res := m.Hit(key, 1, start.Add(time.Duration(i)*100*time.Millisecond), l)
		require.False(t, res.Over, "request %d", i)
		require.InDelta(t, float64(i), res.Rate, 1e-9)
	}
	at := start.Add(101 * 100 * time.Millisecond)
	res := m.Hit(key, 1, at, l)
	assert.True(t, res.Over, "request 101")
	assert.True(t, at.Add(10*time.Minute).Equal(res.Until), "until %v", res.Until)

	assert.False(t, m.Hit([]byte("login\x00192.0.2.2"), 1, at, l).Over, "another key")
	// Blocked for the whole timeout, whatever the rate: a look at the
	// key just before the end is over; just after, it is not.
	assert.True(t, m.Hit(key, 0, at.Add(10*time.Minute-time.Second), l).Over)
	assert.False(t, m.Hit(key, 0, at.Add(10*time.Minute), l).Over)
}

func TestMemoryThrottle(t *testing.T) {
	m := ratelimit.NewMemory(ratelimit.MemoryOptions{})
	l := ratelimit.Limit{Period: 10 * time.Second, Max: 2}
	key := []byte("k")
	assert.False(t, m.Hit(key, 1, start, l).Over)
	assert.False(t, m.Hit(key, 1, start, l).Over)
	res := m.Hit(key, 1, start, l)
	assert.True(t, res.Over)
	assert.True(t, res.Until.IsZero(), "a throttle has no end")
	// The third request, over the limit, did not count. 15 s later half
	// the previous window is left: 2 × 0.5 = 1; one more request makes 2,
	// which is not over 2, and the next 3, which is.
	assert.False(t, m.Hit(key, 0, start.Add(15*time.Second), l).Over)
	assert.False(t, m.Hit(key, 1, start.Add(15*time.Second), l).Over)
	res = m.Hit(key, 1, start.Add(15*time.Second), l)
	assert.InDelta(t, 3.0, res.Rate, 1e-9)
	assert.True(t, res.Over)
	assert.False(t, m.Hit(key, 1, start.Add(30*time.Second), l).Over, "the windows moved on")
}

func TestMemoryLookDoesNotCreate(t *testing.T) {
	m := ratelimit.NewMemory(ratelimit.MemoryOptions{})
	res := m.Hit([]byte("k"), 0, start, ratelimit.Limit{Period: time.Minute, Max: 0})
	assert.Equal(t, ratelimit.Result{}, res)
	assert.Equal(t, 0, m.Len())
}

func TestMemoryBounded(t *testing.T) {
	m := ratelimit.NewMemory(ratelimit.MemoryOptions{MaxKeys: 64})
	l := ratelimit.Limit{Period: 10 * time.Second, Max: 5}
	// Idle keys go first: a thousand keys, each hit once a minute apart,
	// never evict a key that still counts.
	for i := range 1000 {
		m.Hit([]byte(strconv.Itoa(i)), 1, start.Add(time.Duration(i)*time.Minute), l)
	}
	assert.LessOrEqual(t, m.Len(), 64)
	assert.Zero(t, m.Evicted())
	// Keys that all still count: the store stays within its bound by
	// evicting some, and says so.
	at := start.Add(time.Hour * 1000)
	for i := range 1000 {
		m.Hit([]byte(strconv.Itoa(i)), 1, at, l)
	}
	assert.LessOrEqual(t, m.Len(), 64)
	assert.NotZero(t, m.Evicted())
}

func TestMemoryConcurrent(t *testing.T) {
	// 8 goroutines, 500 hits each on a shared key limited to 1,000 and on
	// keys of their own: exactly 1,000 shared hits count, and 3,000 are
	// over; no hit is lost.
	m := ratelimit.NewMemory(ratelimit.MemoryOptions{})
	l := ratelimit.Limit{Period: time.Minute, Max: 1000}
	var wg sync.WaitGroup
	var over atomic.Int64
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				if m.Hit([]byte("shared"), 1, start, l).Over {
					over.Add(1)
				}
				m.Hit([]byte(fmt.Sprintf("own-%d-%d", g, i%10)), 1, start, l)
			}
		}()
	}
	wg.Wait()
	assert.InDelta(t, 1000.0, m.Hit([]byte("shared"), 0, start, l).Rate, 1e-9)
	assert.Equal(t, int64(3000), over.Load())
	assert.InDelta(t, 50.0, m.Hit([]byte("own-3-7"), 0, start, l).Rate, 1e-9)
	assert.Equal(t, 81, m.Len())
}

func TestMemoryWithoutPeriod(t *testing.T) {
	// A limit without a period is no limit: nothing counts, nothing panics.
	m := ratelimit.NewMemory(ratelimit.MemoryOptions{})
	for _, p := range []time.Duration{0, -time.Second} {
		assert.Equal(t, ratelimit.Result{}, m.Hit([]byte("k"), 1, start, ratelimit.Limit{Period: p, Max: 0}))
	}
	assert.Zero(t, m.Len())
}

func TestMemoryCountIgnoresTheLimit(t *testing.T) {
	// Count adds whatever the limit and never blocks; a later Hit finds
	// the key over.
	m := ratelimit.NewMemory(ratelimit.MemoryOptions{})
	l := ratelimit.Limit{Period: time.Minute, Max: 2, Timeout: time.Minute}
	for range 3 {
		m.Count([]byte("k"), 1, start, l)
	}
	res := m.Hit([]byte("k"), 0, start, l)
	assert.True(t, res.Over)
	assert.InDelta(t, 3.0, res.Rate, 1e-9)
	assert.True(t, start.Add(time.Minute).Equal(res.Until), "the block starts with the request that finds the key over")
}
