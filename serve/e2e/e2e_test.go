// Package e2e_test runs the decision service behind the real proxies (nginx,
// Caddy and HAProxy from Debian's packages) with the configurations in
// examples/, on loopback, and a Go origin behind them. A proxy that is not
// installed is skipped with a message.
package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/edgerules/edgerules/serve"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The addresses the example configurations use, which the tests replace.
const (
	exampleService = "127.0.0.1:9900"
	exampleOrigin  = "127.0.0.1:8080"
	exampleProxy   = "127.0.0.1:8000"
)

// markerRule blocks a path no other rule decides: a 403 naming it proves
// that the proxy asked the service with our configuration.
const (
	markerPath = "/edgerules-e2e-marker"
	markerRule = `
  - ref: e2e-marker
    description: proves the proxy asks the service
    expression: http.request.uri.path eq "` + markerPath + `"
    action: block
`
)

// rulesFile writes the seed's layered rules, as the examples ship them,
// with the marker rule after them.
func rulesFile(t testing.TB) string {
	seed, err := os.ReadFile("../../examples/rules/bot-management.yaml")
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "rules.yaml")
	require.NoError(t, os.WriteFile(path, append(seed, markerRule...), 0o644))
	return path
}

// startService runs the service on a free loopback port, trusting
// loopback (the proxy), until the test ends; it returns its address.
func startService(t testing.TB, rules ...string) (*serve.Service, string) {
	return startServiceWith(t, "", rules...)
}

// startServiceWith starts a service that also takes Envoy's HTTP requests
// under envoyPrefix.
func startServiceWith(t testing.TB, envoyPrefix string, rules ...string) (*serve.Service, string) {
	s, err := serve.New(serve.Options{Rules: rules, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		EnvoyPrefix: envoyPrefix, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx, serve.Listeners{HTTP: ln}) }()
	t.Cleanup(func() { cancel(); <-done })
	return s, ln.Addr().String()
}

// An origin answers with the headers the proxy passed on, as JSON, and
// counts the requests it saw.
type origin struct {
	addr string
	seen atomic.Int64
}

func startOrigin(t testing.TB) *origin {
	o := &origin{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	o.addr = ln.Addr().String()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.seen.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(r.Header)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return o
}

// freeAddr returns a loopback address with a port free at the time.
func freeAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// binary finds a proxy's program, on the PATH or in /usr/sbin (where
// Debian puts nginx and haproxy), or skips the test.
func binary(t testing.TB, name, pkg string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if p := filepath.Join("/usr/sbin", name); isExecutable(p) {
		return p
	}
	t.Skipf("%s is not installed: apt-get install %s (.ci/run does) to run this test", name, pkg)
	return ""
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode()&0o111 != 0
}

// example reads a file of examples/ with its addresses replaced.
func example(t testing.TB, path string, replace ...string) string {
	b, err := os.ReadFile(filepath.Join("../../examples", path))
	require.NoError(t, err)
	return strings.NewReplacer(replace...).Replace(string(b))
}

// startProxy runs a proxy until the test ends and waits until it accepts
// connections on addr; its output goes to a file shown if the test fails.
func startProxy(t testing.TB, dir, addr string, env []string, name string, args ...string) {
	logPath := filepath.Join(dir, "proxy.log")
	logFile, err := os.Create(logPath)
	require.NoError(t, err)
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, logFile, logFile
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its workers go with it
	require.NoError(t, cmd.Start())
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		logFile.Close()
		if t.Failed() {
			out, _ := os.ReadFile(logPath)
			t.Logf("%s output:\n%s", filepath.Base(name), out)
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case <-exited:
			out, _ := os.ReadFile(logPath)
			t.Fatalf("%s exited before it served:\n%s", name, out)
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
			c.Close()
			return
		}
		require.True(t, time.Now().Before(deadline), "%s does not accept connections on %s", name, addr)
		time.Sleep(50 * time.Millisecond)
	}
}

// get sends a request through the proxy with the client's headers.
func get(t testing.TB, proxy, path string, headers map[string]string) (*http.Response, string) {
	req, err := http.NewRequest("GET", "http://"+proxy+path, nil)
	require.NoError(t, err)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(body)
}

