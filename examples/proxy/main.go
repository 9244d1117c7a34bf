// Command proxy is a reverse proxy that applies a zone's rulesets to every
// request before it reaches the upstream, and to its response:
//
//	go run ./examples/proxy -listen 127.0.0.1:8080 -upstream http://127.0.0.1:9000 \
//	    -rules examples/rules/zone [-rules FILE ...] [-trusted-proxies 10.0.0.0/8,192.0.2.1/32] \
//	    [-geoip GeoLite2-City.mmdb,GeoLite2-ASN.mmdb] [-crawlers DIR [-crawler-dns]] \
//	    [-detection-only] [-metrics 127.0.0.1:9090] [-ratelimit-redis redis://127.0.0.1:6379/0]
//
// -rules is a ruleset file (JSON, YAML, Terraform) or a folder of them,
// repeated for a zone of several phases, one ruleset per phase: URL
// rewrites and request header transforms change the request the upstream
// gets, response header transforms its answer, dynamic redirects answer
// with their computed target. It reloads the rules on SIGHUP; rules that
// do not compile are refused and the rules in force stay. With -geoip it fills ip.src.country,
// ip.src.asnum and the other ip.src.* fields from MaxMind DB files; with
// -crawlers it verifies crawlers by the range files in DIR (`edgerules bots
// update DIR` downloads them), and with -crawler-dns also by their DNS
// names. It reads the databases and range files again when they change
// (checked every -reload-every, and on SIGHUP), keeping the old ones if the
// new ones are bad. With -metrics it serves its counters as expvar JSON at
// /debug/vars. Rate limiting rules count in memory, or with -ratelimit-redis
// in a Redis that several proxies share (failing open when it does not
// answer in 50 ms).
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

	"github.com/edgerules/edgerules/internal/sources"
	"github.com/edgerules/edgerules/nethttp"
	"github.com/edgerules/edgerules/terraform"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "proxy:", err)
		os.Exit(2)
	}
}

// config is what the flags say.
type config struct {
	listen, upstream, metrics string
	rules                     []string // files and folders of the zone
	ratelimitRedis            string
	trusted                   []netip.Prefix
	detectionOnly             bool
	geoip                     []string // MaxMind DB files
	crawlers                  string   // a directory of crawler range files
	crawlerDNS                bool
	reloadEvery               time.Duration
}

func parseFlags(args []string) (config, error) {
	var c config
	var trusted, geo string
	fl := flag.NewFlagSet("proxy", flag.ContinueOnError)
	fl.StringVar(&c.listen, "listen", "127.0.0.1:8080", "address to serve on")
	fl.StringVar(&c.upstream, "upstream", "", "URL of the server to forward to")
	fl.Func("rules", "ruleset file (.json, .yaml, .yml, Terraform) or folder of them; repeat it for a zone of several phases", func(v string) error {
		c.rules = append(c.rules, v)
		return nil
	})
	fl.StringVar(&trusted, "trusted-proxies", "", "comma-separated CIDRs whose forwarding and bot headers are believed")
	fl.BoolVar(&c.detectionOnly, "detection-only", false, "log what the rules decide and block nothing")
	fl.StringVar(&c.metrics, "metrics", "", "address to serve the counters on, at /debug/vars")
	fl.StringVar(&geo, "geoip", "", "comma-separated MaxMind DB files (City, Country, ASN) that fill ip.src.country, ip.src.asnum, ...")
	fl.StringVar(&c.crawlers, "crawlers", "", "directory of crawler range files (common-crawlers.json, bingbot.json, ...) that fill cf.client.bot")
	fl.BoolVar(&c.crawlerDNS, "crawler-dns", false, "also verify a claimed crawler outside the ranges by its DNS names, in the background")
	fl.DurationVar(&c.reloadEvery, "reload-every", time.Minute, "how often to look for changed -geoip and -crawlers files (0: on SIGHUP only)")
	fl.StringVar(&c.ratelimitRedis, "ratelimit-redis", "", "URL of a Redis to keep the counters of rate limiting rules in, such as redis://127.0.0.1:6379/0 (default: in memory)")
	if err := fl.Parse(args); err != nil {
		return c, err
	}
	if c.upstream == "" || len(c.rules) == 0 {
		return c, errors.New("-upstream and -rules are required")
	}
	for f := range strings.SplitSeq(geo, ",") {
		if f = strings.TrimSpace(f); f != "" {
			c.geoip = append(c.geoip, f)
		}
	}
	if c.crawlerDNS && c.crawlers == "" {
		return c, errors.New("-crawler-dns needs -crawlers")
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
	rulesPaths []string
	rules      *nethttp.Middleware
	handler    http.Handler
	logger     *slog.Logger
	data       *sources.Sources // the databases and range files
}

func newProxy(c config, logger *slog.Logger) (*proxy, error) {
	upstream, err := url.Parse(c.upstream)
	if err != nil || upstream.Scheme == "" || upstream.Host == "" {
		return nil, fmt.Errorf("-upstream %q is not a URL such as http://127.0.0.1:9000", c.upstream)
	}
	zone, _, err := terraform.LoadZone(c.rules)
	if err != nil {
		return nil, err
	}
	opts := nethttp.Options{
		TrustedProxies: c.trusted,
		DetectionOnly:  c.detectionOnly,
		Logger:         logger,
	}
	data, err := sources.Open(sources.Config{GeoIP: c.geoip, Crawlers: c.crawlers, CrawlerDNS: c.crawlerDNS,
		RateLimitRedis: c.ratelimitRedis, Dash: "-"}, &opts, logger)
	if err != nil {
		return nil, err
	}
	mw, err := nethttp.New(zone, opts)
	if err != nil {
		return nil, err
	}
	rp := httputil.NewSingleHostReverseProxy(upstream)
	rp.Transport = upstreamTransport()
	return &proxy{rulesPaths: c.rules, rules: mw, handler: mw.Wrap(rp), logger: logger, data: data}, nil
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

// reload reads the rules files again; the rules in force stay if it fails.
func (p *proxy) reload() error {
	zone, _, err := terraform.LoadZone(p.rulesPaths)
	if err == nil {
		err = p.rules.Load(zone)
	}
	files := strings.Join(p.rulesPaths, ",")
	if err != nil {
		p.logger.Error("proxy: rules not reloaded; the previous rules stay", "files", files, "error", err)
		return err
	}
	p.logger.Info("proxy: rules reloaded", "files", files, "rules", len(p.rules.Zone().Rules()))
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
	var tick <-chan time.Time
	if c.reloadEvery > 0 && p.data.Any() {
		ticker := time.NewTicker(c.reloadEvery)
		defer ticker.Stop()
		tick = ticker.C
	}
	go func() {
		for {
			select {
			case <-tick:
				p.data.Reload()
			case s := <-signals:
				if s == syscall.SIGHUP {
					_ = p.reload()
					p.data.Reload()
					continue
				}
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				_ = server.Shutdown(ctx)
				cancel()
				return
			}
		}
	}()
	logger.Info("proxy: serving", "listen", c.listen, "upstream", c.upstream, "rules", strings.Join(c.rules, ","),
		"phases", strings.Join(p.rules.Zone().Phases(), ","))
	if err := server.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
