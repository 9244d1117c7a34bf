package replay_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/replay"
	"github.com/edgerules/edgerules/ruleset"
)

// TestRateLimitReplay: a log replayed in its own time through the login
// rate limit, with a sweep of requests_per_period, checked against counts
// made by hand.
func TestRateLimitReplay(t *testing.T) {
	p := replayer(t, "../examples/rules/login-rate-limit.json", replay.Decoder{})
	require.NoError(t, p.SweepRateLimits(func(rs *ruleset.Zone) (*ruleset.ZoneEngine, error) {
		return ruleset.CompileZone(rs, fields.Cloudflare())
	}))
	line := func(ms int64, ip, path string) []byte {
		return fmt.Appendf(nil, `{"EdgeStartTimestamp": %d, "ClientIP": %q, "ClientRequestPath": %q}`, 1764126000000+ms, ip, path)
	}
	n := int64(0)
	next := func(ms int64, ip, path string) { n++; p.Line(line(ms, ip, path), "log", n) }
	// One address: 130 logins in 52 seconds, then one 10 minutes after the
	// 101st; another: 30 logins; 500 requests elsewhere.
	for i := range int64(130) {
		next(i*400, "192.0.2.1", "/login")
		next(i*400+1, "192.0.2.9", "/")
		if i < 30 {
			next(i*400+2, "198.51.100.7", "/login")
		}
	}
	next(100*400+600_000, "192.0.2.1", "/login") // just after the block
	next(100*400-5_000, "192.0.2.1", "/login")   // late, and blocked
	rep := p.Report()

	assert.Equal(t, int64(30+1), rep.Actions["block"], "the 101st to the 130th, and the late one")
	assert.Equal(t, int64(1), rep.Late)
	require.NotNil(t, rep.Rules[0].Top)
	assert.Equal(t, "192.0.2.1", rep.Rules[0].Top.IPs[0].Value)
	require.Len(t, rep.RateSweep, 1)
	points := map[int64]int64{}
	for _, pt := range rep.RateSweep[0].Points {
		points[pt.RequestsPerPeriod] = pt.Requests
	}
	// With N a minute, 192.0.2.1 is blocked from its (N+1)th login for 10
	// minutes: its last login comes as the block ends, and the late one,
	// judged as of the latest time of its key, is blocked. 198.51.100.7
	// is blocked from its (N+1)th login.
	var page, text strings.Builder
	require.NoError(t, rep.WriteHTML(&page))
	assert.Contains(t, page.String(), "1 record was earlier than one before it")
	assert.Contains(t, page.String(), "Rate limit sweep: what rule 1 (login-rl) would decide with requests_per_period N")
	rep.WriteText(&text)
	assert.Contains(t, text.String(), "1 record was earlier than one before it")
	assert.Equal(t, map[int64]int64{10: 120 + 1 + 20, 25: 105 + 1 + 5, 50: 80 + 1, 100: 30 + 1, 200: 0, 400: 0, 1000: 0}, points)
}

// A ruleset without a phase sweeps its rate limits as it compiled: the
// changed copies keep its phase, none.
func TestRateLimitSweepOfARulesetWithoutPhase(t *testing.T) {
	data, err := os.ReadFile("../examples/rules/login-rate-limit.json")
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(data, &doc))
	delete(doc, "phase")
	p := replayer(t, writeFile(t, "phaseless.json", mustJSON(t, doc)), replay.Decoder{})
	require.NoError(t, p.SweepRateLimits(func(z *ruleset.Zone) (*ruleset.ZoneEngine, error) {
		return ruleset.CompileZone(z, fields.Cloudflare())
	}))
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
