package edgerulescaddy

import (
	"fmt"
	"net/http"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
)

func init() {
	caddy.RegisterModule(new(Matcher))
}

// Matcher matches the requests for which an expression of the rules
// language holds, its fields read as the edgerules handler reads them:
//
//	@bots edgerules `cf.bot_management.score lt 30 and not cf.bot_management.verified_bot`
type Matcher struct {
	// Expression is the condition, as in a rule's expression.
	Expression string `json:"expression"`

	filter *eval.Filter
	app    *App
}

// CaddyModule returns the Caddy module information.
func (*Matcher) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{ID: "http.matchers.edgerules", New: func() caddy.Module { return new(Matcher) }}
}

// Provision compiles the expression.
func (m *Matcher) Provision(ctx caddy.Context) error {
	var err error
	if m.filter, err = expr.Compile(m.Expression, fields.Cloudflare()); err != nil {
		return fmt.Errorf("edgerules matcher: %w", err)
	}
	m.app, err = edgerulesApp(ctx)
	return err
}

// MatchWithError reports whether the expression holds for r.
func (m *Matcher) MatchWithError(r *http.Request) (bool, error) {
	return m.app.middleware.Match(m.filter, r), nil
}

// Interface guards
var (
	_ caddy.Provisioner                 = (*Matcher)(nil)
	_ caddyhttp.RequestMatcherWithError = (*Matcher)(nil)
)
