//go:build wasip1

// Command guest is edgerules as a Traefik plugin: a WebAssembly module for
// the http-wasm handler ABI that Traefik's WASM plugins use, built with
// standard Go:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o plugin.wasm ./guest
//
// The middleware's configuration (Traefik's dynamic configuration of the
// plugin, as JSON) gives the rules inline or as a file, the trusted proxies
// and detection-only mode. The rules compile once per instance, when the
// host starts it; each request is then read into a request the instance
// keeps, evaluated by package nethttp's middleware, and answered or passed
// on, without allocating on the way of a request no rule matches.
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
	"os"
	"strings"
	"time"

	"github.com/edgerules/edgerules/nethttp"
	"github.com/edgerules/edgerules/ruleset"
)

// Config is the plugin's configuration.
type Config struct {
	// Rules is a ruleset written inline, in JSON or YAML.
	Rules string `json:"rules"`
	// RulesFile is a ruleset file the plugin reads (in a folder Traefik
	// mounts for it); it is read again when it changes, at most once a
	// second, and a file that does not compile keeps the old rules.
	RulesFile string `json:"rulesFile"`
	// TrustedProxies are the networks whose X-Forwarded-For and bot headers
	// are believed.
	TrustedProxies []string `json:"trustedProxies"`
	// DetectionOnly logs what the rules decide and lets every request
	// through.
	DetectionOnly bool `json:"detectionOnly"`
}

// The plugin's state: one instance serves one request at a time.
var (
	mw      *nethttp.Middleware
	handler http.Handler
	cfg     Config
	file    struct {
		mod     time.Time
		checked time.Time
	}
	req     request
	out     writer
	passed  bool // the rules let the request through to the next handler
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
	handler = mw.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { passed = true }))
	req.init()
	out.header = http.Header{}
	return nil
}

// loadRules reads the ruleset the configuration names.
func loadRules() (*ruleset.Ruleset, error) {
	switch {
	case cfg.Rules != "" && cfg.RulesFile != "":
		return nil, fmt.Errorf("give rules or rulesFile, not both")
	case cfg.RulesFile != "":
		info, err := os.Stat(cfg.RulesFile)
		if err != nil {
			return nil, fmt.Errorf("rulesFile: %v (is its folder in the plugin's mounts?)", err)
		}
		f, err := ruleset.Load(cfg.RulesFile)
		if err != nil {
			return nil, err
		}
		file.mod, file.checked = info.ModTime(), time.Now()
		return f.Ruleset, nil
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
	return nil, fmt.Errorf("the configuration gives no rules: set rules or rulesFile")
}

// reload reads the rules file again when it changed, at most once a second.
func reload() {
	now := time.Now()
	if cfg.RulesFile == "" || now.Sub(file.checked) < time.Second {
		return
	}
	file.checked = now
	info, err := os.Stat(cfg.RulesFile)
	if err != nil || info.ModTime().Equal(file.mod) {
		return
	}
	file.mod = info.ModTime()
	f, err := ruleset.Load(cfg.RulesFile)
	if err == nil {
		err = mw.Load(f.Ruleset)
	}
	if err != nil {
		logf(levelError, "edgerules: %s: the old rules stay: %v", cfg.RulesFile, err)
		return
	}
	logf(levelInfo, "edgerules: %s: rules reloaded", cfg.RulesFile)
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
	passed = false
	handler.ServeHTTP(&out, &req.r)
	if passed {
		return 1
	}
	if !out.wrote {
		out.WriteHeader(http.StatusOK)
	}
	return 0
}

// handleResponse is called after the next handler; the plugin has nothing
// to do there.
//
//lint:ignore U1000 the host calls it, through go:wasmexport
//go:wasmexport handle_response
func handleResponse(reqCtx uint32, isError uint32) {}

// A request is the http.Request one instance fills for each request from
// the host, reusing its memory: strings point into the arena, header names
// are interned, header value slices are reused.
type request struct {
	r      http.Request
	u      url.URL
	a      arena
	names  map[string]string   // interned canonical header names, by name as sent
	values map[string][]string // the value slice of each name, kept between requests
}

// maxNames bounds the interned header names, against a client sending
// endless new ones.
const maxNames = 1024

func (q *request) init() {
	q.a.buf = make([]byte, 0, 16<<10)
	q.names = map[string]string{}
	q.values = map[string][]string{}
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
	clear(r.Header)
	r.Host = ""
	names := q.a.get(getHeaderNames, "")
	for len(names) > 0 {
		end := bytes.IndexByte(names, 0)
		if end < 0 {
			break
		}
		raw := names[:end]
		names = names[end+1:]
		name, ok := q.names[string(raw)]
		if !ok {
			name = http.CanonicalHeaderKey(string(raw))
			if len(q.names) < maxNames {
				q.names[name] = name
				q.names[string(raw)] = name
			}
		}
		list := q.a.get(getHeaderValues, str(raw))
		if name == "Host" {
			// As Go's server does, the Host header is the request's Host.
			end := bytes.IndexByte(list, 0)
			r.Host = str(list[:max(end, 0)])
			continue
		}
		vals := q.values[name][:0]
		for len(list) > 0 {
			end := bytes.IndexByte(list, 0)
			if end < 0 {
				break
			}
			vals = append(vals, str(list[:end]))
			list = list[end+1:]
		}
		if len(q.values) < maxNames {
			q.values[name] = vals
		}
		r.Header[name] = vals
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
			hostAddHeaderValue(kindResponse, strPtr(name), uint32(len(name)), strPtr(v), uint32(len(v)))
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
