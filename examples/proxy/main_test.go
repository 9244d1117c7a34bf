package main

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgerules/edgerules/internal/redistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lockedBuffer is a log destination safe for concurrent writes and reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// start runs a real upstream and the real proxy on loopback and returns
// the proxy, its URL and its log.
func start(t *testing.T, rules string, detectionOnly bool, flags ...string) (*proxy, string, *lockedBuffer) {
	t.Helper()
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "upstream %s", r.URL.Path)
	}))
	t.Cleanup(upstream.Close)
	c, err := parseFlags(append([]string{"-upstream", upstream.URL, "-rules", rules, "-trusted-proxies", "127.0.0.0/8, ::1/128",
		fmt.Sprintf("-detection-only=%v", detectionOnly)}, flags...))
	require.NoError(t, err)
	log := &lockedBuffer{}
	p, err := newProxy(c, slog.New(slog.NewTextHandler(log, nil)))
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	server := &http.Server{Handler: p.handler, ReadHeaderTimeout: 5 * time.Second}
	go server.Serve(ln)
	t.Cleanup(func() { server.Close() })
	return p, "http://" + ln.Addr().String(), log
}

// get sends a request with bot headers as Cloudflare would set them.
func get(t *testing.T, base, path string, score int, verified bool, ua string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest("GET", base+path, nil)
	require.NoError(t, err)
	req.Header.Set("Cf-Bot-Score", fmt.Sprint(score))
	req.Header.Set("Cf-Verified-Bot", fmt.Sprint(verified))
	req.Header.Set("User-Agent", ua)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header
}

const (
	seedRules = "../rules/bot-management.json"
	browser   = "Mozilla/5.0 (X11; Linux x86_64) Firefox/125.0"
	mobile    = "App_Name 2.0 (iPhone; iOS 17.4)"
)

func TestSeedRulesThroughTheProxy(t *testing.T) {
	_, base, log := start(t, seedRules, false)
	tests := []struct {
		name            string
		path            string
		score           int
		verified        bool
		ua              string
		status          int
		body, mitigated string
	}{
		{"a likely bot on a browser path is blocked", "/products", 12, false, browser, 403, "Forbidden\n", ""},
		{"the same request on the API passes", "/api/items", 12, false, browser, 200, "upstream /api/items", ""},
		{"the mobile app at 20 is challenged", "/feed", 20, false, mobile, 403, "", "challenge"},
		{"the mobile app at 1 is blocked", "/feed", 1, false, mobile, 403, "Forbidden\n", ""},
		{"a verified bot passes", "/products", 1, true, "Googlebot/2.1", 200, "upstream /products", ""},
		{"a human passes", "/products", 87, false, browser, 200, "upstream /products", ""},
	}
	for _, tt := range tests {
		status, body, header := get(t, base, tt.path, tt.score, tt.verified, tt.ua)
		assert.Equal(t, tt.status, status, tt.name)
		if tt.body != "" {
			assert.Equal(t, tt.body, body, tt.name)
		}
		assert.Equal(t, tt.mitigated, header.Get("Cf-Mitigated"), tt.name)
	}
	assert.Contains(t, log.String(), `msg="edgerules: rule matched" ref=browser-block action=block decided=true detection_only=false client=127.0.0.1`)
	assert.Contains(t, log.String(), `ref=mobile-challenge action=challenge`)
}

func TestDetectionOnly(t *testing.T) {
	p, base, log := start(t, seedRules, true)
	for _, score := range []int{1, 12, 20} {
		for _, ua := range []string{browser, mobile} {
			status, body, _ := get(t, base, "/products", score, false, ua)
			assert.Equal(t, 200, status)
			assert.Equal(t, "upstream /products", body)
		}
	}
	assert.Equal(t, 6, strings.Count(log.String(), "detection_only=true"), "every decision is logged")
	counts := p.rules.Counts()
	assert.Equal(t, uint64(6), counts.Requests)
	assert.Equal(t, uint64(3+1), counts.Actions["block"], "what would have been blocked")
}

