// Package serve is the decision service behind `edgerules serve`: a
// ruleset applied by nethttp, asked by proxies over HTTP forward-auth
// (nginx, Traefik, Caddy, Envoy's HTTP mode, HAProxy's Lua) and over Envoy's
// gRPC ext_authz, with reloads and Prometheus metrics.
package serve

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"sync"

	"github.com/edgerules/edgerules/nethttp"
	"github.com/edgerules/edgerules/ratelimit"
	"github.com/edgerules/edgerules/terraform"
)

// The headers an answer carries, for the proxy to copy to its upstream or
// its logs.
const (
	// HeaderAction is the action of the rule that decided, "none" when no
	// rule did, or "error" when the request could not be read.
	HeaderAction = "X-Edgerules-Action"
	// HeaderRule names the rule that decided; it is empty when none did
	// (and present, for proxies that copy it whatever it holds).
	HeaderRule = "X-Edgerules-Rule"
	// HeaderError says why a request could not be read; such a request
	// is allowed, or denied with DenyOnError.
	HeaderError = "X-Edgerules-Error"
)

// Options configure a Service.
type Options struct {
	// Rules is the path of the ruleset file: .json, .yaml, .yml, or a
	// Terraform file holding one ruleset.
	Rules string
	// TrustedProxies are the networks whose forwarding and bot headers are
	// believed: the proxies that call the service, and those before them.
	TrustedProxies []netip.Prefix
	// DetectionOnly answers allow to every request; the headers still say
	// what the rules decided.
	DetectionOnly bool
	// DenyOnError denies a request the service cannot read; by default it
	// is allowed.
	DenyOnError bool
	// EnvoyPrefix is the path_prefix of Envoy's HTTP ext_authz: a request
	// under it without forward-auth headers is Envoy's. Empty: none.
	EnvoyPrefix string
	// Logger receives the service's records; nil is slog.Default().
	Logger *slog.Logger
	// Locator, Crawlers and RateLimitStore are nethttp's: where the
	// country, ASN and verified crawlers come from, and where rate limiting
	// rules count.
	Locator        nethttp.Locator
	Crawlers       nethttp.CrawlerVerifier
	RateLimitStore ratelimit.Store
}

// A Service decides for proxies. It is safe for concurrent use.
type Service struct {
	opts    Options
	rules   *nethttp.Middleware
	metrics *metrics
	log     *slog.Logger

	reloading sync.Mutex // one reload at a time
	file      fileState  // of the rules file when it was last read
}

// New loads the rules file and returns a service applying it, or why it
// cannot.
func New(opts Options) (*Service, error) {
	if opts.Rules == "" {
		return nil, errors.New("serve: no rules file")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Service{opts: opts, log: opts.Logger}
	state := stat(opts.Rules)
	file, err := terraform.LoadAny(opts.Rules)
	if err != nil {
		return nil, err
	}
	s.rules, err = nethttp.New(file.Ruleset, nethttp.Options{
		TrustedProxies: opts.TrustedProxies,
		DetectionOnly:  opts.DetectionOnly,
		Logger:         opts.Logger,
		Locator:        opts.Locator,
		Crawlers:       opts.Crawlers,
		RateLimitStore: opts.RateLimitStore,
	})
	if err != nil {
		return nil, fmt.Errorf("%s does not compile; run edgerules check on it:\n%w", opts.Rules, err)
	}
	s.file = state
	s.metrics = newMetrics(s.rules)
	return s, nil
}

// trusted reports whether a is one of the trusted proxies.
func (s *Service) trusted(a netip.Addr) bool {
	for _, p := range s.opts.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Reload reads the rules file again and applies it if it compiles; if it
// does not, the rules in force stay, and Reload logs, counts and returns
// why.
func (s *Service) Reload() error {
	s.reloading.Lock()
	defer s.reloading.Unlock()
	return s.reload(stat(s.opts.Rules))
}

// reload applies the rules file, which stat said looks like state.
func (s *Service) reload(state fileState) error {
	s.file = state
	file, err := terraform.LoadAny(s.opts.Rules)
	if err == nil {
		err = s.rules.Load(file.Ruleset)
	}
	if err != nil {
		s.metrics.reloads.WithLabelValues("failed").Inc()
		s.log.Error("edgerules: rules not reloaded; the rules in force stay", "file", s.opts.Rules, "error", err)
		return err
	}
	s.metrics.reloads.WithLabelValues("ok").Inc()
	s.log.Info("edgerules: rules reloaded", "file", s.opts.Rules, "rules", len(file.Rules))
	return nil
}

// ParsePrefixes reads a comma-separated list of networks (CIDRs) or
// addresses, as --trusted-proxies takes them: 10.0.0.0/8,192.0.2.1.
func ParsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for item := range strings.SplitSeq(list, ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		if a, err := netip.ParseAddr(item); err == nil {
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(item)
		if err != nil {
			return nil, fmt.Errorf("%q is neither a network such as 10.0.0.0/8 nor an address", item)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
