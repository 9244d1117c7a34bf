package nethttp

import (
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingLocator knows one address, fills country and ASN, and counts
// its calls.
type countingLocator struct{ calls int }

func (l *countingLocator) Locate(a netip.Addr) Location {
	l.calls++
	if a == netip.MustParseAddr("192.0.2.1") {
		return Location{Country: "GB", Continent: "EU", ASN: 64496}
	}
	return Location{}
}

func (l *countingLocator) Fills() []string { return []string{"ip.src.country", "ip.src.asnum"} }

func geoConfig(t *testing.T, loc Locator, trusted ...string) *config {
	cfg := &config{locator: loc}
	for _, p := range trusted {
		cfg.trustedProxies = append(cfg.trustedProxies, netip.MustParsePrefix(p))
	}
	if loc != nil {
		var err error
		cfg.locates, err = geoFieldSet(loc.Fills())
		require.NoError(t, err)
	}
	return cfg
}

func TestLocatorRunsOnceAndOnlyWhenRead(t *testing.T) {
	loc := &countingLocator{}
	cfg := geoConfig(t, loc)
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "192.0.2.1:1234"
	assert.Equal(t, `"/"`, valueOf(t, cfg, r, `http.request.uri.path`))
	assert.Zero(t, loc.calls, "no geo field read, no lookup")

	f, err := expr.Compile(`ip.src.country eq "GB" and ip.geoip.asnum eq 64496 and ip.src.asnum in {64496 64497}`, fields.Cloudflare())
	require.NoError(t, err)
	s := newSlot(cfg)
	s.begin(r, cfg)
	assert.True(t, f.Match(s.ctx))
	assert.Equal(t, 1, loc.calls, "three reads, one lookup")

	s.ctx.Reset()
	r2 := httptest.NewRequest("GET", "/", nil)
	r2.RemoteAddr = "198.51.100.1:1234"
	s.begin(r2, cfg)
	assert.False(t, f.Match(s.ctx), "the next request looks its own address up")
	assert.Equal(t, 2, loc.calls)
}

func TestGeoSources(t *testing.T) {
	const fromCloudflare = "10.0.0.1:443"
	headers := map[string]string{
		"Cf-Ipcountry": "DE", "Cf-Ipcontinent": "EU", "Cf-Ipcity": "Berlin", "Cf-Region": "Land Berlin",
		"Cf-Region-Code": "BE", "Cf-Postal-Code": "10115", "Cf-Iplatitude": "52.52", "Cf-Iplongitude": "13.405",
		"Cf-Timezone": "Europe/Berlin", "Cf-Metro-Code": "",
	}
	cases := []struct {
		name    string
		cfg     *config
		peer    string
		headers bool
		want    map[string]string
	}{
		{"no source: every field missing", geoConfig(t, nil), "192.0.2.1:1", false, map[string]string{
			"ip.src.country": "missing", "ip.src.asnum": "missing", "ip.src.is_in_european_union": "missing"}},
		{"locator: what it fills, the rest missing", geoConfig(t, &countingLocator{}), "192.0.2.1:1", false, map[string]string{
			"ip.src.country": `"GB"`, "ip.geoip.country": `"GB"`, "ip.src.asnum": "64496", "ip.src.city": "missing"}},
		{"locator, address it does not know: empty, ASN missing", geoConfig(t, &countingLocator{}), "198.51.100.1:1", false,
			map[string]string{"ip.src.country": `""`, "ip.src.asnum": "missing"}},
		{"headers from a trusted proxy", geoConfig(t, nil, "10.0.0.0/8"), fromCloudflare, true, map[string]string{
			"ip.src.country": `"DE"`, "ip.src.continent": `"EU"`, "ip.src.city": `"Berlin"`, "ip.src.region": `"Land Berlin"`,
			"ip.src.region_code": `"BE"`, "ip.src.subdivision_1_iso_code": `"DE-BE"`, "ip.geoip.subdivision_1_iso_code": `"DE-BE"`,
			"ip.src.postal_code": `"10115"`, "ip.src.lat": `"52.52"`, "ip.src.lon": `"13.405"`, "ip.src.timezone.name": `"Europe/Berlin"`,
			"ip.src.is_in_european_union": "true", "ip.src.metro_code": "missing", "ip.src.asnum": "missing",
			"ip.src.subdivision_2_iso_code": "missing"}},
		{"headers from anyone else are not believed", geoConfig(t, nil, "10.0.0.0/8"), "192.0.2.1:1", true, map[string]string{
			"ip.src.country": "missing", "ip.src.is_in_european_union": "missing"}},
		{"headers first, the locator for the rest", geoConfig(t, &countingLocator{}, "10.0.0.0/8"), fromCloudflare, true, map[string]string{
			"ip.src.country": `"DE"`, "ip.src.asnum": "64496"}},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		if c.headers {
			for k, v := range headers {
				r.Header.Set(k, v)
			}
			r.Header.Set("X-Forwarded-For", "192.0.2.1")
		}
		s := newSlot(c.cfg)
		s.begin(r, c.cfg)
		for field, want := range c.want {
			f, ok := fields.Cloudflare().Field(field)
			require.True(t, ok, field)
			got := s.ctx.Get(f)
			text := got.String()
			if got.Missing() {
				text = "missing"
			}
			assert.Equal(t, want, text, "%s: %s", c.name, field)
		}
	}
}

func TestLocatorFillsUnknownField(t *testing.T) {
	_, err := geoFieldSet([]string{"ip.src.country", "ip.src.planet"})
	assert.EqualError(t, err, "the locator fills ip.src.planet, which is not one of the ip.src.* fields it can fill")
}
