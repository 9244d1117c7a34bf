package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgerules/edgerules/internal/golden"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// terraformFiles are the Terraform files of the repository's testdata,
// relative to its root: every shape issue 14 names.
func terraformFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	require.NoError(t, filepath.WalkDir("testdata/terraform", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasSuffix(p, ".golden") {
			files = append(files, p)
		}
		return err
	}))
	require.NotEmpty(t, files)
	return files
}

// inRoot runs the command in process at the repository's root.
func inRoot(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	t.Chdir(filepath.Join(testdata, "..", "..", ".."))
	var stdout, stderr bytes.Buffer
	status := run(args, strings.NewReader(""), &stdout, &stderr)
	return status, stdout.String(), stderr.String()
}

// TestTerraformGolden checks each Terraform file of testdata/terraform with
// lint, in JSON, against the golden file beside it; notes never fail a
// run, so a file whose only findings are notes and warnings exits 0.
func TestTerraformGolden(t *testing.T) {
	t.Chdir(filepath.Join(testdata, "..", "..", ".."))
	for _, path := range terraformFiles(t) {
		t.Run(path, func(t *testing.T) {
			status, out, errs := inRoot(t, "check", "--lint", "--format", "json", path)
			require.Empty(t, errs)
			var diags []diagnostic
			require.NoError(t, json.Unmarshal([]byte(out), &diags))
			failing := false
			for _, d := range diags {
				failing = failing || d.Severity == "error"
			}
			assert.Equal(t, failing, status == exitFindings, "exit %d", status)
			golden.Check(t, filepath.Join(testdata, "..", "..", "..", path+".golden"), out)
		})
	}
}

// TestTerraformNotes: a value only apply knows is a note at the
// interpolation that needs it, the run exits 0
// when nothing else is wrong, and GitHub shows it as a notice.
func TestTerraformNotes(t *testing.T) {
	dir := t.TempDir()
	tf := `variable "ips" { type = list(string) }
resource "cloudflare_ruleset" "waf" {
  zone_id = var.zone_id
  name    = "waf"
  kind    = "zone"
  phase   = "http_request_firewall_custom"
  rules {
    action     = "block"
    expression = "ip.src in {${join(" ", var.ips)}} and not cf.bot_management.verified_bot"
  }
}
`
	path := filepath.Join(dir, "main.tf")
	require.NoError(t, os.WriteFile(path, []byte(tf), 0o644))
	status, out, _ := inRoot(t, "check", path)
	assert.Equal(t, exitOK, status)
	assert.Contains(t, out, "main.tf:9:32: note[not-checked]: the expression is not checked: depends on var.ips")
	assert.Contains(t, out, "0 errors, 0 warnings, 1 note in 1 file")
	_, out, _ = inRoot(t, "check", "--format", "github", path)
	assert.Contains(t, out, "::notice file="+path+",line=9,col=32")
	// With a value in terraform.tfvars, the expression is checked.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "terraform.tfvars"), []byte(`ips = ["192.0.2.1", "bad"]`), 0o644))
	status, out, _ = inRoot(t, "check", path)
	assert.Equal(t, exitFindings, status)
	assert.Contains(t, out, "main.tf:9:32: error[bad-value]")
	assert.Contains(t, out, "ip.src in {192.0.2.1 bad}")
}

