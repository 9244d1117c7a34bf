package eval_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/edgerules/edgerules/eval"
	"github.com/stretchr/testify/assert"
)

// expensiveRules are the rule shapes that do the most work per byte of a
// value, each with its answer on largeValues.
var expensiveRules = []struct {
	src  string
	want bool
}{
	{`http.user_agent matches "(?i)(curl|wget|python-requests)"`, false},
	{`http.user_agent matches "a[0-9]+b.*c$"`, false},
	{`http.user_agent matches "^(a|%)+$"`, false},
	{`http.user_agent wildcard "*aaaab*aaaac*zz*"`, false},
	{`http.user_agent strict wildcard "a*%25"`, true},
	{`lower(http.user_agent) contains "aaaaaaaaz"`, false},
	{`http.user_agent contains "aaaaaaaaaaaaaaaaaaaaaaaaz"`, false},
	{`url_decode(http.user_agent, "r") contains "zz"`, false},
	{`any(http.request.headers["x"][*] contains "aaaaaaaaz")`, false},
	{`any(lower(http.request.headers["x"][*])[*] eq "z")`, false},
	{`lookup_json_string(http.cookie, "a", "b") eq "c"`, false},
	{`regex_replace(http.user_agent, "[0-9]+", "N") eq "x"`, false},
	{`len(split(http.user_agent, "%", 128)) eq 128`, true},
	{`concat(http.user_agent, http.user_agent) contains "zz"`, false},
	{`ends_with(http.user_agent, "a%25")`, true},
}

// largeValues gives the fields the rules read values of about size bytes
// made to be hard: long runs that almost match, and escapes in layers.
func largeValues(size int) values {
	ua := strings.Repeat("aaaaaaa%25", size/10)
	headers := make([]string, size/100)
	for i := range headers {
		headers[i] = strings.Repeat("a", 99)
	}
	json := `{"a": {"x": "` + strings.Repeat("a", size) + `"}}`
	return values{
		"http.user_agent":      eval.String(ua),
		"http.request.headers": eval.StringsMap(map[string][]string{"x": headers}),
		"http.cookie":          eval.String(json),
	}
}

// TestLargeValues evaluates the costliest shapes on 1 MiB values: they
// finish with the right answers. BenchmarkLargeValues shows the time grows
// in proportion to the value.
func TestLargeValues(t *testing.T) {
	vs := largeValues(1 << 20)
	for _, r := range expensiveRules {
		assert.Equal(t, r.want, match(t, r.src, vs), r.src)
	}
}

func BenchmarkLargeValues(b *testing.B) {
	for _, size := range []int{1 << 20, 2 << 20} {
		c := newContext(b, largeValues(size))
		for _, r := range expensiveRules {
			f := compile(b, r.src)
			b.Run(fmt.Sprintf("%dMiB/%s", size>>20, r.src), func(b *testing.B) {
				for b.Loop() {
					f.Match(c)
				}
			})
		}
	}
}
