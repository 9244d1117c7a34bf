// Package replay evaluates a ruleset on request logs, as Cloudflare's
// Logpush writes them, and reports what the rules would have done: the
// actions per rule, the requests each rule matched, the bot score
// distribution and its bands over time, the score sources, the top
// attributes of the requests each rule matched, and a sweep of score
// thresholds; with a baseline (Compare), where a ruleset decides
// differently from the one in force. It reads any length of log in
// constant memory, on several workers (ReadLogs).
//
// Rate limiting rules count each record at its own time
// (EdgeStartTimestamp), in the order of the log, and by its response
// (EdgeResponseStatus) where a rule counts responses; a sampled record
// counts once. Logpush files are nearly in time order: a record earlier
// than one before it is not held back or dropped, but counted in the
// latest window of its key and judged by its key's state then; the report
// says how many there were (Late). SweepRateLimits replays each rate
// limiting rule with other values of requests_per_period.
package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/internal/webpath"
)

// A Record is one line of an http_requests log, in Logpush's field names.
// A field a log lacks, or leaves empty, is missing.
type Record struct {
	ClientIP               string
	ClientRequestHost      string
	ClientRequestMethod    string
	ClientRequestURI       string
	ClientRequestPath      string
	ClientRequestScheme    string
	ClientRequestUserAgent string
	ClientRequestReferer   string
	ClientRequestProtocol  string
	ClientASN              int64
	ClientCountry          string
	BotScore               int64
	BotScoreSrc            string
	BotTags                []string
	BotDetectionIDs        []int64
	JA3Hash                string
	JA4                    string
	EdgeResponseStatus     int64
	EdgeStartTimestamp     json.RawMessage
	RequestHeaders         map[string]string
	Cookies                map[string]string
	SampleInterval         int64
	// The WAF's attack scores, 1 to 99 (0: not computed).
	WAFAttackScore, WAFSQLiAttackScore, WAFXSSAttackScore, WAFRCEAttackScore int64
	ClientSSLProtocol                                                        string // "none" without TLS
	ClientSSLCipher                                                          string
	ClientSrcPort                                                            int64
	ClientCity, ClientRegionCode, ClientLatitude, ClientLongitude            string
	VerifiedBotCategory                                                      string
	EdgeResponseContentType                                                  string
	RayID                                                                    string
	ZoneName                                                                 string
}

// VerifiedBotSource is the BotScoreSrc of a known good bot.
const VerifiedBotSource = "Verified Bot"

// A Decoder reads records from log lines; with Rename it reads the fields
// of another log format under the Logpush names they stand for.
type Decoder struct {
	// Rename maps a field name of the log to the Logpush name it stands for.
	Rename map[string]string
	seen   interned
}

// Decode reads one line: a JSON object, read as encoding/json would read it
// into a Record (fields matched ignoring case, others skipped), faster.
func (d *Decoder) Decode(line []byte, r *Record) error {
	*r = Record{}
	return decodeRecord(line, r, d.Rename, &d.seen)
}

// Weight is how many requests the record stands for: its SampleInterval
// when the log is sampled, else one.
func (r *Record) Weight() int64 { return max(r.SampleInterval, 1) }

// Path is the request's path: ClientRequestPath, or the part of
// ClientRequestURI before its query.
func (r *Record) Path() string {
	if r.ClientRequestPath != "" {
		return r.ClientRequestPath
	}
	p, _, _ := strings.Cut(r.ClientRequestURI, "?")
	return p
}

