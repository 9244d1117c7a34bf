// Package edgerulescaddy runs edgerules inside Caddy: a global app
// edgerules that owns the compiled ruleset and reloads it when its file
// changes, a handler http.handlers.edgerules that applies it, and a
// matcher http.matchers.edgerules that selects requests by an expression.
package edgerulescaddy

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	"github.com/edgerules/edgerules/nethttp"
	"github.com/edgerules/edgerules/ratelimit/redisstore"
	"github.com/edgerules/edgerules/ruleset"
)

func init() {
	caddy.RegisterModule(new(App))
}

// Modes of the app.
const (
	// Enforce answers the requests the rules stop.
	Enforce = "enforce"
	// Detect logs what the rules decide and lets every request through.
	Detect = "detect"
)

// DefaultWatchInterval is how often the app looks at its rules file for a
// change unless WatchInterval says otherwise.
const DefaultWatchInterval = caddy.Duration(2 * time.Second)

// App is the edgerules app: it owns the ruleset that every edgerules
// handler and matcher of the configuration applies. It loads the rules
// file when Caddy loads the configuration and again each time the file
// changes; a file that does not load is logged and the rules it was to
// replace keep serving.
type App struct {
	// Rules is the path of the ruleset file: JSON or YAML in the
	// Rulesets API's shape, as ruleset.Load reads it. The edgerules
	// handler needs it; the matcher does not.
	Rules string `json:"rules,omitempty"`
	// Mode is "enforce" (the default) or "detect", which logs what the
	// rules decide and lets every request through.
	Mode string `json:"mode,omitempty"`
	// WatchInterval is how often the rules file is looked at for a change
	// (DefaultWatchInterval).
	WatchInterval caddy.Duration `json:"watch_interval,omitempty"`
	// RateLimitRedis is the URL of a Redis that keeps the counters of rate
	// limiting rules, so that several Caddy servers (and edgerules serve)
	// share them, such as redis://127.0.0.1:6379/0; empty counts in memory.
	RateLimitRedis string `json:"ratelimit_redis,omitempty"`

	middleware *nethttp.Middleware
	store      *redisstore.Store // nil: in memory
	logger     *slog.Logger
	seen       fileVersion // of the rules file, when it last loaded or failed to
	ctx        caddy.Context
	stop       context.CancelFunc
	stopped    chan struct{}
}

// fileVersion tells one content of a file from another without reading it.
type fileVersion struct {
	modTime time.Time
	size    int64
}

// CaddyModule returns the Caddy module information.
func (*App) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{ID: "edgerules", New: func() caddy.Module { return new(App) }}
}

// Provision loads the rules file and compiles it.
func (a *App) Provision(ctx caddy.Context) error {
	a.ctx, a.logger = ctx, ctx.Slogger()
	switch a.Mode {
	case "":
		a.Mode = Enforce
	case Enforce, Detect:
	default:
		return fmt.Errorf("edgerules: mode is %q or %q, found %q", Enforce, Detect, a.Mode)
	}
	if a.WatchInterval <= 0 {
		a.WatchInterval = DefaultWatchInterval
	}
	rs := &ruleset.Ruleset{}
	if a.Rules != "" {
		var err error
		if rs, a.seen, err = load(a.Rules); err != nil {
			return err
		}
	}
	opts := nethttp.Options{
		ClientAddr:    clientAddr,
		Logger:        a.logger,
		DetectionOnly: a.Mode == Detect,
	}
	if a.RateLimitRedis != "" {
		store, err := redisstore.Open(a.RateLimitRedis, redisstore.Options{Logger: a.logger})
		if err != nil {
			return fmt.Errorf("edgerules: ratelimit_redis: %w", err)
		}
		a.store, opts.RateLimitStore = store, store
	}
	var err error
	a.middleware, err = nethttp.New(rs, opts)
	if err != nil {
		return fmt.Errorf("edgerules: %s: %w", a.Rules, err)
	}
	return nil
}

// load reads a rules file, with the version it read.
func load(path string) (*ruleset.Ruleset, fileVersion, error) {
	v, err := versionOf(path)
	if err != nil {
		return nil, v, fmt.Errorf("edgerules: %w", err)
	}
	f, err := ruleset.Load(path)
	if err != nil {
		return nil, v, fmt.Errorf("edgerules: %w", err)
	}
	return f.Ruleset, v, nil
}

func versionOf(path string) (fileVersion, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileVersion{}, err
	}
	return fileVersion{fi.ModTime(), fi.Size()}, nil
}

// clientAddr reads the client address Caddy worked out, which honours
// the server's trusted_proxies, and whether the request came through one
// of them (so that its Cloudflare bot headers are believed).
func clientAddr(r *http.Request) (netip.Addr, bool) {
	trusted, _ := caddyhttp.GetVar(r.Context(), caddyhttp.TrustedProxyVarKey).(bool)
	ip, _ := caddyhttp.GetVar(r.Context(), caddyhttp.ClientIPVarKey).(string)
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return netip.Addr{}, trusted
	}
	return a.WithZone("").Unmap(), trusted
}

// Start watches the rules file.
func (a *App) Start() error {
	if a.Rules == "" {
		return nil
	}
	ctx, stop := context.WithCancel(a.ctx)
	a.stop, a.stopped = stop, make(chan struct{})
	go a.watch(ctx)
	return nil
}

// Stop stops watching the rules file.
func (a *App) Stop() error {
	if a.stop != nil {
		a.stop()
		<-a.stopped
	}
	return nil
}

// Cleanup closes the connections to Redis, when the app is unloaded.
func (a *App) Cleanup() error {
	if a.store != nil {
		return a.store.Close()
	}
	return nil
}

func (a *App) watch(ctx context.Context) {
	defer close(a.stopped)
	tick := time.NewTicker(time.Duration(a.WatchInterval))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			a.reloadIfChanged()
		}
	}
}

// reloadIfChanged loads the rules file again if it changed since it was
// last seen. A file that does not load leaves the rules as they were.
func (a *App) reloadIfChanged() {
	v, err := versionOf(a.Rules)
	if v == a.seen {
		return
	}
	a.seen = v
	if err == nil {
		var rs *ruleset.Ruleset
		if rs, a.seen, err = load(a.Rules); err == nil {
			err = a.middleware.Load(rs)
		}
	}
	if err != nil {
		a.logger.Error("edgerules: the rules file changed and does not load; the rules loaded before keep serving",
			"rules", a.Rules, "error", err.Error())
		return
	}
	a.logger.Info("edgerules: rules file reloaded", "rules", a.Rules)
}

// Interface guards
var (
	_ caddy.App          = (*App)(nil)
	_ caddy.Provisioner  = (*App)(nil)
	_ caddy.CleanerUpper = (*App)(nil)
)
