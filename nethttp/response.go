package nethttp

import (
	"net/http"
	"strings"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/fields"
)

// A recorder passes a response through and remembers its status and
// headers, for the rate limiting rules that count by response.
type recorder struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (w *recorder) WriteHeader(code int) {
	if !w.wrote {
		w.code, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(p []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the writer underneath.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// The response fields a recorder fills, looked up once.
var (
	responseCode, _    = fields.Cloudflare().Field("http.response.code")
	responseHeaders, _ = fields.Cloudflare().Field("http.response.headers")
)

// fill sets the response fields of c: http.response.code, and
// http.response.headers with lowercased names, as Cloudflare gives them.
func (w *recorder) fill(c *eval.Context) {
	_ = c.Set(responseCode, eval.Int(int64(w.code)))
	h := w.Header()
	headers := make(map[string][]string, len(h))
	for k, v := range h {
		headers[strings.ToLower(k)] = v
	}
	_ = c.Set(responseHeaders, eval.StringsMap(headers))
}
