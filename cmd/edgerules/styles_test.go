package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgerules/edgerules/internal/golden"
	"github.com/edgerules/edgerules/internal/valuetest"
	"github.com/edgerules/edgerules/ruleset"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFmtStyles formats, in place, a ruleset for every way YAML and JSON
// write a string (../../testdata/styles): the file still loads, every value
// but the expressions is as it was, each expression is its canonical form
// and means what it meant, and fmt -l then calls the file canonical. What
// fmt writes is kept in golden files, to be read.
func TestFmtStyles(t *testing.T) {
	files, err := filepath.Glob("../../testdata/styles/*")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	dir := t.TempDir()
	for _, src := range files {
		name := filepath.Base(src)
		want, err := filepath.Abs(filepath.Join("testdata", "golden", "fmt-styles", name))
		require.NoError(t, err)
		t.Run(name, func(t *testing.T) {
			before, err := os.ReadFile(src)
			require.NoError(t, err)
			path := filepath.Join(dir, name)
			require.NoError(t, os.WriteFile(path, before, 0o600))
			status, out := runCommand(t, "", "fmt", "-w", path)
			require.Equal(t, exitOK, status, out)
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			golden.Check(t, want, string(after))
			format := map[string]valuetest.Format{".json": valuetest.JSON, ".yaml": valuetest.YAML, ".txt": valuetest.Lines}[filepath.Ext(name)]
			require.NoError(t, valuetest.Compare(format, string(before), string(after), ruleset.FormatWidth))
			status, out = runCommand(t, "", "fmt", "-l", path)
			assert.Equal(t, exitOK, status, "fmt -l calls the written file canonical:\n%s", out)
			status, out = runCommand(t, "", "check", path)
			assert.Equal(t, exitOK, status, out)
		})
	}
}

// TestFmtRefuses: a file whose expression cannot be rewritten exactly in
// place (here because the text holds a Unicode line break, which YAML
// counts as a line break and the locator refuses) is named, left as it
// was, and fails the run.
func TestFmtRefuses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rules.yaml")
	before := "rules:\n  - expression: ssl&&true\n    description: \"a\u2028b\"\n    action: block\n"
	require.NoError(t, os.WriteFile(path, []byte(before), 0o600))
	status, out := runCommand(t, "", "fmt", "-w", path)
	assert.Equal(t, exitFindings, status)
	assert.Contains(t, out, path+": not formatted, the file is left as it was: rule 1, expression: cannot be rewritten in place")
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, before, string(after))
	status, _ = runCommand(t, "", "check", path)
	assert.Equal(t, exitOK, status, "the file itself is valid")
}

// TestLintFix: lint --fix makes the safe fixes in place, says what it
// changed, reports what is left, and a second run changes nothing.
func TestLintFix(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"rules.yaml", "exprs.txt"} {
		data, err := os.ReadFile(filepath.Join("testdata", "fix", name))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o600))
	}
	goldens, err := filepath.Abs(filepath.Join("testdata", "golden"))
	require.NoError(t, err)
	want := func(name string) string { return filepath.Join(goldens, name) }
	lintFix := func() (int, string) {
		var stdout, stderr strings.Builder
		args := []string{"lint", "--fix", "rules.yaml", "exprs.txt"}
		status := run(args, strings.NewReader(""), &stdout, &stderr)
		return status, labelled(args, status, stdout.String(), stderr.String())
	}
	t.Chdir(dir)
	status, out := lintFix()
	assert.Equal(t, exitOK, status)
	golden.Check(t, want("lint-fix.txt"), out)
	for _, name := range []string{"rules.yaml", "exprs.txt"} {
		after, err := os.ReadFile(name)
		require.NoError(t, err)
		golden.Check(t, want("lint-fix-"+name), string(after))
	}
	status, again := lintFix()
	assert.Equal(t, exitOK, status)
	assert.NotContains(t, again, "fixed", "a second run has nothing to fix")

	status, out = runCommand(t, "", "lint", "--fix", "-e", `ip.geoip.country eq "GB"`)
	assert.Equal(t, exitFindings, status)
	assert.Contains(t, out, "-e: not fixed, the file is left as it was: --fix cannot write back to -e")
}

// TestWriteFileLinks: fmt -w writes through a symbolic link to the file it
// names, and keeps a file's hard links seeing the new text.
func TestWriteFileLinks(t *testing.T) {
	dir := t.TempDir()
	real, link, hard := filepath.Join(dir, "real.txt"), filepath.Join(dir, "link.txt"), filepath.Join(dir, "hard.txt")
	require.NoError(t, os.WriteFile(real, []byte("ssl&&true\n"), 0o640))
	require.NoError(t, os.Symlink("real.txt", link))
	status, out := runCommand(t, "", "fmt", "-w", link)
	require.Equal(t, exitOK, status, out)
	target, err := os.Readlink(link)
	require.NoError(t, err, "the link is still a link")
	assert.Equal(t, "real.txt", target)
	data, err := os.ReadFile(real)
	require.NoError(t, err)
	assert.Equal(t, "ssl and true\n", string(data))

	require.NoError(t, os.WriteFile(real, []byte("ssl&&true\n"), 0o640))
	require.NoError(t, os.Link(real, hard))
	status, out = runCommand(t, "", "fmt", "-w", hard)
	require.Equal(t, exitOK, status, out)
	data, err = os.ReadFile(real)
	require.NoError(t, err)
	assert.Equal(t, "ssl and true\n", string(data), "the other hard link sees the new text")
}
