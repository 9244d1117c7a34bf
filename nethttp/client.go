package nethttp

import (
	"net/http"
	"net/netip"
	"strings"
)

// clientIP returns the client's address: the immediate peer's, or, when
// the peer is a trusted proxy, the nearest address in X-Forwarded-For (or
// Forwarded) that is not a trusted proxy; or what Options.ClientAddr
// says. It is worked out once a request.
func (q *request) clientIP() netip.Addr {
	if q.clientDone {
		return q.client
	}
	q.clientDone = true
	if q.cfg.clientAddr != nil {
		q.client, q.trusted = q.cfg.clientAddr(q.r)
		q.peerDone = true
		return q.client
	}
	q.client = q.peerAddr()
	if !q.trusted {
		return q.client
	}
	hops := forwarded(q.r.Header)
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHost(hops[i])
		if !ok {
			break // what a hop we cannot read claims is not to be trusted
		}
		q.client = a
		if !q.cfg.trusted(a) {
			break
		}
	}
	return q.client
}

// peerAddr returns the immediate peer's address and notes whether it is a
// trusted proxy.
func (q *request) peerAddr() netip.Addr {
	if !q.peerDone {
		q.peerDone = true
		var ok bool
		q.peer, ok = parseHost(q.r.RemoteAddr)
		q.trusted = ok && q.cfg.trusted(q.peer)
	}
	return q.peer
}

// trustedHop reports whether the request came through a trusted proxy.
func (q *request) trustedHop() bool {
	if q.cfg.clientAddr != nil {
		q.clientIP()
	} else {
		q.peerAddr()
	}
	return q.trusted
}

// forwarded lists the addresses of the forwarding chain, the client first:
// from the Forwarded header's for= parameters if it has any, otherwise
// from X-Forwarded-For.
func forwarded(h http.Header) []string {
	var hops []string
	for _, line := range h["Forwarded"] {
		for elem := range strings.SplitSeq(line, ",") {
			for pair := range strings.SplitSeq(elem, ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(pair), "=")
				if strings.EqualFold(k, "for") {
					hops = append(hops, strings.Trim(v, `"`))
				}
			}
		}
	}
	if len(hops) > 0 {
		return hops
	}
	for _, line := range h["X-Forwarded-For"] {
		for hop := range strings.SplitSeq(line, ",") {
			hops = append(hops, strings.TrimSpace(hop))
		}
	}
	return hops
}

// parseHost reads an address with or without a port: 192.0.2.1,
// 192.0.2.1:80, 2001:db8::1, [2001:db8::1]:443, [fe80::1%eth0]; a zone is dropped.
func parseHost(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().WithZone("").Unmap(), true
	}
	a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	if err != nil {
		return netip.Addr{}, false
	}
	return a.WithZone("").Unmap(), true
}
