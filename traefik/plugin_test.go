package traefik_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/http-wasm/http-wasm-host-go/api"
	"github.com/http-wasm/http-wasm-host-go/handler"
	wasm "github.com/http-wasm/http-wasm-host-go/handler/nethttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tetratelabs/wazero"

	"github.com/edgerules/edgerules/internal/zonetest"
)

// plugin is the guest, built once for the tests with standard Go as
// Traefik's WASM plugins are.
var plugin []byte

// compiled keeps the guest compiled once for all the tests' hosts, as one
// Traefik compiles it once per middleware.
var compiled = wazero.NewCompilationCache()

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "edgerules-traefik")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out := filepath.Join(dir, "plugin.wasm")
	build := exec.Command("go", "build", "-buildmode=c-shared", "-o", out, "./guest")
	build.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the plugin:", err)
		os.Exit(2)
	}
	if plugin, err = os.ReadFile(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// logs collects what the guest writes to the host's log, from level on.
type logs struct {
	level api.LogLevel
	lines []string
}

func (l *logs) IsEnabled(level api.LogLevel) bool { return level >= l.level }
func (l *logs) Log(_ context.Context, level api.LogLevel, msg string) {
	l.lines = append(l.lines, msg)
}

// host runs the plugin as Traefik runs a WASM middleware (a reactor, the
// configuration given as JSON) in front of next.
func host(t testing.TB, config map[string]any, next http.Handler, fsConfig ...wazero.FSConfig) (http.Handler, *logs, error) {
	return hostLogging(t, api.LogLevelInfo, config, next, fsConfig...)
}

// hostLogging is host with the host's log level.
func hostLogging(t testing.TB, level api.LogLevel, config map[string]any, next http.Handler, fsConfig ...wazero.FSConfig) (http.Handler, *logs, error) {
	t.Helper()
	raw, err := json.Marshal(config)
	require.NoError(t, err)
	module := wazero.NewModuleConfig().WithStartFunctions("_start", "_initialize").WithSysWalltime().WithSysNanotime()
	if len(fsConfig) > 0 {
		module = module.WithFSConfig(fsConfig[0])
	}
	l := &logs{level: level}
	ctx := context.Background()
	runtime := func(ctx context.Context) (wazero.Runtime, error) {
		return wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCompilationCache(compiled)), nil
	}
	mw, err := wasm.NewMiddleware(ctx, plugin, handler.GuestConfig(raw), handler.ModuleConfig(module), handler.Logger(l),
		handler.Runtime(runtime))
	if err != nil {
		return nil, l, err
	}
	t.Cleanup(func() { mw.Close(ctx) })
	return mw.NewHandler(ctx, next), l, nil
}

var upstream = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintf(w, "upstream %s", r.URL.Path) })

const (
	browser = "Mozilla/5.0 (X11; Linux x86_64) Firefox/125.0"
	mobile  = "App_Name 2.0 (iPhone; iOS 17.4)"
)

// seedRules are the layered rules of Cloudflare's guide.
func seedRules(t testing.TB) string {
	data, err := os.ReadFile("../examples/rules/bot-management.json")
	require.NoError(t, err)
	return string(data)
}

