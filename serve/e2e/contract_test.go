package e2e_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
	"google.golang.org/grpc"

	"github.com/edgerules/edgerules/serve"
)

// Traefik and Envoy are not packaged for Debian: these tests send the
// service requests shaped as those proxies send them, and answer the client
// as they would. TestRealTraefik and TestRealEnvoy run the real programs
// with the examples when they are on the PATH.

// A clientRequest is what a client sends the proxy.
type clientRequest struct {
	method, uri, host, peer string
	headers                 map[string]string
}

func seedRequest(path, ua, score, verified string) clientRequest {
	return clientRequest{"GET", path, "shop.example", "198.51.100.7",
		map[string]string{"User-Agent": ua, "Cf-Bot-Score": score, "Cf-Verified-Bot": verified, "Connection": "keep-alive"}}
}

// hopByHop are the headers a proxy does not pass on.
var hopByHop = []string{"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// traefikCheck is the request Traefik's forwardAuth middleware sends
// (pkg/middlewares/auth/forward.go, v3: a GET to the address with the
// client's headers less the hop-by-hop ones, and X-Forwarded-For set to the
// client's address without trustForwardHeader, X-Forwarded-Method, -Proto,
// -Host and -Uri).
func traefikCheck(t *testing.T, service string, c clientRequest) *http.Request {
	r, err := http.NewRequest("GET", "http://"+service+"/check", nil)
	require.NoError(t, err)
	for k, v := range c.headers {
		r.Header.Set(k, v)
	}
	for _, h := range hopByHop {
		r.Header.Del(h)
	}
	r.Header.Set("X-Forwarded-For", c.peer)
	r.Header.Set("X-Forwarded-Method", c.method)
	r.Header.Set("X-Forwarded-Proto", "http")
	r.Header.Set("X-Forwarded-Host", c.host)
	r.Header.Set("X-Forwarded-Uri", c.uri)
	return r
}

func TestTraefikContract(t *testing.T) {
	_, service := startService(t, rulesFile(t))
	for _, c := range seedCases {
		t.Run(c.name, func(t *testing.T) {
			resp, err := http.DefaultClient.Do(traefikCheck(t, service, seedRequest(c.path, c.ua, c.score, c.verified)))
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			// Traefik passes a 2xx on to the origin with authResponseHeaders
			// (X-Edgerules-Action, X-Edgerules-Rule), and answers the client
			// with any other answer as it is.
			assert.Equal(t, c.status, resp.StatusCode, string(body))
			assert.Equal(t, c.action, resp.Header.Get("X-Edgerules-Action"))
			assert.Equal(t, c.rule, resp.Header.Get("X-Edgerules-Rule"))
			assert.Equal(t, c.mitigated, resp.Header.Get("Cf-Mitigated"))
			if c.status != 200 {
				assert.NotEmpty(t, body, "the client gets the rule's body")
			}
		})
	}
}

// envoyFilter is the part of examples/envoy/envoy-http.yaml's ext_authz
// configuration that filters headers.
type envoyFilter struct {
	PathPrefix     string
	AllowedHeaders []matcher // to the service, beside Host, Method, Path, Content-Length, Authorization
	ClientHeaders  []matcher // from a denial to the client
}

type matcher struct{ Exact, Prefix string }

func (f envoyFilter) allowed(ms []matcher, name string) bool {
	name = strings.ToLower(name)
	for _, m := range ms {
		if (m.Exact != "" && name == m.Exact) || (m.Prefix != "" && strings.HasPrefix(name, m.Prefix)) {
			return true
		}
	}
	return false
}

// readEnvoyFilter reads the ext_authz filter of the HTTP example.
func readEnvoyFilter(t *testing.T) envoyFilter {
	b, err := os.ReadFile(filepath.Join("../../examples", "envoy/envoy-http.yaml"))
	require.NoError(t, err)
	var doc struct {
		StaticResources struct {
			Listeners []struct {
				FilterChains []struct {
					Filters []struct {
						TypedConfig struct {
							HTTPFilters []struct {
								Name        string
								TypedConfig struct {
									HTTPService struct {
										PathPrefix           string `yaml:"path_prefix"`
										AuthorizationRequest struct {
											AllowedHeaders struct{ Patterns []matcher } `yaml:"allowed_headers"`
										} `yaml:"authorization_request"`
										AuthorizationResponse struct {
											AllowedClientHeaders struct{ Patterns []matcher } `yaml:"allowed_client_headers"`
										} `yaml:"authorization_response"`
									} `yaml:"http_service"`
								} `yaml:"typed_config"`
							} `yaml:"http_filters"`
						} `yaml:"typed_config"`
					}
				} `yaml:"filter_chains"`
			}
		} `yaml:"static_resources"`
	}
	require.NoError(t, yaml.Unmarshal(b, &doc))
	for _, l := range doc.StaticResources.Listeners {
		for _, fc := range l.FilterChains {
			for _, f := range fc.Filters {
				for _, hf := range f.TypedConfig.HTTPFilters {
					if hf.Name == "envoy.filters.http.ext_authz" {
						s := hf.TypedConfig.HTTPService
						return envoyFilter{s.PathPrefix, s.AuthorizationRequest.AllowedHeaders.Patterns, s.AuthorizationResponse.AllowedClientHeaders.Patterns}
					}
				}
			}
		}
	}
	t.Fatal("no ext_authz filter in examples/envoy/envoy-http.yaml")
	return envoyFilter{}
}

// TestEnvoyHTTPContract sends the service what Envoy's ext_authz sends in
// HTTP mode with the example's configuration (ext_authz.proto,
// AuthorizationRequest: the original method, path_prefix before the
// original path, the Host, and of the other headers only those
// allowed_headers matches; X-Forwarded-For with the client appended), and
// filters a denial's headers by allowed_client_headers as Envoy does.
func TestEnvoyHTTPContract(t *testing.T) {
	f := readEnvoyFilter(t)
	require.Equal(t, "/ext_authz", f.PathPrefix)
	_, s := startServiceWith(t, f.PathPrefix, rulesFile(t))
	for _, c := range seedCases {
		t.Run(c.name, func(t *testing.T) {
			cr := seedRequest(c.path, c.ua, c.score, c.verified)
			r, err := http.NewRequest(cr.method, "http://"+s+f.PathPrefix+cr.uri, nil)
			require.NoError(t, err)
			r.Host = cr.host
			for k, v := range cr.headers {
				if f.allowed(f.AllowedHeaders, k) {
					r.Header.Set(k, v)
				}
			}
			r.Header.Set("X-Forwarded-For", cr.peer)
			resp, err := http.DefaultClient.Do(r)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, c.status, resp.StatusCode)
			assert.Equal(t, c.action, resp.Header.Get("X-Edgerules-Action"))
			if c.status != 200 {
				client := http.Header{}
				for k, v := range resp.Header {
					if f.allowed(f.ClientHeaders, k) {
						client[k] = v
					}
				}
				assert.Equal(t, c.rule, client.Get("X-Edgerules-Rule"))
				assert.Equal(t, c.mitigated, client.Get("Cf-Mitigated"))
			}
		})
	}
}

