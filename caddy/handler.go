package edgerulescaddy

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	"github.com/edgerules/edgerules/nethttp"
)

func init() {
	caddy.RegisterModule(new(Handler))
}

// Handler applies the edgerules app's zone to each request. A block whose
// rule gives no response of its own becomes a Caddy handler error with the
// block's status, so that handle_errors can answer it; custom responses,
// redirects (a dynamic redirect's computed target too) and challenges are
// answered as package nethttp answers them. Every other request goes on to
// the next handler as the URL rewrites and request header transforms
// change it (in place, as Caddy's rewrite does: placeholders and
// reverse_proxy's upstream see the rewritten path, query and headers), and
// the response header transforms change the response's headers before they
// are sent.
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
	if len(h.app.Rules) == 0 {
		return errors.New("edgerules: the handler needs rules: set them in the global edgerules option (rules FILE|FOLDER...)")
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
	return h.app.middleware.Serve(w, r, next, blockError)
}

// blockError is the Caddy error of a block whose rule gives no response.
func blockError(status int, v nethttp.Verdict) error {
	return caddyhttp.Error(status, fmt.Errorf("edgerules: blocked by %s", v.Rule.Name()))
}

// Interface guards
var (
	_ caddy.Provisioner           = (*Handler)(nil)
	_ caddyhttp.MiddlewareHandler = (*Handler)(nil)
)
