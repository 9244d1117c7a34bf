package nethttp

import (
	"bufio"
	"net"
	"net/http"
	"strings"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/fields"
)

// A recorder passes a response through and remembers its status and
// headers, for the rate limiting rules that count by response and the
// response header transforms, which ready runs before the status goes out.
type recorder struct {
	http.ResponseWriter
	code  int
	wrote bool
	ready func(w *recorder)
}

func (w *recorder) WriteHeader(code int) {
	if !w.wrote && code >= 200 {
		w.code, w.wrote = code, true
		w.ready(w)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

// Flush sends the status first, as net/http does.
func (w *recorder) Flush() {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack hands the connection over, as the writer underneath does (a
// WebSocket's upgrade): the response is then the handler's own.
func (w *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// header runs ready for a handler that wrote nothing, whose 200 net/http
// sends once it returns.
func (w *recorder) header() {
	if !w.wrote {
		w.wrote = true
		w.ready(w)
	}
}

// Unwrap lets http.ResponseController reach the writer underneath.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// The response fields Pass.Responded fills, looked up once.
var (
	responseCode, _    = fields.Cloudflare().Field("http.response.code")
	responseHeaders, _ = fields.Cloudflare().Field("http.response.headers")
)

// responseHeadersOf gives the headers of the slot's response, with
// lowercased names as Cloudflare gives them; missing before a response.
func responseHeadersOf(s *slot) eval.Value {
	h := s.respHeader
	if h == nil {
		return eval.Value{}
	}
	headers := make(map[string][]string, len(h))
	for k, v := range h {
		headers[strings.ToLower(k)] = v
	}
	return eval.StringsMap(headers)
}
