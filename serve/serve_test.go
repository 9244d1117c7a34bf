package serve_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edgerules/edgerules/serve"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seedRules is the seed's layered bot rules, as the examples ship them.
const seedRules = "../examples/rules/bot-management.yaml"

// loopback trusts the proxies of the tests, which call from 127.0.0.1.
var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

// newService starts a service on the rules file, with its log in buf.
func newService(t *testing.T, opts serve.Options) (*serve.Service, *logBuffer) {
	t.Helper()
	log := &logBuffer{}
	opts.Logger = slog.New(slog.NewTextHandler(log, nil))
	s, err := serve.New(opts)
	require.NoError(t, err)
	return s, log
}

// check sends a forward-auth request to s and returns the answer.
func check(s http.Handler, headers map[string]string) *http.Response {
	r := httptest.NewRequest("GET", "/check", nil)
	r.RemoteAddr = "127.0.0.1:50000"
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w.Result()
}

// The seed's cases, as nginx asks about them.
var seedCases = []struct {
	name, path, ua, score, verified string
	status                          int
	action, rule, mitigated         string
}{
	{"likely bot on a browser path", "/products", "Mozilla/5.0", "12", "", 403, "block", "browser-block", ""},
	{"likely bot on the API", "/api/orders", "Mozilla/5.0", "12", "", 200, "skip", "api", ""},
	{"mobile app at score 1", "/home", "App_Name 2.0", "1", "", 403, "block", "mobile-block", ""},
	{"mobile app at score 20", "/home", "App_Name 2.0", "20", "", 403, "challenge", "mobile-challenge", "challenge"},
	{"verified bot", "/products", "Googlebot/2.1", "5", "true", 200, "none", "", ""},
	{"human", "/products", "Mozilla/5.0", "95", "", 200, "none", "", ""},
}

func TestSeedThroughNginxShape(t *testing.T) {
	s, _ := newService(t, serve.Options{Rules: []string{seedRules}, TrustedProxies: loopback})
	for _, c := range seedCases {
		t.Run(c.name, func(t *testing.T) {
			resp := check(s, map[string]string{"X-Original-Uri": c.path, "X-Original-Method": "GET", "X-Real-Ip": "198.51.100.7",
				"User-Agent": c.ua, "Cf-Bot-Score": c.score, "Cf-Verified-Bot": c.verified})
			assert.Equal(t, c.status, resp.StatusCode)
			assert.Equal(t, c.action, resp.Header.Get(serve.HeaderAction))
			assert.Equal(t, c.rule, resp.Header.Get(serve.HeaderRule))
			assert.Equal(t, c.mitigated, resp.Header.Get("Cf-Mitigated"))
		})
	}
}

func TestDetectionOnlyNeverDenies(t *testing.T) {
	s, _ := newService(t, serve.Options{Rules: []string{seedRules}, TrustedProxies: loopback, DetectionOnly: true})
	for _, c := range seedCases {
		resp := check(s, map[string]string{"X-Forwarded-Uri": c.path, "X-Forwarded-Method": "GET",
			"User-Agent": c.ua, "Cf-Bot-Score": c.score, "Cf-Verified-Bot": c.verified})
		assert.Equal(t, 200, resp.StatusCode, c.name)
		assert.Equal(t, c.action, resp.Header.Get(serve.HeaderAction), c.name)
	}
}

// TestBotHeadersOnlyFromTrustedProxies: a client that calls the service
// itself cannot claim a bot score.
func TestBotHeadersOnlyFromTrustedProxies(t *testing.T) {
	s, _ := newService(t, serve.Options{Rules: []string{seedRules}, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	resp := check(s, map[string]string{"X-Original-Uri": "/products", "Cf-Bot-Score": "12"})
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "none", resp.Header.Get(serve.HeaderAction))
}

func TestOnError(t *testing.T) {
	for _, deny := range []bool{false, true} {
		s, log := newService(t, serve.Options{Rules: []string{seedRules}, DenyOnError: deny})
		resp := check(s, map[string]string{"X-Original-Uri": "no-slash"})
		want := map[bool]int{false: 200, true: 403}[deny]
		assert.Equal(t, want, resp.StatusCode)
		assert.Equal(t, `the original URI "no-slash" is not a path with an optional query`, resp.Header.Get(serve.HeaderError))
		assert.Equal(t, "error", resp.Header.Get(serve.HeaderAction))
		assert.Contains(t, log.String(), `msg="edgerules: request not readable; answered by --on-error" transport=http peer=127.0.0.1:50000`)
	}
}

func TestCustomBlockResponse(t *testing.T) {
	path := writeRules(t, `[{"ref": "teapot", "expression": "http.request.uri.path eq \"/tea\"", "action": "block",
		"action_parameters": {"response": {"status_code": 418, "content": "no tea", "content_type": "text/plain"}}}]`)
	s, _ := newService(t, serve.Options{Rules: []string{path}})
	resp := check(s, map[string]string{"X-Forwarded-Uri": "/tea"})
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, 418, resp.StatusCode)
	assert.Equal(t, "no tea", string(body))
	assert.Equal(t, "teapot", resp.Header.Get(serve.HeaderRule))
}

