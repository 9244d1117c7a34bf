package redisstore_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgerules/edgerules/internal/redistest"
	"github.com/edgerules/edgerules/nethttp"
	"github.com/edgerules/edgerules/ratelimit"
	"github.com/edgerules/edgerules/ratelimit/redisstore"
	"github.com/edgerules/edgerules/ruleset"
)

func open(t testing.TB, url string, o redisstore.Options) *redisstore.Store {
	t.Helper()
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s, err := redisstore.Open(url, o)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

var start = time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)

func TestStoreCountsAsMemoryDoes(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, srv.URL, redisstore.Options{Prefix: t.Name() + ":"})
	m := ratelimit.NewMemory(ratelimit.MemoryOptions{})
	limits := []ratelimit.Limit{
		{Period: time.Minute, Max: 5, Timeout: 10 * time.Minute},
		{Period: 10 * time.Second, Max: 3},
	}
	// The same hits, at times spread over several windows, give the same
	// answers from Redis and from memory.
	for li, l := range limits {
		key := []byte("k" + strconv.Itoa(li))
		at := start
		for i := range 40 {
			at = at.Add(time.Duration(i%7) * 1700 * time.Millisecond)
			n := int64(i % 2)
			if i%5 == 4 {
				m.Count(key, 1, at, l)
				s.Count(key, 1, at, l)
			}
			want, got := m.Hit(key, n, at, l), s.Hit(key, n, at, l)
			require.Equal(t, want.Over, got.Over, "limit %d, hit %d", li, i)
			require.InDelta(t, want.Rate, got.Rate, 1e-6, "limit %d, hit %d", li, i)
			require.True(t, want.Until.Equal(got.Until), "limit %d, hit %d: until %v, want %v", li, i, got.Until, want.Until)
		}
	}
	assert.Zero(t, s.Failures())
}

func TestStoreLooksWithoutWriting(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, srv.URL, redisstore.Options{Prefix: "look:"})
	res := s.Hit([]byte("nobody"), 0, start, ratelimit.Limit{Period: time.Minute, Max: 1})
	assert.Equal(t, ratelimit.Result{}, res)
	opt, _ := redis.ParseURL(srv.URL)
	c := redis.NewClient(opt)
	defer c.Close()
	n, err := c.Exists(context.Background(), "look:nobody").Result()
	require.NoError(t, err)
	assert.Zero(t, n)
}

const loginRL = `{"phase": "http_ratelimit", "rules": [
 {"ref": "login-rl", "action": "block", "expression": "http.request.uri.path eq \"/login\"",
  "ratelimit": {"characteristics": ["ip.src", "cf.colo.id"], "period": 60, "requests_per_period": 100,
                "mitigation_timeout": 600}}]}`

// fleet returns n middlewares of the rule, each with its own
// client of the Redis at url, all at the time now returns.
func fleet(t *testing.T, n int, url string, now func() time.Time, o redisstore.Options) ([]http.Handler, []*redisstore.Store) {
	f, err := ruleset.Parse([]byte(loginRL), ruleset.JSON)
	require.NoError(t, err)
	var hs []http.Handler
	var stores []*redisstore.Store
	for range n {
		s := open(t, url, o)
		m, err := nethttp.New(f.Ruleset, nethttp.Options{Now: now, RateLimitStore: s,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		require.NoError(t, err)
		hs = append(hs, m.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
		stores = append(stores, s)
	}
	return hs, stores
}

func get(h http.Handler, addr string) int {
	r := httptest.NewRequest("GET", "http://example.com/login", nil)
	r.RemoteAddr = addr + ":40000"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code
}

// TestTwoMiddlewaresShareALimit: two proxies with one Redis let 100
// requests a minute from one address through between them, not 100 each.
func TestTwoMiddlewaresShareALimit(t *testing.T) {
	srv := redistest.Start(t)
	var mu sync.Mutex
	now := start
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	hs, _ := fleet(t, 2, srv.URL, clock, redisstore.Options{Prefix: "share:"})
	var wg sync.WaitGroup
	codes := make([][]int, 2)
	for p := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				codes[p] = append(codes[p], get(hs[p], "192.0.2.1"))
			}
		}()
	}
	wg.Wait()
	for p := range 2 {
		for i, c := range codes[p] {
			require.Equal(t, http.StatusOK, c, "proxy %d, request %d", p, i+1)
		}
	}
	assert.Equal(t, http.StatusTooManyRequests, get(hs[1], "192.0.2.1"), "request 101, on either proxy")
	assert.Equal(t, http.StatusTooManyRequests, get(hs[0], "192.0.2.1"))
	assert.Equal(t, http.StatusOK, get(hs[0], "192.0.2.2"), "another address")
	mu.Lock()
	now = now.Add(10 * time.Minute)
	mu.Unlock()
	assert.Equal(t, http.StatusOK, get(hs[1], "192.0.2.1"), "after the mitigation timeout")
}

