package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseIgnore(t *testing.T) {
	for comment, want := range map[string][]string{
		"# edgerules:ignore tab":                          {"tab"},
		"#edgerules:ignore tab,leading-zero because":      {"tab", "leading-zero"},
		"# edgerules:ignore tab, leading-zero the reason": {"tab", "leading-zero"},
		"  # edgerules:ignore\tscore-range":               {"score-range"},
		"# edgerules:ignore":                              nil,
		"# edgerules:ignored tab":                         nil,
		"# a comment that mentions edgerules:ignore tab":  nil,
		"# edgerules:ignore ,":                            nil,
	} {
		got, ok := parseIgnore(comment)
		assert.Equal(t, want, got, comment)
		assert.Equal(t, want != nil, ok, comment)
	}
}

func TestGlobMatch(t *testing.T) {
	for _, tt := range []struct {
		glob, name string
		want       bool
	}{
		{"legacy/**", "legacy/old.txt", true},
		{"legacy/**", "legacy/a/b/old.txt", true},
		{"legacy/**", "new/old.txt", false},
		{"**/*.yaml", "a/b/rules.yaml", true},
		{"**/*.yaml", "rules.yaml", true},
		{"*.yaml", "a/rules.yaml", false},
		{"rules.yaml", "rules.yaml", true},
	} {
		assert.Equal(t, tt.want, globMatch(tt.glob, tt.name), "%s ~ %s", tt.glob, tt.name)
	}
}
