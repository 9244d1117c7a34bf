package nethttp

import (
	"cmp"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Original rebuilds the request a proxy asks about from the request the
// proxy sends to a forward-auth service, by the convention of the proxy
// that sent it:
//
//   - nginx's auth_request: X-Original-URI, X-Original-Method and X-Real-IP
//     (the address nginx saw, which becomes the last hop of
//     X-Forwarded-For);
//   - Traefik's forwardAuth and Caddy's forward_auth: X-Forwarded-Uri and
//     X-Forwarded-Method;
//   - Envoy's ext_authz in HTTP mode, which sends the original method and
//     path after its path_prefix: the method and path of r itself, less
//     envoyPrefix, when envoyPrefix is not empty and r's path starts with
//     it.
//
// The host comes from X-Forwarded-Host, else r's Host; the scheme from
// X-Forwarded-Proto (https makes the request a TLS one). The method is r's
// when no header names it. The other headers are r's, so the client's
// headers must reach the service; which forwarding headers are believed
// (X-Forwarded-For, bot headers) is the Middleware's TrustedProxies'
// business, with r's RemoteAddr as the immediate peer.
//
// A request that follows none of these conventions, or whose headers do
// not read as a method, a request URI, a host or an address, is an error:
// the service decides what to answer for it.
func Original(r *http.Request, envoyPrefix string) (*http.Request, error) {
	method := r.Method
	var uri string
	h := r.Header
	realIP := first(h, "X-Real-Ip")
	switch {
	case h["X-Original-Uri"] != nil:
		uri = first(h, "X-Original-Uri")
		method = cmp.Or(first(h, "X-Original-Method"), method)
	case h["X-Forwarded-Uri"] != nil:
		uri = first(h, "X-Forwarded-Uri")
		method = cmp.Or(first(h, "X-Forwarded-Method"), method)
		realIP = "" // Traefik and Caddy append the client to X-Forwarded-For
	case envoyPrefix != "" && underPrefix(r.RequestURI, envoyPrefix):
		uri = strings.TrimPrefix(r.RequestURI, strings.TrimSuffix(envoyPrefix, "/"))
		if uri == "" || uri[0] == '?' {
			uri = "/" + uri
		}
		realIP = ""
	default:
		return nil, errors.New("no X-Original-URI or X-Forwarded-Uri header, and the path is not under the Envoy prefix")
	}
	if !isToken(method) {
		return nil, fmt.Errorf("the original method %q is not an HTTP method", method)
	}
	u, err := url.ParseRequestURI(uri)
	if err != nil || !strings.HasPrefix(uri, "/") {
		return nil, fmt.Errorf("the original URI %q is not a path with an optional query", uri)
	}
	host := cmp.Or(first(h, "X-Forwarded-Host"), r.Host)
	if strings.ContainsFunc(host, func(c rune) bool { return c <= ' ' || c == 0x7f }) {
		return nil, fmt.Errorf("the original host %q holds spaces or control characters", host)
	}
	o := *r
	o.Method, o.RequestURI, o.URL, o.Host = method, uri, u, host
	switch proto := strings.ToLower(first(h, "X-Forwarded-Proto")); proto {
	case "https":
		o.TLS = &tls.ConnectionState{}
	case "", "http":
		o.TLS = nil
	default:
		return nil, fmt.Errorf("the original scheme %q is neither http nor https", proto)
	}
	if realIP != "" {
		if _, ok := parseHost(realIP); !ok {
			return nil, fmt.Errorf("X-Real-IP %q is not an address", realIP)
		}
		o.Header = h.Clone()
		o.Header["X-Forwarded-For"] = append(o.Header["X-Forwarded-For"], realIP)
	}
	return &o, nil
}

// underPrefix reports whether a request URI lies under a path prefix:
// /check/a and /check?q are under /check (and /check/), /checkout is not.
func underPrefix(uri, prefix string) bool {
	rest, ok := strings.CutPrefix(uri, strings.TrimSuffix(prefix, "/"))
	return ok && (rest == "" || rest[0] == '/' || rest[0] == '?')
}

// isToken reports whether s is an RFC 9110 token, as a method must be.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}
