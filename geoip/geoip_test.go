package geoip_test

import (
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/edgerules/edgerules/geoip"
	"github.com/edgerules/edgerules/internal/mmdbtest"
	"github.com/edgerules/edgerules/nethttp"
	"github.com/maxmind/mmdbwriter/mmdbtype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// databases writes the test City and ASN databases into a new directory.
func databases(t testing.TB) (city, asn string) {
	t.Helper()
	dir := t.TempDir()
	city, asn = filepath.Join(dir, "city.mmdb"), filepath.Join(dir, "asn.mmdb")
	require.NoError(t, mmdbtest.City(city, "GeoLite2-City"))
	require.NoError(t, mmdbtest.ASN(asn))
	return city, asn
}

// all is the set of the fields l fills.
func all(t testing.TB, l *geoip.Locator) nethttp.GeoFields {
	t.Helper()
	set, err := nethttp.GeoFieldsOf(l.Fills()...)
	require.NoError(t, err)
	return set
}

func TestLocate(t *testing.T) {
	city, asn := databases(t)
	l, err := geoip.Open(city, asn)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"ip.src.country", "ip.src.continent", "ip.src.is_in_european_union", "ip.src.city",
		"ip.src.region", "ip.src.region_code", "ip.src.subdivision_1_iso_code", "ip.src.subdivision_2_iso_code",
		"ip.src.postal_code", "ip.src.metro_code", "ip.src.lat", "ip.src.lon", "ip.src.timezone.name", "ip.src.asnum"}, l.Fills())
	for addr, want := range map[string]nethttp.Location{
		"203.0.113.9": {Country: "US", Continent: "NA", ASN: 64511, City: "Austin", Region: "Texas", RegionCode: "TX",
			Subdivision1: "US-TX", Subdivision2: "US-TRV", PostalCode: "78701", MetroCode: "635", Lat: "30.2672",
			Lon: "-97.7431", TimeZone: "America/Chicago"},
		"192.0.2.1":    {Country: "GB", Continent: "EU", ASN: 64496, City: "London", Region: "England", RegionCode: "ENG", Subdivision1: "GB-ENG"},
		"198.51.100.7": {Country: "DE", Continent: "EU", ASN: 64497, City: "Berlin", Region: "Land Berlin", RegionCode: "BE", Subdivision1: "DE-BE", EU: true},
		"2001:db8::1":  {Country: "JP", Continent: "AS"},
		"::ffff:192.0.2.1": {Country: "GB", Continent: "EU", ASN: 64496, City: "London", Region: "England", RegionCode: "ENG",
			Subdivision1: "GB-ENG"},
		"127.0.0.1":    {},
		"2001:4860::1": {},
	} {
		assert.Equal(t, want, l.Locate(netip.MustParseAddr(addr), all(t, l)), addr)
	}
}

func fieldsOf(t *testing.T, names ...string) nethttp.GeoFields {
	t.Helper()
	set, err := nethttp.GeoFieldsOf(names...)
	require.NoError(t, err)
	return set
}

