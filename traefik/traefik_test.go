package traefik_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// freePort returns a loopback port nothing listens on.
func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestRealTraefik runs the plugin in a real Traefik, as a local plugin,
// when a traefik binary is on the PATH (it is not packaged for Debian, and
// building it takes about 17 minutes here, so CI does not): the seed's
// cases through Traefik to an upstream.
func TestRealTraefik(t *testing.T) {
	bin, err := exec.LookPath("traefik")
	if err != nil {
		t.Skip("no traefik on the PATH: install Traefik v3 to run the plugin in it (see the README)")
	}
	dir := t.TempDir()
	pluginDir := filepath.Join(dir, "plugins-local", "src", "github.com", "edgerules", "edgerules", "traefik")
	require.NoError(t, os.MkdirAll(pluginDir, 0o755))
	manifest, err := os.ReadFile(".traefik.yml")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(pluginDir, ".traefik.yml"), manifest, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(pluginDir, "plugin.wasm"), plugin, 0o644))

	up := httptest.NewServer(upstream)
	t.Cleanup(up.Close)
	port := freePort(t)
	indented := "          " + strings.ReplaceAll(seedRules(t), "\n", "\n          ")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "dynamic.yml"), []byte(fmt.Sprintf(`http:
  routers:
    all:
      rule: PathPrefix(`+"`/`"+`)
      entryPoints: [web]
      service: upstream
      middlewares: [edgerules]
  middlewares:
    edgerules:
      plugin:
        edgerules:
          trustedProxies: ["127.0.0.1"]
          rules: |
%s
  services:
    upstream:
      loadBalancer:
        servers:
          - url: %s
`, indented, up.URL)), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "traefik.yml"), []byte(fmt.Sprintf(`entryPoints:
  web:
    address: "127.0.0.1:%d"
providers:
  file:
    filename: %s
experimental:
  localPlugins:
    edgerules:
      moduleName: github.com/edgerules/edgerules/traefik
`, port, filepath.Join(dir, "dynamic.yml"))), 0o644))

	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, bin, "--configFile="+filepath.Join(dir, "traefik.yml"))
	cmd.Dir = dir
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })

	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	get := func(path string, score int, verified bool, ua string) (int, string) {
		r, _ := http.NewRequest("GET", base+path, nil)
		r.Header.Set("Cf-Bot-Score", fmt.Sprint(score))
		r.Header.Set("Cf-Verified-Bot", fmt.Sprint(verified))
		r.Header.Set("User-Agent", ua)
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			return 0, ""
		}
		defer resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Cf-Mitigated")
	}
	// The marker: a blocked request proves Traefik loaded the plugin and
	// its rules, not only the route.
	deadline := time.Now().Add(60 * time.Second)
	for {
		if status, _ := get("/products", 12, false, browser); status == 403 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Traefik did not apply the plugin within a minute:\n%s", out.String())
		}
		time.Sleep(500 * time.Millisecond)
	}
	for _, c := range []struct {
		name      string
		path      string
		score     int
		verified  bool
		ua        string
		status    int
		mitigated string
	}{
		{"a likely bot on a browser path is blocked", "/products", 12, false, browser, 403, ""},
		{"the same request on the API passes", "/api/items", 12, false, browser, 200, ""},
		{"the mobile app at 20 is challenged", "/feed", 20, false, mobile, 403, "challenge"},
		{"the mobile app at 1 is blocked", "/feed", 1, false, mobile, 403, ""},
		{"a verified bot passes", "/products", 1, true, "Googlebot/2.1", 200, ""},
		{"a human passes", "/products", 87, false, browser, 200, ""},
	} {
		status, mitigated := get(c.path, c.score, c.verified, c.ua)
		assert.Equal(t, c.status, status, c.name)
		assert.Equal(t, c.mitigated, mitigated, c.name)
	}
}
