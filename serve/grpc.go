package serve

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	authv3 "github.com/envoyproxy/go-control-plane/envoy/service/auth/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	rpcstatus "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"
)

// RegisterGRPC registers the service as Envoy's ext_authz
// envoy.service.auth.v3.Authorization on g.
func (s *Service) RegisterGRPC(g *grpc.Server) {
	authv3.RegisterAuthorizationServer(g, authorization{s})
}

// authorization answers envoy.service.auth.v3.Authorization/Check.
type authorization struct{ s *Service }

// Check decides for the request Envoy describes: OK to let it through,
// with the decision headers added to the upstream request and the changes
// of the zone's request header transforms and query rewrites made, or
// PERMISSION_DENIED with the answer the rule gives (status, headers,
// body) for Envoy to send to the client.
func (a authorization) Check(ctx context.Context, req *authv3.CheckRequest) (*authv3.CheckResponse, error) {
	s := a.s
	start := time.Now()
	defer s.metrics.observe(s.metrics.grpcLatency, start)
	callerAddr := ""
	if p, ok := peer.FromContext(ctx); ok {
		callerAddr = p.Addr.String()
	}
	r, err := s.requestOf(ctx, req, callerAddr)
	if err != nil {
		s.unreadable(ctx, "grpc", callerAddr, err)
		errorHeaders := http.Header{}
		setErrorHeaders(errorHeaders, err)
		h := headerOptions(errorHeaders)
		if s.opts.DenyOnError {
			return denied(http.StatusForbidden, h, "Forbidden\n"), nil
		}
		return allowed(h), nil
	}
	v := s.rules.Decide(r)
	rec := newRecorder()
	setDecisionHeaders(rec.header, v)
	if !v.Respond(rec, r) {
		resp := allowed(headerOptions(rec.header))
		s.applyUpstream(resp.GetOkResponse(), r, v)
		return resp, nil
	}
	return denied(rec.status, headerOptions(rec.header), rec.body.String()), nil
}

// requestOf builds the request Envoy describes. Its peer is the client
// address Envoy saw when the caller is a trusted proxy, else the caller.
func (s *Service) requestOf(ctx context.Context, req *authv3.CheckRequest, callerAddr string) (*http.Request, error) {
	h := req.GetAttributes().GetRequest().GetHttp()
	if h == nil {
		return nil, errors.New("the CheckRequest has no attributes.request.http")
	}
	if h.GetMethod() == "" {
		return nil, errors.New("the CheckRequest has no method")
	}
	u, err := url.ParseRequestURI(h.GetPath())
	if err != nil || !strings.HasPrefix(h.GetPath(), "/") {
		return nil, fmt.Errorf("the original path %q is not a path with an optional query", h.GetPath())
	}
	r, err := http.NewRequestWithContext(ctx, h.GetMethod(), "/", nil)
	if err != nil {
		return nil, fmt.Errorf("the original method %q is not an HTTP method", h.GetMethod())
	}
	r.URL, r.RequestURI, r.Host = u, h.GetPath(), h.GetHost()
	if major, minor, ok := http.ParseHTTPVersion(h.GetProtocol()); ok {
		r.Proto, r.ProtoMajor, r.ProtoMinor = h.GetProtocol(), major, minor
	}
	if h.GetScheme() == "https" {
		r.TLS = &tls.ConnectionState{}
	}
	for k, v := range h.GetHeaders() {
		addHeader(r.Header, k, v)
	}
	for _, hv := range h.GetHeaderMap().GetHeaders() {
		v := hv.GetValue()
		if v == "" {
			v = string(hv.GetRawValue())
		}
		addHeader(r.Header, hv.GetKey(), v)
	}
	r.RemoteAddr = callerAddr
	if a, ok := addrOf(callerAddr); ok && s.trusted(a) {
		sa := req.GetAttributes().GetSource().GetAddress().GetSocketAddress()
		if src, err := netip.ParseAddr(sa.GetAddress()); err == nil {
			r.RemoteAddr = netip.AddrPortFrom(src, uint16(sa.GetPortValue())).String()
		}
	}
	return r, nil
}

// addHeader adds a header Envoy sent, lowercase, under its canonical name;
// pseudo-headers (:path, :authority) are not headers of the request.
func addHeader(h http.Header, k, v string) {
	if strings.HasPrefix(k, ":") {
		return
	}
	k = http.CanonicalHeaderKey(k)
	h[k] = append(h[k], v)
}

func addrOf(hostport string) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(host)
	return a.Unmap(), err == nil
}

// header sets a header, replacing what the client sent under its name:
// a client cannot pass the origin an X-Edgerules-Action of its own.
func header(k, v string) *corev3.HeaderValueOption {
	return &corev3.HeaderValueOption{Header: &corev3.HeaderValue{Key: k, Value: v},
		AppendAction: corev3.HeaderValueOption_OVERWRITE_IF_EXISTS_OR_ADD}
}

func headerOptions(h http.Header) []*corev3.HeaderValueOption {
	var out []*corev3.HeaderValueOption
	for k, vs := range h {
		for _, v := range vs {
			out = append(out, header(k, v))
		}
	}
	return out
}

func allowed(h []*corev3.HeaderValueOption) *authv3.CheckResponse {
	return &authv3.CheckResponse{
		Status:       &rpcstatus.Status{Code: int32(codes.OK)},
		HttpResponse: &authv3.CheckResponse_OkResponse{OkResponse: &authv3.OkHttpResponse{Headers: h}},
	}
}

func denied(status int, h []*corev3.HeaderValueOption, body string) *authv3.CheckResponse {
	return &authv3.CheckResponse{
		Status: &rpcstatus.Status{Code: int32(codes.PermissionDenied)},
		HttpResponse: &authv3.CheckResponse_DeniedResponse{DeniedResponse: &authv3.DeniedHttpResponse{
			Status:  &typev3.HttpStatus{Code: typev3.StatusCode(status)},
			Headers: h,
			Body:    body,
		}},
	}
}

// A recorder keeps what a verdict answers, for Envoy to send.
type recorder struct {
	header http.Header
	status int
	body   strings.Builder
}

func newRecorder() *recorder { return &recorder{header: http.Header{}, status: http.StatusOK} }

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(status int)      { r.status = status }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

var _ http.ResponseWriter = (*recorder)(nil)
