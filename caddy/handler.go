package edgerulescaddy

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

func init() {
	caddy.RegisterModule(new(Handler))
}

// Handler applies the edgerules app's ruleset to each request. A block
// whose rule gives no response of its own becomes a Caddy handler error
// with the block's status, so that handle_errors can answer it; custom
// responses, redirects and challenges are answered as package nethttp
// answers them; every other request goes on to the next handler.
type Handler struct {
	app *App
}

// CaddyModule returns the Caddy module information.
func (*Handler) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{ID: "http.handlers.edgerules", New: func() caddy.Module { return new(Handler) }}
}

// Provision finds the edgerules app, which must have rules.
func (h *Handler) Provision(ctx caddy.Context) error {
	var err error
	if h.app, err = edgerulesApp(ctx); err != nil {
		return err
	}
	if h.app.Rules == "" {
		return errors.New("edgerules: the handler needs rules: set them in the global edgerules option (rules FILE)")
	}
	return nil
}

// edgerulesApp returns the configuration's edgerules app.
func edgerulesApp(ctx caddy.Context) (*App, error) {
	app, err := ctx.App("edgerules")
	if err != nil {
		return nil, err
	}
	return app.(*App), nil
}

// ServeHTTP applies the rules to r.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	v := h.app.middleware.Decide(r)
	if status := v.PlainBlock(); status != 0 {
		return caddyhttp.Error(status, fmt.Errorf("edgerules: blocked by %s", v.Rule.Name()))
	}
	if v.Respond(w, r) {
		return nil
	}
	return next.ServeHTTP(w, r)
}

// Interface guards
var (
	_ caddy.Provisioner           = (*Handler)(nil)
	_ caddyhttp.MiddlewareHandler = (*Handler)(nil)
)
