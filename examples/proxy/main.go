// Command proxy is a reverse proxy that applies a ruleset to every request
// before it reaches the upstream:
//
//	go run ./examples/proxy -listen 127.0.0.1:8080 -upstream http://127.0.0.1:9000 \
//	    -rules examples/rules/bot-management.json [-trusted-proxies 10.0.0.0/8,192.0.2.1/32] \
//	    [-detection-only] [-metrics 127.0.0.1:9090]
//
// It reloads the rules file on SIGHUP; a file that does not compile is
// refused and the rules in force stay. With -metrics it serves its counters
// as expvar JSON at /debug/vars.
package main

import (
	"context"
	"errors"
	"expvar"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/edgerules/edgerules/nethttp"
	"github.com/edgerules/edgerules/ruleset"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "proxy:", err)
		os.Exit(2)
	}
}

// config is what the flags say.
type config struct {
	listen, upstream, rules, metrics string
	trusted                          []netip.Prefix
	detectionOnly                    bool
}

func parseFlags(args []string) (config, error) {
	var c config
	var trusted string
	fl := flag.NewFlagSet("proxy", flag.ContinueOnError)
	fl.StringVar(&c.listen, "listen", "127.0.0.1:8080", "address to serve on")
	fl.StringVar(&c.upstream, "upstream", "", "URL of the server to forward to")
	fl.StringVar(&c.rules, "rules", "", "ruleset file (.json, .yaml, .yml)")
	fl.StringVar(&trusted, "trusted-proxies", "", "comma-separated CIDRs whose forwarding and bot headers are believed")
	fl.BoolVar(&c.detectionOnly, "detection-only", false, "log what the rules decide and block nothing")
	fl.StringVar(&c.metrics, "metrics", "", "address to serve the counters on, at /debug/vars")
	if err := fl.Parse(args); err != nil {
		return c, err
	}
	if c.upstream == "" || c.rules == "" {
		return c, errors.New("-upstream and -rules are required")
	}
	for cidr := range strings.SplitSeq(trusted, ",") {
		if cidr = strings.TrimSpace(cidr); cidr == "" {
			continue
		}
		p, err := netip.ParsePrefix(cidr)
		if err != nil {
			return c, fmt.Errorf("-trusted-proxies: %v", err)
		}
		c.trusted = append(c.trusted, p.Masked())
	}
	return c, nil
}

// A proxy forwards requests that its rules let through.
type proxy struct {
	rulesPath string
	rules     *nethttp.Middleware
	handler   http.Handler
	logger    *slog.Logger
}

func newProxy(c config, logger *slog.Logger) (*proxy, error) {
	upstream, err := url.Parse(c.upstream)
	if err != nil || upstream.Scheme == "" || upstream.Host == "" {
		return nil, fmt.Errorf("-upstream %q is not a URL such as http://127.0.0.1:9000", c.upstream)
	}
	file, err := ruleset.Load(c.rules)
	if err != nil {
		return nil, err
	}
	mw, err := nethttp.New(file.Ruleset, nethttp.Options{
		TrustedProxies: c.trusted,
		DetectionOnly:  c.detectionOnly,
		Logger:         logger,
	})
	if err != nil {
		return nil, err
	}
	rp := httputil.NewSingleHostReverseProxy(upstream)
	rp.Transport = upstreamTransport()
	return &proxy{rulesPath: c.rules, rules: mw, handler: mw.Wrap(rp), logger: logger}, nil
}

// upstreamTransport keeps enough idle connections to the upstream for the
// clients the proxy serves at once. The standard transport keeps two: with
// more concurrent requests, it closes the others after each one and opens
// new ones, slow, and leaving sockets in TIME_WAIT.
func upstreamTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = 512, 512
	return t
}

// reload reads the rules file again; the rules in force stay if it fails.
func (p *proxy) reload() error {
	file, err := ruleset.Load(p.rulesPath)
	if err == nil {
		err = p.rules.Load(file.Ruleset)
	}
	if err != nil {
		p.logger.Error("proxy: rules not reloaded; the previous rules stay", "file", p.rulesPath, "error", err)
		return err
	}
	p.logger.Info("proxy: rules reloaded", "file", p.rulesPath, "rules", len(file.Rules))
	return nil
}

func run(args []string) error {
	c, err := parseFlags(args)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	p, err := newProxy(c, logger)
	if err != nil {
		return err
	}
	if c.metrics != "" {
		expvar.Publish("edgerules", p.rules.Var())
		go func() { logger.Error("proxy: metrics", "error", http.ListenAndServe(c.metrics, expvar.Handler())) }()
	}
	server := &http.Server{Addr: c.listen, Handler: p.handler, ReadHeaderTimeout: 10 * time.Second}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		for s := range signals {
			if s == syscall.SIGHUP {
				_ = p.reload()
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			_ = server.Shutdown(ctx)
			cancel()
			return
		}
	}()
	logger.Info("proxy: serving", "listen", c.listen, "upstream", c.upstream, "rules", c.rules)
	if err := server.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
