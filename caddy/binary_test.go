package edgerulescaddy_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The main package builds a Caddy with the modules, as xcaddy would; the
// binary serves the seed's rules in front of a real upstream. Its admin
// endpoint and port are fixed, apart from caddytest's.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds Caddy")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "caddy")
	build := exec.Command("go", "build", "-o", bin, "./cmd/caddy")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	list, err := exec.Command(bin, "list-modules").Output()
	require.NoError(t, err)
	for _, id := range []string{"edgerules", "http.handlers.edgerules", "http.matchers.edgerules"} {
		assert.Contains(t, string(list), "\n"+id+"\n", "list-modules")
	}

	var reached atomic.Int64
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		fmt.Fprintf(w, "origin %s for %s", r.URL.Path, r.Header.Get("X-Forwarded-For"))
	}))
	defer upstream.Close()

	rules, err := filepath.Abs("../examples/rules/bot-management.yaml")
	require.NoError(t, err)
	caddyfile := filepath.Join(dir, "Caddyfile")
	require.NoError(t, os.WriteFile(caddyfile, []byte(`{
	admin localhost:2998
	http_port 9081
	https_port 9444
	servers {
		trusted_proxies static private_ranges
	}
	edgerules {
		rules `+rules+`
	}
}

http://localhost:9081 {
	edgerules
	reverse_proxy `+upstream.Listener.Addr().String()+`
}
`), 0o644))
	caddy := exec.Command(bin, "run", "--config", caddyfile, "--adapter", "caddyfile")
	caddy.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir)
	var logs bytes.Buffer
	caddy.Stdout, caddy.Stderr = &logs, &logs
	require.NoError(t, caddy.Start())
	defer func() {
		_ = caddy.Process.Signal(os.Interrupt)
		_ = caddy.Wait()
		if t.Failed() {
			t.Logf("caddy's log:\n%s", logs.String())
		}
	}()

	get := func(path, score, ua string) string {
		r, err := http.NewRequest("GET", "http://127.0.0.1:9081"+path, nil)
		require.NoError(t, err)
		r.Host = "localhost:9081"
		r.Header.Set("Cf-Bot-Score", score)
		r.Header.Set("User-Agent", ua)
		r.Header.Set("X-Forwarded-For", "198.51.100.7")
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			return err.Error()
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return fmt.Sprintf("%d %s %s", resp.StatusCode, resp.Header.Get("Cf-Mitigated"), body)
	}
	require.Eventually(t, func() bool { return get("/", "87", browser)[:3] == "200" }, 30*time.Second, 100*time.Millisecond)
	before := reached.Load()
	assert.Equal(t, "200  origin /products for 198.51.100.7, 127.0.0.1", get("/products", "87", browser))
	assert.Equal(t, "200  origin /api/items for 198.51.100.7, 127.0.0.1", get("/api/items", "12", browser))
	assert.Equal(t, "403  ", get("/products", "12", browser))
	assert.Equal(t, "403  ", get("/home", "1", app))
	assert.Regexp(t, `^403 challenge <!doctype html>`, get("/home", "20", app))
	assert.Equal(t, int64(2), reached.Load()-before, "the upstream sees only the requests that pass")
}
