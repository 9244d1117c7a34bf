package edgerulescaddy_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgerules/edgerules/internal/zonetest"
)

// upstreamSeen is what the upstream received.
type upstreamSeen struct {
	Path, Query, Score, Internal, CaddyURI string
}

// TestZoneThroughReverseProxy: zonetest's zone of a file and a folder in front of
// reverse_proxy to a real upstream. The upstream sees the rewritten path
// and query, the bot score header and not the removed header, and so do
// Caddy's placeholders; the custom rules read the rewritten path and
// raw.* the original; the response gains the header of the response
// transform; the dynamic redirect answers with its computed Location.
func TestZoneThroughReverseProxy(t *testing.T) {
	dir := t.TempDir()
	zonetest.Write(t, dir)
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Powered-By", "origin/1.0")
		_ = json.NewEncoder(w).Encode(upstreamSeen{r.URL.Path, r.URL.RawQuery, r.Header.Get("X-Bot-Score"),
			r.Header.Get("X-Internal"), r.Header.Get("X-Caddy-Uri")})
	}))
	t.Cleanup(origin.Close)
	tester := start(t, `{`+globals+`
		edgerules {
			rules `+filepath.Join(dir, "redirects.yaml")+` `+filepath.Join(dir, "zone")+`
		}
	}
	http://localhost:9080 {
		edgerules
		reverse_proxy `+strings.TrimPrefix(origin.URL, "http://")+` {
			header_up X-Caddy-Uri {http.request.uri}
		}
	}`)
	client := *tester.Client
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	get := func(method, path, score string) (*http.Response, upstreamSeen) {
		t.Helper()
		r, err := http.NewRequest(method, "http://localhost:9080"+path, nil)
		require.NoError(t, err)
		r.Header.Set("Cf-Bot-Score", score)
		r.Header.Set("X-Internal", "secret")
		resp, err := client.Do(r)
		require.NoError(t, err)
		defer resp.Body.Close()
		var s upstreamSeen
		if resp.StatusCode == http.StatusOK {
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&s))
		}
		return resp, s
	}

	resp, s := get("GET", "/v1/items?page=2", "87")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, upstreamSeen{Path: "/api/items", Query: "from=v1", Score: "87", CaddyURI: "/api/items?from=v1"}, s)
	assert.Equal(t, "/v1/items", resp.Header.Get("X-Edge-Path"))
	assert.Empty(t, resp.Header.Get("X-Powered-By"))

	resp, s = get("GET", "/home", "87")
	assert.Equal(t, upstreamSeen{Path: "/home", Score: "87", CaddyURI: "/home"}, s)
	assert.Equal(t, "origin/1.0", resp.Header.Get("X-Powered-By"))
	assert.Empty(t, resp.Header.Get("X-Edge-Path"))

	// A bot on the old API path: the custom rule reads the rewritten path.
	resp, _ = get("GET", "/v1/items", "5")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	// A POST to it: the rule on raw.http.request.uri.path.
	resp, _ = get("POST", "/v1/items", "87")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)

	resp, _ = get("GET", "/shop/shoes?size=9", "87")
	assert.Equal(t, http.StatusMovedPermanently, resp.StatusCode)
	assert.Equal(t, "https://store.example.com/shoes?size=9", resp.Header.Get("Location"))
}
