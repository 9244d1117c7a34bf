package bench

import (
	"fmt"
	"testing"
)

// engines returns every engine, ready to evaluate req.
func engines(t testing.TB, req *Request) []struct {
	name string
	e    Engine
} {
	c, err := NewCEL(*req)
	if err != nil {
		t.Fatal(err)
	}
	return []struct {
		name string
		e    Engine
	}{{"edgerules", NewEdgeRules(req)}, {"expr", &Expr{Env: req}}, {"cel-go", c}, {"go", Go{req}}}
}

// TestEnginesAgree checks that every engine gives every rule the same
// answer, on requests each rule matches and on requests it does not.
func TestEnginesAgree(t *testing.T) {
	requests := []Request{LikelyBot,
		{Score: 80, VerifiedBot: false, Path: "/api/v1", UserAgent: "curl/8.0", IP: "10.1.2.3", Host: "site-4.example", Query: "id=2"},
		{Score: 3, VerifiedBot: true, Path: "/shop-1/x", UserAgent: "App_Name 2.0 Googlebot", IP: "192.168.9.9", Host: "a"},
		{Score: 5, Path: "/admin", Query: "id=6", UserAgent: "SCANNER-3 spider", IP: "2001:db8::1", Host: "site-0.example"},
	}
	all := append(Rules, RulesetOf(8)...)
	for _, req := range requests {
		for _, rule := range all {
			want := rule.Go(&req)
			for _, eng := range engines(t, &req) {
				f, err := eng.e.Compile(rule)
				if err != nil {
					t.Fatalf("%s: %s: %v", eng.name, rule.Name, err)
				}
				if got := f(); got != want {
					t.Errorf("%s: %s on %+v: %v, want %v", eng.name, rule.Name, req, got, want)
				}
			}
		}
	}
}

// BenchmarkRules evaluates each rule with each engine on LikelyBot.
func BenchmarkRules(b *testing.B) {
	req := LikelyBot
	for _, rule := range Rules {
		for _, eng := range engines(b, &req) {
			f, err := eng.e.Compile(rule)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(rule.Name+"/"+eng.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					f()
				}
			})
		}
	}
}

// BenchmarkCompile compiles each rule with each engine.
func BenchmarkCompile(b *testing.B) {
	req := LikelyBot
	for _, rule := range Rules[:3] {
		for _, eng := range engines(b, &req) {
			if eng.name == "go" {
				continue
			}
			b.Run(rule.Name+"/"+eng.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := eng.e.Compile(rule); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkRuleset evaluates rulesets of 100 and 1,000 rules, in order
// until one matches (none does), per request.
func BenchmarkRuleset(b *testing.B) {
	req := LikelyBot
	for _, n := range []int{100, 1000} {
		rules := RulesetOf(n)
		for _, eng := range engines(b, &req) {
			var f func() bool
			var err error
			if er, ok := eng.e.(*EdgeRules); ok {
				f, err = er.Ruleset(rules)
			} else {
				f, err = FirstMatch(rules, eng.e.Compile)
			}
			if err != nil {
				b.Fatal(err)
			}
			b.Run(fmt.Sprintf("%d/%s", n, eng.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if f() {
						b.Fatal("a rule matched")
					}
				}
			})
		}
	}
}
