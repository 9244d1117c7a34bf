package main

import (
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgerules/edgerules/internal/mmdbtest"
	"github.com/maxmind/mmdbwriter/mmdbtype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const geoRules = `[
	{"ref": "eu", "expression": "ip.src.is_in_european_union", "action": "block"},
	{"ref": "asn", "expression": "ip.src.asnum eq 64511", "action": "block"},
	{"ref": "asia", "expression": "ip.src.continent eq \"AS\"", "action": "block"},
	{"ref": "fr", "expression": "ip.geoip.country eq \"FR\"", "action": "block"},
	{"ref": "fake-googlebot", "expression": "http.user_agent contains \"Googlebot\" and not cf.client.bot", "action": "block"}
]`

// from sends a request as a trusted proxy would forward one from client.
func from(t *testing.T, base, client, ua string, headers ...string) int {
	t.Helper()
	req, err := http.NewRequest("GET", base+"/", nil)
	require.NoError(t, err)
	req.Header.Set("X-Forwarded-For", client)
	req.Header.Set("User-Agent", ua)
	for i := 0; i < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func TestGeoAndCrawlersThroughTheProxy(t *testing.T) {
	dir := t.TempDir()
	city, asn, rules := filepath.Join(dir, "city.mmdb"), filepath.Join(dir, "asn.mmdb"), filepath.Join(dir, "rules.json")
	require.NoError(t, mmdbtest.City(city, "GeoLite2-City"))
	require.NoError(t, mmdbtest.ASN(asn))
	require.NoError(t, os.WriteFile(rules, []byte(geoRules), 0o644))
	bots := filepath.Join(dir, "bots")
	require.NoError(t, os.Mkdir(bots, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(bots, "common-crawlers.json"), []byte(`{"prefixes": [{"ipv4Prefix": "192.0.2.0/27"}]}`), 0o644))

	p, base, log := start(t, rules, false, "-geoip", city+","+asn, "-crawlers", bots)
	assert.NotContains(t, log.String(), "nothing fills", "every field the rules read has a source")
	const browser = "Mozilla/5.0 (X11; Linux x86_64) Firefox/125.0"
	const googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
	for _, c := range []struct {
		client, ua string
		headers    []string
		want       int
	}{
		{"198.51.100.7", browser, nil, 403},                           // DE: in the EU
		{"203.0.113.9", browser, nil, 403},                            // AS64511
		{"2001:db8::1", browser, nil, 403},                            // JP: Asia
		{"192.0.2.200", browser, nil, 200},                            // GB
		{"192.0.2.200", browser, []string{"Cf-Ipcountry", "FR"}, 403}, // Cloudflare's header, from a trusted proxy, says first
		{"192.0.2.10", googlebot, nil, 200},                           // a Googlebot from the published ranges
		{"192.0.2.200", googlebot, nil, 403},                          // the same user agent from elsewhere
	} {
		assert.Equal(t, c.want, from(t, base, c.client, c.ua, c.headers...), "%s %v", c.client, c.headers)
	}

	// The database changes: London's network is now French.
	later := time.Now().Add(time.Hour)
	require.NoError(t, mmdbtest.Write(city, "GeoLite2-City", map[string]mmdbtype.Map{
		mmdbtest.London: {"country": mmdbtype.Map{"iso_code": mmdbtype.String("FR")}},
	}))
	require.NoError(t, os.Chtimes(city, later, later))
	p.data.Reload()
	assert.Contains(t, log.String(), "edgerules: file reloaded")
	assert.Equal(t, 403, from(t, base, "192.0.2.200", browser))

	// A broken one keeps the database read before.
	require.NoError(t, os.WriteFile(city, []byte("broken"), 0o644))
	require.NoError(t, os.Chtimes(city, later.Add(time.Hour), later.Add(time.Hour)))
	p.data.Reload()
	assert.Contains(t, log.String(), "the database read before stays")
	assert.Equal(t, 403, from(t, base, "192.0.2.200", browser))
}

func TestDataFlags(t *testing.T) {
	dir := t.TempDir()
	upstream := []string{"-upstream", "http://127.0.0.1:1", "-rules", seedRules}
	_, err := parseFlags(append(upstream, "-crawler-dns"))
	assert.EqualError(t, err, "-crawler-dns needs -crawlers")
	c, err := parseFlags(append(upstream, "-geoip", filepath.Join(dir, "missing.mmdb")))
	require.NoError(t, err)
	_, err = newProxy(c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	assert.ErrorContains(t, err, "missing.mmdb: no such file or directory")
	c, err = parseFlags(append(upstream, "-crawlers", dir))
	require.NoError(t, err)
	_, err = newProxy(c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	assert.ErrorContains(t, err, "has none of the range files")
}

// TestUnfilledWarning: rules that read a field the proxy has no source
// for are named at start.
func TestUnfilledWarning(t *testing.T) {
	rules := filepath.Join(t.TempDir(), "rules.json")
	require.NoError(t, os.WriteFile(rules, []byte(geoRules), 0o644))
	_, _, log := start(t, rules, false)
	// Behind trusted proxies, Cloudflare's headers may give the country, the
	// continent and whether a bot is verified; nothing gives the ASN.
	assert.Equal(t, 1, strings.Count(log.String(), "level=WARN"), log.String())
	assert.Contains(t, log.String(), `ref=asn fields=[ip.src.asnum]`)
}
