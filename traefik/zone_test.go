package traefik_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tetratelabs/wazero"

	"github.com/edgerules/edgerules/internal/zonetest"
)

// originSeen is what the next handler received.
type originSeen struct {
	Path, Query, Score, Internal string
}

// TestZone runs zonetest's zone, a file and a folder mounted for the
// plugin: the next handler gets the rewritten path and query (set_uri), the
// bot score header and not the removed one; the custom rules read the
// rewritten path and raw.* the original; the response header transform
// changes the buffered response's headers; the dynamic redirect answers
// with its computed Location.
func TestZone(t *testing.T) {
	dir := t.TempDir()
	zonetest.Write(t, dir)
	origin := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Powered-By", "origin/1.0")
		_ = json.NewEncoder(w).Encode(originSeen{r.URL.Path, r.URL.RawQuery, r.Header.Get("X-Bot-Score"), r.Header.Get("X-Internal")})
	})
	h, _, err := host(t, map[string]any{"rulesFiles": []string{"/rules/redirects.yaml", "/rules/zone"},
		"trustedProxies": []string{"192.0.2.0/24"}}, origin, wazero.NewFSConfig().WithReadOnlyDirMount(dir, "/rules"))
	require.NoError(t, err)
	get := func(method, target, score string) (*httptest.ResponseRecorder, originSeen) {
		t.Helper()
		r := httptest.NewRequest(method, "http://shop.example.com"+target, nil)
		r.RemoteAddr = "192.0.2.10:4711"
		r.Header.Set("Cf-Bot-Score", score)
		r.Header.Set("X-Internal", "secret")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		var s originSeen
		if w.Code == http.StatusOK {
			require.NoError(t, json.NewDecoder(w.Body).Decode(&s))
		}
		return w, s
	}

	w, s := get("GET", "/v1/items?page=2", "87")
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, originSeen{Path: "/api/items", Query: "from=v1", Score: "87"}, s)
	assert.Equal(t, "/v1/items", w.Header().Get("X-Edge-Path"))
	assert.Empty(t, w.Header().Get("X-Powered-By"))

	w, s = get("GET", "/home", "87")
	assert.Equal(t, originSeen{Path: "/home", Score: "87"}, s)
	assert.Equal(t, "origin/1.0", w.Header().Get("X-Powered-By"))
	assert.Empty(t, w.Header().Get("X-Edge-Path"))

	// A bot on the old API path: the custom rule reads the rewritten path.
	w, _ = get("GET", "/v1/items", "5")
	assert.Equal(t, http.StatusForbidden, w.Code)
	// A POST to it: the rule on raw.http.request.uri.path.
	w, _ = get("POST", "/v1/items", "87")
	assert.Equal(t, http.StatusForbidden, w.Code)

	w, _ = get("GET", "/shop/shoes?size=9", "87")
	assert.Equal(t, http.StatusMovedPermanently, w.Code)
	assert.Equal(t, "https://store.example.com/shoes?size=9", w.Header().Get("Location"))
}

// TestZoneDetectionOnly changes neither the request nor the response.
func TestZoneDetectionOnly(t *testing.T) {
	dir := t.TempDir()
	zonetest.Write(t, dir)
	var seen *http.Request
	h, _, err := host(t, map[string]any{"rulesFiles": []string{"/rules/redirects.yaml", "/rules/zone"},
		"trustedProxies": []string{"192.0.2.0/24"}, "detectionOnly": true}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r
		w.Header().Set("X-Powered-By", "origin/1.0")
	}), wazero.NewFSConfig().WithReadOnlyDirMount(dir, "/rules"))
	require.NoError(t, err)
	r := httptest.NewRequest("GET", "http://shop.example.com/v1/items?page=2", nil)
	r.RemoteAddr = "192.0.2.10:4711"
	r.Header.Set("Cf-Bot-Score", "87")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	require.NotNil(t, seen)
	assert.Equal(t, "/v1/items", seen.URL.Path)
	assert.Equal(t, "page=2", seen.URL.RawQuery)
	assert.Empty(t, seen.Header.Get("X-Bot-Score"))
	assert.Equal(t, "origin/1.0", w.Header().Get("X-Powered-By"))
	assert.Empty(t, w.Header().Get("X-Edge-Path"))
}
