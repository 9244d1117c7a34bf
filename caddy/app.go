// Package edgerulescaddy runs edgerules inside Caddy: a global app
// edgerules that owns the compiled zone (a ruleset per phase) and reloads
// it when its files change, a handler http.handlers.edgerules that applies it, and a
// matcher http.matchers.edgerules that selects requests by an expression.
package edgerulescaddy

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	"github.com/edgerules/edgerules/internal/filewatch"
	"github.com/edgerules/edgerules/nethttp"
	"github.com/edgerules/edgerules/ratelimit/redisstore"
	"github.com/edgerules/edgerules/ruleset"
	"github.com/edgerules/edgerules/terraform"
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

// DefaultWatchInterval is how often the app looks at its rules files for a
// change unless WatchInterval says otherwise.
const DefaultWatchInterval = caddy.Duration(2 * time.Second)

// App is the edgerules app: it owns the zone that every edgerules handler
// and matcher of the configuration applies, its rulesets run in
// Cloudflare's phase order. It loads the rules files when Caddy loads the
// configuration and again each time one of them changes; files that do
// not load are logged and the rules they were to replace keep serving.
type App struct {
	// Rules are the zone's ruleset files and folders, as
	// terraform.LoadZone reads them: JSON or YAML in the Rulesets API's
	// shape and Terraform files, at most one ruleset per phase; a folder
	// gives every ruleset file under it. One file is a zone of one
	// ruleset. In JSON, one path may be given as a string. The edgerules
	// handler needs rules; the matcher does not.
	Rules Paths `json:"rules,omitempty"`
	// Mode is "enforce" (the default) or "detect", which logs what the
	// rules decide and lets every request through.
	Mode string `json:"mode,omitempty"`
	// WatchInterval is how often the rules files are looked at for a
	// change (DefaultWatchInterval).
	WatchInterval caddy.Duration `json:"watch_interval,omitempty"`
	// RateLimitRedis is the URL of a Redis that keeps the counters of rate
	// limiting rules, so that several Caddy servers (and edgerules serve)
	// share them, such as redis://127.0.0.1:6379/0; empty counts in memory.
	RateLimitRedis string `json:"ratelimit_redis,omitempty"`

	middleware *nethttp.Middleware
	store      *redisstore.Store // nil: in memory
	logger     *slog.Logger
	seen       uint64 // the version of the rules files when they last loaded or failed to
	ctx        caddy.Context
	stop       context.CancelFunc
	stopped    chan struct{}
}

// Paths are files and folders. They read from JSON as a list, or as one
// string for one path.
type Paths []string

// UnmarshalJSON reads a list of paths or one path.
func (p *Paths) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*p = Paths{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(p))
}

// CaddyModule returns the Caddy module information.
func (*App) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{ID: "edgerules", New: func() caddy.Module { return new(App) }}
}

// Provision loads the rules files and compiles their zone.
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
	var zone ruleset.Source = &ruleset.Ruleset{}
	if len(a.Rules) > 0 {
		var err error
		if zone, a.seen, err = load(a.Rules); err != nil {
			return err
		}
	}
	opts := nethttp.Options{
		ClientAddr:    clientAddr,
		Logger:        a.logger,
		DetectionOnly: a.Mode == Detect,
		// Caddy's placeholders ({http.request.uri}, headers) and its
		// later handlers read the request they are given, which Caddy's own
		// rewrite changes in place too.
		ChangeInPlace: true,
	}
	if a.RateLimitRedis != "" {
		store, err := redisstore.Open(a.RateLimitRedis, redisstore.Options{Logger: a.logger})
		if err != nil {
			return fmt.Errorf("edgerules: ratelimit_redis: %w", err)
		}
		a.store, opts.RateLimitStore = store, store
	}
	var err error
	a.middleware, err = nethttp.New(zone, opts)
	if err != nil {
		return fmt.Errorf("edgerules: %s: %w", strings.Join(a.Rules, " "), err)
	}
	return nil
}

// load reads the zone of the rules files, with the version it read.
func load(paths []string) (*ruleset.Zone, uint64, error) {
	v, err := filewatch.Version(paths...)
	if err != nil {
		return nil, v, fmt.Errorf("edgerules: %w", err)
	}
	zone, _, err := terraform.LoadZone(paths)
	if err != nil {
		return nil, v, fmt.Errorf("edgerules: %w", err)
	}
	return zone, v, nil
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

// Start watches the rules files.
func (a *App) Start() error {
	if len(a.Rules) == 0 {
		return nil
	}
	ctx, stop := context.WithCancel(a.ctx)
	a.stop, a.stopped = stop, make(chan struct{})
	go a.watch(ctx)
	return nil
}

// Stop stops watching the rules files.
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

// reloadIfChanged loads the rules files again if one of them changed since
// they were last seen. Files that do not load leave the rules as they were.
func (a *App) reloadIfChanged() {
	v, err := filewatch.Version(a.Rules...)
	if v == a.seen {
		return
	}
	a.seen = v
	if err == nil {
		var zone *ruleset.Zone
		if zone, a.seen, err = load(a.Rules); err == nil {
			err = a.middleware.Load(zone)
		}
	}
	if err != nil {
		a.logger.Error("edgerules: the rules files changed and do not load; the rules loaded before keep serving",
			"rules", []string(a.Rules), "error", err.Error())
		return
	}
	a.logger.Info("edgerules: rules files reloaded", "rules", []string(a.Rules))
}

// Interface guards
var (
	_ caddy.App          = (*App)(nil)
	_ caddy.Provisioner  = (*App)(nil)
	_ caddy.CleanerUpper = (*App)(nil)
)
