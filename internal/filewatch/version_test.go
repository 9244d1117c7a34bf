package filewatch

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVersion(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "one.json")
	folder := filepath.Join(dir, "zone")
	require.NoError(t, os.Mkdir(folder, 0o755))
	at := time.Now().Add(-time.Hour)
	write := func(path, text string) {
		require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
		require.NoError(t, os.Chtimes(path, at, at))
	}
	write(file, "[]")
	write(filepath.Join(folder, "a.yaml"), "rules: []")
	version := func() uint64 {
		v, err := Version(file+"#cloudflare_ruleset.x", folder)
		require.NoError(t, err)
		return v
	}
	v1 := version()
	assert.Equal(t, v1, version(), "nothing changed")

	write(filepath.Join(folder, "b.yaml"), "rules: []")
	v2 := version()
	assert.NotEqual(t, v1, v2, "a file added to the folder")

	at = at.Add(time.Minute)
	write(file, "[]")
	v3 := version()
	assert.NotEqual(t, v2, v3, "a file changed at the same size")

	require.NoError(t, os.Remove(filepath.Join(folder, "b.yaml")))
	assert.NotEqual(t, v3, version(), "a file removed")

	_, err := Version(filepath.Join(dir, "missing.json"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}
