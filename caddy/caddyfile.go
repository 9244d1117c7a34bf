package edgerulescaddy

import (
	"strings"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

func init() {
	httpcaddyfile.RegisterGlobalOption("edgerules", parseGlobalOption)
	httpcaddyfile.RegisterHandlerDirective("edgerules", parseDirective)
	// Rules see the request as the client sent it, before redirects,
	// rewrites and authentication; users need no order line.
	httpcaddyfile.RegisterDirectiveOrder("edgerules", httpcaddyfile.After, "header")
}

// parseGlobalOption reads the global option:
//
//	edgerules {
//		rules          FILE|FOLDER...
//		mode           enforce|detect
//		watch_interval DURATION
//		ratelimit_redis URL
//	}
func parseGlobalOption(d *caddyfile.Dispenser, _ any) (any, error) {
	app := new(App)
	d.Next() // the option's name
	if d.NextArg() {
		return nil, d.ArgErr()
	}
	for d.NextBlock(0) {
		key := d.Val()
		if !d.NextArg() {
			return nil, d.ArgErr()
		}
		switch val := d.Val(); key {
		case "rules":
			// The zone's files and folders: several on a line, or on
			// several lines.
			app.Rules = append(app.Rules, val)
			app.Rules = append(app.Rules, d.RemainingArgs()...)
		case "mode":
			app.Mode = val
		case "watch_interval":
			dur, err := caddy.ParseDuration(val)
			if err != nil {
				return nil, d.Errf("watch_interval: %v", err)
			}
			app.WatchInterval = caddy.Duration(dur)
		case "ratelimit_redis":
			app.RateLimitRedis = val
		default:
			return nil, d.Errf("unknown edgerules option %q (rules, mode, watch_interval, ratelimit_redis)", key)
		}
		if d.NextArg() {
			return nil, d.ArgErr()
		}
	}
	return httpcaddyfile.App{Name: "edgerules", Value: caddyconfig.JSON(app, nil)}, nil
}

// parseDirective reads the handler directive, which takes no arguments:
// the rules are the global option's.
func parseDirective(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	h.Next() // the directive's name
	if h.NextArg() || h.NextBlock(0) {
		return nil, h.Errf("the edgerules directive takes no arguments; the rules are set in the global edgerules option")
	}
	return new(Handler), nil
}

// UnmarshalCaddyfile reads the matcher: edgerules EXPRESSION. An
// expression with spaces and quoted strings is best put in backquotes;
// unquoted words are joined as they were written.
func (m *Matcher) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // the matcher's name
	switch d.CountRemainingArgs() {
	case 0:
		return d.ArgErr()
	case 1:
		d.NextArg()
		m.Expression = d.Val()
	default:
		// Keep the quotes of string literals.
		m.Expression = strings.Join(d.RemainingArgsRaw(), " ")
	}
	if d.NextBlock(0) || d.Next() {
		return d.Err("one edgerules matcher per matcher set: join the conditions with and")
	}
	return nil
}

// Interface guard
var _ caddyfile.Unmarshaler = (*Matcher)(nil)
