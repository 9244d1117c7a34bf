package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBotsUpdate downloads the lists from a local server standing in for
// the operators' sites: what parses is written, what does not is named and
// the file there before stays.
func TestBotsUpdate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/static/crawling/ipranges/common-crawlers.json":
			fmt.Fprint(w, `{"creationTime": "2026-11-20T15:46:00.000000", "prefixes": [{"ipv4Prefix": "192.0.2.0/27"}, {"ipv6Prefix": "2001:db8::/64"}]}`)
		case "/static/crawling/ipranges/special-crawlers.json", "/applebot.json", "/gptbot.json":
			fmt.Fprint(w, `{"prefixes": [{"ipv4Prefix": "198.51.100.0/24"}]}`)
		case "/toolbox/bingbot.json":
			fmt.Fprint(w, `{"prefixes": [{"ipv4Prefix": "198.51.100.0/24"},]}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "bots")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bingbot.json"), []byte("kept"), 0o644))

	status, out := runCommand(t, "", "bots", "update", "--mirror", srv.URL, dir)
	out = strings.NewReplacer(srv.URL, "MIRROR", dir, "DIR").Replace(out)
	assert.Equal(t, exitFindings, status)
	assert.Equal(t, `$ edgerules bots update --mirror MIRROR DIR
exit 1
--- stdout
common-crawlers.json   Google     2 prefixes, made 2026-11-20 15:46 UTC, written to DIR/common-crawlers.json
special-crawlers.json  Google     1 prefix, undated, written to DIR/special-crawlers.json
bingbot.json           Microsoft  not updated: MIRROR/toolbox/bingbot.json: 1:49: invalid character ']' looking for beginning of value
applebot.json          Apple      1 prefix, undated, written to DIR/applebot.json
gptbot.json            OpenAI     1 prefix, undated, written to DIR/gptbot.json
--- stderr
edgerules: some lists were not updated; the files there before stay
`, out)
	kept, err := os.ReadFile(filepath.Join(dir, "bingbot.json"))
	require.NoError(t, err)
	assert.Equal(t, "kept", string(kept))
}
