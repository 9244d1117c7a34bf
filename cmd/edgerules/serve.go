package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/edgerules/edgerules/internal/sources"
	"github.com/edgerules/edgerules/nethttp"
	"github.com/edgerules/edgerules/serve"
)

// serveCommand runs the decision service until SIGINT or SIGTERM; SIGHUP
// reloads the rules, as does a change of one of their files.
func serveCommand(args []string, s streams) int {
	fl := newFlags("serve", s)
	var rules []string
	fl.Func("rules", "a ruleset `file` (.json, .yaml, .yml, a Terraform file's every ruleset, PATH#ADDRESS for one) or a folder of them; repeat it for a zone of several phases, one ruleset per phase", func(v string) error {
		rules = append(rules, v)
		return nil
	})
	varFiles := varFileFlag(fl)
	listen := fl.String("listen", "127.0.0.1:9900", "address of the HTTP forward-auth endpoint (any path); empty for none")
	grpcAddr := fl.String("grpc", "", "address of Envoy's gRPC ext_authz (envoy.service.auth.v3.Authorization)")
	metricsAddr := fl.String("metrics", "", "address to serve Prometheus metrics on, at /metrics")
	trusted := fl.String("trusted-proxies", "", "comma-separated CIDRs whose forwarding and bot headers are believed: the proxies that call, and those before them")
	detectionOnly := fl.Bool("detection-only", false, "allow every request; the X-Edgerules-* headers and the logs still say what the rules decided")
	onError := fl.String("on-error", "allow", "the answer to a request the service cannot read: allow or deny")
	envoyPrefix := fl.String("envoy-prefix", "", "path_prefix of Envoy's HTTP ext_authz: requests under it are Envoy's, the rest of the path the original")
	watch := fl.Duration("watch", time.Second, "how often to look for a change of the rules files (and of -geoip and -crawlers files); 0 never")
	geo := fl.String("geoip", "", "comma-separated MaxMind DB files (City, Country, ASN) that fill ip.src.country, ip.src.asnum, ...")
	crawlers := fl.String("crawlers", "", "folder of crawler range files (edgerules bots update DIR) that fill cf.client.bot and the verified-bot fields")
	crawlerDNS := fl.Bool("crawler-dns", false, "also verify a claimed crawler outside the ranges by its DNS names, in the background")
	redisURL := fl.String("ratelimit-redis", "", "URL of a Redis that keeps the counters of rate limiting rules, shared by several services, such as redis://127.0.0.1:6379/0 (default: in memory)")
	extra, status, done := parseFlags(fl, args, s.out)
	if done {
		return status
	}
	if len(extra) > 0 {
		return s.fail("serve takes no arguments, found %q", extra[0])
	}
	if len(rules) == 0 {
		return s.fail("serve needs --rules FILE (or a folder, or several --rules)")
	}
	if *onError != "allow" && *onError != "deny" {
		return s.fail("unknown --on-error %q: use allow or deny", *onError)
	}
	prefixes, err := serve.ParsePrefixes(*trusted)
	if err != nil {
		return s.fail("--trusted-proxies: %v", err)
	}
	if *listen == "" && *grpcAddr == "" {
		return s.fail("serve needs --listen or --grpc")
	}
	logger := slog.New(slog.NewTextHandler(s.err, nil))
	// The addresses first: a usage error is found before the rules are read.
	var ls serve.Listeners
	for _, l := range []struct {
		flag, addr string
		ln         *net.Listener
	}{{"--listen", *listen, &ls.HTTP}, {"--grpc", *grpcAddr, &ls.GRPC}, {"--metrics", *metricsAddr, &ls.Metrics}} {
		if l.addr == "" {
			continue
		}
		if *l.ln, err = net.Listen("tcp", l.addr); err != nil {
			ls.Close()
			return s.fail("%s: %v", l.flag, err)
		}
	}
	opts := serve.Options{Rules: rules, VarFiles: *varFiles, TrustedProxies: prefixes, DetectionOnly: *detectionOnly,
		DenyOnError: *onError == "deny", EnvoyPrefix: *envoyPrefix, Logger: logger}
	var nopts nethttp.Options
	var geoFiles []string
	if *geo != "" {
		geoFiles = strings.Split(*geo, ",")
	}
	data, err := sources.Open(sources.Config{GeoIP: geoFiles, Crawlers: *crawlers, CrawlerDNS: *crawlerDNS,
		RateLimitRedis: *redisURL, Dash: "--"}, &nopts, logger)
	if err != nil {
		ls.Close()
		return s.fail("%v", err)
	}
	opts.Locator, opts.Crawlers, opts.RateLimitStore = nopts.Locator, nopts.Crawlers, nopts.RateLimitStore
	svc, err := serve.New(opts)
	if err != nil {
		ls.Close()
		return s.fail("%v", err)
	}
	for _, l := range []struct {
		flag string
		ln   net.Listener
	}{{"--listen", ls.HTTP}, {"--grpc", ls.GRPC}, {"--metrics", ls.Metrics}} {
		if l.ln != nil {
			logger.Info("edgerules: listening", "flag", l.flag, "addr", l.ln.Addr().String())
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				_ = svc.Reload() // logged and counted
				data.Reload()
			}
		}
	}()
	if *watch > 0 {
		go svc.Watch(ctx, *watch)
		go func() {
			for t := time.NewTicker(*watch); ; {
				select {
				case <-ctx.Done():
					t.Stop()
					return
				case <-t.C:
					data.Reload()
				}
			}
		}()
	}
	if err := svc.Run(ctx, ls); err != nil && !errors.Is(err, context.Canceled) {
		return s.fail("%v", err)
	}
	return exitOK
}
