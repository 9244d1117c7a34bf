// Package suitefile tells a test suite's file by its name, for the tools
// that read the files of a folder and the test runner alike.
package suitefile

import (
	"path/filepath"
	"strings"
)

// Is reports whether path names a test suite: NAME.test.yaml, .test.yml or
// .test.json.
func Is(path string) bool {
	base := strings.ToLower(filepath.Base(path))
	for _, ext := range []string{".test.yaml", ".test.yml", ".test.json"} {
		if strings.HasSuffix(base, ext) {
			return true
		}
	}
	return false
}