// TestLocateNeeds: a locator told which fields to fill reads those (and
// the country, which picks the database) and leaves the others empty,
// consulting only the databases that fill them; an entry read for some
// fields is read again when others are asked for, and then answers both.
func TestLocateNeeds(t *testing.T) {
	city, asn := databases(t)
	l, err := geoip.Open(city, asn)
	require.NoError(t, err)
	berlin := netip.MustParseAddr("198.51.100.7")
	for _, c := range []struct {
		need []string
		want nethttp.Location
	}{
		{[]string{"ip.src.country"}, nethttp.Location{Country: "DE"}},
		{[]string{"ip.src.asnum"}, nethttp.Location{ASN: 64497}},
		{[]string{"ip.src.country"}, nethttp.Location{Country: "DE"}},
		{[]string{"ip.src.is_in_european_union", "ip.src.continent", "ip.src.asnum"},
			nethttp.Location{Country: "DE", Continent: "EU", EU: true, ASN: 64497}},
		// The entry in the cache has the country, continent and EU
		// membership: the city is read with them.
		{[]string{"ip.src.city"}, nethttp.Location{Country: "DE", Continent: "EU", EU: true, City: "Berlin"}},
		// A subdivision is read with the whole entry, which then answers
		// everything.
		{[]string{"ip.src.subdivision_1_iso_code"}, nethttp.Location{Country: "DE", Continent: "EU", EU: true, City: "Berlin",
			Region: "Land Berlin", RegionCode: "BE", Subdivision1: "DE-BE"}},
		{[]string{"ip.src.country"}, nethttp.Location{Country: "DE", Continent: "EU", EU: true, City: "Berlin",
			Region: "Land Berlin", RegionCode: "BE", Subdivision1: "DE-BE"}},
	} {
		assert.Equal(t, c.want, l.Locate(berlin, fieldsOf(t, c.need...)), "%v", c.need)
	}

	// Without the cache's history, each set of fields alone.
	austin := netip.MustParseAddr("203.0.113.9")
	full := nethttp.Location{Country: "US", Continent: "NA", ASN: 64511, City: "Austin", Region: "Texas", RegionCode: "TX",
		Subdivision1: "US-TX", Subdivision2: "US-TRV", PostalCode: "78701", MetroCode: "635", Lat: "30.2672",
		Lon: "-97.7431", TimeZone: "America/Chicago"}
	cityOnly := full
	cityOnly.ASN = 0
	for _, c := range []struct {
		need []string
		want nethttp.Location
	}{
		{[]string{"ip.src.country"}, nethttp.Location{Country: "US"}},
		{[]string{"ip.src.continent"}, nethttp.Location{Country: "US", Continent: "NA"}},
		{[]string{"ip.src.postal_code", "ip.src.timezone.name"}, nethttp.Location{Country: "US", PostalCode: "78701",
			TimeZone: "America/Chicago"}},
		{[]string{"ip.src.lat"}, cityOnly},
		{[]string{"ip.src.country", "ip.src.continent", "ip.src.city", "ip.src.postal_code", "ip.src.timezone.name", "ip.src.asnum"},
			nethttp.Location{Country: "US", Continent: "NA", City: "Austin", PostalCode: "78701", TimeZone: "America/Chicago", ASN: 64511}},
	} {
		l, err := geoip.Open(city, asn)
		require.NoError(t, err)
		assert.Equal(t, c.want, l.Locate(austin, fieldsOf(t, c.need...)), "%v", c.need)
	}
	assert.Equal(t, nethttp.Location{}, l.Locate(austin, 0), "no field, no lookup")
}

// TestLocateConcurrently: lookups for different fields share the entries'
// cache without mixing them up.
func TestLocateConcurrently(t *testing.T) {
	city, asn := databases(t)
	l, err := geoip.Open(city, asn)
	require.NoError(t, err)
	addrs := map[netip.Addr]nethttp.Location{}
	for _, a := range []string{"203.0.113.9", "192.0.2.1", "198.51.100.7", "2001:db8::1"} {
		addr := netip.MustParseAddr(a)
		addrs[addr] = l.Locate(addr, all(t, l))
	}
	needs := []nethttp.GeoFields{fieldsOf(t, "ip.src.country"), fieldsOf(t, "ip.src.city", "ip.src.asnum"), all(t, l)}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 2000 {
				need := needs[(g+i)%len(needs)]
				for a, want := range addrs {
					got := l.Locate(a, need)
					assert.Equal(t, want.Country, got.Country)
					if need.Has("ip.src.city") {
						assert.Equal(t, want.City, got.City)
						assert.Equal(t, want.ASN, got.ASN)
					}
				}
			}
		})
	}
	wg.Wait()
}

