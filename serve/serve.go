// Package serve is the decision service behind `edgerules serve`: a
// zone's rulesets applied by nethttp, asked by proxies over HTTP forward-auth
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
	"sync/atomic"

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
	// Rules are the zone's ruleset files and folders, as
	// terraform.LoadZone reads them: .json, .yaml, .yml and Terraform
	// files (every ruleset of one, or PATH#ADDRESS), one ruleset per
	// phase. One file of one ruleset is a zone of one phase.
	Rules []string
	// VarFiles are the .tfvars files Terraform files are read with.
	VarFiles []string
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
	files     snapshot   // the rules files when they were last read
	pending   *snapshot  // of the last look, which found a file of a folder missing
	plan      atomic.Pointer[plan]
}

// New loads the zone's rules and returns a service applying them, or why
// it cannot.
func New(opts Options) (*Service, error) {
	if len(opts.Rules) == 0 {
		return nil, errors.New("serve: no rules file")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Service{opts: opts, log: opts.Logger}
	state := look(opts.watched())
	zone, files, err := terraform.LoadZone(opts.Rules, opts.VarFiles...)
	if err != nil {
		return nil, err
	}
	s.rules, err = nethttp.New(zone, nethttp.Options{
		TrustedProxies: opts.TrustedProxies,
		DetectionOnly:  opts.DetectionOnly,
		Logger:         opts.Logger,
		Locator:        opts.Locator,
		Crawlers:       opts.Crawlers,
		RateLimitStore: opts.RateLimitStore,
	})
	if err != nil {
		return nil, fmt.Errorf("%s does not compile; run edgerules check on it:\n%w", strings.Join(opts.Rules, ", "), err)
	}
	s.files = state
	s.metrics = newMetrics(s.rules)
	s.loaded(files)
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

// Reload reads the rules files again and applies them if they compile;
// if they do not, the rules in force stay, and Reload logs, counts and
// returns why.
func (s *Service) Reload() error {
	s.reloading.Lock()
	defer s.reloading.Unlock()
	return s.reload(look(s.opts.watched()))
}

// reload applies the rules files, which look said look like state.
func (s *Service) reload(state snapshot) error {
	s.files, s.pending = state, nil
	zone, files, err := terraform.LoadZone(s.opts.Rules, s.opts.VarFiles...)
	if err == nil {
		err = s.rules.Load(zone)
	}
	if err != nil {
		s.metrics.reloads.WithLabelValues("failed").Inc()
		s.log.Error("edgerules: rules not reloaded; the rules in force stay", "files", strings.Join(s.opts.Rules, ","), "error", err)
		return err
	}
	s.metrics.reloads.WithLabelValues("ok").Inc()
	s.log.Info("edgerules: rules reloaded", "files", strings.Join(s.opts.Rules, ","), "rules", len(s.rules.Zone().Rules()))
	s.loaded(files)
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
