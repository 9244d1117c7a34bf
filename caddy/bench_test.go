package edgerulescaddy_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddytest"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

// discardWriter is a ResponseWriter that keeps nothing, so that the
// benchmark measures Caddy and not a recorder.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

// BenchmarkCaddy sends requests through two Caddy servers of one
// configuration, one with the edgerules handler in front of a static
// response and one without, straight into each server's ServeHTTP, so
// that the difference is the module's, without the network's noise. The
// rules are the seed's layered ones. The rules' log records are written,
// as in production, to a writer that discards them.
func BenchmarkCaddy(b *testing.B) {
	rules, err := filepath.Abs("../examples/rules/bot-management.json")
	if err != nil {
		b.Fatal(err)
	}
	route := func(handlers string) string {
		return `{"listen": [":` + map[string]string{"plain": "9080", "edgerules": "9082"}[handlers] + `"],
			"trusted_proxies": {"source": "static", "ranges": ["127.0.0.0/8"]},
			"routes": [{"handle": [` + map[string]string{"plain": "", "edgerules": `{"handler": "edgerules"}, `}[handlers] +
			`{"handler": "static_response", "body": "origin"}]}]}`
	}
	tester := caddytest.NewTester(b)
	tester.InitServer(`{
		"admin": {"listen": "localhost:2999"},
		"logging": {"logs": {
			"default": {"exclude": ["edgerules"]},
			"edgerules": {"include": ["edgerules"], "writer": {"output": "discard"}}
		}},
		"apps": {
			"edgerules": {"rules": "`+rules+`"},
			"http": {"grace_period": 1, "servers": {"plain": `+route("plain")+`, "edgerules": `+route("edgerules")+`}},
			"pki": {"certificate_authorities": {"local": {"install_trust": false}}}
		}
	}`, "json")
	app, err := caddy.ActiveContext().App("http")
	if err != nil {
		b.Fatal(err)
	}
	servers := app.(*caddyhttp.App).Servers
	for _, c := range []struct{ name, server, score, path string }{
		{"without-module", "plain", "87", "/products/shoes"},
		{"human-passes", "edgerules", "87", "/products/shoes"},
		{"api-skips", "edgerules", "12", "/api/items"},
		{"bot-blocked", "edgerules", "12", "/products/shoes"},
	} {
		srv := servers[c.server]
		r := httptest.NewRequest("GET", "http://localhost"+c.path, nil)
		r.RemoteAddr = "127.0.0.1:40000"
		r.Header.Set("Cf-Bot-Score", c.score)
		r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/125.0")
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				srv.ServeHTTP(&discardWriter{h: http.Header{}}, r)
			}
		})
	}
}