func TestKinds(t *testing.T) {
	dir := t.TempDir()
	for dbType, fills := range map[string][]string{
		"GeoLite2-Country":  {"ip.src.country", "ip.src.continent", "ip.src.is_in_european_union"},
		"DBIP-Country-Lite": {"ip.src.country", "ip.src.continent", "ip.src.is_in_european_union"},
		"DBIP-City-Lite":    {"ip.src.country", "ip.src.continent", "ip.src.is_in_european_union", "ip.src.city"},
		"GeoIP2-ISP":        {"ip.src.asnum"},
	} {
		path := filepath.Join(dir, dbType+".mmdb")
		require.NoError(t, mmdbtest.City(path, dbType))
		l, err := geoip.Open(path)
		require.NoError(t, err, dbType)
		assert.Subset(t, l.Fills(), fills, dbType)
		if dbType == "GeoLite2-Country" {
			assert.NotContains(t, l.Fills(), "ip.src.city", "a Country database has no city")
		}
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	city, _ := databases(t)
	data, err := os.ReadFile(city)
	require.NoError(t, err)
	corrupt := filepath.Join(dir, "corrupt.mmdb")
	require.NoError(t, os.WriteFile(corrupt, data[:len(data)/2], 0o644))
	text := filepath.Join(dir, "text.mmdb")
	require.NoError(t, os.WriteFile(text, []byte("not a database\n"), 0o644))
	odd := filepath.Join(dir, "odd.mmdb")
	require.NoError(t, mmdbtest.Write(odd, "Example-Anonymous-IP", nil))

	_, err = geoip.Open(filepath.Join(dir, "missing.mmdb"))
	assert.ErrorContains(t, err, "missing.mmdb: no such file")
	_, err = geoip.Open(corrupt)
	assert.ErrorContains(t, err, "corrupt.mmdb: ")
	_, err = geoip.Open(text)
	assert.ErrorContains(t, err, "text.mmdb: error opening database: invalid MaxMind DB file")
	_, err = geoip.Open(odd)
	assert.EqualError(t, err, "geoip: "+odd+`: database type "Example-Anonymous-IP" is not one this reads: a City, Country or ASN database (GeoIP2, GeoLite2 or DB-IP)`)
	_, err = geoip.Open()
	assert.EqualError(t, err, "geoip: no database file given")
}

// touch writes a database over path with a modification time that differs
// from the one before, however coarse the file system's clock.
func touch(t *testing.T, path string, write func(string) error, at time.Time) {
	t.Helper()
	require.NoError(t, write(path))
	require.NoError(t, os.Chtimes(path, at, at))
}

func TestReload(t *testing.T) {
	city, asn := databases(t)
	l, err := geoip.Open(city, asn)
	require.NoError(t, err)
	london := netip.MustParseAddr("192.0.2.1")
	everything := all(t, l)

	reloaded, err := l.Reload()
	require.NoError(t, err)
	assert.Empty(t, reloaded, "nothing changed")

	later := time.Now().Add(time.Hour)
	touch(t, city, func(p string) error {
		return mmdbtest.Write(p, "GeoLite2-City", map[string]mmdbtype.Map{
			mmdbtest.London: {"country": mmdbtype.Map{"iso_code": mmdbtype.String("FR")}},
		})
	}, later)
	reloaded, err = l.Reload()
	require.NoError(t, err)
	assert.Equal(t, []string{city}, reloaded)
	assert.Equal(t, "FR", l.Locate(london, everything).Country)
	assert.Equal(t, int64(64496), l.Locate(london, everything).ASN, "the ASN database is as it was")

	// A broken file, a file of another kind and a file gone keep the
	// database read before.
	touch(t, city, func(p string) error { return os.WriteFile(p, []byte("garbage"), 0o644) }, later.Add(time.Hour))
	_, err = l.Reload()
	assert.ErrorContains(t, err, "invalid MaxMind DB file; the database read before stays")
	assert.Equal(t, "FR", l.Locate(london, everything).Country)

	touch(t, city, mmdbtest.ASN, later.Add(2*time.Hour))
	_, err = l.Reload()
	assert.ErrorContains(t, err, `is now a database of type "GeoLite2-ASN", where it was of type "GeoLite2-City"; restart to use it`)
	assert.Equal(t, "FR", l.Locate(london, everything).Country)

	require.NoError(t, os.Remove(city))
	_, err = l.Reload()
	assert.ErrorContains(t, err, "no such file")
	assert.Equal(t, "FR", l.Locate(london, everything).Country)

	// Once the file is good again, it is read.
	touch(t, city, func(p string) error { return mmdbtest.City(p, "GeoLite2-City") }, later.Add(3*time.Hour))
	reloaded, err = l.Reload()
	require.NoError(t, err)
	assert.Equal(t, []string{city}, reloaded)
	assert.Equal(t, "GB", l.Locate(london, everything).Country)
}

func BenchmarkLocate(b *testing.B) {
	city, asn := databases(b)
	l, err := geoip.Open(city, asn)
	require.NoError(b, err)
	a := netip.MustParseAddr("203.0.113.9")
	everything := all(b, l)
	b.ReportAllocs()
	for b.Loop() {
		l.Locate(a, everything)
	}
}
