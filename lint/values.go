package lint

import (
	"fmt"
	"strings"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/internal/asciicase"
)

// Values a field can never hold, as Cloudflare's fields reference describes
// the fields: header names as map keys, host names, paths and queries.

// headerNameCase flags a header map indexed by a name with upper-case
// letters, which is never a key: http.request.headers["User-Agent"].
func headerNameCase(c *ast.Checked, ix *ast.IndexExpr) (Finding, bool) {
	name := fieldOf(c, ix.X)
	if ix.Index == nil || !fields.LowercasedKeys(name) || !ix.Index.Kind.IsString() || firstBad(ix.Index.Value, isUpper) < 0 {
		return Finding{}, false
	}
	key := asciicase.Lower(ix.Index.Value)
	off, n := span(ix.Index)
	return Finding{Code: HeaderNameCase, Severity: Warning, Offset: off, Len: n,
		Message: fmt.Sprintf("the keys of %s are lower case, so %s is never one", name, ix.Index.Raw),
		Fix:     "write `" + ast.Format(ix.X) + "[" + ast.QuoteLiteral(quoteKind(ix.Index.Kind), key) + "]`"}, true
}

// placeholder reports whether v is a documentation placeholder such as
// <YOUR_HOSTNAME>, which the user is to replace, not a value.
func placeholder(v string) bool { return strings.ContainsAny(v, "<>") }

// hostValue flags a value of http.host that holds a scheme or a path, which
// the Host header never does, or upper-case letters, which browsers never
// send: http.host eq "https://Example.com/".
func hostValue(c *ast.Checked, t strTest) []Finding {
	if fieldOf(c, t.x) != "http.host" || t.op == "matches" {
		return nil
	}
	var out []Finding
	for _, lit := range t.lits {
		v := lit.Value
		off, n := span(lit)
		f := Finding{Code: HostValue, Severity: Warning, Offset: off, Len: n}
		switch {
		case placeholder(v) || strings.Contains(v, `\`):
			continue
		case strings.Contains(v, "/"):
			f.Message = fmt.Sprintf("http.host is the Host header, a host name with no scheme or path, so it %s %s", neverVerb[t.op], lit.Raw)
			f.Fix = "compare the host name alone, and test the path with http.request.uri.path, or compare http.request.full_uri"
			if host := hostOf(v); host != "" && t.op != "contains" && t.op != endsWith {
				f.Fix = "write `" + t.with(lit, host) + "`, and test the path with http.request.uri.path"
			}
		case t.op != "wildcard" && t.op != "ne" && firstBad(v, isUpper) >= 0:
			f.Message = fmt.Sprintf("browsers send host names in lower case, and %s compares bytes, so %s misses them", t.op, lit.Raw)
			f.Fix = "write `" + t.with(lit, asciicase.Lower(v)) + "`"
		default:
			continue
		}
		out = append(out, f)
	}
	return out
}

// hostOf returns the host name (with its port) of a URL-like value:
// https://example.com/a gives example.com.
func hostOf(v string) string {
	if _, rest, ok := strings.Cut(v, "://"); ok {
		v = rest
	}
	host, _, _ := strings.Cut(v, "/")
	return host
}

// The fields of the URI's path and query, and the whole URI (path and
// query) to compare instead.
var (
	pathFields  = map[string]string{"http.request.uri.path": "http.request.uri", "raw.http.request.uri.path": "raw.http.request.uri"}
	queryFields = map[string]bool{"http.request.uri.query": true, "raw.http.request.uri.query": true}
)

// uriDelimiter flags a path compared with a value holding ? or #, which
// the path never holds (the query is in http.request.uri.query, the
// fragment never reaches Cloudflare), and a query compared with a value
// starting with ?, which the query string never includes.
func uriDelimiter(c *ast.Checked, t strTest) []Finding {
	name := fieldOf(c, t.x)
	if t.op == "matches" || t.op == "ne" {
		return nil
	}
	var out []Finding
	for _, lit := range t.lits {
		off, n := span(lit)
		f := Finding{Code: URIDelimiter, Severity: Warning, Offset: off, Len: n}
		switch {
		case pathFields[name] != "" && strings.Contains(lit.Value, "#"):
			f.Message = fmt.Sprintf("a URI's #fragment is never sent to the server, so %s %s %s", name, neverVerb[t.op], lit.Raw)
			f.Fix = "remove the fragment"
		case pathFields[name] != "" && strings.Contains(lit.Value, "?"):
			f.Message = fmt.Sprintf("%s ends before the ?, so it %s %s", name, neverVerb[t.op], lit.Raw)
			f.Fix = "compare " + pathFields[name] + ", which holds the path and the query, or test the query with http.request.uri.query"
			if t.op != "in" {
				f.Fix = "write `" + render(pathFields[name], t.op, t.values()) + "`, which holds the path and the query"
			}
		case queryFields[name] && strings.HasPrefix(lit.Value, "?") && t.op != "contains" && t.op != endsWith:
			f.Message = fmt.Sprintf("%s is the query string without its ?, so it %s %s", name, neverVerb[t.op], lit.Raw)
			f.Fix = "write `" + t.with(lit, lit.Value[1:]) + "`"
		default:
			continue
		}
		out = append(out, f)
	}
	return out
}

// pathSlash flags a path compared with a value that must start it but does
// not start with /, which every path does: http.request.uri.path eq "admin".
func pathSlash(c *ast.Checked, t strTest) []Finding {
	name := fieldOf(c, t.x)
	switch {
	case pathFields[name] == "":
		return nil
	case t.op != "eq" && t.op != "in" && t.op != startsWith && t.op != "wildcard" && t.op != "strict wildcard":
		return nil
	}
	var out []Finding
	for _, lit := range t.lits {
		v := lit.Value
		if v == "" || v[0] == '/' || v[0] == '*' || placeholder(v) {
			continue
		}
		off, n := span(lit)
		out = append(out, Finding{Code: PathSlash, Severity: Warning, Offset: off, Len: n,
			Message: fmt.Sprintf("every path starts with /, so %s %s %s", name, neverVerb[t.op], lit.Raw),
			Fix:     "write `" + t.with(lit, "/"+v) + "`"})
	}
	return out
}
