package eval

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWildcard(t *testing.T) {
	tests := []struct {
		pattern string
		fold    bool
		yes, no []string
	}{
		{"*.example.com", true, []string{"a.example.com", "A.B.EXAMPLE.COM", ".example.com"}, []string{"example.com", "a.example.com.evil"}},
		{"http*://example.com/*/downloads/*.txt*", true,
			[]string{"https://example.com/a/downloads/b.txt", "http://EXAMPLE.com/x/y/downloads/z.txt?v=1"},
			[]string{"https://example.com/downloads/b.txt", "ftp://example.com/a/downloads/b.txt"}},
		{"exact", true, []string{"exact", "EXACT"}, []string{"exactly", "xact"}},
		{"Exact", false, []string{"Exact"}, []string{"exact"}},
		{`a\*b*`, false, []string{"a*b", "a*bcd"}, []string{"axb"}},
		{`a\\*`, false, []string{`a\`, `a\zz`}, []string{"a"}},
		{"*", false, []string{"", "anything"}, nil},
		{"a*a*a", false, []string{"aaa", "abababa"}, []string{"aa", "aab"}},
		{"ünï*", true, []string{"ünïcode"}, []string{"ÜNÏcode"}},
	}
	for _, tt := range tests {
		w, err := compileWildcard(tt.pattern, tt.fold)
		require.NoError(t, err, tt.pattern)
		for _, s := range tt.yes {
			assert.True(t, w.match(s), "%q should match %q", tt.pattern, s)
		}
		for _, s := range tt.no {
			assert.False(t, w.match(s), "%q should not match %q", tt.pattern, s)
		}
	}
	for _, bad := range []string{"**", "a**b", `a\b`, `a\`} {
		_, err := compileWildcard(bad, true)
		assert.Error(t, err, bad)
	}
}

func TestRangeSet(t *testing.T) {
	ranges := []Range{{Int(10), Int(20)}, {Int(15), Int(25)}, {Int(1), Int(1)}, {Int(40), Int(50)}, {Int(26), Int(30)}}
	s := newIntSet(ranges)
	assert.Equal(t, []int64{1, 10, 26, 40}, s.lo, "overlapping ranges merge")
	for n, want := range map[int64]bool{0: false, 1: true, 2: false, 10: true, 25: true, 26: true, 31: false, 45: true, 51: false} {
		assert.Equal(t, want, s.contains(n), "%d", n)
	}
}
