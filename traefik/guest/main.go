//go:build wasip1

// Command guest is edgerules as a Traefik plugin: a WebAssembly module for
// the http-wasm handler ABI that Traefik's WASM plugins use, built with
// standard Go:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o plugin.wasm ./guest
//
// The middleware's configuration (Traefik's dynamic configuration of the
// plugin, as JSON) gives the rules inline, or a zone's ruleset files and
// folders, the trusted proxies and detection-only mode. The rules compile
// once per instance, when the host starts it; each request is then read
// into a request the instance keeps, evaluated by package nethttp's
// middleware, and answered or passed on, without allocating on the way of
// a request no rule matches. The URL rewrites and request header
// transforms change the request the host hands on (set_uri and the header
// functions); a zone with response header transforms has the host buffer
// the response, whose headers they change in handle_response.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/edgerules/edgerules/internal/filewatch"
	"github.com/edgerules/edgerules/nethttp"
	"github.com/edgerules/edgerules/ruleset"
	"github.com/edgerules/edgerules/terraform"
)

// Config is the plugin's configuration.
type Config struct {
	// Rules is a ruleset written inline, in JSON or YAML.
	Rules string `json:"rules"`
	// RulesFile is a ruleset file the plugin reads (in a folder Traefik
	// mounts for it), or a folder of a zone's ruleset files: a zone of one
	// file.
	RulesFile string `json:"rulesFile"`
	// RulesFiles are a zone's ruleset files and folders, at most one
	// ruleset per phase, run in Cloudflare's phase order (JSON, YAML and
	// Terraform, as terraform.LoadZone reads them). The files are read
	// again when one of them changes, at most once a second; files that do
	// not compile keep the old rules.
	RulesFiles []string `json:"rulesFiles"`
	// TrustedProxies are the networks whose X-Forwarded-For and bot headers
	// are believed.
	TrustedProxies []string `json:"trustedProxies"`
	// DetectionOnly logs what the rules decide and lets every request
	// through.
	DetectionOnly bool `json:"detectionOnly"`
}

// The plugin's state: one instance serves one request at a time.
var (
	mw    *nethttp.Middleware
	cfg   Config
	paths []string // RulesFile and RulesFiles
	file  struct {
		version uint64
		checked time.Time
	}
	req     request
	out     writer
	pending nethttp.Pass // the request passed on, until handle_response
	resp    response
	initErr error
)

func main() {}

func init() {
	initErr = start()
	if initErr != nil {
		logf(levelError, "edgerules: %v", initErr)
	}
}

// start reads the configuration and compiles the rules.
func start() error {
	var a arena
	raw := a.get(getConfig, "")
	if len(bytes.TrimSpace(raw)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cfg); err != nil {
			return fmt.Errorf("the plugin's configuration: %v", err)
		}
	}
	rs, err := loadRules()
	if err != nil {
		return err
	}
	opts := nethttp.Options{DetectionOnly: cfg.DetectionOnly, Logger: slog.New(hostLogHandler{})}
	for _, p := range cfg.TrustedProxies {
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			addr, addrErr := netip.ParseAddr(p)
			if addrErr != nil {
				return fmt.Errorf("trustedProxies: %q is not a network or an address", p)
			}
			prefix = netip.PrefixFrom(addr, addr.BitLen())
		}
		opts.TrustedProxies = append(opts.TrustedProxies, prefix)
	}
	if mw, err = nethttp.New(rs, opts); err != nil {
		return err
	}
	req.init()
	resp.init()
	out.header = http.Header{}
	return nil
}

// loadRules reads the rules the configuration gives.
func loadRules() (ruleset.Source, error) {
	if cfg.RulesFile != "" {
		paths = append(paths, cfg.RulesFile)
	}
	paths = append(paths, cfg.RulesFiles...)
	switch {
	case cfg.Rules != "" && len(paths) > 0:
		return nil, fmt.Errorf("give rules or rulesFile/rulesFiles, not both")
	case len(paths) > 0:
		v, err := filewatch.Version(paths...)
		if err != nil {
			return nil, fmt.Errorf("rulesFile(s): %v (is its folder in the plugin's mounts?)", err)
		}
		zone, _, err := terraform.LoadZone(paths)
		if err != nil {
			return nil, err
		}
		file.version, file.checked = v, time.Now()
		return zone, nil
	case cfg.Rules != "":
		format := ruleset.YAML
		if t := strings.TrimSpace(cfg.Rules); strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
			format = ruleset.JSON
		}
		f, err := ruleset.Parse([]byte(cfg.Rules), format)
		if err != nil {
			return nil, fmt.Errorf("rules: %v", err)
		}
		return f.Ruleset, nil
	}
	return nil, fmt.Errorf("the configuration gives no rules: set rules, rulesFile or rulesFiles")
}