// TestTerraformFolder: check dir/... picks up Terraform files beside the
// other kinds, and passes by those that hold no ruleset.
func TestTerraformFolder(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "providers.tf"), []byte("provider \"cloudflare\" {}\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "rules.tf"), []byte(`resource "cloudflare_filter" "f" {
  expression = "http.host eq \"a\" and"
}
`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "exprs.txt"), []byte("http.host eq \"b\"\n"), 0o644))
	// Terraform's copies of downloaded modules are not the project's.
	require.NoError(t, os.MkdirAll(filepath.Join(dir, ".terraform", "modules", "m"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".terraform", "modules", "m", "main.tf"), []byte(`resource "cloudflare_filter" "f" {
  expression = "broken and"
}
`), 0o644))
	status, out, _ := inRoot(t, "check", dir+"/...")
	assert.Equal(t, exitFindings, status)
	assert.Contains(t, out, "rules.tf:2:40: error[unexpected-token]")
	assert.Contains(t, out, "1 error, 0 warnings in 2 files (2 expressions)")
}

// TestTerraformFmt: fmt -w rewrites the literal expressions of each
// Terraform test file and nothing else (ruleset's tests compare every
// byte); a second run finds nothing to change.
func TestTerraformFmt(t *testing.T) {
	t.Chdir(filepath.Join(testdata, "..", "..", ".."))
	for _, path := range terraformFiles(t) {
		t.Run(path, func(t *testing.T) {
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			dir := t.TempDir()
			// The module's other files come along: they give its values.
			entries, err := os.ReadDir(filepath.Dir(path))
			require.NoError(t, err)
			for _, e := range entries {
				other, err := os.ReadFile(filepath.Join(filepath.Dir(path), e.Name()))
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(filepath.Join(dir, e.Name()), other, 0o644))
			}
			copied := filepath.Join(dir, filepath.Base(path))
			status, _, errs := inRoot(t, "fmt", "-w", copied)
			broken := strings.Contains(errs, "error[")
			assert.Equal(t, broken, status != exitOK, errs)
			if broken {
				after, err := os.ReadFile(copied)
				require.NoError(t, err)
				assert.Equal(t, string(data), string(after), "a file with an expression that does not parse is left as it was")
				return
			}
			require.Empty(t, errs)
			status, out, _ := inRoot(t, "fmt", "-l", copied)
			assert.Equal(t, exitOK, status, out)
			if strings.Contains(string(data), "\r\n") {
				after, err := os.ReadFile(copied)
				require.NoError(t, err)
				assert.Equal(t, strings.Count(string(after), "\n"), strings.Count(string(after), "\r\n"), "a CRLF file keeps CRLF")
			}
		})
	}
}

// TestTerraformIgnore: an edgerules:ignore comment (# or //) in a rule of
// a Terraform file, or on the lines just before it, passes by its
// findings, and one that suppresses nothing is reported.
func TestTerraformIgnore(t *testing.T) {
	dir := t.TempDir()
	tf := `resource "cloudflare_ruleset" "r" {
  phase = "http_request_firewall_custom"

  # edgerules:ignore no-verified-bot-exemption crawlers are blocked on purpose here
  rules {
    action     = "block"
    expression = "cf.bot_management.score lt 30"
  }

  rules {
    // edgerules:ignore no-verified-bot-exemption
    action     = "block"
    expression = "cf.bot_management.score lt 20"
  }
}

resource "cloudflare_ruleset" "v5" {
  phase = "http_request_firewall_custom"
  rules = [
    # edgerules:ignore no-verified-bot-exemption
    { action = "block", expression = "cf.bot_management.score lt 10" },
    { action = "block", expression = "cf.bot_management.score lt 5" },
    # edgerules:ignore tab
    { action = "block", expression = "cf.bot_management.score lt 50 and not cf.bot_management.verified_bot" },
  ]
}
`
	path := filepath.Join(dir, "main.tf")
	require.NoError(t, os.WriteFile(path, []byte(tf), 0o644))
	_, out, _ := inRoot(t, "lint", path)
	assert.Equal(t, path+`:22:39: warning[no-verified-bot-exemption]: this block rule also catches verified bots, such as search engine crawlers
    cf.bot_management.score lt 5
    ^^^^^^^^^^^^^^^^^^^^^^^
    hint: add `+"`and not cf.bot_management.verified_bot`"+`

`+path+":24:5: warning[unused-ignore]: `# edgerules:ignore tab` suppresses nothing here\n\n0 errors, 2 warnings in 1 file (5 expressions)\n", out)
}