// seedCases are the seed's layered rules at work, as a client sends them
// through the proxy (behind Cloudflare, whose bot headers the proxy passes).
var seedCases = []struct {
	name, path, ua, score, verified string
	status                          int
	action, rule, mitigated         string
}{
	{"likely bot on a browser path", "/products", "Mozilla/5.0", "12", "", 403, "block", "browser-block", ""},
	{"likely bot on the API", "/api/orders?page=2", "Mozilla/5.0", "12", "", 200, "skip", "api", ""},
	{"mobile app at score 1", "/home", "App_Name 2.0", "1", "", 403, "block", "mobile-block", ""},
	{"mobile app at score 20", "/home", "App_Name 2.0", "20", "", 403, "challenge", "mobile-challenge", "challenge"},
	{"verified bot", "/products", "Googlebot/2.1", "5", "true", 200, "none", "", ""},
	{"human", "/products", "Mozilla/5.0", "95", "", 200, "none", "", ""},
}

// checkSeed proves the proxy uses our configuration, then runs the seed's
// cases through it.
func checkSeed(t *testing.T, proxy string, o *origin) {
	t.Helper()
	before := o.seen.Load()
	resp, body := get(t, proxy, markerPath, nil)
	require.Equal(t, 403, resp.StatusCode, "the proxy did not ask the service (marker rule): %s", body)
	require.Equal(t, "e2e-marker", resp.Header.Get("X-Edgerules-Rule"), body)
	require.Equal(t, before, o.seen.Load(), "the origin saw a blocked request")

	for _, c := range seedCases {
		t.Run(c.name, func(t *testing.T) {
			before := o.seen.Load()
			// The client's own decision headers must not reach the origin.
			resp, body := get(t, proxy, c.path, map[string]string{"User-Agent": c.ua, "Cf-Bot-Score": c.score, "Cf-Verified-Bot": c.verified,
				"X-Edgerules-Action": "forged", "X-Edgerules-Rule": "forged"})
			assert.Equal(t, c.status, resp.StatusCode, body)
			assert.Equal(t, c.mitigated, resp.Header.Get("Cf-Mitigated"))
			if c.status != 200 {
				assert.Equal(t, c.rule, resp.Header.Get("X-Edgerules-Rule"), body)
				assert.Equal(t, before, o.seen.Load(), "the origin saw a denied request")
				return
			}
			// What the origin got: the client's headers, and the decision.
			var seen http.Header
			require.NoError(t, json.Unmarshal([]byte(body), &seen), body)
			assert.Equal(t, c.ua, seen.Get("User-Agent"))
			assert.Equal(t, c.score, seen.Get("Cf-Bot-Score"))
			assert.Equal(t, []string{c.action}, seen["X-Edgerules-Action"])
			assert.Equal(t, c.rule, seen.Get("X-Edgerules-Rule"))
			assert.NotContains(t, seen["X-Edgerules-Rule"], "forged")
		})
	}
}

// nginxConf wraps the example site in a main configuration whose files all
// live in dir.
func nginxConf(t testing.TB, dir, site string) string {
	require.NoError(t, os.WriteFile(filepath.Join(dir, "edgerules.conf"), []byte(site), 0o644))
	conf := fmt.Sprintf(`daemon off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log notice;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    include %[1]s/edgerules.conf;
}
`, dir)
	path := filepath.Join(dir, "nginx.conf")
	require.NoError(t, os.WriteFile(path, []byte(conf), 0o644))
	return path
}

// proxyDir is a folder for a proxy's files that its workers (nobody, when
// the test runs as root) can read.
func proxyDir(t testing.TB) string {
	dir := t.TempDir()
	require.NoError(t, os.Chmod(dir, 0o755))
	return dir
}

