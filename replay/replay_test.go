package replay_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/replay"
	"github.com/edgerules/edgerules/ruleset"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	sampleLog = "../examples/logs/sample.ndjson.gz"
	seedRules = "../examples/rules/bot-management.json"
)

func replayer(t testing.TB, rules string, d replay.Decoder) *replay.Replayer {
	t.Helper()
	f, err := ruleset.Load(rules)
	require.NoError(t, err)
	e, err := ruleset.CompileZone(f.Ruleset, fields.Cloudflare())
	require.NoError(t, err)
	p, err := replay.New(e, fields.Cloudflare(), d)
	require.NoError(t, err)
	return p
}

// replayFile replays a log file through p.
func replayFile(t testing.TB, p *replay.Replayer, path string) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	require.NoError(t, replay.Read(f, func(line []byte, n int64, err error) {
		if err != nil {
			p.Malformed(path, n, err)
			return
		}
		p.Line(line, path, n)
	}))
}

// A sampleLine is what the tests read of a line of the sample log, with
// encoding/json, to count independently of the replay.
type sampleLine struct {
	ClientIP, ClientRequestPath, ClientRequestUserAgent, BotScoreSrc string
	BotScore, SampleInterval                                         int64
}

// sampleLines reads the sample log's lines: nil for a malformed one.
func sampleLines(t testing.TB) []*sampleLine {
	t.Helper()
	raw, err := os.ReadFile(sampleLog)
	require.NoError(t, err)
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	require.NoError(t, err)
	text, err := io.ReadAll(zr)
	require.NoError(t, err)
	var out []*sampleLine
	for _, s := range strings.Split(strings.TrimSuffix(string(text), "\n"), "\n") {
		l := &sampleLine{}
		if json.Unmarshal([]byte(s), l) != nil {
			l = nil
		}
		out = append(out, l)
	}
	return out
}

func (l *sampleLine) weight() int64  { return max(l.SampleInterval, 1) }
func (l *sampleLine) verified() bool { return l.BotScoreSrc == "Verified Bot" }
func (l *sampleLine) mobile() bool   { return strings.Contains(l.ClientRequestUserAgent, "App_Name 2.0") }

// seed is what the seed's layered rules decide, written out by hand: the
// index of the rule that decides, or -1, and the outcome.
func (l *sampleLine) seed() (int, string) {
	switch {
	case strings.Contains(l.ClientRequestPath, "/api"):
		return 0, "skip"
	case l.BotScore < 2 && l.mobile():
		return 1, "block"
	case l.BotScore < 30 && l.mobile():
		return 2, "challenge"
	case l.BotScore < 30 && !l.verified():
		return 3, "block"
	}
	return -1, "none"
}

