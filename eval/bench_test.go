package eval_test

import (
	"net/netip"
	"testing"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
)

// browserUA is a 124-byte desktop browser user agent.
const browserUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0"

var benchRules = []struct{ name, src string }{
	{"seed-browser-block", `(cf.bot_management.score lt 30) and not (cf.bot_management.verified_bot)`},
	{"seed-api-exempt", `(cf.bot_management.score lt 30) and not (cf.bot_management.verified_bot) and not (http.request.uri.path contains "/api")`},
	{"seed-mobile-challenge", `(cf.bot_management.score lt 30) and (http.user_agent contains "App_Name 2.0")`},
	{"regex-user-agent", `http.user_agent matches "(?i)(curl|wget|python-requests)"`},
	{"ip-set", `ip.src in {10.0.0.0/8 192.168.0.0/16}`},
}

// benchContext is a likely bot on a browser path: every rule reads all its
// fields to decide.
func benchContext(b *testing.B) *eval.Context {
	c := eval.NewContext(fields.Cloudflare())
	for name, v := range map[string]eval.Value{
		"cf.bot_management.score":        eval.Int(12),
		"cf.bot_management.verified_bot": eval.Bool(false),
		"http.request.uri.path":          eval.String("/products/shoes/running/index.html"),
		"http.user_agent":                eval.String(browserUA),
		"ip.src":                         eval.IP(netip.MustParseAddr("203.0.113.7")),
	} {
		if err := c.SetName(name, v); err != nil {
			b.Fatal(err)
		}
	}
	return c
}

func BenchmarkMatch(b *testing.B) {
	c := benchContext(b)
	for _, r := range benchRules {
		f, err := expr.Compile(r.src, fields.Cloudflare())
		if err != nil {
			b.Fatal(err)
		}
		b.Run(r.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				f.Match(c)
			}
		})
	}
}

func BenchmarkCompile(b *testing.B) {
	for _, r := range benchRules {
		b.Run(r.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := expr.Compile(r.src, fields.Cloudflare()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
