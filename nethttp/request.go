// Package nethttp evaluates rules on net/http requests: it reads the fields
// of Cloudflare's scheme from an *http.Request, lazily, and applies a
// ruleset's decision as middleware.
package nethttp

import (
	"cmp"
	"maps"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/internal/webpath"
)

// A request is what the resolvers of one request read, with what several
// fields share parsed once: the client address, the bot signals, the query.
type request struct {
	r   *http.Request
	cfg *config

	nowDone           bool
	now               time.Time
	peerDone, trusted bool // the immediate peer is a trusted proxy
	peer              netip.Addr
	clientDone        bool
	client            netip.Addr
	botDone           bool
	bot               Bot
	verifiedDone      bool
	verified          verified
	geoHdrDone        bool      // geo.header and geo.fromHdr are this request's
	geoNeeds          GeoFields // the geo fields the rules read, which the locator fills
	located           GeoFields // the fields geo.located was asked for this request
	geo               *geoState
}

// time returns the time of the request, read from the clock once, when a
// rule first asks for it.
func (q *request) time() time.Time {
	if !q.nowDone {
		q.nowDone, q.now = true, q.cfg.now()
	}
	return q.now
}

// resolvers compute each field from a request; the context runs each at
// most once per request, and only when a rule reads the field.
var resolvers = map[string]func(q *request) eval.Value{
	"http.host": func(q *request) eval.Value {
		if q.r.Host == "" {
			return eval.Value{}
		}
		return eval.String(q.r.Host)
	},
	"http.request.method":             func(q *request) eval.Value { return eval.String(q.r.Method) },
	"http.request.uri":                func(q *request) eval.Value { return eval.String(q.uri()) },
	"http.request.uri.path":           func(q *request) eval.Value { return eval.String(q.path()) },
	"http.request.uri.path.extension": func(q *request) eval.Value { return eval.String(webpath.Extension(q.path())) },
	"http.request.uri.query":          func(q *request) eval.Value { return eval.String(q.r.URL.RawQuery) },
	"http.request.full_uri":           func(q *request) eval.Value { return eval.String(q.origin() + q.uri()) },
	"http.request.version":            func(q *request) eval.Value { return eval.String(version(q.r)) },
	"http.request.timestamp.sec":      func(q *request) eval.Value { return eval.Int(q.time().Unix()) },
	"http.request.timestamp.msec":     func(q *request) eval.Value { return eval.Int(int64(q.time().Nanosecond() / 1e6)) },
	"http.user_agent":                 header("User-Agent", ", "),
	"http.referer":                    header("Referer", ", "),
	"http.cookie":                     header("Cookie", "; "),
	"http.x_forwarded_for":            header("X-Forwarded-For", ", "),
	"http.request.headers":            func(q *request) eval.Value { return eval.StringsMap(lowerKeys(q.r.Header)) },
	"http.request.headers.names":      func(q *request) eval.Value { return eval.Strings(headerNames(q.r.Header)...) },
	"http.request.headers.values":     func(q *request) eval.Value { return eval.Strings(headerValues(q.r.Header)...) },
	"http.request.headers.truncated":  func(q *request) eval.Value { return eval.Bool(false) },
	"http.request.cookies":            func(q *request) eval.Value { return eval.StringsMap(cookies(q.r)) },
	"http.request.uri.args":           func(q *request) eval.Value { return eval.StringsMap(argsMap(q.r.URL.RawQuery)) },
	"http.request.accepted_languages": func(q *request) eval.Value { return eval.Strings(languages(q.r.Header["Accept-Language"])...) },
	"http.request.uri.args.names":     func(q *request) eval.Value { return argNames(q.r.URL.RawQuery) },
	"http.request.uri.args.values":    func(q *request) eval.Value { return argValues(q.r.URL.RawQuery) },

	"raw.http.request.uri":                func(q *request) eval.Value { return eval.String(q.uri()) },
	"raw.http.request.uri.path":           func(q *request) eval.Value { return eval.String(q.rawPath()) },
	"raw.http.request.uri.path.extension": func(q *request) eval.Value { return eval.String(webpath.Extension(q.rawPath())) },
	"raw.http.request.uri.query":          func(q *request) eval.Value { return eval.String(q.rawQuery()) },
	"raw.http.request.full_uri":           func(q *request) eval.Value { return eval.String(q.origin() + q.uri()) },
	"raw.http.request.uri.args":           func(q *request) eval.Value { return eval.StringsMap(argsMap(q.rawQuery())) },
	"raw.http.request.uri.args.names":     func(q *request) eval.Value { return argNames(q.rawQuery()) },
	"raw.http.request.uri.args.values":    func(q *request) eval.Value { return argValues(q.rawQuery()) },
	"raw.http.request.headers":            func(q *request) eval.Value { return eval.StringsMap(lowerKeys(q.r.Header)) },
	"raw.http.request.headers.names":      func(q *request) eval.Value { return eval.Strings(headerNames(q.r.Header)...) },
	"raw.http.request.headers.values":     func(q *request) eval.Value { return eval.Strings(headerValues(q.r.Header)...) },

	"ip.src": func(q *request) eval.Value {
		if a := q.clientIP(); a.IsValid() {
			return eval.IP(a)
		}
		return eval.Value{}
	},
	"ssl": func(q *request) eval.Value { return eval.Bool(q.r.TLS != nil) },
}

