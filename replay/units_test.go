package replay

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/ruleset"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTopKIsExactWithFewValues(t *testing.T) {
	k := newTopK(4)
	for _, v := range strings.Split("a b a c a b d", " ") {
		k.add(v, 1)
	}
	assert.Equal(t, []Count{{"a", 3, 0}, {"b", 2, 0}, {"c", 1, 0}}, k.top(3))
}

// TestTopKBoundsItsError streams more distinct values than counters: the
// heavy hitters are still found, and each count is at most Over too high.
func TestTopKBoundsItsError(t *testing.T) {
	k := newTopK(16)
	truth := map[string]int64{}
	for i := range 20000 {
		v := "rare-" + string(rune('a'+i%500))
		if i%3 == 0 {
			v = "heavy-" + string(rune('a'+i%4))
		}
		k.add(v, 1)
		truth[v]++
	}
	top := k.top(4)
	for _, c := range top {
		assert.True(t, strings.HasPrefix(c.Value, "heavy-"), c.Value)
		assert.LessOrEqual(t, c.Count-c.Over, truth[c.Value])
		assert.GreaterOrEqual(t, c.Count, truth[c.Value])
	}
	assert.Len(t, k.counters, 16, "memory stays at the counters kept")
}

func TestRead(t *testing.T) {
	var lines []string
	collect := func(b []byte, n int64, err error) {
		if err != nil {
			lines = append(lines, err.Error())
			return
		}
		lines = append(lines, string(b))
	}
	require.NoError(t, Read(strings.NewReader("a\n\nb\r\nc"), collect))
	assert.Equal(t, []string{"a\n", "\n", "b\r\n", "c"}, lines, "the last line needs no newline")

	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("x\n" + strings.Repeat("y", 3<<20) + "\nz\n" + strings.Repeat("w", MaxLine+10) + "\nv\n"))
	zw.Close()
	lines = nil
	require.NoError(t, Read(&gz, collect))
	require.Len(t, lines, 5)
	assert.Equal(t, "x\n", lines[0])
	assert.Len(t, lines[1], 3<<20+1, "a line longer than the buffer is gathered")
	assert.Equal(t, "z\n", lines[2])
	assert.Equal(t, ErrLineTooLong.Error(), lines[3])
	assert.Equal(t, "v\n", lines[4])
}

func TestRecordTime(t *testing.T) {
	want := time.Date(2026, 11, 2, 9, 0, 1, 500e6, time.UTC)
	for _, raw := range []string{`"2026-11-02T09:00:01.5Z"`, `1793610001500000000`, `1793610001500`, `"1793610001500000000"`} {
		r := Record{EdgeStartTimestamp: json.RawMessage(raw)}
		got, ok := r.Time()
		require.True(t, ok, raw)
		assert.True(t, want.Equal(got), "%s: %v", raw, got)
	}
	r := Record{EdgeStartTimestamp: json.RawMessage(`1793610001`)}
	got, _ := r.Time()
	assert.Equal(t, int64(1793610001), got.Unix(), "seconds")
	_, ok := (&Record{EdgeStartTimestamp: json.RawMessage(`"yesterday"`)}).Time()
	assert.False(t, ok)
}

// TestFill checks what a record sets, derives and leaves missing.
func TestFill(t *testing.T) {
	s := fields.Cloudflare()
	b, err := bind(s)
	require.NoError(t, err)
	var r Record
	require.NoError(t, (&Decoder{}).Decode([]byte(`{"ClientIP":"::ffff:192.0.2.7","ClientRequestHost":"a.example","ClientRequestURI":"/x/Logo.PNG?v=2",
		"ClientCountry":"gb","BotScore":0,"BotScoreSrc":"Verified Bot","RequestHeaders":{"X-Debug":"1"},"Cookies":{"b":"2","a":"1"},
		"EdgeStartTimestamp":"2026-11-02T09:00:00.25Z"}`), &r))
	c := eval.NewContext(s)
	b.resolve(c, &r)
	b.fill(c, &r)
	for src, want := range map[string]string{
		`ip.src`:                            `192.0.2.7`,
		`http.request.uri.path`:             `"/x/Logo.PNG"`,
		`http.request.uri.path.extension`:   `"png"`,
		`http.request.uri.query`:            `"v=2"`,
		`http.request.full_uri`:             `"https://a.example/x/Logo.PNG?v=2"`,
		`ip.src.country`:                    `"GB"`,
		`cf.bot_management.verified_bot`:    `true`,
		`cf.client.bot`:                     `true`,
		`cf.bot_management.static_resource`: `true`,
		`cf.bot_management.score`:           `missing`,
		`http.user_agent`:                   `missing`,
		`ip.src.asnum`:                      `missing`,
		`http.request.headers["x-debug"]`:   `["1"]`,
		`http.request.headers.names`:        `["X-Debug"]`,
		`http.cookie`:                       `"a=1; b=2"`,
		`http.request.timestamp.msec`:       `250`,
	} {
		p, err := expr.CompileValue(src, s)
		require.NoError(t, err, src)
		assert.Equal(t, want, p.Eval(c).String(), src)
	}
}

