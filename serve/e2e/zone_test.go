package e2e_test

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// zoneDir is the example zone: a dynamic redirect, a URL rewrite, a custom
// rule, the bot score header of Cloudflare's guide with the removal of
// X-Internal, and a response header transform.
const zoneDir = "../../examples/rules/zone"

// TestZoneThroughProxies runs the example zone behind nginx and Caddy, with
// their example files copying the request headers the start-up log lists:
// the bot score reaches the origin, the client's X-Internal does not (nginx
// sends none, Caddy an empty one), the redirect reaches the client with
// its Location, and the custom rule blocks.
func TestZoneThroughProxies(t *testing.T) {
	for _, tt := range []struct {
		proxy string
		start func(t testing.TB, service, origin string, edit ...string) string
		edit  []string
	}{
		{"nginx", startNginx, []string{"# auth_request_set $edgerules_h", "auth_request_set $edgerules_h",
			"# proxy_set_header X-Bot-Score", "proxy_set_header X-Bot-Score", "# proxy_set_header X-Internal", "proxy_set_header X-Internal"}},
		{"caddy", startCaddy, []string{"copy_headers X-Edgerules-Action X-Edgerules-Rule", "copy_headers X-Edgerules-Action X-Edgerules-Rule X-Bot-Score X-Internal"}},
	} {
		t.Run(tt.proxy, func(t *testing.T) {
			_, service := startService(t, zoneDir)
			o := startOrigin(t)
			proxy := tt.start(t, service, o.addr, tt.edit...)
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			send := func(path string, headers map[string]string) (*http.Response, string) {
				req, err := http.NewRequest("GET", "http://"+proxy+path, nil)
				require.NoError(t, err)
				for k, v := range headers {
					req.Header.Set(k, v)
				}
				resp, err := client.Do(req)
				require.NoError(t, err)
				defer resp.Body.Close()
				body, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				return resp, string(body)
			}

			resp, body := send("/products", map[string]string{"Cf-Bot-Score": "87", "X-Internal": "secret", "X-Bot-Score": "99"})
			require.Equal(t, 200, resp.StatusCode, body)
			var seen http.Header
			require.NoError(t, json.Unmarshal([]byte(body), &seen), body)
			assert.Equal(t, []string{"87"}, seen["X-Bot-Score"], "the rule's value, not the client's")
			assert.Empty(t, seen.Get("X-Internal"), "removed")

			before := o.seen.Load()
			resp, body = send("/shop/shoes?size=9", nil)
			assert.Equal(t, 301, resp.StatusCode, body)
			assert.Equal(t, "https://store.example.com/shoes?size=9", resp.Header.Get("Location"))

			resp, body = send("/v1/items", map[string]string{"Cf-Bot-Score": "5"})
			assert.Equal(t, 403, resp.StatusCode, body)
			assert.Equal(t, before, o.seen.Load(), "the origin saw neither the redirected nor the blocked request")
		})
	}
}