// TestReloadLosesNoRequest reloads the rules while a client loops: every
// request gets a whole answer of one ruleset or the other, and a ruleset
// that does not compile is refused.
func TestReloadLosesNoRequest(t *testing.T) {
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.json")
	blockAll := `[{"ref": "all", "expression": "true", "action": "block"}]`
	passAll := `[{"ref": "none", "expression": "false", "action": "block"}]`
	require.NoError(t, os.WriteFile(rules, []byte(passAll), 0o644))
	p, base, _ := start(t, rules, false)

	var sent, failed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := http.Get(base + "/x")
				sent.Add(1)
				if err != nil {
					failed.Add(1)
					continue
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				ok := err == nil && (resp.StatusCode == 200 && string(body) == "upstream /x" || resp.StatusCode == 403 && string(body) == "Forbidden\n")
				if !ok {
					failed.Add(1)
				}
			}
		}()
	}
	for i := range 40 {
		next := passAll
		if i%2 == 0 {
			next = blockAll
		}
		require.NoError(t, os.WriteFile(rules, []byte(next), 0o644))
		require.NoError(t, p.reload())
		time.Sleep(5 * time.Millisecond)
	}
	require.NoError(t, os.WriteFile(rules, []byte(`[{"expression": "ssl eq 1", "action": "block"}]`), 0o644))
	assert.Error(t, p.reload(), "a ruleset that does not compile is refused")
	close(stop)
	wg.Wait()
	assert.Zero(t, failed.Load(), "of %d requests", sent.Load())
	assert.Greater(t, sent.Load(), int64(40))
	status, _, _ := get(t, base, "/x", 50, false, browser)
	assert.Equal(t, 200, status, "the last good ruleset (pass all) is still in force")
}

func TestFlags(t *testing.T) {
	_, err := parseFlags([]string{"-rules", "x.json"})
	assert.ErrorContains(t, err, "-upstream and -rules are required")
	_, err = parseFlags([]string{"-upstream", "http://127.0.0.1:1", "-rules", "x", "-trusted-proxies", "10.0.0.0/33"})
	assert.ErrorContains(t, err, "-trusted-proxies")
	c, err := parseFlags([]string{"-upstream", "http://127.0.0.1:1", "-rules", seedRules, "-trusted-proxies", "10.1.2.3/8"})
	require.NoError(t, err)
	assert.Equal(t, "10.0.0.0/8", c.trusted[0].String())
	c.upstream = "not a url"
	_, err = newProxy(c, slog.Default())
	assert.ErrorContains(t, err, "is not a URL")
}

// TestRateLimit: the proxy lets 100 requests a minute to /login from one
// address through, in memory or with one Redis that two proxies share.
func TestRateLimit(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(upstream.Close)
	proxyURL := func(extra ...string) string {
		c, err := parseFlags(append([]string{"-upstream", upstream.URL, "-rules", "../rules/login-rate-limit.json"}, extra...))
		require.NoError(t, err)
		p, err := newProxy(c, slog.New(slog.NewTextHandler(io.Discard, nil)))
		require.NoError(t, err)
		s := httptest.NewServer(p.handler)
		t.Cleanup(s.Close)
		return s.URL
	}
	status := func(url string) int {
		resp, err := http.Get(url + "/login")
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	t.Run("memory", func(t *testing.T) {
		url := proxyURL()
		for i := range 100 {
			require.Equal(t, http.StatusOK, status(url), "request %d", i+1)
		}
		assert.Equal(t, http.StatusTooManyRequests, status(url), "request 101")
	})
	t.Run("redis", func(t *testing.T) {
		redis := redistest.Start(t)
		a, b := proxyURL("-ratelimit-redis", redis.URL), proxyURL("-ratelimit-redis", redis.URL)
		for i := range 50 {
			require.Equal(t, http.StatusOK, status(a), "request %d", 2*i+1)
			require.Equal(t, http.StatusOK, status(b), "request %d", 2*i+2)
		}
		assert.Equal(t, http.StatusTooManyRequests, status(a), "request 101")
	})
	t.Run("bad URL", func(t *testing.T) {
		c, err := parseFlags([]string{"-upstream", upstream.URL, "-rules", "../rules/login-rate-limit.json", "-ratelimit-redis", "mysql://x"})
		require.NoError(t, err)
		_, err = newProxy(c, slog.New(slog.NewTextHandler(io.Discard, nil)))
		assert.ErrorContains(t, err, "-ratelimit-redis: ")
	})
}