// onPath finds a program on the PATH, or skips the test: Traefik and Envoy
// are not packaged for Debian, and these tests are for machines that have
// them.
func onPath(t *testing.T, name string) string {
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not on the PATH; its contract is tested by Test*Contract", name)
	}
	return p
}

func TestRealTraefik(t *testing.T) {
	traefik := onPath(t, "traefik")
	_, service := startService(t, rulesFile(t))
	o := startOrigin(t)
	dir, proxy := proxyDir(t), freeAddr(t)
	for _, name := range []string{"traefik.yaml", "dynamic.yaml"} {
		text := example(t, "traefik/"+name, exampleService, service, exampleOrigin, o.addr, exampleProxy, proxy)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	startProxy(t, dir, proxy, nil, traefik, "--configFile="+filepath.Join(dir, "traefik.yaml"))
	checkSeed(t, proxy, o)
}

func TestRealEnvoy(t *testing.T) {
	envoy := onPath(t, "envoy")
	for _, mode := range []string{"http", "grpc"} {
		t.Run(mode, func(t *testing.T) {
			s, httpAddr := startServiceWith(t, "/ext_authz", rulesFile(t))
			grpcAddr := startGRPC(t, s)
			o := startOrigin(t)
			dir, proxy := proxyDir(t), freeAddr(t)
			text := example(t, "envoy/envoy-"+mode+".yaml", exampleOrigin, o.addr, exampleProxy, proxy)
			text = envoyPorts(text, httpAddr, grpcAddr, o.addr, proxy)
			conf := filepath.Join(dir, "envoy.yaml")
			require.NoError(t, os.WriteFile(conf, []byte(text), 0o644))
			startProxy(t, dir, proxy, nil, envoy, "-c", conf, "--base-id", fmt.Sprint(os.Getpid()%1000))
			checkSeed(t, proxy, o)
		})
	}
}

// envoyPorts puts the test's ports in an Envoy example, whose addresses
// are socket_address blocks.
func envoyPorts(text, service, grpcService, origin, proxy string) string {
	port := func(addr string) string { _, p, _ := net.SplitHostPort(addr); return p }
	return strings.NewReplacer(
		"http://"+exampleService, "http://"+service,
		"port_value: 9900 }", "port_value: "+port(service)+" }",
		"port_value: 9901 }", "port_value: "+port(grpcService)+" }",
		"port_value: 8080 }", "port_value: "+port(origin)+" }",
		"port_value: 8000 }", "port_value: "+port(proxy)+" }",
	).Replace(text)
}

// startGRPC serves s's ext_authz on a free loopback port until the test
// ends.
func startGRPC(t *testing.T, s *serve.Service) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	g := grpc.NewServer()
	s.RegisterGRPC(g)
	go func() { _ = g.Serve(ln) }()
	t.Cleanup(g.Stop)
	return ln.Addr().String()
}
