package serve

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"google.golang.org/grpc"
)

// Listeners are where a service answers; a nil one is not served.
type Listeners struct {
	HTTP    net.Listener // forward-auth
	GRPC    net.Listener // Envoy's ext_authz
	Metrics net.Listener // Prometheus, at /metrics
}

// Close closes the listeners that are open, for a caller that does not
// run them.
func (l Listeners) Close() {
	for _, ln := range []net.Listener{l.HTTP, l.GRPC, l.Metrics} {
		if ln != nil {
			ln.Close()
		}
	}
}

// ShutdownGrace is how long Run lets requests under way finish once its
// context is done.
const ShutdownGrace = 10 * time.Second

// Run serves on the listeners until ctx is done, then stops taking
// connections and lets the requests under way finish, for ShutdownGrace at
// most. It returns the first error a server stopped with, or nil after a
// shutdown.
func (s *Service) Run(ctx context.Context, ls Listeners) error {
	var servers []*http.Server
	errs := make(chan error, 3)
	serveHTTP := func(ln net.Listener, h http.Handler) {
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
		servers = append(servers, srv)
		go func() {
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				errs <- err
			}
		}()
	}
	if ls.HTTP != nil {
		serveHTTP(ls.HTTP, s)
	}
	if ls.Metrics != nil {
		mux := http.NewServeMux()
		mux.Handle("/metrics", s.Handler())
		serveHTTP(ls.Metrics, mux)
	}
	var g *grpc.Server
	if ls.GRPC != nil {
		g = grpc.NewServer()
		s.RegisterGRPC(g)
		go func() {
			if err := g.Serve(ls.GRPC); err != nil {
				errs <- err
			}
		}()
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-errs:
	}
	s.log.Info("edgerules: shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
	defer cancel()
	for _, srv := range servers {
		_ = srv.Shutdown(shutdownCtx)
	}
	if g != nil {
		stopped := make(chan struct{})
		go func() { g.GracefulStop(); close(stopped) }()
		select {
		case <-stopped:
		case <-shutdownCtx.Done():
			g.Stop()
		}
	}
	return err
}
