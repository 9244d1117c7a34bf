package serve_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	authv3 "github.com/envoyproxy/go-control-plane/envoy/service/auth/v3"

	"github.com/stretchr/testify/require"

	"github.com/edgerules/edgerules/serve"
)

// benchService serves the seed's rules on loopback, logging nowhere, and
// returns the service and the address of its HTTP endpoint.
func benchService(b *testing.B) (*serve.Service, string) {
	s, err := serve.New(serve.Options{Rules: []string{seedRules}, TrustedProxies: loopback, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(b, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx, serve.Listeners{HTTP: ln}) }()
	b.Cleanup(func() { cancel(); <-done })
	return s, ln.Addr().String()
}

// decisions are the requests a benchmark sends in turn: a human and a
// likely bot on a browser path, as nginx asks about them.
var decisions = []map[string]string{
	{"X-Original-Uri": "/products", "X-Real-Ip": "198.51.100.7", "User-Agent": "Mozilla/5.0", "Cf-Bot-Score": "95"},
	{"X-Original-Uri": "/products", "X-Real-Ip": "198.51.100.7", "User-Agent": "Mozilla/5.0", "Cf-Bot-Score": "12"},
}

// BenchmarkDecisionHTTP is one decision over HTTP/1.1 keep-alive on
// loopback, client and service in one process: sequentially (latency) and
// from parallel clients (throughput). The floor beside it is the same
// requests answered by an empty net/http handler: what the network and
// net/http cost on this machine without a decision.
func BenchmarkDecisionHTTP(b *testing.B) {
	_, addr := benchService(b)
	benchHTTP(b, addr)
	b.Run("floor", func(b *testing.B) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(b, err)
		empty := &http.Server{Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})}
		go func() { _ = empty.Serve(ln) }()
		b.Cleanup(func() { _ = empty.Close() })
		benchHTTP(b, ln.Addr().String())
	})
}

// benchHTTP sends the decisions' requests to addr.
func benchHTTP(b *testing.B, addr string) {
	send := func(b *testing.B, client *http.Client, i int) {
		req, _ := http.NewRequest("GET", "http://"+addr+"/check", nil)
		for k, v := range decisions[i%len(decisions)] {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	b.Run("sequential", func(b *testing.B) {
		client := &http.Client{Transport: &http.Transport{}}
		i := 0
		for b.Loop() {
			send(b, client, i)
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				send(b, client, i)
				i++
			}
		})
	})
}

// BenchmarkDecisionGRPC is one Envoy Check over gRPC on loopback.
func BenchmarkDecisionGRPC(b *testing.B) {
	s, _ := benchService(b)
	client := grpcClient(b, s)
	checks := []*authv3.CheckRequest{
		envoyCheck("/products", map[string]string{"user-agent": "Mozilla/5.0", "cf-bot-score": "95"}),
		envoyCheck("/products", map[string]string{"user-agent": "Mozilla/5.0", "cf-bot-score": "12"}),
	}
	b.Run("sequential", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if _, err := client.Check(context.Background(), checks[i%len(checks)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, err := client.Check(context.Background(), checks[i%len(checks)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	})
}

// BenchmarkServeHTTP is one decision without the network: what the
// service itself costs.
func BenchmarkServeHTTP(b *testing.B) {
	s, _ := benchService(b)
	reqs := make([]*http.Request, len(decisions))
	for i, h := range decisions {
		reqs[i] = httptest.NewRequest("GET", "/check", nil)
		reqs[i].RemoteAddr = "127.0.0.1:50000"
		for k, v := range h {
			reqs[i].Header.Set(k, v)
		}
	}
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		clear(w.h)
		s.ServeHTTP(w, reqs[i%len(reqs)])
		i++
	}
}

// discardWriter is a ResponseWriter that keeps only its headers.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}
