package main

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestZone runs the proxy on the example zone, given as a folder and as
// several -rules, in front of a real upstream: the URL rewrite changes the
// path the upstream gets, which the custom rule reads; the bot score
// header reaches the upstream and the client's X-Internal does not; the
// response loses X-Powered-By; the dynamic redirect answers.
func TestZone(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Powered-By", "upstream/1.0")
		fmt.Fprintf(w, "%s score=%q internal=%q", r.URL.Path, r.Header.Get("X-Bot-Score"), r.Header.Get("X-Internal"))
	}))
	t.Cleanup(upstream.Close)
	for name, rules := range map[string][]string{
		"folder": {"-rules", "../rules/zone"},
		"files": {"-rules", "../rules/zone/2-rewrites.yaml", "-rules", "../rules/zone/3-custom.yaml",
			"-rules", "../rules/zone/4-request-headers.yaml", "-rules", "../rules/zone/5-response-headers.yaml", "-rules", "../rules/zone/1-redirects.yaml"},
	} {
		t.Run(name, func(t *testing.T) {
			c, err := parseFlags(append([]string{"-upstream", upstream.URL, "-trusted-proxies", "127.0.0.0/8"}, rules...))
			require.NoError(t, err)
			p, err := newProxy(c, slog.New(slog.NewTextHandler(io.Discard, nil)))
			require.NoError(t, err)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			server := &http.Server{Handler: p.handler, ReadHeaderTimeout: 5 * time.Second}
			go server.Serve(ln)
			t.Cleanup(func() { server.Close() })
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			send := func(path, score string) (*http.Response, string) {
				req, err := http.NewRequest("GET", "http://"+ln.Addr().String()+path, nil)
				require.NoError(t, err)
				req.Header.Set("Cf-Bot-Score", score)
				req.Header.Set("X-Internal", "secret")
				resp, err := client.Do(req)
				require.NoError(t, err)
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				return resp, string(body)
			}

			resp, body := send("/v1/items", "87")
			assert.Equal(t, 200, resp.StatusCode)
			assert.Equal(t, `/api/items score="87" internal=""`, body)
			assert.Empty(t, resp.Header.Get("X-Powered-By"))

			resp, _ = send("/v1/items", "5")
			assert.Equal(t, 403, resp.StatusCode, "the custom rule reads the rewritten path")

			resp, _ = send("/shop/shoes", "87")
			assert.Equal(t, 301, resp.StatusCode)
			assert.Equal(t, "https://store.example.com/shoes", resp.Header.Get("Location"))
		})
	}
}
