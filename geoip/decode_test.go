package geoip

import (
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/edgerules/edgerules/internal/mmdbtest"
	"github.com/stretchr/testify/require"
)

// BenchmarkDecode is what a lookup costs when its entry is not in the
// cache: finding it and decoding it.
func BenchmarkDecode(b *testing.B) {
	path := filepath.Join(b.TempDir(), "city.mmdb")
	require.NoError(b, mmdbtest.City(path, "GeoLite2-City"))
	l, err := Open(path)
	require.NoError(b, err)
	r := l.dbs[0].Value().reader
	a := netip.MustParseAddr("203.0.113.9")
	b.ReportAllocs()
	for b.Loop() {
		var rec record
		if err := r.Lookup(a).Decode(&rec); err != nil {
			b.Fatal(err)
		}
		rec.location()
	}
}
