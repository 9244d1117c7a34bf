package nethttp

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/ruleset"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingLocator knows one address, fills country and ASN, and keeps
// the fields each call asked for.
type countingLocator struct{ calls []GeoFields }

func (l *countingLocator) Locate(a netip.Addr, need GeoFields) Location {
	l.calls = append(l.calls, need)
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
		cfg.locates, err = GeoFieldsOf(loc.Fills()...)
		require.NoError(t, err)
	}
	return cfg
}

func geoFieldsOf(t *testing.T, names ...string) GeoFields {
	t.Helper()
	set, err := GeoFieldsOf(names...)
	require.NoError(t, err)
	return set
}

func TestLocatorRunsOnceAndOnlyWhenRead(t *testing.T) {
	loc := &countingLocator{}
	cfg := geoConfig(t, loc)
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "192.0.2.1:1234"
	assert.Equal(t, `"/"`, valueOf(t, cfg, r, `http.request.uri.path`))
	assert.Empty(t, loc.calls, "no geo field read, no lookup")

	f, err := expr.Compile(`ip.src.country eq "GB" and ip.geoip.asnum eq 64496 and ip.src.asnum in {64496 64497}`, fields.Cloudflare())
	require.NoError(t, err)
	both := geoFieldsOf(t, "ip.src.country", "ip.src.asnum")
	assert.Equal(t, both, geoReads(f.Uses.Fields()...))
	s := newSlot(cfg)
	s.begin(r, cfg, both)
	assert.True(t, f.Match(s.ctx))
	assert.Equal(t, []GeoFields{both}, loc.calls, "three reads, one lookup, for the fields the rules read")

	s.ctx.Reset()
	r2 := httptest.NewRequest("GET", "/", nil)
	r2.RemoteAddr = "198.51.100.1:1234"
	s.begin(r2, cfg, both)
	assert.False(t, f.Match(s.ctx), "the next request looks its own address up")
	assert.Len(t, loc.calls, 2)

	// A field the rules were not known to read asks the locator again,
	// for it and the fields asked for before.
	loc.calls = nil
	s.ctx.Reset()
	s.begin(r, cfg, geoFieldsOf(t, "ip.src.country"))
	assert.True(t, f.Match(s.ctx))
	assert.Equal(t, []GeoFields{geoFieldsOf(t, "ip.src.country"), both}, loc.calls)
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
		s.begin(r, c.cfg, 0)
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

func TestGeoFieldsOf(t *testing.T) {
	set, err := GeoFieldsOf("ip.src.country", "ip.src.asnum")
	require.NoError(t, err)
	assert.True(t, set.Has("ip.src.country"))
	assert.True(t, set.Has("ip.src.asnum"))
	assert.False(t, set.Has("ip.src.city"))
	assert.False(t, set.Has("ip.src.planet"))
	_, err = GeoFieldsOf("ip.src.country", "ip.src.planet")
	assert.EqualError(t, err, "ip.src.planet is not one of the ip.src.* fields a Locator fills")
}

// TestLocatorToldWhatRulesRead: a middleware asks its locator for the geo
// fields its rules read, in expressions and rate limit characteristics,
// that the locator fills; Match for those its filter reads.
func TestLocatorToldWhatRulesRead(t *testing.T) {
	loc := &countingLocator{}
	f, err := ruleset.Parse([]byte(`[
		{"expression": "ip.src.country eq \"GB\" and ip.src.city eq \"London\"", "action": "log"},
		{"expression": "http.request.uri.path eq \"/login\"", "action": "block",
		 "ratelimit": {"characteristics": ["ip.src.asnum", "cf.colo.id"], "period": 60, "requests_per_period": 100}}
	]`), ruleset.JSON)
	require.NoError(t, err)
	m, err := New(f.Ruleset, Options{Locator: loc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	r := httptest.NewRequest("GET", "/login", nil)
	r.RemoteAddr = "192.0.2.1:1234"
	m.Decide(r)
	assert.Equal(t, []GeoFields{geoFieldsOf(t, "ip.src.country", "ip.src.asnum")}, loc.calls,
		"one lookup for the country and the ASN; the city is not the locator's")

	loc.calls = nil
	filter, err := expr.Compile(`ip.geoip.country eq "GB" or ip.src.continent eq "EU"`, fields.Cloudflare())
	require.NoError(t, err)
	assert.True(t, m.Match(filter, r))
	assert.Equal(t, []GeoFields{geoFieldsOf(t, "ip.src.country")}, loc.calls)
}
