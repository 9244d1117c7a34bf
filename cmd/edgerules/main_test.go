package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgerules/edgerules/internal/golden"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// binary is the edgerules command, built once for the end-to-end tests.
var binary string

// testdata is the folder the command runs in, absolute: a test that runs
// the command in process changes into it.
var testdata string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "edgerules-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	binary = filepath.Join(dir, "edgerules")
	if testdata, err = filepath.Abs("testdata"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building edgerules:", err)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runBinary runs the built command in testdata and returns its exit status
// and what it printed, labelled: the end-to-end runs.
func runBinary(t *testing.T, stdin string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = "testdata"
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	status := 0
	if exit, ok := err.(*exec.ExitError); ok {
		status = exit.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return status, labelled(args, status, stdout.String(), stderr.String())
}

// runCommand runs the command in this process, in testdata, as runBinary
// runs the built one, so that coverage counts the command's code.
func runCommand(t *testing.T, stdin string, args ...string) (int, string) {
	t.Helper()
	t.Chdir(testdata)
	var stdout, stderr bytes.Buffer
	status := run(args, strings.NewReader(stdin), &stdout, &stderr)
	return status, labelled(args, status, stdout.String(), stderr.String())
}

func labelled(args []string, status int, stdout, stderr string) string {
	return fmt.Sprintf("$ edgerules %s\nexit %d\n--- stdout\n%s--- stderr\n%s", strings.Join(args, " "), status, stdout, stderr)
}

// TestCommands runs the built command on the files in testdata and compares
// its exit status and output with golden files.
func TestCommands(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stdin  string
		status int
	}{
		{"check-clean", []string{"check", "clean.txt"}, "", exitOK},
		{"lint-project", []string{"lint", "project/..."}, "", exitFindings},
		{"lint-project-flags", []string{"lint", "project/...", "--enable", "tab", "--disable", "no-verified-bot-exemption,deprecated-field"}, "", exitOK},
		{"check-project-error", []string{"check", "project/rules.yaml"}, "", exitFindings},
		{"lint-bad-config", []string{"lint", "badconfig"}, "", exitUsage},
		{"lint-bad-code", []string{"lint", "--disable", "tabs", "clean.txt"}, "", exitUsage},
		{"help", []string{"help"}, "", exitOK},
		{"help-check", []string{"check", "-h"}, "", exitOK},
		{"help-fmt", []string{"help", "fmt"}, "", exitOK},
		{"help-unknown", []string{"help", "frobnicate"}, "", exitUsage},
		{"check-flags-after-files", []string{"check", "exprs.txt", "--format", "github"}, "", exitFindings},
		{"check-dash-dash", []string{"check", "--", "--format"}, "", exitUsage},
		{"lint-never-match", []string{"lint", "never-match.txt"}, "", exitOK},
		{"check-blank-parameter", []string{"check", "blank-parameter.yaml"}, "", exitFindings},
		{"lint-project-no-unused", []string{"lint", "--disable", "unused-ignore", "project/legacy"}, "", exitOK},
		{"lint-e", []string{"lint", "-e", `http.request.method eq "POST" and ip.src in $ALLOWED_ADMINS`}, "", exitFindings},
		{"check-e-and-file", []string{"check", "clean.txt", "-e", `ssl and`}, "", exitFindings},
		{"check-exprs-text", []string{"check", "exprs.txt"}, "", exitFindings},
		{"check-exprs-json", []string{"check", "--format", "json", "exprs.txt"}, "", exitFindings},
		{"check-exprs-sarif", []string{"check", "--format", "sarif", "exprs.txt"}, "", exitFindings},
		{"check-exprs-github", []string{"check", "--format", "github", "exprs.txt"}, "", exitFindings},
		{"lint-exprs", []string{"lint", "exprs.txt"}, "", exitFindings},
		{"check-rules-json-text", []string{"check", "--lint", "rules.json"}, "", exitFindings},
		{"check-rules-json-json", []string{"check", "--lint", "--format", "json", "rules.json"}, "", exitFindings},
		{"check-rules-json-sarif", []string{"check", "--lint", "--format", "sarif", "rules.json"}, "", exitFindings},
		{"check-rules-json-github", []string{"check", "--lint", "--format", "github", "rules.json"}, "", exitFindings},
		{"lint-rules-yaml", []string{"lint", "rules.yaml"}, "", exitFindings},
		{"check-phase", []string{"check", "phase.yaml"}, "", exitFindings},
		{"lint-zone", []string{"lint", "--zone", "zone"}, "", exitFindings},
		{"check-zone-ignored", []string{"check", "--zone", "zone-ignored", "../../../examples/rules/zone"}, "", exitOK},
		{"lint-phase", []string{"lint", "--format", "github", "phase.yaml"}, "", exitFindings},
		{"lint-api-response", []string{"lint", "api-response.json"}, "", exitOK},
		{"check-broken-json", []string{"check", "broken.json", "clean.txt"}, "", exitFindings},
		{"check-broken-yaml", []string{"check", "broken.yaml", "broken-type.yml"}, "", exitFindings},
		{"check-multiline-errors", []string{"check", "multiline-errors.yaml"}, "", exitFindings},
		{"check-multiline-errors-github", []string{"check", "--format", "github", "multiline-errors.yaml"}, "", exitFindings},
		{"lint-action-parameters", []string{"lint", "action-parameters.yaml"}, "", exitFindings},
		{"lint-rate-limits", []string{"lint", "rate-limits.yaml"}, "", exitFindings},
		{"fmt-action-parameters", []string{"fmt", "action-parameters.yaml"}, "", exitFindings},
		{"check-shape-errors", []string{"check", "shape-errors.json", "duplicate-key.json"}, "", exitFindings},
		{"check-legacy-firewall-rules", []string{"lint", "legacy-firewall-rules.json"}, "", exitFindings},
		{"check-docs-rulesets", []string{"check", "../../../testdata/rulesets/"}, "", exitOK},
		{"check-stdin", []string{"check", "-"}, "ssl and http.host eq \"a\"\nssl AND x\n", exitFindings},
		{"check-stdin-ruleset", []string{"check", "-"}, `[{"expression": "ssl", "action": "block"}]`, exitOK},
		{"check-custom-scheme", []string{"check", "--scheme", "scheme.json", "custom.txt"}, "", exitFindings},
		{"check-lists", []string{"check", "--lists", "lists.json", "lists.txt"}, "", exitFindings},
		{"check-folder", []string{"check", "."}, "", exitFindings},
		{"usage-no-command", nil, "", exitUsage},
		{"usage-unknown-command", []string{"verify", "x.txt"}, "", exitUsage},
		{"usage-no-files", []string{"check"}, "", exitUsage},
		{"usage-bad-format", []string{"check", "--format", "xml", "clean.txt"}, "", exitUsage},
		{"usage-missing-file", []string{"check", "nope.txt"}, "", exitUsage},
		{"usage-unknown-extension", []string{"check", "clean.txt", "../main.go"}, "", exitUsage},
		{"usage-bad-scheme", []string{"check", "--scheme", "values.json", "clean.txt"}, "", exitUsage},
		{"fmt-txt", []string{"fmt", "fmt.txt"}, "", exitOK},
		{"fmt-json", []string{"fmt", "fmt.json"}, "", exitOK},
		{"fmt-yaml", []string{"fmt", "fmt.yaml"}, "", exitOK},
		{"fmt-expression", []string{"fmt", "-e", `(a.b==1)&&!(c)||d ~ "x\\.y"`}, "", exitOK},
		{"fmt-list", []string{"fmt", "-l", "clean.txt", "fmt.txt", "fmt.json"}, "", exitFindings},
		{"fmt-list-clean", []string{"fmt", "-l", "-"}, "http.host eq \"example.com\"\n", exitOK},
		{"fmt-broken", []string{"fmt", "fmt-broken.txt"}, "", exitFindings},
		{"eval-true", []string{"eval", "--values", "values.json", `cf.bot_management.score lt 30 and not cf.bot_management.verified_bot`}, "", exitOK},
		{"eval-explain", []string{"eval", "--values", "values.json", "--explain",
			`(cf.bot_management.score lt 30) and not (cf.bot_management.verified_bot) and not (http.request.uri.path contains "/api")`}, "", exitOK},
		{"eval-star", []string{"eval", "--values", "-", "--explain", `any(http.request.headers.names[*] eq "X-Debug")`},
			`{"http.request.headers.names": ["Accept", "X-Debug"]}`, exitOK},
		{"eval-value", []string{"eval", "--values", "values.json", `regex_replace(http.request.uri.path, "^/api/v1/", "/v2/")`}, "", exitOK},
		{"eval-missing", []string{"eval", `http.request.headers["x-api-key"][0] ne "secret"`}, "", exitOK},
		{"eval-invalid", []string{"eval", `ssl eq true`}, "", exitFindings},
		{"eval-bad-values", []string{"eval", "--values", "-", `cf.bot_management.score lt 30`}, `{"cf.bot_management.score": "12"}`, exitUsage},
		{"eval-header-case", []string{"eval", "--values", "-", `http.request.headers["accept"][0] eq "text/html"`},
			`{"http.request.headers": {"Accept": ["text/html"]}}`, exitOK},
		{"eval-unknown-field", []string{"eval", "--values", "-", `ssl`}, `{"http.user_agnt": "curl"}`, exitUsage},
		{"eval-custom-scheme", []string{"eval", "--scheme", "scheme.json", "--values", "-", `age ge 18`}, `{"user.age": 36}`, exitOK},
		{"test-pass", []string{"test", "seed.test.yaml"}, "", exitOK},
		{"test-zone", []string{"test", "-v", "../../../examples/rules/zone"}, "", exitOK},
		{"test-verbose", []string{"test", "-v", "seed.test.yaml"}, "", exitOK},
		{"test-folder", []string{"test", "tests"}, "", exitFindings},
		{"test-json", []string{"test", "--format", "json", "tests"}, "", exitFindings},
		{"test-sarif", []string{"test", "--format", "sarif", "tests/failing.test.yaml"}, "", exitFindings},
		{"test-github", []string{"test", "--format", "github", "tests/failing.test.yaml"}, "", exitFindings},
		{"test-no-suites", []string{"test"}, "", exitUsage},
		{"test-stdin", []string{"test", "-"}, "", exitUsage},
		{"test-folder-without-suites", []string{"test", "golden"}, "", exitUsage},
		{"check-suite", []string{"check", "seed.test.yaml"}, "", exitUsage},
		{"replay-text", []string{"replay", "--rules", "bot-management.json", "requests.ndjson"}, "", exitOK},
		{"replay-json", []string{"replay", "--rules", "bot-management.json", "--format", "json", "-"}, replayStdin, exitOK},
		{"replay-map", []string{"replay", "--rules", "bot-management.json", "--map", "other-format-map.json", "other-format.ndjson"}, "", exitOK},
		{"replay-ratelimit", []string{"replay", "--rules", "../../../examples/rules/login-rate-limit.json", "login-burst.ndjson"}, "", exitOK},
		{"replay-no-rules", []string{"replay", "requests.ndjson"}, "", exitUsage},
		{"replay-bad-rules", []string{"replay", "--rules", "rules.json", "requests.ndjson"}, "", exitFindings},
		{"replay-baseline", []string{"replay", "--rules", "bot-management-new.json", "--baseline", "bot-management.json",
			"--fail-if", "changed > 10%", "--fail-if", "verified_bots_blocked > 0", "--fail-if", "block > 50%", "requests.ndjson"}, "", exitFindings},
		{"replay-baseline-json", []string{"replay", "--rules", "bot-management-new.json", "--baseline", "bot-management.json",
			"--format", "json", "--fail-if", "challenge == 0", "requests.ndjson"}, "", exitFindings},
		{"replay-fail-if-passes", []string{"replay", "--rules", "bot-management.json", "--fail-if", "verified_bots_blocked > 0",
			"--fail-if", "block >= 50%", "requests.ndjson"}, "", exitOK},
		{"replay-fail-if-bad", []string{"replay", "--rules", "bot-management.json", "--fail-if", "block >> 2%", "requests.ndjson"}, "", exitUsage},
		{"replay-changed-needs-baseline", []string{"replay", "--rules", "bot-management.json", "--fail-if", "changed > 0", "requests.ndjson"}, "", exitUsage},
		{"replay-only-malformed", []string{"replay", "--rules", "bot-management.json", "only-malformed.ndjson"}, "", exitFindings},
		{"replay-bad-jobs", []string{"replay", "--rules", "bot-management.json", "--jobs", "0", "requests.ndjson"}, "", exitUsage},
		{"bots-help", []string{"help", "bots"}, "", exitOK},
		{"bots-no-dir", []string{"bots", "update"}, "", exitUsage},
		{"bots-bad-mirror", []string{"bots", "update", "--mirror", "mirror.example", "bots"}, "", exitUsage},
		{"serve-no-rules", []string{"serve"}, "", exitUsage},
		{"serve-bad-on-error", []string{"serve", "--rules", "bot-management.json", "--on-error", "maybe"}, "", exitUsage},
		{"serve-bad-trusted", []string{"serve", "--rules", "bot-management.json", "--trusted-proxies", "10.0.0.0/33"}, "", exitUsage},
		{"serve-bad-rules", []string{"serve", "--rules", "rules.json", "--listen", "127.0.0.1:0"}, "", exitUsage},
		{"serve-no-listener", []string{"serve", "--rules", "bot-management.json", "--listen", ""}, "", exitUsage},
		{"serve-bad-listen", []string{"serve", "--rules", "bot-management.json", "--listen", "127.0.0.1:99999"}, "", exitUsage},
		{"serve-bad-geoip", []string{"serve", "--rules", "bot-management.json", "--listen", "127.0.0.1:0", "--geoip", "missing.mmdb"}, "", exitUsage},
		{"serve-bad-crawlers", []string{"serve", "--rules", "bot-management.json", "--listen", "127.0.0.1:0", "--crawlers", "no-such-folder"}, "", exitUsage},
		{"serve-bad-redis", []string{"serve", "--rules", "bot-management.json", "--listen", "127.0.0.1:0", "--ratelimit-redis", "http://nope"}, "", exitUsage},
	}
	// A few run end to end too, as the built command, to the same output.
	endToEnd := map[string]bool{"check-rules-json-text": true, "fmt-yaml": true, "eval-explain": true,
		"test-pass": true, "replay-json": true, "check-stdin-ruleset": true}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := filepath.Abs(filepath.Join("testdata", "golden", tt.name+".txt"))
			require.NoError(t, err)
			if endToEnd[tt.name] {
				status, out := runBinary(t, tt.stdin, tt.args...)
				assert.Equal(t, tt.status, status, out)
				golden.Check(t, want, out)
			}
			status, out := runCommand(t, tt.stdin, tt.args...)
			assert.Equal(t, tt.status, status, out)
			golden.Check(t, want, out)
		})
	}
}

