package crawler

import (
	"testing"
)

// FuzzParseRanges: reading a range file never panics, and what it accepts
// has prefixes, each masked and of the family its key names.
func FuzzParseRanges(f *testing.F) {
	for _, seed := range []string{
		`{"creationTime": "2026-11-20T15:46:00.000000", "prefixes": [{"ipv4Prefix": "66.249.64.0/27"}, {"ipv6Prefix": "2001:4860:4801:10::/64"}]}`,
		`{"prefixes": [{"ipv4Prefix": "192.0.2.1/24"}]}`,
		`{"prefixes": [{}]}`,
		`{"prefixes": [`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseRanges(data)
		if err != nil {
			return
		}
		if len(r.Prefixes) == 0 {
			t.Fatal("accepted a file without prefixes")
		}
		for _, p := range r.Prefixes {
			if !p.IsValid() || p.Masked() != p {
				t.Fatalf("prefix %v is not valid and masked", p)
			}
		}
	})
}