// TestSampleLog replays the sample log through the seed's layered rules and
// checks the report against a count made here, in plain Go, from the same
// lines.
func TestSampleLog(t *testing.T) {
	p := replayer(t, seedRules, replay.Decoder{})
	replayFile(t, p, sampleLog)
	rep := p.Report()

	// The independent count: the seed's layers written out by hand.
	want := struct {
		records, requests, malformed int64
		actions                      map[string]int64
		byRule                       [4]int64
		automated, likely, human     int64
		sweep30, verified30          int64
		sources                      map[string]int64
		topBrowserBlockIP            string
		browserBlockByIP             map[string]int64
		malformedAt                  []int64
	}{actions: map[string]int64{}, sources: map[string]int64{}, browserBlockByIP: map[string]int64{}}
	for i, l := range sampleLines(t) {
		if l == nil {
			want.malformed++
			want.malformedAt = append(want.malformedAt, int64(i+1))
			continue
		}
		w := l.weight()
		want.records++
		want.requests += w
		want.sources[l.BotScoreSrc] += w
		verified := l.verified()
		rule, action := l.seed()
		if rule >= 0 {
			want.byRule[rule] += w
		}
		want.actions[action] += w
		if rule == 3 {
			want.browserBlockByIP[l.ClientIP] += w
		}
		switch {
		case l.BotScore == 1:
			want.automated += w
		case l.BotScore < 30:
			want.likely += w
		default:
			want.human += w
		}
		if l.BotScore < 30 {
			want.sweep30 += w
			if verified {
				want.verified30 += w
			}
		}
	}
	for ip, n := range want.browserBlockByIP {
		if best := want.browserBlockByIP[want.topBrowserBlockIP]; n > best || n == best && ip < want.topBrowserBlockIP {
			want.topBrowserBlockIP = ip
		}
	}

	assert.Equal(t, want.records, rep.Records)
	assert.Equal(t, want.requests, rep.Requests)
	assert.Equal(t, want.malformed, rep.Malformed)
	assert.Equal(t, []int64{100, 2000}, want.malformedAt, "the generator's two malformed lines")
	for i, m := range rep.MalformedLines {
		assert.Equal(t, want.malformedAt[i], m.Line)
	}
	assert.Equal(t, want.actions, rep.Actions)
	for i, n := range want.byRule {
		assert.Equal(t, n, rep.Rules[i].Requests, "rule %d", i+1)
	}
	assert.Equal(t, replay.Bands{Automated: want.automated, LikelyAutomated: want.likely, LikelyHuman: want.human}, rep.Bands)
	assert.Equal(t, replay.SweepPoint{Threshold: 30, Requests: want.sweep30, VerifiedBots: want.verified30}, rep.Sweep[28])
	got := map[string]int64{}
	for _, c := range rep.Sources {
		got[c.Value] = c.Count
	}
	assert.Equal(t, want.sources, got)
	top := rep.Rules[3].Top.IPs[0]
	assert.Equal(t, want.topBrowserBlockIP, top.Value)
	assert.Equal(t, want.browserBlockByIP[top.Value], top.Count)
	assert.Zero(t, top.Over, "few distinct IPs: exact counts")
	var skipped int64
	for _, c := range rep.Rules[0].Top.ASNs {
		skipped += c.Count
	}
	assert.Equal(t, want.byRule[0], skipped, "the skip rule's top lists count every request it matched")
}

// TestLogRulesCounted: a log rule, which never decides, is counted in
// Matched for every request it matches; the rule that decides, in both.
func TestLogRulesCounted(t *testing.T) {
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.json")
	require.NoError(t, os.WriteFile(rules, []byte(`[
		{"ref": "watch-bots", "expression": "cf.bot_management.score lt 30", "action": "log"},
		{"ref": "block-1", "expression": "cf.bot_management.score eq 1", "action": "block"},
		{"ref": "never", "expression": "cf.bot_management.score eq 1", "action": "log"}
	]`), 0o600))
	p := replayer(t, rules, replay.Decoder{})
	for i, score := range []int{1, 1, 12, 50, 90} {
		p.Line([]byte(fmt.Sprintf(`{"ClientIP":"192.0.2.%d","BotScore":%d,"BotScoreSrc":"Machine Learning"}`, i, score)), "test", int64(i+1))
	}
	rep := p.Report()
	got := map[string][2]int64{}
	for _, r := range rep.Rules {
		got[r.Ref] = [2]int64{r.Requests, r.Matched}
	}
	assert.Equal(t, map[string][2]int64{
		"watch-bots": {0, 3},
		"block-1":    {2, 2},
		"never":      {0, 0}, // after the block, as in the engine
	}, got)
}

// TestFieldsNotInLogs: a rule that reads fields log records never carry is
// named with them, in the report and its text, so that its 0 is not taken
// for harmless; a rule on fields the logs carry is not.
func TestFieldsNotInLogs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rules.json")
	require.NoError(t, os.WriteFile(path, []byte(`[
		{"ref": "threat", "expression": "cf.threat_score gt 10 and http.request.body.raw contains \"x\"", "action": "block"},
		{"ref": "bots", "expression": "cf.bot_management.score lt 30 and ip.src.country eq \"XX\"", "action": "block"}
	]`), 0o644))
	p := replayer(t, path, replay.Decoder{})
	replayFile(t, p, sampleLog)
	rep := p.Report()
	assert.Equal(t, []string{"cf.threat_score", "http.request.body.raw"}, rep.Rules[0].NotInLogs)
	assert.Empty(t, rep.Rules[1].NotInLogs)
	var text strings.Builder
	rep.WriteText(&text)
	assert.Contains(t, text.String(), "Fields the logs do not carry")
	assert.Contains(t, text.String(), "warning: 1 threat (block) reads cf.threat_score, http.request.body.raw")
	var html strings.Builder
	require.NoError(t, rep.WriteHTML(&html))
	assert.Contains(t, html.String(), "reads cf.threat_score, http.request.body.raw, which the logs do not carry")
}