// request sends one request through h, as from a trusted proxy that adds
// Cloudflare's bot headers, and returns what came back.
func request(h http.Handler, path string, score int, verified bool, ua string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", "http://shop.example.com"+path, nil)
	r.RemoteAddr = "192.0.2.10:4711"
	r.Header.Set("Cf-Bot-Score", fmt.Sprint(score))
	r.Header.Set("Cf-Verified-Bot", fmt.Sprint(verified))
	r.Header.Set("User-Agent", ua)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestSeedCases: the plugin decides the seed's layered cases as nethttp
// does: a likely bot on a browser path is blocked, the API passes, the
// mobile app at 20 is challenged and at 1 blocked, a verified bot and a
// human pass.
func TestSeedCases(t *testing.T) {
	h, l, err := host(t, map[string]any{"rules": seedRules(t), "trustedProxies": []string{"192.0.2.0/24"}}, upstream)
	require.NoError(t, err)
	for _, c := range []struct {
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
	} {
		w := request(h, c.path, c.score, c.verified, c.ua)
		assert.Equal(t, c.status, w.Code, c.name)
		if c.body != "" {
			assert.Equal(t, c.body, w.Body.String(), c.name)
		}
		assert.Equal(t, c.mitigated, w.Header().Get("Cf-Mitigated"), c.name)
	}
	assert.Contains(t, strings.Join(l.lines, "\n"), "edgerules: rule matched ref=browser-block action=block decided=true detection_only=false client=192.0.2.10")
}

// TestUntrustedHeaders: bot headers from a peer that is not a trusted
// proxy are not believed, so a spoofed score of 87 does not make a bot a
// human... and a score of 1 does not block anyone.
func TestUntrustedHeaders(t *testing.T) {
	h, _, err := host(t, map[string]any{"rules": seedRules(t)}, upstream)
	require.NoError(t, err)
	assert.Equal(t, 200, request(h, "/products", 1, false, browser).Code)
}

// TestDetectionOnly lets every request through.
func TestDetectionOnly(t *testing.T) {
	h, l, err := host(t, map[string]any{"rules": seedRules(t), "trustedProxies": []string{"192.0.2.10"}, "detectionOnly": true}, upstream)
	require.NoError(t, err)
	w := request(h, "/products", 12, false, browser)
	assert.Equal(t, 200, w.Code)
	assert.Equal(t, "upstream /products", w.Body.String())
	assert.Contains(t, strings.Join(l.lines, "\n"), "detection_only=true")
}

// TestBadConfiguration: a plugin that cannot start says why and refuses
// every request rather than letting it through unchecked.
func TestBadConfiguration(t *testing.T) {
	for name, c := range map[string]struct {
		config map[string]any
		log    string
	}{
		"no rules":         {map[string]any{}, "the configuration gives no rules"},
		"both":             {map[string]any{"rules": "[]", "rulesFile": "/x.json"}, "give rules or rulesFile/rulesFiles, not both"},
		"unknown key":      {map[string]any{"rules": "[]", "rulez": 1}, `unknown field "rulez"`},
		"bad proxy":        {map[string]any{"rules": "[]", "trustedProxies": []string{"nope"}}, `trustedProxies: "nope" is not a network or an address`},
		"does not parse":   {map[string]any{"rules": `[{"expression": "ip.src eq", "action": "block"}]`}, "expected a value after `eq`"},
		"file not mounted": {map[string]any{"rulesFile": "/etc/edgerules/rules.json"}, "is its folder in the plugin's mounts?"},
	} {
		h, l, err := host(t, c.config, upstream)
		require.NoError(t, err, name)
		assert.Contains(t, strings.Join(l.lines, "\n"), c.log, name)
		assert.Equal(t, 500, request(h, "/", 87, false, browser).Code, name)
	}
}

// TestRulesFile reads the rules from a mounted folder, and reads them again
// when the file changes; a file that does not compile keeps the old rules.
func TestRulesFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rules.json")
	write := func(text string, at time.Time) {
		require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
		require.NoError(t, os.Chtimes(path, at, at))
	}
	start := time.Now().Add(-time.Hour)
	write(`[{"ref": "a", "expression": "http.request.uri.path eq \"/a\"", "action": "block"}]`, start)
	h, l, err := host(t, map[string]any{"rulesFile": "/rules/rules.json"}, upstream,
		wazero.NewFSConfig().WithReadOnlyDirMount(dir, "/rules"))
	require.NoError(t, err)
	assert.Equal(t, 403, request(h, "/a", 87, false, browser).Code)
	assert.Equal(t, 200, request(h, "/b", 87, false, browser).Code)

	write(`[{"ref": "b", "expression": "http.request.uri.path eq \"/b\"", "action": "block"}]`, start.Add(time.Minute))
	time.Sleep(1100 * time.Millisecond) // the plugin looks at the file at most once a second
	assert.Equal(t, 200, request(h, "/a", 87, false, browser).Code)
	assert.Equal(t, 403, request(h, "/b", 87, false, browser).Code)

	write(`[{"expression": "broken and", "action": "block"}]`, start.Add(2*time.Minute))
	time.Sleep(1100 * time.Millisecond)
	assert.Equal(t, 403, request(h, "/b", 87, false, browser).Code, "the old rules stay")
	assert.Contains(t, strings.Join(l.lines, "\n"), "/rules/rules.json: the old rules stay")
}

// BenchmarkRequest sends one request through the host and the plugin, as
// a human that the rules let through, as an API call a rule skips, and as
// a bot they block, with the host logging errors only (Traefik's default);
// compare with nethttp's BenchmarkMiddleware for the cost of the
// WebAssembly host.
func BenchmarkRequest(b *testing.B) {
	next := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	h, _, err := hostLogging(b, api.LogLevelError, map[string]any{"rules": seedRules(b), "trustedProxies": []string{"192.0.2.0/24"}}, next)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, score, path string }{
		{"human-passes", "87", "/products/shoes"},
		{"api-skips", "12", "/api/items"},
		{"bot-blocked", "12", "/products/shoes"},
	} {
		r := httptest.NewRequest("GET", "https://shop.example.com"+c.path, nil)
		r.RemoteAddr = "192.0.2.10:4711"
		r.Header.Set("Cf-Bot-Score", c.score)
		r.Header.Set("User-Agent", browser)
		w := &discard{h: http.Header{}}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				h.ServeHTTP(w, r)
			}
		})
	}
}

// BenchmarkZone sends a human's request through the plugin running
// zonetest's zone of five phases, whose late transform sets the bot-score
// header and whose response transform makes the host buffer the response.
func BenchmarkZone(b *testing.B) {
	dir := b.TempDir()
	zonetest.Write(b, dir)
	next := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	h, _, err := hostLogging(b, api.LogLevelError, map[string]any{"rulesFiles": []string{"/rules/redirects.yaml", "/rules/zone"},
		"trustedProxies": []string{"192.0.2.0/24"}}, next, wazero.NewFSConfig().WithReadOnlyDirMount(dir, "/rules"))
	if err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest("GET", "https://shop.example.com/products/shoes", nil)
	r.RemoteAddr = "192.0.2.10:4711"
	r.Header.Set("Cf-Bot-Score", "87")
	r.Header.Set("User-Agent", browser)
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, r)
	}
}

// discard is a ResponseWriter that keeps nothing.
type discard struct{ h http.Header }

func (w *discard) Header() http.Header         { return w.h }
func (w *discard) Write(p []byte) (int, error) { return len(p), nil }
func (w *discard) WriteHeader(int)             {}
