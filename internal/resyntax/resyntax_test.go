package resyntax

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDropUnicodeFlag(t *testing.T) {
	for in, want := range map[string]string{
		`(?u)\p{Hangul}+`:  `\p{Hangul}+`,
		`(?iu)abc`:         `(?i)abc`,
		`(?ui:abc)d`:       `(?i:abc)d`,
		`(?u:abc)`:         `(?:abc)`,
		`(?i)abc`:          `(?i)abc`,
		`\(?u\)`:           `\(?u\)`,
		`[(?u)]`:           `[(?u)]`,
		`[]u(?u)]`:         `[]u(?u)]`,
		`(?P<user>u+)`:     `(?P<user>u+)`,
		`a(?-u)b`:          `ab`,
		`(?U)lazy(?su)all`: `(?U)lazy(?s)all`,
	} {
		got := DropUnicodeFlag(in)
		assert.Equal(t, want, got, in)
		_, err := regexp.Compile(got)
		assert.NoError(t, err, "%s gives %s", in, got)
	}
}
