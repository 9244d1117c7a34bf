package replay_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/replay"
	"github.com/edgerules/edgerules/ruleset"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newRules is the seed's ruleset changed as a pull request might change
// it: a log rule on /about, the mobile challenge made managed, and the
// browser rule on score lt 20 without its exception for verified bots.
const newRules = `[
	{"ref": "api", "expression": "http.request.uri.path contains \"/api\"", "action": "skip", "action_parameters": {"ruleset": "current"}},
	{"ref": "robots", "expression": "http.request.uri.path eq \"/about\"", "action": "log"},
	{"ref": "mobile-block", "expression": "cf.bot_management.score lt 2 and http.user_agent contains \"App_Name 2.0\"", "action": "block"},
	{"ref": "mobile-challenge", "expression": "cf.bot_management.score lt 30 and http.user_agent contains \"App_Name 2.0\"", "action": "managed_challenge"},
	{"ref": "browser-block", "expression": "cf.bot_management.score lt 20", "action": "block"}
]`

// decideNew is newRules written out by hand: the refs of the rules that
// match, in order, and the outcome.
func (l *sampleLine) decideNew() ([]string, string) {
	var matched []string
	if strings.Contains(l.ClientRequestPath, "/api") {
		return []string{"api"}, "skip"
	}
	if l.ClientRequestPath == "/about" {
		matched = append(matched, "robots")
	}
	switch {
	case l.BotScore < 2 && l.mobile():
		return append(matched, "mobile-block"), "block"
	case l.BotScore < 30 && l.mobile():
		return append(matched, "mobile-challenge"), "managed_challenge"
	case l.BotScore < 20:
		return append(matched, "browser-block"), "block"
	case len(matched) > 0:
		return matched, "log"
	}
	return matched, "none"
}

func writeFile(t testing.TB, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	return path
}

func compile(t testing.TB, path string) *ruleset.ZoneEngine {
	t.Helper()
	f, err := ruleset.Load(path)
	require.NoError(t, err)
	e, err := ruleset.CompileZone(f.Ruleset, fields.Cloudflare())
	require.NoError(t, err)
	return e
}

// comparer replays newRules against the seed's rules as the baseline.
func comparer(t testing.TB) *replay.Replayer {
	t.Helper()
	p, err := replay.New(compile(t, writeFile(t, "new.json", newRules)), fields.Cloudflare(), replay.Decoder{})
	require.NoError(t, err)
	p.Compare(compile(t, seedRules))
	return p
}

func fileLog(path string) replay.Log {
	return replay.Log{Name: path, Open: func() (io.ReadCloser, error) { return os.Open(path) }}
}

// TestCompareSampleLog replays the sample log with the seed's rules as the
// baseline and newRules as the ruleset, and checks every cell of the matrix,
// the requests that changed, the rules that gained and lost requests, and
// the new log rule's counts against counts made here by hand.
func TestCompareSampleLog(t *testing.T) {
	p := comparer(t)
	require.NoError(t, p.ReadLogs([]replay.Log{fileLog(sampleLog)}, 1, nil))
	rep := p.Report()
	require.NotNil(t, rep.Diff)

	matrix := map[[2]string]int64{}
	var changed, changedVerified, browserBefore int64
	before, after := map[string]int64{}, map[string]int64{}
	matchedAfter := map[string]int64{}
	robotsIPs := map[string]int64{}
	for _, l := range sampleLines(t) {
		if l == nil {
			continue
		}
		w := l.weight()
		rule, b := l.seed()
		if rule == 3 {
			browserBefore += w
		}
		refs, a := l.decideNew()
		matrix[[2]string{b, a}] += w
		before[b] += w
		after[a] += w
		if a != b {
			changed += w
			if l.verified() {
				changedVerified += w
			}
		}
		for _, ref := range refs {
			matchedAfter[ref] += w
		}
		if slices.Contains(refs, "robots") {
			robotsIPs[l.ClientIP] += w
		}
	}
	d := rep.Diff
	assert.Equal(t, []string{"block", "challenge", "managed_challenge", "skip", "log", "none"}, d.Outcomes)
	for i, b := range d.Outcomes {
		for j, a := range d.Outcomes {
			assert.Equal(t, matrix[[2]string{b, a}], d.Matrix[i][j], "%s → %s", b, a)
		}
	}
	var cells int64
	for _, n := range matrix {
		cells += n
	}
	assert.Equal(t, rep.Requests, cells, "every request is in one cell")
	assert.NotZero(t, matrix[[2]string{"none", "block"}], "verified bots now blocked")
	assert.NotZero(t, matrix[[2]string{"none", "log"}], "a request only the log rule matched")
	assert.Equal(t, changed, d.Changed)
	assert.Equal(t, changedVerified, d.ChangedVerifiedBots)
	assert.Equal(t, before, d.BaselineActions)
	assert.Equal(t, after, rep.Actions)

	for _, r := range rep.Rules {
		assert.Equal(t, matchedAfter[r.Ref], r.Matched, r.Ref)
	}
	robots := rep.Rules[1]
	require.NotNil(t, robots.Top, "a log rule has its top attributes")
	assert.Zero(t, robots.Requests, "a log rule decides nothing")
	for _, c := range robots.Top.IPs {
		assert.Equal(t, robotsIPs[c.Value], c.Count, c.Value)
	}

	changes := map[string]replay.RuleChange{}
	for _, c := range d.Rules {
		changes[c.Rule] = c
	}
	assert.Equal(t, []string{"browser-block", "robots"}, slices.Sorted(func(yield func(string) bool) {
		for k := range changes {
			if !yield(k) {
				return
			}
		}
	}), "the rules whose counts differ; mobile-challenge decides the same requests")
	assert.Equal(t, matchedAfter["browser-block"], changes["browser-block"].After)
	assert.Equal(t, browserBefore, changes["browser-block"].Before)
	assert.Equal(t, matchedAfter["robots"], changes["robots"].MatchedAfter)
	assert.Zero(t, changes["robots"].MatchedBefore, "not in the baseline")
	require.NotEmpty(t, d.Top.VerifiedBots)
	var bots int64
	for _, c := range d.Top.VerifiedBots {
		bots += c.Count
	}
	assert.Equal(t, changedVerified, bots, "few verified bot user agents: all listed")

	var text, html bytes.Buffer
	rep.WriteText(&text)
	assert.Contains(t, text.String(), "Before and after")
	require.NoError(t, rep.WriteHTML(&html))
	assert.Contains(t, html.String(), `aria-label="Requests by outcome, before and after"`)
	assert.Equal(t, 2*len(d.Outcomes), strings.Count(html.String(), " before: ")+strings.Count(html.String(), " after: "),
		"a bar before and one after for each outcome")
}

