package nethttp_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/edgerules/edgerules/geoip"
	"github.com/edgerules/edgerules/internal/mmdbtest"
	"github.com/edgerules/edgerules/nethttp"
	"github.com/edgerules/edgerules/ruleset"
)

// discardWriter is a ResponseWriter that keeps nothing, so the benchmark
// measures the middleware and not the recorder.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

// BenchmarkMiddleware runs the seed's layered rules in front of a handler
// that does nothing: the time and allocations are the middleware's.
func BenchmarkMiddleware(b *testing.B) {
	f, err := ruleset.Load("../examples/rules/bot-management.json")
	if err != nil {
		b.Fatal(err)
	}
	m, err := nethttp.New(f.Ruleset, nethttp.Options{
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")},
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		b.Fatal(err)
	}
	h := m.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for _, c := range []struct{ name, score, path string }{
		{"human-passes", "87", "/products/shoes"},
		{"api-skips", "12", "/api/items"},
		{"bot-blocked", "12", "/products/shoes"},
	} {
		r := httptest.NewRequest("GET", "https://shop.example.com"+c.path, nil)
		r.Header.Set("Cf-Bot-Score", c.score)
		r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/125.0")
		w := &discardWriter{h: http.Header{}}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(w, r)
			}
		})
	}
}

// BenchmarkCountryRule is the cost of a rule on ip.src.country: against
// the same rule on ip.src, which needs no lookup, the difference is the
// lookup's (City and ASN databases; the database's entry cache is warm
// after the first request).
func BenchmarkCountryRule(b *testing.B) {
	locator := testLocator(b)
	for _, c := range []struct{ name, expr string }{
		{"ip.src", `ip.src in {198.51.100.0/24}`},
		{"ip.src.country", `ip.src.country eq "DE"`},
		{"country-and-asn", `ip.src.country eq "DE" or ip.src.asnum eq 64497`},
	} {
		m, err := nethttp.New(rules(b, `[{"expression": `+strconv.Quote(c.expr)+`, "action": "block"}]`),
			nethttp.Options{Locator: locator, Logger: quiet})
		if err != nil {
			b.Fatal(err)
		}
		h := m.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		r := httptest.NewRequest("GET", "https://shop.example.com/", nil)
		r.RemoteAddr = "203.0.113.9:50000"
		w := &discardWriter{h: http.Header{}}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(w, r)
			}
		})
	}
}

// BenchmarkCountryRuleColdCache is the same rule on clients spread over
// 20,000 networks, each with its own database entry: most lookups miss the
// entry cache and read the entry. Against the rule on ip.src over the same
// requests, the difference is the lookup's.
func BenchmarkCountryRuleColdCache(b *testing.B) {
	path := filepath.Join(b.TempDir(), "many.mmdb")
	if err := mmdbtest.Many(path, 20000); err != nil {
		b.Fatal(err)
	}
	locator, err := geoip.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	reqs := make([]*http.Request, 20000)
	for i := range reqs {
		reqs[i] = httptest.NewRequest("GET", "https://shop.example.com/", nil)
		reqs[i].RemoteAddr = fmt.Sprintf("10.%d.%d.1:50000", i/256, i%256)
	}
	for _, c := range []struct{ name, expr string }{
		{"ip.src", `ip.src in {198.51.100.0/24}`},
		{"ip.src.country", `ip.src.country eq "FR"`},
	} {
		m, err := nethttp.New(rules(b, `[{"expression": `+strconv.Quote(c.expr)+`, "action": "block"}]`),
			nethttp.Options{Locator: locator, Logger: quiet})
		if err != nil {
			b.Fatal(err)
		}
		h := m.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		w := &discardWriter{h: http.Header{}}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				h.ServeHTTP(w, reqs[i])
				i = (i + 7919) % len(reqs) // a stride that visits every request, out of order
			}
		})
	}
}
