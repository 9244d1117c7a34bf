package ruleset_test

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/internal/rewritetest"
	"github.com/edgerules/edgerules/ruleset"
)

// BenchmarkEvaluate runs the seed's layered rules on a likely bot on a
// browser path, which the last rule blocks: every rule is evaluated.
func BenchmarkEvaluate(b *testing.B) {
	e := engine(b, load(b, "../examples/rules/bot-management.json").Ruleset)
	c := request{12, false, "/products/shoes", browser}.context(b)
	b.ReportAllocs()
	for b.Loop() {
		if d := e.Evaluate(c); d.Rule == nil {
			b.Fatal("no decision")
		}
	}
}

// largeRuleset makes n rules of the shapes sites grow: per-host and
// per-path variants of the bot rule, which share its conditions. None
// matches a human's request.
func largeRuleset(n int) *ruleset.Ruleset {
	shapes := []string{
		`(cf.bot_management.score lt 30) and not (cf.bot_management.verified_bot) and http.host eq "site-%d.example"`,
		`http.user_agent matches "(?i)(bot|crawler|spider)" and starts_with(http.request.uri.path, "/shop-%d/")`,
		`any(lower(http.request.headers.names[*])[*] eq "x-debug") and http.request.uri.query contains "id=%d"`,
		`http.request.uri.path contains "/admin" and not ip.src in {10.%d.0.0/16}`,
	}
	rs := &ruleset.Ruleset{}
	for i := range n {
		rs.Rules = append(rs.Rules, &ruleset.Rule{Ref: fmt.Sprint("r", i), Action: ruleset.Block,
			Expression: fmt.Sprintf(shapes[i%len(shapes)], i%250)})
	}
	return rs
}

// BenchmarkEvaluateLarge evaluates 100 and 1,000 rules on a request none
// of them matches: as one engine, whose rules share the answers of common
// conditions, and as the same filters compiled one by one.
func BenchmarkEvaluateLarge(b *testing.B) {
	c := eval.NewContext(fields.Cloudflare())
	// fill gives the context a human's request afresh, as each request does.
	fill := func() {
		c.Reset()
		for name, v := range map[string]eval.Value{
			"cf.bot_management.score":    eval.Int(87),
			"http.request.uri.path":      eval.String("/products/shoes"),
			"http.request.uri.query":     eval.String("color=red"),
			"http.user_agent":            eval.String(browser),
			"http.host":                  eval.String("www.example.com"),
			"ip.src":                     eval.IP(mustAddr("203.0.113.9")),
			"http.request.headers.names": eval.Strings("Accept", "Accept-Language", "Cookie", "User-Agent"),
		} {
			_ = c.SetName(name, v)
		}
	}
	for _, n := range []int{100, 1000} {
		rs := largeRuleset(n)
		e := engine(b, rs)
		b.Run(fmt.Sprintf("engine-%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				fill()
				if d := e.Evaluate(c); d.Rule != nil {
					b.Fatal("a rule matched")
				}
			}
		})
		var filters []*eval.Filter
		for _, r := range rs.Rules {
			f, err := expr.Compile(r.Expression, fields.Cloudflare())
			if err != nil {
				b.Fatal(err)
			}
			filters = append(filters, f)
		}
		b.Run(fmt.Sprintf("separate-%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				fill()
				for _, f := range filters {
					if f.Match(c) {
						b.Fatal("a rule matched")
					}
				}
			}
		})
	}
}

// bigRuleset returns a ruleset of n rules of the shapes users write, in
// JSON and in YAML (literal blocks).
func bigRuleset(n int) (jsonText, yamlText []byte) {
	var j, y strings.Builder
	j.WriteString(`{"name": "big", "rules": [`)
	y.WriteString("name: big\nrules:\n")
	for i := range n {
		expr := fmt.Sprintf(`(cf.bot_management.score lt %d) and not (cf.bot_management.verified_bot) and not (http.request.uri.path contains "/api/%d")`, i%99+1, i)
		if i > 0 {
			j.WriteString(",")
		}
		fmt.Fprintf(&j, "\n  {\"ref\": \"r%d\", \"expression\": %q, \"action\": \"log\", \"enabled\": true}", i, expr)
		fmt.Fprintf(&y, "  - ref: r%d\n    expression: |\n      %s\n    action: log\n    enabled: true\n", i, expr)
	}
	j.WriteString("\n]}\n")
	return []byte(j.String()), []byte(y.String())
}

// bigFile is a large ruleset file in one format.
type bigFile struct {
	name   string
	data   []byte
	format ruleset.Format
}

// bigFiles returns a ruleset of 1,000 rules in each format.
func bigFiles() []bigFile {
	j, y := bigRuleset(1000)
	return []bigFile{{"JSON", j, ruleset.JSON}, {"YAML", y, ruleset.YAML}}
}

// BenchmarkParse reads a ruleset of 1,000 rules, locating every expression.
func BenchmarkParse(b *testing.B) {
	for _, tt := range bigFiles() {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ruleset.Parse(tt.data, tt.format); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRewrite formats every expression of a ruleset of 1,000 rules in
// place and verifies the new text, as fmt -w does.
func BenchmarkRewrite(b *testing.B) {
	for _, tt := range bigFiles() {
		f, err := ruleset.Parse(tt.data, tt.format)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f.Rewrite(rewritetest.Canonical); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEvaluateRateLimit is a request counted by the rate limiting rule
// of issue 19 in the default in-memory store: the rule's expression, the
// key (the rule and ip.src), and the count.
func BenchmarkEvaluateRateLimit(b *testing.B) {
	f, err := ruleset.Parse([]byte(`{"phase": "http_ratelimit", "rules": [
 {"ref": "login-rl", "action": "block", "expression": "http.request.uri.path eq \"/login\"",
  "ratelimit": {"characteristics": ["ip.src", "cf.colo.id"], "period": 60, "requests_per_period": 100,
                "mitigation_timeout": 600}}]}`), ruleset.JSON)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	e, err := ruleset.Compile(f.Ruleset, fields.Cloudflare(), ruleset.Clock(func() time.Time { return now }))
	if err != nil {
		b.Fatal(err)
	}
	c := eval.NewContext(fields.Cloudflare())
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c.Reset()
		_ = c.SetName("http.request.uri.path", eval.String("/login"))
		// 1,024 addresses, a request each millisecond: each address
		// makes about 59 a minute, under the limit.
		_ = c.SetName("ip.src", eval.IP(netip.AddrFrom4([4]byte{198, 51, byte(i >> 8 & 3), byte(i)})))
		now = now.Add(time.Millisecond)
		e.Evaluate(c)
	}
}
