package crawler_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/edgerules/edgerules/crawler"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Documentation addresses stand for the crawlers' networks.
const (
	googlebotJSON = `{"creationTime": "2026-11-20T15:46:00.000000", "prefixes": [
		{"ipv4Prefix": "192.0.2.0/27"}, {"ipv4Prefix": "192.0.2.64/27"}, {"ipv6Prefix": "2001:db8:4801:10::/64"}]}`
	bingbotJSON = `{"creationTime": "2026-11-01T00:00:00", "prefixes": [{"ipv4Prefix": "198.51.100.0/24"}]}`
	gptbotJSON  = `{"prefixes": [{"ipv4Prefix": "192.0.2.16/28"}]}` // inside Google's /27: the longer prefix wins
)

const (
	googlebotUA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
	bingbotUA   = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"
	browserUA   = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"
)

func writeLists(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	return dir
}

func TestParseRanges(t *testing.T) {
	r, err := crawler.ParseRanges([]byte(googlebotJSON))
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 11, 20, 15, 46, 0, 0, time.UTC), r.Created)
	assert.Equal(t, []netip.Prefix{netip.MustParsePrefix("192.0.2.0/27"), netip.MustParsePrefix("192.0.2.64/27"),
		netip.MustParsePrefix("2001:db8:4801:10::/64")}, r.Prefixes)

	for text, want := range map[string]string{
		`{"prefixes": [{"ipv4Prefix": "192.0.2.0/24"},`:     "1:45: unexpected end of JSON input",
		"{\n  \"prefixes\": [\n    {\"ipv4Prefix\": 192}]}": "3:22: json: cannot unmarshal number into Go struct field .prefixes.ipv4Prefix of type string",
		`{"prefixes": []}`: "the file lists no prefixes",
		`{"creationTime": "yesterday", "prefixes": [{"ipv4Prefix": "192.0.2.0/24"}]}`:   `creationTime "yesterday" is not a time such as 2026-11-20T15:46:00.000000`,
		`{"prefixes": [{"ipv4Prefix": "192.0.2.0/24"}, {}]}`:                            "prefixes[1] has neither: an entry has one of ipv4Prefix and ipv6Prefix",
		`{"prefixes": [{"ipv4Prefix": "192.0.2.0/24", "ipv6Prefix": "2001:db8::/32"}]}`: "prefixes[0] has both: an entry has one of ipv4Prefix and ipv6Prefix",
		`{"prefixes": [{"ipv4Prefix": "192.0.2.0/33"}]}`:                                `prefixes[0].ipv4Prefix: netip.ParsePrefix("192.0.2.0/33"): prefix length out of range`,
		`{"prefixes": [{"ipv4Prefix": "2001:db8::/32"}]}`:                               "prefixes[0].ipv4Prefix is 2001:db8::/32, an address of the other family",
	} {
		_, err := crawler.ParseRanges([]byte(text))
		assert.EqualError(t, err, want, text)
	}
}

func TestVerifyFromRanges(t *testing.T) {
	v, err := crawler.Open(writeLists(t, map[string]string{
		"common-crawlers.json": googlebotJSON, "bingbot.json": bingbotJSON, "gptbot.json": gptbotJSON, "unrelated.json": "{}",
	}), crawler.Options{})
	require.NoError(t, err)
	assert.Len(t, v.Lists(), 3)
	for _, c := range []struct {
		addr, ua, category string
		ok                 bool
	}{
		{"192.0.2.1", googlebotUA, "Search Engine Crawler", true},
		{"192.0.2.70", browserUA, "Search Engine Crawler", true}, // an address in the ranges is a crawler whatever it says
		{"::ffff:192.0.2.1", googlebotUA, "Search Engine Crawler", true},
		{"2001:db8:4801:10::5", googlebotUA, "Search Engine Crawler", true},
		{"192.0.2.20", "GPTBot/1.2", "AI Crawler", true},
		{"198.51.100.200", bingbotUA, "Search Engine Crawler", true},
		{"192.0.2.40", googlebotUA, "", false}, // between Google's two ranges: a spoofed user agent
		{"203.0.113.5", googlebotUA, "", false},
		{"2001:db8:4801:11::5", googlebotUA, "", false},
	} {
		category, ok := v.Verify(netip.MustParseAddr(c.addr), c.ua)
		assert.Equal(t, c.ok, ok, c.addr)
		assert.Equal(t, c.category, category, c.addr)
	}
}

