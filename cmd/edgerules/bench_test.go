package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkCheck1000Rules checks and lints a ruleset of 1,000 rules of the shapes
// users write, from reading the file to printing the report.
func BenchmarkCheck1000Rules(b *testing.B) {
	shapes := []string{
		`(cf.bot_management.score lt %d) and not (cf.bot_management.verified_bot) and not (http.request.uri.path contains \"/api/%d\")`,
		`ip.src in {192.0.%d.0/24 2001:db8:%d::/48} and http.request.method eq \"POST\"`,
		`http.request.uri.path matches \"^/v%d/users/[0-9]+$\" and cf.waf.score lt %d`,
		`any(lower(http.request.headers.names[*])[*] eq \"x-%d\") or http.host in {\"a%d.example\" \"b.example\"}`,
	}
	var rules []string
	for i := range 1000 {
		expr := fmt.Sprintf(shapes[i%len(shapes)], i%200+1, i)
		action := []string{"log", "block", "managed_challenge", "skip"}[i%4]
		rules = append(rules, fmt.Sprintf(`{"ref": "r%d", "expression": "%s", "action": "%s"}`, i, expr, action))
	}
	path := filepath.Join(b.TempDir(), "rules.json")
	if err := os.WriteFile(path, []byte("["+strings.Join(rules, ",\n")+"]"), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if status := run([]string{"check", "--lint", path}, nil, io.Discard, io.Discard); status != exitOK {
			b.Fatalf("status %d", status)
		}
	}
}