// header reads the lines of a header, joined with sep. name is canonical,
// so the map is read directly, without canonicalizing it per request.
func header(name, sep string) func(q *request) eval.Value {
	return func(q *request) eval.Value { return eval.String(strings.Join(q.r.Header[name], sep)) }
}

// first returns the first line of a header whose name is canonical.
func first(h http.Header, name string) string {
	if v := h[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// uri is the path and query as the client sent them; from a request in
// absolute form (GET http://host/path), the part after the host.
func (q *request) uri() string {
	if strings.HasPrefix(q.r.RequestURI, "/") {
		return q.r.RequestURI
	}
	return q.r.URL.RequestURI()
}

// path is the decoded path; rawPath the path as sent.
func (q *request) path() string {
	if q.r.URL.Path == "" {
		return "/"
	}
	return q.r.URL.Path
}

func (q *request) rawPath() string {
	p, _, _ := strings.Cut(q.uri(), "?")
	return p
}

func (q *request) rawQuery() string {
	_, query, _ := strings.Cut(q.uri(), "?")
	return query
}

// origin is the scheme and host of the full URI.
func (q *request) origin() string {
	scheme := "http"
	if q.r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + q.r.Host
}

// version names the protocol as Cloudflare does: HTTP/1.1, HTTP/2, HTTP/3.
func version(r *http.Request) string {
	if r.ProtoMajor >= 2 {
		return "HTTP/" + strconv.Itoa(r.ProtoMajor)
	}
	return r.Proto
}

func lowerKeys(h http.Header) map[string][]string {
	m := make(map[string][]string, len(h))
	for k, vs := range h {
		lk := strings.ToLower(k)
		m[lk] = append(m[lk], vs...)
	}
	return m
}

// headerNames and headerValues list every header line, sorted by name
// (net/http does not keep the order of arrival); names[i] goes with values[i].
func headerNames(h http.Header) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(h)) {
		for range h[k] {
			out = append(out, k)
		}
	}
	return out
}

func headerValues(h http.Header) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(h)) {
		out = append(out, h[k]...)
	}
	return out
}

// cookies maps cookie names, URL-decoded, to their values; a name sent
// twice keeps both values.
func cookies(r *http.Request) map[string][]string {
	m := map[string][]string{}
	for _, c := range r.Cookies() {
		name := c.Name
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		m[name] = append(m[name], c.Value)
	}
	return m
}

func argNames(query string) eval.Value {
	names, _ := webpath.Args(query)
	return eval.Strings(names...)
}

func argValues(query string) eval.Value {
	_, values := webpath.Args(query)
	return eval.Strings(values...)
}

func argsMap(query string) map[string][]string { return webpath.ArgsMap(webpath.Args(query)) }

// languages lists the languages of Accept-Language lines, most wanted
// first (by q, then in the order sent), without * and those with q=0.
func languages(lines []string) []string {
	type lang struct {
		tag string
		q   float64
	}
	var langs []lang
	for _, line := range lines {
		for item := range strings.SplitSeq(line, ",") {
			tag, params, _ := strings.Cut(strings.TrimSpace(item), ";")
			q := 1.0
			if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
			if tag = strings.TrimSpace(tag); tag != "" && tag != "*" && q > 0 {
				langs = append(langs, lang{tag, q})
			}
		}
	}
	slices.SortStableFunc(langs, func(a, b lang) int { return cmp.Compare(b.q, a.q) })
	out := make([]string, len(langs))
	for i, l := range langs {
		out[i] = l.tag
	}
	return out
}