// TestParallelEqualsSequential: the report of two and of three workers is
// the one a single worker makes, count for count, top lists included
// (the sample log has fewer distinct values than the top lists count).
func TestParallelEqualsSequential(t *testing.T) {
	var reports []*replay.Report
	for _, jobs := range []int{1, 2, 3} {
		p := comparer(t)
		require.NoError(t, p.ReadLogs([]replay.Log{fileLog(sampleLog), fileLog(sampleLog)}, jobs, nil))
		reports = append(reports, p.Report())
	}
	one := reports[0]
	assert.Equal(t, int64(2*3998), one.Records)
	assert.Len(t, one.MalformedLines, 4, "both logs' malformed lines")
	for _, r := range one.Rules {
		if r.Top != nil {
			for _, c := range r.Top.IPs {
				require.Zero(t, c.Over, "exact counts")
			}
		}
	}
	assert.Equal(t, one, reports[1], "two workers")
	assert.Equal(t, one, reports[2], "three workers")
}

// gzipped compresses text.
func gzipped(t testing.TB, text string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, err := zw.Write([]byte(text))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.Bytes()
}

// TestTruncatedGzip: a gzip stream cut short counts its last line as
// malformed, saying so, and the replay goes on with the next log.
func TestTruncatedGzip(t *testing.T) {
	line := `{"ClientIP":"192.0.2.1","BotScore":1,"BotScoreSrc":"Heuristics"}` + "\n"
	var lines strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&lines, `{"ClientIP":"192.0.2.%d","BotScore":%d,"ClientRequestPath":"/p/%d"}`+"\n", i%256, i%99+1, i)
	}
	whole := gzipped(t, lines.String())
	dir := t.TempDir()
	cut := filepath.Join(dir, "cut.ndjson.gz")
	require.NoError(t, os.WriteFile(cut, whole[:len(whole)/2], 0o600))
	next := filepath.Join(dir, "next.ndjson.gz")
	require.NoError(t, os.WriteFile(next, gzipped(t, line+line), 0o600))

	for _, jobs := range []int{1, 2} {
		p := replayer(t, seedRules, replay.Decoder{})
		require.NoError(t, p.ReadLogs([]replay.Log{fileLog(cut), fileLog(next)}, jobs, nil))
		rep := p.Report()
		require.Equal(t, int64(1), rep.Malformed, "jobs %d", jobs)
		m := rep.MalformedLines[0]
		assert.Equal(t, cut, m.Source)
		assert.Equal(t, replay.ErrTruncated.Error(), m.Error)
		assert.Equal(t, rep.Records-2+1, m.Line, "the lines before the cut are records, the one it cuts is malformed")
		assert.Greater(t, rep.Records, int64(1000), "the lines before the cut")
		assert.Less(t, rep.Records, int64(20000))
	}
}

func TestReadLogsStopsAtAnError(t *testing.T) {
	p := replayer(t, seedRules, replay.Decoder{})
	failing := replay.Log{Name: "gone", Open: func() (io.ReadCloser, error) { return nil, errors.New("gone: no such file") }}
	assert.EqualError(t, p.ReadLogs([]replay.Log{failing}, 2, nil), "gone: no such file")
}
