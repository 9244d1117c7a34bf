package nethttp_test

import (
	"context"
	"net"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/edgerules/edgerules/crawler"
	"github.com/edgerules/edgerules/nethttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mapDNS answers reverse and forward lookups from a table of names.
type mapDNS map[netip.Addr]string

func (d mapDNS) LookupAddr(_ context.Context, addr string) ([]string, error) {
	if name, ok := d[netip.MustParseAddr(addr)]; ok {
		return []string{name + "."}, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: addr, IsNotFound: true}
}

func (d mapDNS) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	for a, name := range d {
		if name == host {
			return []netip.Addr{a}, nil
		}
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// TestVerifiedCrawlers: a Googlebot from Google's published ranges passes,
// and so does one outside them whose DNS names confirm it, once checked;
// the same user agent from another address is blocked.
func TestVerifiedCrawlers(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "common-crawlers.json"),
		[]byte(`{"creationTime": "2026-11-20T15:46:00.000000", "prefixes": [{"ipv4Prefix": "192.0.2.0/27"}]}`), 0o644))
	byDNS := netip.MustParseAddr("203.0.113.66")
	crawlers, err := crawler.Open(dir, crawler.Options{Resolver: mapDNS{byDNS: "crawl-203-0-113-66.googlebot.com"}})
	require.NoError(t, err)
	m, err := nethttp.New(rules(t, `[
		{"ref": "crawlers", "expression": "cf.client.bot and cf.verified_bot_category eq \"Search Engine Crawler\"", "action": "skip",
		 "action_parameters": {"ruleset": "current"}},
		{"ref": "fake-googlebot", "expression": "http.user_agent contains \"Googlebot\"", "action": "block"}
	]`), nethttp.Options{Crawlers: crawlers, Logger: quiet, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	require.NoError(t, err)
	h := m.Wrap(upstream)
	get := func(peer string, headers ...string) int {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = peer
		r.Header.Set("User-Agent", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
		for i := 0; i < len(headers); i += 2 {
			r.Header.Set(headers[i], headers[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	assert.Equal(t, 200, get("192.0.2.10:1000"), "a Googlebot from the published ranges")
	assert.Equal(t, 403, get("198.51.100.1:1000"), "the same user agent from elsewhere")
	assert.Equal(t, 403, get("203.0.113.66:1000"), "not yet checked by DNS: no crawler")
	crawlers.Wait()
	assert.Equal(t, 200, get("203.0.113.66:1000"), "confirmed by DNS")
	assert.Equal(t, 403, get("10.0.0.1:1000", "X-Forwarded-For", "192.0.2.10", "Cf-Verified-Bot", "false"),
		"a trusted Cloudflare header says first")
	assert.Equal(t, 200, get("10.0.0.1:1000", "X-Forwarded-For", "192.0.2.10", "Cf-Verified-Bot", "true"),
		"Cloudflare verified it, and the ranges give its category")
	assert.Equal(t, 403, get("10.0.0.1:1000", "X-Forwarded-For", "198.51.100.1", "Cf-Verified-Bot", "true"),
		"Cloudflare verified it, but names no category, and the ranges do not know the address")
}