func TestDecoderRenames(t *testing.T) {
	d := Decoder{Rename: map[string]string{"ip": "ClientIP", "ua": "ClientRequestUserAgent", "score": "BotScore"}}
	var r Record
	require.NoError(t, d.Decode([]byte(`{"ip": "192.0.2.1", "ua": "curl/8", "score": 3, "ClientCountry": "de"}`), &r))
	assert.Equal(t, Record{ClientIP: "192.0.2.1", ClientRequestUserAgent: "curl/8", BotScore: 3, ClientCountry: "de"}, r)
	assert.Error(t, d.Decode([]byte(`{"ip": `), &r))
}

func TestHTMLIsSelfContainedAndEscaped(t *testing.T) {
	rep := &Report{Records: 1, Requests: 1, Actions: map[string]int64{"block": 1},
		Rules: []RuleReport{{Index: 1, Ref: "r", Action: "block", Requests: 1,
			Top: &Top{UserAgents: []Count{{Value: `<script>alert("x")</script>`, Count: 1}}}}}}
	rep.Scores[12] = 1
	for t := 2; t <= 99; t++ {
		rep.Sweep = append(rep.Sweep, SweepPoint{Threshold: t, Requests: 1})
	}
	var b bytes.Buffer
	require.NoError(t, rep.WriteHTML(&b))
	html := b.String()
	assert.Equal(t, 99+0, strings.Count(html, "<rect "), "one bar per score")
	assert.Equal(t, 2, strings.Count(html, "<polyline "), "requests and verified bots")
	assert.NotContains(t, html, "<script", "no script, and a user agent cannot inject one")
	assert.Contains(t, html, "&lt;script&gt;")
	assert.NotRegexp(t, `(src|href)="?https?:`, html, "nothing to fetch from the network")
}

func TestMalformedKeepsTheFirst(t *testing.T) {
	e, err := ruleset.CompileZone(&ruleset.Ruleset{}, fields.Cloudflare())
	require.NoError(t, err)
	p, err := New(e, fields.Cloudflare(), Decoder{})
	require.NoError(t, err)
	p.Line([]byte("  \n"), "log", 1)
	for i := range MalformedKept + 5 {
		p.Malformed("log", int64(i+1), errors.New("bad"))
	}
	rep := p.Report()
	assert.Equal(t, int64(MalformedKept+5), rep.Malformed)
	assert.Len(t, rep.MalformedLines, MalformedKept)
	assert.Zero(t, rep.Records, "a blank line is no record")
}

// TestTopKMerge: sketches of two halves of a stream merge into the counts
// of one sketch of the whole when they fit, and into bounded counts when
// they do not.
func TestTopKMerge(t *testing.T) {
	stream := strings.Split("a b a c a b d e a f b", " ")
	whole, left, right := newTopK(8), newTopK(8), newTopK(8)
	for i, v := range stream {
		whole.add(v, int64(i%3+1))
		if i%2 == 0 {
			left.add(v, int64(i%3+1))
		} else {
			right.add(v, int64(i%3+1))
		}
	}
	left.merge(right)
	assert.Equal(t, whole.top(8), left.top(8))
	assert.False(t, left.evicted)
	left.add("a", 1)
	assert.Equal(t, whole.top(1)[0].Count+1, left.top(1)[0].Count, "the merged sketch counts on")

	truth := map[string]int64{}
	a, b := newTopK(16), newTopK(16)
	for i := range 20000 {
		v := "rare-" + string(rune('a'+i%300))
		if i%3 == 0 {
			v = "heavy-" + string(rune('a'+i%4))
		}
		truth[v]++
		if i < 7000 {
			a.add(v, 1)
		} else {
			b.add(v, 1)
		}
	}
	a.merge(b)
	assert.Len(t, a.counters, 16, "the merged sketch keeps its capacity")
	assert.True(t, a.evicted)
	for _, c := range a.top(4) {
		assert.True(t, strings.HasPrefix(c.Value, "heavy-"), c.Value)
		assert.GreaterOrEqual(t, c.Count, truth[c.Value])
		assert.LessOrEqual(t, c.Count-c.Over, truth[c.Value])
	}
}