// A folder an earlier `bots update` filled holds Google's list under its
// former name, googlebot.json: it is read until common-crawlers.json comes.
func TestFormerName(t *testing.T) {
	dir := writeLists(t, map[string]string{"googlebot.json": googlebotJSON})
	v, err := crawler.Open(dir, crawler.Options{})
	require.NoError(t, err)
	category, ok := v.Verify(netip.MustParseAddr("192.0.2.1"), googlebotUA)
	assert.True(t, ok)
	assert.Equal(t, "Search Engine Crawler", category)
	assert.Contains(t, v.Lists(), "common-crawlers.json")
}

func TestOpenErrors(t *testing.T) {
	_, err := crawler.Open(writeLists(t, nil), crawler.Options{})
	assert.ErrorContains(t, err, "has none of the range files common-crawlers.json, special-crawlers.json, bingbot.json, applebot.json, gptbot.json; `edgerules bots update")
	dir := writeLists(t, map[string]string{"common-crawlers.json": googlebotJSON, "bingbot.json": `{"prefixes": [`})
	_, err = crawler.Open(dir, crawler.Options{})
	assert.EqualError(t, err, "crawler: "+filepath.Join(dir, "bingbot.json")+": 1:14: unexpected end of JSON input")
}

func TestReload(t *testing.T) {
	dir := writeLists(t, map[string]string{"common-crawlers.json": googlebotJSON})
	v, err := crawler.Open(dir, crawler.Options{})
	require.NoError(t, err)
	moved := netip.MustParseAddr("203.0.113.5")
	path := filepath.Join(dir, "common-crawlers.json")
	later := time.Now().Add(time.Hour)

	write := func(text string, at time.Time) {
		require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
		require.NoError(t, os.Chtimes(path, at, at))
	}
	write(`{"prefixes": [{"ipv4Prefix": "203.0.113.0/24"}]}`, later)
	reloaded, err := v.Reload()
	require.NoError(t, err)
	assert.Equal(t, []string{path}, reloaded)
	_, ok := v.Verify(moved, googlebotUA)
	assert.True(t, ok, "the new ranges are in force")

	write(`{"prefixes": [{"ipv4Prefix": "nonsense"}]}`, later.Add(time.Hour))
	_, err = v.Reload()
	assert.ErrorContains(t, err, `prefixes[0].ipv4Prefix: netip.ParsePrefix("nonsense"): no '/'; the ranges read before stay`)
	_, ok = v.Verify(moved, googlebotUA)
	assert.True(t, ok, "the ranges read before stay")

	// A list that appears after Open is read by the next Reload.
	bing := filepath.Join(dir, "bingbot.json")
	require.NoError(t, os.WriteFile(bing, []byte(bingbotJSON), 0o644))
	reloaded, err = v.Reload()
	assert.ErrorContains(t, err, "the ranges read before stay", "common-crawlers.json is still broken")
	assert.Equal(t, []string{bing}, reloaded)
	category, ok := v.Verify(netip.MustParseAddr("198.51.100.9"), bingbotUA)
	assert.True(t, ok)
	assert.Equal(t, "Search Engine Crawler", category)
	assert.Len(t, v.Lists(), 2)
}

// fakeDNS answers from maps, counts lookups, and can be held so that a
// test sees a request answered before its check ends.
type fakeDNS struct {
	mu      sync.Mutex
	names   map[string][]string
	addrs   map[string][]netip.Addr
	lookups int
	hold    chan struct{} // if not nil, lookups wait for it to close
	fail    error         // if not nil, every lookup fails with it
}

func (f *fakeDNS) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	if f.hold != nil {
		<-f.hold
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lookups++
	if f.fail != nil {
		return nil, f.fail
	}
	if names, ok := f.names[addr]; ok {
		return names, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: addr, IsNotFound: true}
}