// reload reads the rules files again when one of them changed, at most
// once a second.
func reload() {
	now := time.Now()
	if len(paths) == 0 || now.Sub(file.checked) < time.Second {
		return
	}
	file.checked = now
	v, err := filewatch.Version(paths...)
	if err != nil || v == file.version {
		return
	}
	file.version = v
	zone, _, err := terraform.LoadZone(paths)
	if err == nil {
		err = mw.Load(zone)
	}
	if err != nil {
		logf(levelError, "edgerules: %s: the old rules stay: %v", strings.Join(paths, " "), err)
		return
	}
	logf(levelInfo, "edgerules: %s: rules reloaded", strings.Join(paths, " "))
}

// handleRequest is the host's entry point for each request: its result's
// low bit says whether the next handler runs.
//
//lint:ignore U1000 the host calls it, through go:wasmexport
//go:wasmexport handle_request
func handleRequest() uint64 {
	if initErr != nil {
		// A plugin that could not start refuses every request rather than
		// letting them through unchecked.
		out.reset()
		out.WriteHeader(http.StatusInternalServerError)
		return 0
	}
	reload()
	req.read()
	out.reset()
	p, passed := mw.Pass(&out, &req.r)
	if !passed {
		if !out.wrote {
			out.WriteHeader(http.StatusOK)
		}
		return 0
	}
	if p.Changes() {
		send(&p.Verdict)
	}
	if p.WaitsForResponse() {
		// The response header transforms, and the rate limiting rules that
		// count by response, read it in handle_response.
		hostEnableFeatures(featureBufferResponse)
	}
	pending = p
	return 1
}

// send makes the verdict's changes to the request the host hands on.
func send(v *nethttp.Verdict) {
	if v.PathRewritten || v.QueryRewritten {
		path, query, _ := strings.Cut(req.r.RequestURI, "?")
		if v.PathRewritten {
			path = v.Path
		}
		if v.QueryRewritten {
			query = v.Query
		}
		if query != "" {
			path += "?" + query
		}
		setURI(path)
	}
	ruleset.ApplyHeaders(headerOp{kindRequest}, v.Headers)
}

// handleResponse is called after the next handler: the response header
// transforms change its headers, which the host buffered, and the rate
// limiting rules that count by response count it.
//
//lint:ignore U1000 the host calls it, through go:wasmexport
//go:wasmexport handle_response
func handleResponse(reqCtx uint32, isError uint32) {
	p := &pending
	if isError == 0 && p.WaitsForResponse() {
		resp.read()
		p.Responded(int(hostGetStatusCode()), resp.header)
		if !cfg.DetectionOnly {
			ruleset.ApplyHeaders(headerOp{kindResponse}, p.ResponseHeaders)
		}
	}
	p.Done()
	*p = nethttp.Pass{}
}

// A request is the http.Request one instance fills for each request from
// the host, reusing its memory: strings point into the arena, which the
// response's headers share until the next request.
type request struct {
	r       http.Request
	u       url.URL
	a       arena
	headers headerReader
}

func (q *request) init() {
	q.a.buf = make([]byte, 0, 16<<10)
	q.headers = newHeaderReader(getHeaderNames, getHeaderValues)
	q.r.Header = http.Header{}
}

// read fills the request from the host.
func (q *request) read() {
	q.a.reset()
	r := &q.r
	r.Method = str(q.a.get(getMethod, ""))
	r.RequestURI = str(q.a.get(getURI, ""))
	r.Proto = str(q.a.get(getProtocolVersion, ""))
	r.ProtoMajor, r.ProtoMinor, _ = http.ParseHTTPVersion(r.Proto)
	r.RemoteAddr = str(q.a.get(getSourceAddr, ""))
	path, query, _ := strings.Cut(r.RequestURI, "?")
	q.u = url.URL{RawQuery: query}
	if unescaped, err := url.PathUnescape(path); err == nil {
		q.u.Path = unescaped
	} else {
		q.u.Path = path
	}
	r.URL = &q.u
	q.headers.read(&q.a, r.Header)
	r.Host = ""
	if host := r.Header["Host"]; len(host) > 0 {
		// As Go's server does, the Host header is the request's Host.
		r.Host = host[0]
		delete(r.Header, "Host")
	}
}