func writeRules(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rules.json")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	return path
}

const (
	blockA = `[{"ref": "a", "expression": "http.request.uri.path eq \"/a\"", "action": "block"}]`
	blockB = `[{"ref": "b", "expression": "http.request.uri.path eq \"/b\"", "action": "block"}]`
	broken = `[{"ref": "c", "expression": "http.request.uri.path eq", "action": "block"}]`
)

func status(s http.Handler, path string) int {
	return check(s, map[string]string{"X-Original-Uri": path}).StatusCode
}

func TestReloadRefusesBrokenRules(t *testing.T) {
	path := writeRules(t, blockA)
	s, log := newService(t, serve.Options{Rules: []string{path}})
	assert.Equal(t, 403, status(s, "/a"))

	require.NoError(t, os.WriteFile(path, []byte(blockB), 0o644))
	require.NoError(t, s.Reload())
	assert.Equal(t, 200, status(s, "/a"))
	assert.Equal(t, 403, status(s, "/b"))

	require.NoError(t, os.WriteFile(path, []byte(broken), 0o644))
	assert.Error(t, s.Reload())
	assert.Equal(t, 403, status(s, "/b"), "the rules in force stay")
	assert.Contains(t, log.String(), "rules not reloaded; the rules in force stay")

	metrics := scrape(t, s)
	assert.Contains(t, metrics, `edgerules_reloads_total{result="ok"} 1`)
	assert.Contains(t, metrics, `edgerules_reloads_total{result="failed"} 1`)
}

func TestWatchReloadsOnChange(t *testing.T) {
	path := writeRules(t, blockA)
	s, _ := newService(t, serve.Options{Rules: []string{path}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Watch(ctx, 5*time.Millisecond)

	// An editor that renames a new file over the old one.
	tmp := path + ".new"
	require.NoError(t, os.WriteFile(tmp, []byte(blockB), 0o644))
	require.NoError(t, os.Rename(tmp, path))
	require.Eventually(t, func() bool { return status(s, "/b") == 403 }, 5*time.Second, 5*time.Millisecond)

	require.NoError(t, os.WriteFile(path, []byte(broken), 0o644))
	require.Eventually(t, func() bool {
		return strings.Contains(scrape(t, s), `edgerules_reloads_total{result="failed"} 1`)
	}, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, 403, status(s, "/b"), "the rules in force stay")

	require.NoError(t, os.Remove(path))
	time.Sleep(20 * time.Millisecond)
	assert.Equal(t, 403, status(s, "/b"), "a file that disappears changes nothing")
}

func scrape(t *testing.T, s *serve.Service) string {
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	require.Equal(t, 200, w.Code)
	return w.Body.String()
}

func TestMetrics(t *testing.T) {
	s, _ := newService(t, serve.Options{Rules: []string{seedRules}, TrustedProxies: loopback})
	for _, c := range seedCases {
		check(s, map[string]string{"X-Original-Uri": c.path, "User-Agent": c.ua, "Cf-Bot-Score": c.score, "Cf-Verified-Bot": c.verified})
	}
	check(s, nil)
	m := scrape(t, s)
	for _, line := range []string{
		`edgerules_requests_total 6`,
		`edgerules_decisions_total{action="block"} 2`,
		`edgerules_decisions_total{action="challenge"} 1`,
		`edgerules_decisions_total{action="skip"} 1`,
		`edgerules_rule_matches_total{action="block",rule="browser-block"} 1`,
		`edgerules_rule_matches_total{action="block",rule="mobile-block"} 1`,
		`edgerules_unreadable_requests_total{transport="http"} 1`,
		`edgerules_decision_seconds_count{transport="http"} 7`,
	} {
		assert.Contains(t, m, line+"\n")
	}
}

// TestRunShutsDownGracefully: Run serves the forward-auth and metrics
// listeners until its context ends, then returns nil (after net/http's and
// gRPC's graceful shutdowns), and nothing listens any more.
func TestRunShutsDownGracefully(t *testing.T) {
	s, _ := newService(t, serve.Options{Rules: []string{seedRules}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	mln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx, serve.Listeners{HTTP: ln, Metrics: mln}) }()

	req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/check", nil)
	req.Header.Set("X-Original-Uri", "/")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "none", resp.Header.Get(serve.HeaderAction))
	resp, err = http.Get("http://" + mln.Addr().String() + "/metrics")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)

	cancel()
	require.NoError(t, <-done)
	_, err = http.DefaultClient.Do(req)
	assert.Error(t, err, "no longer listening")
}

// logBuffer keeps what the service's goroutines log.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func TestParsePrefixes(t *testing.T) {
	got, err := serve.ParsePrefixes(" 10.1.2.3/8, 192.0.2.1,,2001:db8::1 ,::ffff:192.0.2.9")
	require.NoError(t, err)
	assert.Equal(t, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.1/32"),
		netip.MustParsePrefix("2001:db8::1/128"), netip.MustParsePrefix("192.0.2.9/32")}, got)
	_, err = serve.ParsePrefixes("10.0.0.0/8,nope")
	assert.EqualError(t, err, `"nope" is neither a network such as 10.0.0.0/8 nor an address`)
}
