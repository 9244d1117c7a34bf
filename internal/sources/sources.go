// Package sources opens what the commands that serve requests (edgerules
// serve, the proxy example) take from their flags for nethttp: the GeoIP
// databases and crawler ranges that fill fields from outside Cloudflare,
// and the Redis of rate limiting rules; and reads the files again when they
// change.
package sources

import (
	"fmt"
	"log/slog"
	"net"

	"github.com/edgerules/edgerules/crawler"
	"github.com/edgerules/edgerules/geoip"
	"github.com/edgerules/edgerules/nethttp"
	"github.com/edgerules/edgerules/ratelimit/redisstore"
)

// Config is what the flags say.
type Config struct {
	GeoIP          []string // MaxMind DB files
	Crawlers       string   // a folder of crawler range files
	CrawlerDNS     bool     // also verify crawlers by their DNS names
	RateLimitRedis string   // the URL of a Redis for rate limits
	// Dash is how the command writes its flags in errors: "-" or "--".
	Dash string
}

// A reloader reads its files again if they changed.
type reloader interface {
	Reload() (reloaded []string, err error)
}

// Sources are the files to read again.
type Sources struct {
	files  []reloader
	logger *slog.Logger
}

// Open opens what c names into opts. An error names the flag it is about.
func Open(c Config, opts *nethttp.Options, logger *slog.Logger) (*Sources, error) {
	s := &Sources{logger: logger}
	if len(c.GeoIP) > 0 {
		locator, err := geoip.Open(c.GeoIP...)
		if err != nil {
			return nil, fmt.Errorf("%sgeoip: %v", c.Dash, err)
		}
		opts.Locator, s.files = locator, append(s.files, locator)
	}
	if c.Crawlers != "" {
		var dns crawler.Options
		if c.CrawlerDNS {
			dns.Resolver = net.DefaultResolver
		}
		verifier, err := crawler.Open(c.Crawlers, dns)
		if err != nil {
			return nil, fmt.Errorf("%scrawlers: %v", c.Dash, err)
		}
		opts.Crawlers, s.files = verifier, append(s.files, verifier)
	}
	if c.RateLimitRedis != "" {
		store, err := redisstore.Open(c.RateLimitRedis, redisstore.Options{Logger: logger})
		if err != nil {
			return nil, fmt.Errorf("%sratelimit-redis: %v", c.Dash, err)
		}
		opts.RateLimitStore = store
	}
	return s, nil
}

// Any reports whether there are files to read again.
func (s *Sources) Any() bool { return len(s.files) > 0 }

// Reload reads again the databases and range files that changed; one that
// fails keeps what was read before, and the log says so.
func (s *Sources) Reload() {
	for _, f := range s.files {
		reloaded, err := f.Reload()
		for _, name := range reloaded {
			s.logger.Info("edgerules: file reloaded", "file", name)
		}
		if err != nil {
			s.logger.Error("edgerules: file not reloaded, the old one stays", "error", err)
		}
	}
}