// TestVersion: the version and the Go version come from the build
// information.
func TestVersion(t *testing.T) {
	for _, arg := range []string{"version", "--version"} {
		status, out := runBinary(t, "", arg)
		assert.Equal(t, exitOK, status)
		assert.Regexp(t, `--- stdout\nedgerules \S+, built with go1\.\d+`, out)
	}
}

// replayStdin is a short log on standard input, gzip or not being told
// apart by its first bytes.
const replayStdin = `{"ClientIP":"192.0.2.10","ClientRequestPath":"/x","BotScore":1,"BotScoreSrc":"Heuristics"}
{"ClientIP":"192.0.2.11","ClientRequestPath":"/y","BotScore":90,"BotScoreSrc":"Machine Learning"}
`

func TestReplayHTML(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.html")
	status, log := runBinary(t, "", "replay", "--rules", "bot-management.json", "--format", "html", "--out", out, "requests.ndjson")
	require.Equal(t, exitOK, status, log)
	html, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Contains(t, string(html), "<svg")
	assert.Contains(t, string(html), "requests.ndjson:6:")
}

// TestFmtWrite formats files in place, -l naming them; a second run
// changes nothing and -l then names none.
func TestFmtWrite(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"fmt.txt", "fmt.json", "fmt.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(t, err)
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, data, 0o640))
		status, out := runBinary(t, "", "fmt", "-l", "-w", path)
		require.Equal(t, exitOK, status, out)
		assert.Contains(t, out, "--- stdout\n"+path+"\n--- stderr", "-l names the file -w changes")
		written, err := os.ReadFile(path)
		require.NoError(t, err)
		_, printed := runBinary(t, "", "fmt", name)
		assert.Contains(t, printed, "--- stdout\n"+string(written)+"--- stderr", "-w writes what fmt prints")
		info, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o640), info.Mode().Perm(), "the file keeps its mode")
		status, _ = runBinary(t, "", "fmt", "-w", path)
		require.Equal(t, exitOK, status)
		again, _ := os.ReadFile(path)
		assert.Equal(t, string(written), string(again), "formatting is idempotent")
		status, out = runBinary(t, "", "fmt", "-l", path)
		assert.Equal(t, exitOK, status, out)
		assert.Contains(t, out, "--- stdout\n--- stderr", "-l names no canonical file")
	}
	status, out := runBinary(t, "", "fmt", "-w", "-")
	assert.Equal(t, exitUsage, status, out)
}

// TestLongLine reads an expression file whose lines are longer than any
// line buffer: the long line is reported with the limit, and the lines
// after it are still checked.
func TestLongLine(t *testing.T) {
	long := "http.host eq \"" + strings.Repeat("a", 1<<24) + "\"\nnot a rule\n"
	status, out := runBinary(t, long, "check", "-")
	assert.Equal(t, exitFindings, status)
	assert.Contains(t, out, "-:1:4097: error[too-long]: the expression is 16777231 bytes long; Cloudflare accepts at most 4096")
	assert.Contains(t, out, "-:2:7: error[unexpected-token]")
}