// TestTimeline: the bucket is the shortest that covers the span in
// maxBuckets, the counts are those of the records in each bucket, and
// neither depends on the order of the records or how they were split.
func TestTimeline(t *testing.T) {
	start := time.Date(2026, 11, 2, 9, 3, 0, 0, time.UTC).Unix()
	var secs []int64
	for i := range 500 {
		secs = append(secs, start+int64(i*37%(3*3600))) // three hours, out of order
	}
	whole := newTimeline(2)
	for i, s := range secs {
		whole.at(s, i%4, 1).rules[i%2] += 2
	}
	got := whole.report()
	assert.Equal(t, "5m0s", got.Bucket, "an hour in minutes would be over 60 buckets")
	require.Len(t, got.Points, 37, "9:00 to 12:00, the buckets of 9:03 and of 12:02")
	want := make([]int64, 37)
	for _, s := range secs {
		want[(s-start+3*60)/300]++ // the first bucket starts at 9:00
	}
	for i, p := range got.Points {
		assert.Equal(t, want[i], p.Bands.total(), "bucket %d", i)
		assert.Equal(t, 2*want[i], p.Rules[0]+p.Rules[1])
	}
	assert.Equal(t, time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC), got.Points[0].Start)

	// The same records in two parts, one short enough for minutes.
	early, late := newTimeline(2), newTimeline(2)
	for i, s := range secs {
		part := late
		if s < start+1800 {
			part = early
		}
		part.at(s, i%4, 1).rules[i%2] += 2
	}
	assert.Equal(t, "1m0s", early.report().Bucket)
	early.merge(late)
	assert.Equal(t, got, early.report())
	assert.Nil(t, newTimeline(1).report(), "no record with a time")
}

// TestFillLogpushFields: the WAF's scores, TLS, the client's port and
// place, and the other Logpush fields that have a rule field.
func TestFillLogpushFields(t *testing.T) {
	s := fields.Cloudflare()
	b, err := bind(s)
	require.NoError(t, err)
	c := eval.NewContext(s)
	var r Record
	check := func(line string, want map[string]string) {
		t.Helper()
		require.NoError(t, (&Decoder{}).Decode([]byte(line), &r))
		c.Reset()
		b.fill(c, &r)
		for src, w := range want {
			p, err := expr.CompileValue(src, s)
			require.NoError(t, err, src)
			assert.Equal(t, w, p.Eval(c).String(), src)
		}
	}
	check(`{"WAFAttackScore":15,"WAFSQLiAttackScore":3,"WAFXSSAttackScore":99,"WAFRCEAttackScore":0,
		"ClientSSLProtocol":"TLSv1.3","ClientSSLCipher":"AEAD-AES128-GCM-SHA256","ClientSrcPort":51234,
		"ClientCity":"Lyon","ClientRegionCode":"ARA","ClientLatitude":"45.75","ClientLongitude":"4.85",
		"VerifiedBotCategory":"Search Engine Crawler","EdgeResponseContentType":"Text/HTML; charset=utf-8",
		"RayID":"8f0a1b2c3d4e5f60","ZoneName":"example.com"}`, map[string]string{
		`cf.waf.score`:                          `15`,
		`cf.waf.score.sqli`:                     `3`,
		`cf.waf.score.xss`:                      `99`,
		`cf.waf.score.rce`:                      `missing`,
		`cf.waf.score.class`:                    `"attack"`,
		`ssl`:                                   `true`,
		`cf.tls_version`:                        `"TLSv1.3"`,
		`cf.tls_cipher`:                         `"AEAD-AES128-GCM-SHA256"`,
		`cf.edge.client_port`:                   `51234`,
		`ip.src.city`:                           `"Lyon"`,
		`ip.src.region_code`:                    `"ARA"`,
		`ip.src.lat`:                            `"45.75"`,
		`ip.src.lon`:                            `"4.85"`,
		`cf.verified_bot_category`:              `"Search Engine Crawler"`,
		`http.response.content_type.media_type`: `"text/html"`,
		`cf.ray_id`:                             `"8f0a1b2c3d4e5f60"`,
		`cf.zone.name`:                          `"example.com"`,
	})
	check(`{"WAFAttackScore":21,"ClientSSLProtocol":"none","ClientSSLCipher":"NONE"}`, map[string]string{
		`cf.waf.score.class`: `"likely_attack"`, `ssl`: `false`, `cf.tls_version`: `missing`, `cf.tls_cipher`: `missing`,
	})
	check(`{"WAFAttackScore":51,"ClientRequestScheme":"http"}`, map[string]string{`cf.waf.score.class`: `"likely_clean"`, `ssl`: `false`})
	check(`{"WAFAttackScore":81,"ClientRequestScheme":"https"}`, map[string]string{`cf.waf.score.class`: `"clean"`, `ssl`: `true`})
	check(`{}`, map[string]string{`cf.waf.score`: `missing`, `cf.waf.score.class`: `missing`, `cf.tls_version`: `missing`})
}
