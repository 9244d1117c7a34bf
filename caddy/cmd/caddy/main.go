// Command caddy is Caddy with the edgerules modules, as
// xcaddy build --with github.com/edgerules/edgerules/caddy builds it.
package main

import (
	caddycmd "github.com/caddyserver/caddy/v2/cmd"

	// Caddy's standard modules, as in Caddy's own main.
	_ "github.com/caddyserver/caddy/v2/modules/standard"

	// The edgerules app, handler and matcher.
	_ "github.com/edgerules/edgerules/caddy"
)

func main() {
	caddycmd.Main()
}