// TestRedisGoesAway: when Redis stops answering, a store that fails open
// lets requests through and one that fails closed refuses them, both
// within their timeout, counting each failure.
func TestRedisGoesAway(t *testing.T) {
	srv := redistest.Start(t)
	clock := func() time.Time { return start }
	open, _ := fleet(t, 1, srv.URL, clock, redisstore.Options{Prefix: "away:", Timeout: 100 * time.Millisecond})
	closed, stores := fleet(t, 1, srv.URL, clock, redisstore.Options{Prefix: "away:", Timeout: 100 * time.Millisecond, FailClosed: true})
	require.Equal(t, http.StatusOK, get(open[0], "192.0.2.1"))
	require.Equal(t, http.StatusOK, get(closed[0], "192.0.2.1"))

	srv.Stop()
	assert.Equal(t, http.StatusOK, get(open[0], "192.0.2.1"), "fail open")
	assert.Equal(t, http.StatusTooManyRequests, get(closed[0], "192.0.2.1"), "fail closed")
	assert.Equal(t, uint64(1), stores[0].Failures())
}

// TestUnreachableRedisDoesNotHang: a server that accepts connections and
// never answers costs a request the store's timeout, and no more.
func TestUnreachableRedisDoesNotHang(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	var logs bytes.Buffer
	s := open(t, "redis://"+l.Addr().String()+"/0", redisstore.Options{Timeout: 50 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	done := make(chan ratelimit.Result)
	go func() { done <- s.Hit([]byte("k"), 1, start, ratelimit.Limit{Period: time.Minute, Max: 1}) }()
	select {
	case res := <-done:
		assert.False(t, res.Over, "fail open")
	case <-time.After(5 * time.Second):
		t.Fatal("the hit did not return in 5 s with a timeout of 50 ms")
	}
	assert.Equal(t, uint64(1), s.Failures())
	assert.Contains(t, logs.String(), "the rate limit store did not answer")
}

var benchLimit = ratelimit.Limit{Period: time.Minute, Max: 1 << 40, Timeout: 10 * time.Minute}

// BenchmarkHit is one counted request: a round trip to a redis-server on
// loopback.
func BenchmarkHit(b *testing.B) {
	s := open(b, redistest.Start(b).URL, redisstore.Options{Timeout: time.Second})
	key := []byte("login-rl\x00192.0.2.1")
	b.ReportAllocs()
	for b.Loop() {
		s.Hit(key, 1, start, benchLimit)
	}
	if s.Failures() > 0 {
		b.Fatalf("%d hits failed", s.Failures())
	}
}

// BenchmarkHitParallel is 8 goroutines counting, on one key and on many.
func BenchmarkHitParallel(b *testing.B) {
	s := open(b, redistest.Start(b).URL, redisstore.Options{Timeout: time.Second})
	for _, keys := range []int{1, 4096} {
		b.Run(strconv.Itoa(keys)+"-keys", func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0)))
			var next atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				for i := next.Add(997); pb.Next(); i++ {
					s.Hit([]byte("k"+strconv.FormatInt(i%int64(keys), 10)), 1, start, benchLimit)
				}
			})
		})
	}
	if s.Failures() > 0 {
		b.Fatalf("%d hits failed", s.Failures())
	}
}