// startNginx runs nginx with examples/nginx/edgerules.conf in front of o,
// asking the service at service, with the replacements of edit made in
// the file too.
func startNginx(t testing.TB, service, originAddr string, edit ...string) string {
	nginx := binary(t, "nginx", "nginx-light")
	dir, proxy := proxyDir(t), freeAddr(t)
	site := example(t, "nginx/edgerules.conf", append([]string{exampleService, service, exampleOrigin, originAddr, exampleProxy, proxy}, edit...)...)
	conf := nginxConf(t, dir, site)
	startProxy(t, dir, proxy, nil, nginx, "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", conf)
	return proxy
}

func TestNginx(t *testing.T) {
	_, service := startService(t, rulesFile(t))
	o := startOrigin(t)
	checkSeed(t, startNginx(t, service, o.addr), o)
}

func TestCaddy(t *testing.T) {
	_, service := startService(t, rulesFile(t))
	o := startOrigin(t)
	checkSeed(t, startCaddy(t, service, o.addr), o)
}

// startCaddy runs Caddy with examples/caddy/Caddyfile in front of the
// origin, asking the service at service, with the replacements of edit
// made in the file too.
func startCaddy(t testing.TB, service, originAddr string, edit ...string) string {
	caddy := binary(t, "caddy", "caddy")
	dir, proxy := proxyDir(t), freeAddr(t)
	site := example(t, "caddy/Caddyfile", append([]string{exampleService, service, exampleOrigin, originAddr, exampleProxy, proxy}, edit...)...)
	conf := filepath.Join(dir, "Caddyfile")
	// No admin endpoint: it would take the same port in every test.
	require.NoError(t, os.WriteFile(conf, []byte("{\n\tadmin off\n}\n\n"+site), 0o644))
	env := []string{"HOME=" + dir, "XDG_DATA_HOME=" + dir, "XDG_CONFIG_HOME=" + dir}
	startProxy(t, dir, proxy, env, caddy, "run", "--config", conf, "--adapter", "caddyfile")
	return proxy
}

// TestServiceDown: what each proxy does, with the example's file, when the
// service does not answer.
func TestServiceDown(t *testing.T) {
	for _, tt := range []struct {
		proxy  string
		start  func(t testing.TB, service, origin string, edit ...string) string
		status int // what the client gets
		action string
	}{
		{"nginx", startNginx, 500, ""},                // auth_request turns the failed subrequest into 500: closed
		{"caddy", startCaddy, 502, ""},                // forward_auth answers the failed upstream's 502: closed
		{"haproxy", startHAProxy, 200, "unreachable"}, // the Lua action passes it: open
	} {
		t.Run(tt.proxy, func(t *testing.T) {
			o := startOrigin(t)
			proxy := tt.start(t, freeAddr(t), o.addr)
			resp, body := get(t, proxy, "/products", map[string]string{"Cf-Bot-Score": "12"})
			require.Equal(t, tt.status, resp.StatusCode, body)
			if tt.status == 200 {
				var seen http.Header
				require.NoError(t, json.Unmarshal([]byte(body), &seen), body)
				assert.Equal(t, tt.action, seen.Get("X-Edgerules-Action"))
			}
		})
	}
}

func TestHAProxy(t *testing.T) {
	_, service := startService(t, rulesFile(t))
	o := startOrigin(t)
	checkSeed(t, startHAProxy(t, service, o.addr), o)
}

// startHAProxy runs HAProxy with examples/haproxy in front of the origin,
// asking the service at service.
func startHAProxy(t testing.TB, service, originAddr string, _ ...string) string {
	haproxy := binary(t, "haproxy", "haproxy")
	dir, proxy := proxyDir(t), freeAddr(t)
	lua, err := filepath.Abs("../../examples/haproxy/edgerules.lua")
	require.NoError(t, err)
	cfg := example(t, "haproxy/haproxy.cfg", exampleService, service, exampleOrigin, originAddr, exampleProxy, proxy,
		"/etc/haproxy/edgerules.lua", lua)
	conf := filepath.Join(dir, "haproxy.cfg")
	require.NoError(t, os.WriteFile(conf, []byte(cfg), 0o644))
	startProxy(t, dir, proxy, nil, haproxy, "-f", conf, "-db")
	return proxy
}
