package nethttp_test

import (
	"bytes"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgerules/edgerules/crawler"
	"github.com/edgerules/edgerules/nethttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const edgeOnlyRules = `[
	{"ref": "geo", "expression": "ip.geoip.country in {\"RU\" \"CN\"} or ip.src.asnum eq 64496", "action": "block"},
	{"ref": "bots", "expression": "cf.bot_management.score lt 30 and not cf.client.bot", "action": "managed_challenge"},
	{"ref": "category", "expression": "cf.verified_bot_category eq \"AI Crawler\"", "action": "block"},
	{"ref": "waf", "expression": "cf.waf.score lt 20 or cf.threat_score gt 10", "action": "block"},
	{"ref": "body", "expression": "http.request.body.raw contains \"<script\"", "action": "block"},
	{"ref": "path", "expression": "http.request.uri.path eq \"/admin\" and ssl", "action": "block"},
	{"ref": "off", "expression": "cf.waf.score lt 20", "action": "block", "enabled": false}
]`

func TestUnfilled(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "gptbot.json"), []byte(`{"prefixes": [{"ipv4Prefix": "192.0.2.0/24"}]}`), 0o644))
	crawlers, err := crawler.Open(dir, crawler.Options{})
	require.NoError(t, err)
	behindCloudflare := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	waf := nethttp.UnfilledRule{Rule: "waf", Fields: []string{"cf.threat_score", "cf.waf.score"}}
	body := nethttp.UnfilledRule{Rule: "body", Fields: []string{"http.request.body.raw"}}
	for _, c := range []struct {
		name string
		opts nethttp.Options
		want []nethttp.UnfilledRule
	}{
		{"nothing", nethttp.Options{}, []nethttp.UnfilledRule{
			{Rule: "geo", Fields: []string{"ip.src.asnum", "ip.src.country"}},
			{Rule: "bots", Fields: []string{"cf.bot_management.score", "cf.client.bot"}},
			{Rule: "category", Fields: []string{"cf.verified_bot_category"}},
			waf, body,
		}},
		{"behind Cloudflare", nethttp.Options{TrustedProxies: behindCloudflare}, []nethttp.UnfilledRule{
			{Rule: "geo", Fields: []string{"ip.src.asnum"}},
			{Rule: "category", Fields: []string{"cf.verified_bot_category"}},
			waf, body,
		}},
		{"databases and crawler ranges", nethttp.Options{Locator: testLocator(t), Crawlers: crawlers}, []nethttp.UnfilledRule{
			{Rule: "bots", Fields: []string{"cf.bot_management.score"}},
			waf, body,
		}},
	} {
		var log bytes.Buffer
		c.opts.Logger = slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{
			ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
				if a.Key == slog.TimeKey {
					return slog.Attr{}
				}
				return a
			}}))
		m, err := nethttp.New(rules(t, edgeOnlyRules), c.opts)
		require.NoError(t, err)
		assert.Equal(t, c.want, m.Unfilled(), c.name)
		assert.Equal(t, c.want, m.Counts().Unfilled, c.name)
		assert.Equal(t, len(c.want), strings.Count(log.String(), "level=WARN"), c.name)
		if c.name == "nothing" {
			assert.Contains(t, log.String(), `level=WARN msg="edgerules: the rule reads fields nothing fills here; its tests on them never hold" ref=geo fields="[ip.src.asnum ip.src.country]"`)
		}

		log.Reset()
		require.NoError(t, m.Load(rules(t, `[{"ref": "waf", "expression": "cf.waf.score lt 20 or cf.threat_score gt 10", "action": "block"}]`)))
		assert.Equal(t, []nethttp.UnfilledRule{waf}, m.Unfilled(), "a reload reports again")
		assert.Equal(t, 1, strings.Count(log.String(), "level=WARN"), c.name)
	}
}
