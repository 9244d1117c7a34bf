package geoip

import (
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/edgerules/edgerules/internal/mmdbtest"
	"github.com/edgerules/edgerules/nethttp"
	"github.com/stretchr/testify/require"
)

// BenchmarkDecode is what a lookup costs when its entry is not in the
// cache: finding it and reading it, whole or the country only.
func BenchmarkDecode(b *testing.B) {
	path := filepath.Join(b.TempDir(), "city.mmdb")
	require.NoError(b, mmdbtest.City(path, "GeoLite2-City"))
	l, err := Open(path)
	require.NoError(b, err)
	d := l.dbs[0].Value()
	a := netip.MustParseAddr("203.0.113.9")
	for _, c := range []struct {
		name string
		need nethttp.GeoFields
	}{
		{"all", kindFields[cityDB]},
		{"country", countryField},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var loc nethttp.Location
				if _, err := d.read(d.reader.Lookup(a), c.need, &loc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
