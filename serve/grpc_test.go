package serve_test

import (
	"context"
	"net"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	authv3 "github.com/envoyproxy/go-control-plane/envoy/service/auth/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/edgerules/edgerules/serve"
)

// grpcClient serves s over gRPC on loopback and returns a client of it.
func grpcClient(t testing.TB, s *serve.Service) authv3.AuthorizationClient {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	g := grpc.NewServer()
	s.RegisterGRPC(g)
	go func() { _ = g.Serve(ln) }()
	t.Cleanup(g.Stop)
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return authv3.NewAuthorizationClient(conn)
}

// envoyCheck is a CheckRequest shaped as Envoy's ext_authz filter builds
// it (source/extensions/filters/common/ext_authz/check_request_utils.cc):
// the downstream peer as the source, the path with its query, the
// authority as host, and every header lowercase, pseudo-headers included.
func envoyCheck(path string, headers map[string]string) *authv3.CheckRequest {
	h := map[string]string{":authority": "shop.example", ":method": "GET", ":path": path, ":scheme": "https"}
	for k, v := range headers {
		h[k] = v
	}
	return &authv3.CheckRequest{Attributes: &authv3.AttributeContext{
		Source: &authv3.AttributeContext_Peer{Address: &corev3.Address{Address: &corev3.Address_SocketAddress{
			SocketAddress: &corev3.SocketAddress{Address: "127.0.0.1", PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: 41000}}}}},
		Request: &authv3.AttributeContext_Request{Http: &authv3.AttributeContext_HttpRequest{
			Method: "GET", Path: path, Host: "shop.example", Scheme: "https", Protocol: "HTTP/1.1", Headers: h,
		}},
	}}
}

func TestGRPCSeed(t *testing.T) {
	s, _ := newService(t, serve.Options{Rules: []string{seedRules}, TrustedProxies: loopback})
	client := grpcClient(t, s)
	for _, c := range seedCases {
		t.Run(c.name, func(t *testing.T) {
			resp, err := client.Check(context.Background(), envoyCheck(c.path+"?ref=x", map[string]string{
				"user-agent": c.ua, "cf-bot-score": c.score, "cf-verified-bot": c.verified}))
			require.NoError(t, err)
			headers := map[string]string{}
			if c.status == 200 {
				assert.Equal(t, int32(codes.OK), resp.GetStatus().GetCode())
				for _, h := range resp.GetOkResponse().GetHeaders() {
					headers[h.GetHeader().GetKey()] = h.GetHeader().GetValue()
					assert.Equal(t, corev3.HeaderValueOption_OVERWRITE_IF_EXISTS_OR_ADD, h.GetAppendAction(), "the client's own header is replaced")
				}
			} else {
				assert.Equal(t, int32(codes.PermissionDenied), resp.GetStatus().GetCode())
				denied := resp.GetDeniedResponse()
				assert.Equal(t, c.status, int(denied.GetStatus().GetCode()))
				assert.NotEmpty(t, denied.GetBody())
				for _, h := range denied.GetHeaders() {
					headers[h.GetHeader().GetKey()] = h.GetHeader().GetValue()
				}
			}
			assert.Equal(t, c.action, headers[serve.HeaderAction])
			assert.Equal(t, c.rule, headers[serve.HeaderRule])
			assert.Equal(t, c.mitigated, headers["Cf-Mitigated"])
		})
	}
}

// TestGRPCSource: the source address is the client only when the caller
// (Envoy) is a trusted proxy.
func TestGRPCSource(t *testing.T) {
	path := writeRules(t, `[{"ref": "peer", "expression": "ip.src eq 127.0.0.1", "action": "block"}]`)
	for _, trusted := range []bool{true, false} {
		opts := serve.Options{Rules: []string{path}}
		if trusted {
			opts.TrustedProxies = loopback
		}
		s, _ := newService(t, opts)
		req := envoyCheck("/", nil)
		req.Attributes.Source.Address.GetSocketAddress().Address = "198.51.100.7"
		resp, err := grpcClient(t, s).Check(context.Background(), req)
		require.NoError(t, err)
		// Trusted: the client is 198.51.100.7; not: the caller, 127.0.0.1.
		assert.Equal(t, map[bool]codes.Code{true: codes.OK, false: codes.PermissionDenied}[trusted], codes.Code(resp.GetStatus().GetCode()))
	}
}

func TestGRPCOnError(t *testing.T) {
	for _, deny := range []bool{false, true} {
		s, log := newService(t, serve.Options{Rules: []string{seedRules}, DenyOnError: deny})
		client := grpcClient(t, s)
		for _, req := range []*authv3.CheckRequest{{}, envoyCheck("no-slash", nil)} {
			resp, err := client.Check(context.Background(), req)
			require.NoError(t, err)
			want := map[bool]codes.Code{false: codes.OK, true: codes.PermissionDenied}[deny]
			assert.Equal(t, want, codes.Code(resp.GetStatus().GetCode()))
			var headers []*corev3.HeaderValueOption
			if deny {
				headers = resp.GetDeniedResponse().GetHeaders()
			} else {
				headers = resp.GetOkResponse().GetHeaders()
			}
			found := map[string]string{}
			for _, h := range headers {
				found[h.GetHeader().GetKey()] = h.GetHeader().GetValue()
			}
			assert.Equal(t, "error", found[serve.HeaderAction])
			assert.NotEmpty(t, found[serve.HeaderError])
		}
		assert.Contains(t, log.String(), "the CheckRequest has no attributes.request.http")
		assert.Contains(t, log.String(), `the original path \"no-slash\" is not a path with an optional query`)
	}
}
