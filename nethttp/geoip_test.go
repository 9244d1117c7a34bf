package nethttp_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/edgerules/edgerules/geoip"
	"github.com/edgerules/edgerules/internal/mmdbtest"
	"github.com/edgerules/edgerules/nethttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testLocator opens generated City and ASN databases.
func testLocator(t testing.TB) *geoip.Locator {
	t.Helper()
	dir := t.TempDir()
	city, asn := filepath.Join(dir, "city.mmdb"), filepath.Join(dir, "asn.mmdb")
	require.NoError(t, mmdbtest.City(city, "GeoLite2-City"))
	require.NoError(t, mmdbtest.ASN(asn))
	l, err := geoip.Open(city, asn)
	require.NoError(t, err)
	return l
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// TestGeoRules: rules on country, ASN, continent and EU membership decide
// through the middleware with a generated database.
func TestGeoRules(t *testing.T) {
	m, err := nethttp.New(rules(t, `[
		{"ref": "eu", "expression": "ip.src.is_in_european_union", "action": "block",
		 "action_parameters": {"response": {"status_code": 451, "content": "eu"}}},
		{"ref": "asn", "expression": "ip.src.asnum eq 64511", "action": "block",
		 "action_parameters": {"response": {"status_code": 403, "content": "asn"}}},
		{"ref": "asia", "expression": "ip.geoip.continent eq \"AS\"", "action": "block",
		 "action_parameters": {"response": {"status_code": 403, "content": "asia"}}},
		{"ref": "not-gb", "expression": "ip.src.country ne \"GB\" and ip.src.country ne \"\"", "action": "block",
		 "action_parameters": {"response": {"status_code": 403, "content": "not gb"}}}
	]`), nethttp.Options{Locator: testLocator(t), Logger: quiet})
	require.NoError(t, err)
	h := m.Wrap(upstream)
	for client, want := range map[string]string{
		"198.51.100.7:1000": "451 eu",       // DE
		"203.0.113.9:1000":  "403 asn",      // US, AS64511
		"[2001:db8::1]:443": "403 asia",     // JP
		"192.0.2.1:1000":    "200 upstream", // GB
		"127.0.0.1:1000":    "200 upstream", // in no database
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = client
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		assert.Equal(t, want, httpResult(w), client)
	}
}

func httpResult(w *httptest.ResponseRecorder) string {
	return fmt.Sprintf("%d %s", w.Code, w.Body.String())
}