// Time reads EdgeStartTimestamp in any of Logpush's formats: RFC 3339, or
// Unix seconds, milliseconds or nanoseconds.
func (r *Record) Time() (time.Time, bool) {
	raw := bytes.Trim(r.EdgeStartTimestamp, `"`)
	if len(raw) == 0 {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, string(raw)); err == nil {
		return t, true
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	switch {
	case err != nil:
		return time.Time{}, false
	case n > 1e15:
		return time.Unix(0, n), true
	case n > 1e11:
		return time.UnixMilli(n), true
	}
	return time.Unix(n, 0), true
}

// binding is the slot of each field a record fills, bound once.
type binding struct {
	ip, host, method, uri, path, ext, query, fullURI, ua, referer, version,
	asn, country, score, verified, clientBot, static, ids, ja3, ja4, code,
	sec, msec, headers, headerNames, headerValues, cookies, cookie,
	waf, sqli, xss, rce, wafClass, ssl, tlsVersion, tlsCipher, port, city, region, lat, lon,
	botCategory, mediaType, ray, zone fields.Field
	// The raw.* fields: the URI as the client sent it, which is what the
	// log holds; a zone's URL rewrites change the others, not these.
	rawURI, rawPath, rawExt, rawQuery, rawFullURI fields.Field
	// carried says, by slot, which fields a record can fill.
	carried []bool
}

func bind(s *fields.Scheme) (*binding, error) {
	b := &binding{carried: make([]bool, s.Len())}
	for name, f := range map[string]*fields.Field{
		"ip.src": &b.ip, "http.host": &b.host, "http.request.method": &b.method, "http.request.uri": &b.uri,
		"http.request.uri.path": &b.path, "http.request.uri.path.extension": &b.ext,
		"http.request.uri.query": &b.query, "http.request.full_uri": &b.fullURI, "http.user_agent": &b.ua,
		"http.referer": &b.referer, "http.request.version": &b.version, "ip.src.asnum": &b.asn,
		"ip.src.country": &b.country, "cf.bot_management.score": &b.score,
		"cf.bot_management.verified_bot": &b.verified, "cf.client.bot": &b.clientBot,
		"cf.bot_management.static_resource": &b.static, "cf.bot_management.detection_ids": &b.ids,
		"cf.bot_management.ja3_hash": &b.ja3, "cf.bot_management.ja4": &b.ja4, "http.response.code": &b.code,
		"http.request.timestamp.sec": &b.sec, "http.request.timestamp.msec": &b.msec,
		"http.request.headers": &b.headers, "http.request.headers.names": &b.headerNames,
		"http.request.headers.values": &b.headerValues, "http.request.cookies": &b.cookies, "http.cookie": &b.cookie,
		"cf.waf.score": &b.waf, "cf.waf.score.sqli": &b.sqli, "cf.waf.score.xss": &b.xss, "cf.waf.score.rce": &b.rce,
		"cf.waf.score.class": &b.wafClass, "ssl": &b.ssl, "cf.tls_version": &b.tlsVersion, "cf.tls_cipher": &b.tlsCipher,
		"cf.edge.client_port": &b.port, "ip.src.city": &b.city, "ip.src.region_code": &b.region, "ip.src.lat": &b.lat,
		"ip.src.lon": &b.lon, "cf.verified_bot_category": &b.botCategory,
		"http.response.content_type.media_type": &b.mediaType, "cf.ray_id": &b.ray, "cf.zone.name": &b.zone,
		"raw.http.request.uri": &b.rawURI, "raw.http.request.uri.path": &b.rawPath,
		"raw.http.request.uri.path.extension": &b.rawExt, "raw.http.request.uri.query": &b.rawQuery,
		"raw.http.request.full_uri": &b.rawFullURI,
	} {
		field, ok := s.Field(name)
		if !ok {
			return nil, fmt.Errorf("the scheme has no field %s", name)
		}
		*f = field
		b.carried[field.Index()] = true
	}
	return b, nil
}

// fill sets the fields of a record in a context that was Reset. Fields the
// record lacks stay missing; those it implies are derived: verified_bot from
// the score source, the extension and static_resource from the path, the
// country in capitals, the WAF's score class from its score, ssl from the
// TLS protocol or else the scheme, the media type from the content type.
func (b *binding) fill(c *eval.Context, r *Record) {
	str := func(f fields.Field, s string) {
		if s != "" {
			_ = c.Set(f, eval.String(s))
		}
	}
	num := func(f fields.Field, n int64) {
		if n != 0 {
			_ = c.Set(f, eval.Int(n))
		}
	}
	if ip, err := netip.ParseAddr(r.ClientIP); err == nil {
		_ = c.Set(b.ip, eval.IP(ip.Unmap()))
	}
	str(b.host, r.ClientRequestHost)
	str(b.method, r.ClientRequestMethod)
	path := r.Path()
	uri := r.ClientRequestURI
	if uri == "" {
		uri = path
	}
	both := func(f, raw fields.Field, s string) {
		str(f, s)
		str(raw, s)
	}
	both(b.uri, b.rawURI, uri)
	both(b.path, b.rawPath, path)
	if path != "" {
		ext := eval.String(webpath.Extension(path))
		_ = c.Set(b.ext, ext)
		_ = c.Set(b.rawExt, ext)
		_ = c.Set(b.static, eval.Bool(webpath.StaticResource(path)))
	}
	if _, query, ok := strings.Cut(uri, "?"); ok {
		both(b.query, b.rawQuery, query)
	}
	if r.ClientRequestHost != "" {
		scheme := r.ClientRequestScheme
		if scheme == "" {
			scheme = "https"
		}
		both(b.fullURI, b.rawFullURI, scheme+"://"+r.ClientRequestHost+uri)
	}
	str(b.ua, r.ClientRequestUserAgent)
	str(b.referer, r.ClientRequestReferer)
	str(b.version, r.ClientRequestProtocol)
	num(b.asn, r.ClientASN)
	str(b.country, strings.ToUpper(r.ClientCountry))
	if r.BotScore >= 1 && r.BotScore <= 99 {
		_ = c.Set(b.score, eval.Int(r.BotScore))
	}
	if r.BotScoreSrc != "" {
		verified := eval.Bool(r.BotScoreSrc == VerifiedBotSource)
		_ = c.Set(b.verified, verified)
		_ = c.Set(b.clientBot, verified)
	}
	if r.BotDetectionIDs != nil {
		_ = c.Set(b.ids, eval.Ints(r.BotDetectionIDs...))
	}
	str(b.ja3, r.JA3Hash)
	str(b.ja4, r.JA4)
	num(b.code, r.EdgeResponseStatus)
	for _, s := range [...]struct {
		f fields.Field
		n int64
	}{{b.waf, r.WAFAttackScore}, {b.sqli, r.WAFSQLiAttackScore}, {b.xss, r.WAFXSSAttackScore}, {b.rce, r.WAFRCEAttackScore}} {
		if s.n >= 1 && s.n <= 99 {
			_ = c.Set(s.f, eval.Int(s.n))
		}
	}
	if n := r.WAFAttackScore; n >= 1 && n <= 99 {
		_ = c.Set(b.wafClass, eval.String(wafClass(n)))
	}
	switch {
	case r.ClientSSLProtocol != "":
		tls := !strings.EqualFold(r.ClientSSLProtocol, "none")
		_ = c.Set(b.ssl, eval.Bool(tls))
		if tls {
			str(b.tlsVersion, r.ClientSSLProtocol)
		}
	case r.ClientRequestScheme != "":
		_ = c.Set(b.ssl, eval.Bool(strings.EqualFold(r.ClientRequestScheme, "https")))
	}
	if !strings.EqualFold(r.ClientSSLCipher, "none") {
		str(b.tlsCipher, r.ClientSSLCipher)
	}
	num(b.port, r.ClientSrcPort)
	str(b.city, r.ClientCity)
	str(b.region, r.ClientRegionCode)
	str(b.lat, r.ClientLatitude)
	str(b.lon, r.ClientLongitude)
	str(b.botCategory, r.VerifiedBotCategory)
	media, _, _ := strings.Cut(r.EdgeResponseContentType, ";")
	str(b.mediaType, strings.ToLower(strings.TrimSpace(media)))
	str(b.ray, r.RayID)
	str(b.zone, r.ZoneName)
	// Headers, cookies and the time cost more to make: resolvers make
	// them when a rule reads them (see resolve).
}

// wafClass is the class of a WAF attack score, 1 to 99, as
// cf.waf.score.class has it.
func wafClass(score int64) string {
	switch {
	case score <= 20:
		return "attack"
	case score <= 50:
		return "likely_attack"
	case score <= 80:
		return "likely_clean"
	}
	return "clean"
}

// resolve gives c resolvers for the fields of *r that cost most to make,
// so that a record builds them only when a rule reads them.
func (b *binding) resolve(c *eval.Context, r *Record) {
	set := func(f fields.Field, make func() eval.Value) {
		_ = c.SetResolver(f, func(*eval.Context) eval.Value { return make() })
	}
	set(b.sec, func() eval.Value {
		if t, ok := r.Time(); ok {
			return eval.Int(t.Unix())
		}
		return eval.Value{}
	})
	set(b.msec, func() eval.Value {
		if t, ok := r.Time(); ok {
			return eval.Int(int64(t.Nanosecond() / 1e6))
		}
		return eval.Value{}
	})
	headers := func(part int) func() eval.Value {
		return func() eval.Value {
			if r.RequestHeaders == nil {
				return eval.Value{}
			}
			m := make(map[string][]string, len(r.RequestHeaders))
			var names, values []string
			for _, k := range slices.Sorted(maps.Keys(r.RequestHeaders)) {
				m[strings.ToLower(k)] = append(m[strings.ToLower(k)], r.RequestHeaders[k])
				names, values = append(names, k), append(values, r.RequestHeaders[k])
			}
			return []eval.Value{eval.StringsMap(m), eval.Strings(names...), eval.Strings(values...)}[part]
		}
	}
	set(b.headers, headers(0))
	set(b.headerNames, headers(1))
	set(b.headerValues, headers(2))
	cookies := func(whole bool) func() eval.Value {
		return func() eval.Value {
			if r.Cookies == nil {
				return eval.Value{}
			}
			m := make(map[string][]string, len(r.Cookies))
			var pairs []string
			for _, k := range slices.Sorted(maps.Keys(r.Cookies)) {
				m[k] = []string{r.Cookies[k]}
				pairs = append(pairs, k+"="+r.Cookies[k])
			}
			if whole {
				return eval.String(strings.Join(pairs, "; "))
			}
			return eval.StringsMap(m)
		}
	}
	set(b.cookies, cookies(false))
	set(b.cookie, cookies(true))
}
