package serve

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWatchFolder: a ruleset file added to a folder is a change; one that
// disappears is a change only when it is still missing at the next look.
func TestWatchFolder(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	write("custom.json", `[{"ref": "a", "expression": "http.request.uri.path eq \"/a\"", "action": "block"}]`)
	write("notes.txt", "not a ruleset file")
	s, err := New(Options{Rules: []string{dir}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	score := func() []string {
		r := httptest.NewRequest("GET", "/check", nil)
		r.Header.Set("X-Original-Uri", "/b")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		return w.Result().Header["X-Method"]
	}
	assert.Empty(t, score())

	write("late.json", `{"phase": "http_request_late_transform", "rules": [{"ref": "m", "expression": "true", "action": "rewrite",
		"action_parameters": {"headers": {"X-Method": {"operation": "set", "expression": "http.request.method"}}}}]}`)
	s.reloadIfChanged()
	assert.Equal(t, []string{"GET"}, score(), "a file added to the folder is read")

	s.reloadIfChanged()
	write("notes.txt", "still not a ruleset file")
	s.reloadIfChanged()
	assert.Equal(t, 1, reloads(t, s, "ok")+reloads(t, s, "failed"), "only files of a ruleset format are watched")

	require.NoError(t, os.Remove(filepath.Join(dir, "late.json")))
	s.reloadIfChanged()
	assert.Equal(t, []string{"GET"}, score(), "a file missing once may be an editor's replacing it")
	s.reloadIfChanged()
	assert.Empty(t, score(), "missing at two looks, it is gone")

	// Replaced in two steps: missing at one look, back at the next.
	write("late.json", `{"phase": "http_request_late_transform", "rules": [{"ref": "m", "expression": "true", "action": "rewrite",
		"action_parameters": {"headers": {"X-Method": {"operation": "set", "value": "v1"}}}}]}`)
	s.reloadIfChanged()
	require.NoError(t, os.Rename(filepath.Join(dir, "late.json"), filepath.Join(dir, "late.json~")))
	s.reloadIfChanged()
	time.Sleep(10 * time.Millisecond) // a modification time of its own
	write("late.json", `{"phase": "http_request_late_transform", "rules": [{"ref": "m", "expression": "true", "action": "rewrite",
		"action_parameters": {"headers": {"X-Method": {"operation": "set", "value": "v2"}}}}]}`)
	require.NoError(t, os.Remove(filepath.Join(dir, "late.json~")))
	before := reloads(t, s, "ok")
	s.reloadIfChanged()
	assert.Equal(t, []string{"v2"}, score())
	assert.Equal(t, before+1, reloads(t, s, "ok"), "one reload, with the file back")
}

// reloads reads edgerules_reloads_total{result} from the metrics.
func reloads(t *testing.T, s *Service, result string) int {
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	m := regexp.MustCompile(`(?m)^edgerules_reloads_total\{result="` + result + `"\} (\d+)$`).FindStringSubmatch(w.Body.String())
	require.NotNil(t, m, w.Body.String())
	n, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	return n
}

// TestWatchVarFile: a change of a .tfvars file the Terraform rules are
// read with reloads them.
func TestWatchVarFile(t *testing.T) {
	dir := t.TempDir()
	tf := filepath.Join(dir, "main.tf")
	vars := filepath.Join(dir, "ci.tfvars")
	require.NoError(t, os.WriteFile(tf, []byte(`variable "blocked" { type = string }
resource "cloudflare_ruleset" "waf" {
  zone_id = "z"
  name    = "waf"
  kind    = "zone"
  phase   = "http_request_firewall_custom"
  rules = [{ ref = "path", action = "block", expression = "http.request.uri.path eq \"${var.blocked}\"" }]
}
`), 0o644))
	require.NoError(t, os.WriteFile(vars, []byte(`blocked = "/a"`+"\n"), 0o644))
	s, err := New(Options{Rules: []string{tf}, VarFiles: []string{vars}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	action := func(path string) string {
		r := httptest.NewRequest("GET", "/check", nil)
		r.Header.Set("X-Original-Uri", path)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		return w.Result().Header.Get(HeaderAction)
	}
	assert.Equal(t, "block", action("/a"))
	time.Sleep(10 * time.Millisecond) // a modification time of its own
	require.NoError(t, os.WriteFile(vars, []byte(`blocked = "/bb"`+"\n"), 0o644))
	s.reloadIfChanged()
	assert.Equal(t, "none", action("/a"))
	assert.Equal(t, "block", action("/bb"))
}