// A response is the headers of the next handler's response, read when the
// rules read or change them.
type response struct {
	header  http.Header
	headers headerReader
}

func (p *response) init() {
	p.headers = newHeaderReader(getResponseHeaderNames, getResponseHeaderValues)
	p.header = http.Header{}
}

// read fills the response's headers from the host, into the request's
// arena.
func (p *response) read() { p.headers.read(&req.a, p.header) }

// A headerReader reads the headers of one kind from the host, reusing its
// memory: header names are interned, header value slices are reused.
type headerReader struct {
	namesOf, valuesOf int                 // what the arena asks the host for
	names             map[string]string   // interned canonical header names, by name as sent
	values            map[string][]string // the value slice of each name, kept between requests
}

// maxNames bounds the interned header names, against a client sending
// endless new ones.
const maxNames = 1024

func newHeaderReader(namesOf, valuesOf int) headerReader {
	return headerReader{namesOf: namesOf, valuesOf: valuesOf, names: map[string]string{}, values: map[string][]string{}}
}

// read replaces the contents of h by the headers the host has.
func (hr *headerReader) read(a *arena, h http.Header) {
	clear(h)
	names := a.get(hr.namesOf, "")
	for len(names) > 0 {
		end := bytes.IndexByte(names, 0)
		if end < 0 {
			break
		}
		raw := names[:end]
		names = names[end+1:]
		name, ok := hr.names[string(raw)]
		if !ok {
			name = http.CanonicalHeaderKey(string(raw))
			if len(hr.names) < maxNames {
				hr.names[name] = name
				hr.names[string(raw)] = name
			}
		}
		list := a.get(hr.valuesOf, str(raw))
		vals := hr.values[name][:0]
		for len(list) > 0 {
			end := bytes.IndexByte(list, 0)
			if end < 0 {
				break
			}
			vals = append(vals, str(list[:end]))
			list = list[end+1:]
		}
		if len(hr.values) < maxNames {
			hr.values[name] = vals
		}
		h[name] = vals
	}
}

// A writer answers a request through the host instead of the next handler.
type writer struct {
	header http.Header
	wrote  bool
}

func (w *writer) reset() {
	clear(w.header)
	w.wrote = false
}

// Header returns the response's headers, sent at WriteHeader.
func (w *writer) Header() http.Header { return w.header }

// WriteHeader sends the status and headers.
func (w *writer) WriteHeader(code int) {
	if w.wrote {
		return
	}
	w.wrote = true
	for name, values := range w.header {
		for _, v := range values {
			headerOp{kindResponse}.Add(name, v)
		}
	}
	hostSetStatusCode(uint32(code))
}

// Write sends part of the body.
func (w *writer) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	if len(b) > 0 {
		hostWriteBody(kindResponse, bytesPtr(b), uint32(len(b)))
	}
	return len(b), nil
}

// logf writes a message to the host's log.
func logf(level int32, format string, args ...any) {
	if hostLogEnabled(level) == 0 {
		return
	}
	msg := fmt.Sprintf(format, args...)
	hostLog(level, strPtr(msg), uint32(len(msg)))
}

// hostLogHandler is an slog.Handler that writes to the host's log, for the
// records of matched rules.
type hostLogHandler struct{ attrs []slog.Attr }

func (hostLogHandler) Enabled(_ context.Context, l slog.Level) bool {
	return hostLogEnabled(level(l)) != 0
}

func (h hostLogHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	write := func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	}
	for _, a := range h.attrs {
		write(a)
	}
	r.Attrs(write)
	msg := b.String()
	hostLog(level(r.Level), strPtr(msg), uint32(len(msg)))
	return nil
}

func (h hostLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return hostLogHandler{append(h.attrs[:len(h.attrs):len(h.attrs)], attrs...)}
}

func (h hostLogHandler) WithGroup(string) slog.Handler { return h }

// level maps an slog level to the ABI's.
func level(l slog.Level) int32 {
	switch {
	case l < slog.LevelInfo:
		return levelDebug
	case l < slog.LevelWarn:
		return levelInfo
	case l < slog.LevelError:
		return levelWarn
	}
	return levelError
}