func (f *fakeDNS) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lookups++
	if addrs, ok := f.addrs[host]; ok {
		return addrs, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func TestVerifyByDNS(t *testing.T) {
	real := netip.MustParseAddr("203.0.113.66")    // a Googlebot outside the file's ranges
	liar := netip.MustParseAddr("203.0.113.99")    // its name claims Google's, but does not resolve back
	stranger := netip.MustParseAddr("203.0.113.7") // no name
	dns := &fakeDNS{
		names: map[string][]string{
			real.String(): {"crawl-203-0-113-66.googlebot.com."},
			liar.String(): {"crawl-1-2-3-4.googlebot.com.evil.example.", "crawl-203-0-113-66.googlebot.com."},
		},
		addrs: map[string][]netip.Addr{"crawl-203-0-113-66.googlebot.com": {real}},
		hold:  make(chan struct{}),
	}
	v, err := crawler.Open(writeLists(t, map[string]string{"common-crawlers.json": googlebotJSON}), crawler.Options{Resolver: dns})
	require.NoError(t, err)

	_, ok := v.Verify(real, googlebotUA)
	assert.False(t, ok, "the first request does not wait for DNS")
	close(dns.hold)
	v.Wait()
	category, ok := v.Verify(real, googlebotUA)
	assert.True(t, ok, "once checked, the address is a crawler")
	assert.Equal(t, "Search Engine Crawler", category)
	_, ok = v.Verify(real, bingbotUA)
	assert.False(t, ok, "the address is Google's, not Bing's")

	for _, a := range []netip.Addr{liar, stranger} {
		v.Verify(a, googlebotUA)
		v.Wait()
		_, ok = v.Verify(a, googlebotUA)
		assert.False(t, ok, a)
	}
	lookups := dns.lookups
	_, ok = v.Verify(stranger, browserUA)
	assert.False(t, ok)
	v.Verify(liar, googlebotUA)
	v.Wait()
	assert.Equal(t, lookups, dns.lookups, "answers are kept; a user agent that claims nothing is not looked up")
}

func TestDNSAnswersExpireAndFailuresAreNotKept(t *testing.T) {
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	real := netip.MustParseAddr("203.0.113.66")
	dns := &fakeDNS{
		names: map[string][]string{real.String(): {"crawl.googlebot.com"}},
		addrs: map[string][]netip.Addr{"crawl.googlebot.com": {real}},
		fail:  &net.DNSError{Err: "i/o timeout", IsTimeout: true},
	}
	v, err := crawler.Open(writeLists(t, map[string]string{"common-crawlers.json": googlebotJSON}),
		crawler.Options{Resolver: dns, TTL: time.Minute, Now: func() time.Time { return now }})
	require.NoError(t, err)
	check := func() bool {
		v.Verify(real, googlebotUA)
		v.Wait()
		_, ok := v.Verify(real, googlebotUA)
		v.Wait() // a check the second request started, if the first failed
		return ok
	}
	assert.False(t, check(), "a timeout")
	dns.mu.Lock()
	dns.fail = nil
	dns.mu.Unlock()
	assert.True(t, check(), "a failure is tried again on the next request")

	dns.mu.Lock()
	dns.addrs = nil // the name no longer resolves to the address
	dns.mu.Unlock()
	now = now.Add(30 * time.Second)
	assert.True(t, check(), "within the TTL, the answer stays")
	now = now.Add(time.Minute)
	assert.False(t, check(), "after it, the address is checked again")
}

func TestDownloadAll(t *testing.T) {
	served := map[string]string{
		"/static/crawling/ipranges/common-crawlers.json":  googlebotJSON,
		"/static/crawling/ipranges/special-crawlers.json": `{"prefixes": [{"ipv4Prefix": "192.0.2.128/27"}]}`,
		"/toolbox/bingbot.json":                           bingbotJSON,
		"/applebot.json":                                  `<html>moved</html>`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		text, ok := served[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, text)
	}))
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "bots")
	// A good file already there stays when its download fails.
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "applebot.json"), []byte(bingbotJSON), 0o644))

	got, err := crawler.DownloadAll(context.Background(), srv.Client(), dir, srv.URL)
	require.NoError(t, err)
	summary := map[string]string{}
	for _, d := range got {
		if d.Err != nil {
			summary[d.List.File] = d.Err.Error()
		} else {
			summary[d.List.File] = fmt.Sprint(len(d.Ranges.Prefixes))
		}
	}
	assert.Equal(t, map[string]string{
		"common-crawlers.json":  "3",
		"special-crawlers.json": "1",
		"bingbot.json":          "1",
		"applebot.json":         srv.URL + "/applebot.json: 1:1: invalid character '<' looking for beginning of value",
		"gptbot.json":           srv.URL + "/gptbot.json: 404 Not Found",
	}, summary)
	data, err := os.ReadFile(filepath.Join(dir, "applebot.json"))
	require.NoError(t, err)
	assert.Equal(t, bingbotJSON, string(data))
	v, err := crawler.Open(dir, crawler.Options{})
	require.NoError(t, err)
	_, ok := v.Verify(netip.MustParseAddr("192.0.2.130"), "AdsBot-Google")
	assert.True(t, ok)

	_, err = crawler.DownloadAll(context.Background(), srv.Client(), dir, "not a url")
	assert.EqualError(t, err, `mirror "not a url" is not a URL such as https://mirror.example`)
}
