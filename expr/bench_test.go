package expr_test

import (
	"testing"

	"github.com/edgerules/edgerules/expr"
)

// The seed's rules, the longest one 115 bytes.
var benchRules = []struct{ name, src string }{
	{"browser-block", `(cf.bot_management.score lt 30) and not (cf.bot_management.verified_bot)`},
	{"api-exempt", `(cf.bot_management.score lt 30) and not (cf.bot_management.verified_bot) and not (http.request.uri.path contains "/api")`},
	{"mobile-challenge", `(cf.bot_management.score lt 30) and (http.user_agent contains "App_Name 2.0")`},
	{"ip-set", `ip.src in {2400:cb00::/32 2803:f800::/32 2c0f:f248::/32 2a06:98c0::/29} and (http.request.uri.path ~ "^.*/wp-login.php$" or http.request.uri.path ~ "^.*/xmlrpc.php$")`},
}

func BenchmarkParse(b *testing.B) {
	for _, r := range benchRules {
		b.Run(r.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(r.src)))
			for b.Loop() {
				if _, err := expr.Parse(r.src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
