package ruleset

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/edgerules/edgerules/eval"
)

// The phases of the rules that change a request instead of stopping it.
const (
	// DynamicRedirectPhase is the phase of single redirects, whose target
	// may be an expression.
	DynamicRedirectPhase = "http_request_dynamic_redirect"
	// URLRewritePhase is the phase of URL rewrites.
	URLRewritePhase = "http_request_transform"
	// CustomPhase is the phase of custom (firewall) rules, and of a
	// ruleset that names no phase.
	CustomPhase = "http_request_firewall_custom"
	// RequestHeadersPhase is the phase of request header transforms.
	RequestHeadersPhase = "http_request_late_transform"
	// ResponseHeadersPhase is the phase of response header transforms.
	ResponseHeadersPhase = "http_response_headers_transform"
)

// A HeaderOp is what a transform does to a header.
type HeaderOp string

// The operations of header transform rules.
const (
	SetHeader    HeaderOp = "set"    // replaces every line of the header, or adds it
	AddHeader    HeaderOp = "add"    // adds a line, keeping those there
	RemoveHeader HeaderOp = "remove" // removes every line of the header
)

// A HeaderChange is one change a rule makes to the headers of a request
// (sent to the origin) or of a response (sent to the client).
type HeaderChange struct {
	Op    HeaderOp `json:"op"`
	Name  string   `json:"name"`
	Value string   `json:"value,omitempty"`
}

// Headers are what ApplyHeaders changes: an http.Header, a
// textproto.MIMEHeader, or a proxy's own headers.
type Headers interface {
	Set(name, value string)
	Add(name, value string)
	Del(name string)
}

// ApplyHeaders makes changes to the headers h, in order, as a proxy makes
// them: set replaces every line of a header, add adds one, remove removes
// them all.
func ApplyHeaders(h Headers, changes []HeaderChange) {
	for _, c := range changes {
		switch c.Op {
		case SetHeader:
			h.Set(c.Name, c.Value)
		case AddHeader:
			h.Add(c.Name, c.Value)
		case RemoveHeader:
			h.Del(c.Name)
		}
	}
}

// A RedirectTarget is where a redirect rule sends the client.
type RedirectTarget struct {
	URL    string `json:"url"`
	Status int    `json:"status"`
}

// redirectStatuses are the status codes of single redirects.
var redirectStatuses = []int64{301, 302, 303, 307, 308}

// maxHeaderValue is the longest value a request header transform sets.
const maxHeaderValue = 4096

// A value is a parameter that is either static ("value") or computed from
// the request ("expression"); prog is compiled when the zone is.
type value struct {
	static string
	key    string // of the expression, for its compiled program; empty for a static value
	prog   *eval.Program
}

// eval returns the value for the request in c. An expression whose value
// is missing gives "".
func (v *value) eval(c *eval.Context) string {
	if v.prog == nil {
		return v.static
	}
	return v.prog.Eval(c).Str()
}

// headerParam is one header a transform changes.
type headerParam struct {
	op    HeaderOp
	name  string
	value value
}

// A transform is what a rule changes, read from its action parameters:
// the path and query of a URL rewrite, the headers of a header transform,
// the target of a redirect.
type transform struct {
	path, query *value
	headers     []headerParam
	response    bool // the headers are the response's
	redirect    *value
	status      int
	keepQuery   bool
}

// values returns the transform's parameters that may be expressions.
func (t *transform) values() []*value {
	var out []*value
	for _, v := range []*value{t.path, t.query, t.redirect} {
		if v != nil {
			out = append(out, v)
		}
	}
	for i := range t.headers {
		if t.headers[i].op != RemoveHeader {
			out = append(out, &t.headers[i].value)
		}
	}
	return out
}

// readTransform reads what rule r of a ruleset of phase changes: a URL
// rewrite in the URL rewrite phase, header changes in the header transform
// phases, the target of a redirect. It returns nil for a rule that changes
// nothing, and each problem at its key.
func readTransform(phase string, r *Rule) (*transform, []paramError) {
	p := r.ActionParameters
	switch {
	case r.Action == Redirect && p["from_value"] != nil:
		return readRedirect(p)
	case r.Action == Redirect && p["from_list"] == nil:
		return nil, []paramError{{"action_parameters", fmt.Errorf(`a redirect has "from_value" (a single redirect) or "from_list" (a bulk redirect) in its "action_parameters"`)}}
	case r.Action == Skip:
		return nil, readSkip(p)
	case r.Action != Rewrite:
		return nil, nil
	case slices.Contains(rewritePhases["uri"], phase):
		return readURLRewrite(p)
	case slices.Contains(rewritePhases["headers"], phase):
		return readHeaders(p, phase == ResponseHeadersPhase)
	}
	return nil, nil
}

// rewritePhases are the phases that apply each part of a rewrite's action
// parameters: a URL rewrite's "uri", the header transforms' "headers".
var rewritePhases = map[string][]string{
	"uri":     {URLRewritePhase},
	"headers": {RequestHeadersPhase, ResponseHeadersPhase},
}

// RewritePhases returns the phases in which part ("uri" or "headers") of a
// rewrite's action parameters changes the request or the response; in any
// other phase it changes nothing.
func RewritePhases(part string) []string { return slices.Clone(rewritePhases[part]) }

// readSkip checks what a skip rule skips: the phases and products
// Cloudflare lets it name.
func readSkip(p map[string]any) []paramError {
	var errs []paramError
	for _, list := range []struct {
		key   string
		known []string
	}{{"phases", skippablePhases}, {"products", skippableProducts}} {
		v, ok := p[list.key]
		if !ok {
			continue
		}
		key := "action_parameters." + list.key
		items, ok := v.([]any)
		if !ok {
			errs = append(errs, paramError{key, fmt.Errorf("%q is a list, found %s", list.key, kindOf(v))})
			continue
		}
		for _, item := range items {
			if name, _ := item.(string); !slices.Contains(list.known, name) {
				errs = append(errs, paramError{key, fmt.Errorf("a skip rule's %q are %s; found %s", list.key, strings.Join(list.known, ", "), kindOf(item))})
			}
		}
	}
	return errs
}

// readValue reads a parameter object at key: {"value": ...} or
// {"expression": ...}, one of them.
func readValue(v any, key string) (*value, []paramError) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, []paramError{{key, fmt.Errorf(`%s is an object with a "value" or an "expression", found %s`, last(key), kindOf(v))}}
	}
	static, isStatic := m["value"]
	x, isExpr := m["expression"]
	switch {
	case isStatic && isExpr:
		return nil, []paramError{{key, fmt.Errorf(`%s has a "value" or an "expression", not both`, last(key))}}
	case isExpr:
		s, ok := x.(string)
		if !ok || strings.TrimSpace(s) == "" {
			return nil, []paramError{{key + ".expression", fmt.Errorf(`"expression" is a string with an expression, found %s`, kindOf(x))}}
		}
		return &value{key: key + ".expression"}, nil
	case isStatic:
		s, ok := static.(string)
		if !ok {
			return nil, []paramError{{key + ".value", fmt.Errorf(`"value" is a string, found %s`, kindOf(static))}}
		}
		return &value{static: s}, nil
	}
	return nil, []paramError{{key, fmt.Errorf(`%s has a "value" or an "expression"`, last(key))}}
}

// last is the last part of a dotted key.
func last(key string) string { return key[strings.LastIndexByte(key, '.')+1:] }

func readRedirect(p map[string]any) (*transform, []paramError) {
	const key = "action_parameters.from_value"
	from, ok := p["from_value"].(map[string]any)
	if !ok {
		return nil, []paramError{{key, fmt.Errorf(`"from_value" is an object, found %s`, kindOf(p["from_value"]))}}
	}
	t := &transform{status: 301}
	target, errs := readValue(from["target_url"], key+".target_url")
	if target != nil && target.prog == nil && target.key == "" && target.static == "" {
		errs = append(errs, paramError{key + ".target_url.value", fmt.Errorf("a redirect's target URL is not empty")})
	}
	t.redirect = target
	fail := func(k, format string, args ...any) {
		errs = append(errs, paramError{key + "." + k, fmt.Errorf(format, args...)})
	}
	if code, ok := integer(from, "status_code", fail); ok && from["status_code"] != nil {
		if !slices.Contains(redirectStatuses, code) {
			fail("status_code", "a redirect's status_code is %s, found %d", seconds(redirectStatuses), code)
		}
		t.status = int(code)
	}
	if v, ok := from["preserve_query_string"]; ok {
		if t.keepQuery, ok = v.(bool); !ok {
			fail("preserve_query_string", `"preserve_query_string" is true or false, found %s`, kindOf(v))
		}
	}
	return t, errs
}

func readURLRewrite(p map[string]any) (*transform, []paramError) {
	const key = "action_parameters.uri"
	uri, ok := p["uri"].(map[string]any)
	if !ok {
		return nil, []paramError{{key, fmt.Errorf(`a URL rewrite has a "uri" object with its "path", its "query", or both; found %s`, kindOf(p["uri"]))}}
	}
	t := &transform{}
	var errs []paramError
	for _, part := range []string{"path", "query"} {
		raw, ok := uri[part]
		if !ok {
			continue
		}
		v, e := readValue(raw, key+"."+part)
		errs = append(errs, e...)
		switch {
		case v == nil:
		case part == "path":
			if v.key == "" && !strings.HasPrefix(v.static, "/") {
				errs = append(errs, paramError{key + ".path.value", fmt.Errorf("a rewritten path starts with /, found %q", v.static)})
			}
			t.path = v
		default:
			if v.key == "" && strings.HasPrefix(v.static, "?") {
				errs = append(errs, paramError{key + ".query.value", fmt.Errorf(`a rewritten query is written without its "?", found %q`, v.static)})
			}
			t.query = v
		}
	}
	if t.path == nil && t.query == nil && len(errs) == 0 {
		errs = append(errs, paramError{key, fmt.Errorf(`a URL rewrite has a "path", a "query", or both`)})
	}
	return t, errs
}

func readHeaders(p map[string]any, response bool) (*transform, []paramError) {
	const key = "action_parameters.headers"
	headers, ok := p["headers"].(map[string]any)
	if !ok || len(headers) == 0 {
		return nil, []paramError{{key, fmt.Errorf(`a header transform has a "headers" object, by header name; found %s`, kindOf(p["headers"]))}}
	}
	t := &transform{response: response}
	var errs []paramError
	// An object's keys have no order: the changes of one rule are made in
	// the order of the headers' names.
	for _, name := range slices.Sorted(maps.Keys(headers)) {
		h, e := readHeader(name, headers[name], key+"."+name, response)
		errs = append(errs, e...)
		if h != nil {
			t.headers = append(t.headers, *h)
		}
	}
	return t, errs
}

func readHeader(name string, v any, key string, response bool) (*headerParam, []paramError) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, []paramError{{key, fmt.Errorf(`header %s is an object with an "operation", found %s`, name, kindOf(v))}}
	}
	if err := headerName(name); err != nil {
		return nil, []paramError{{key, err}}
	}
	op, _ := m["operation"].(string)
	h := &headerParam{op: HeaderOp(op), name: name}
	switch h.op {
	case RemoveHeader:
		if _, has := m["value"]; has {
			return nil, []paramError{{key + ".value", fmt.Errorf("a header that is removed has no value")}}
		}
		if _, has := m["expression"]; has {
			return nil, []paramError{{key + ".expression", fmt.Errorf("a header that is removed has no expression")}}
		}
	case SetHeader, AddHeader:
		val, errs := readValue(m, key)
		if len(errs) > 0 {
			return nil, errs
		}
		if val.key == "" {
			if err := headerValue(val.static, response); err != nil {
				return nil, []paramError{{key + ".value", err}}
			}
		}
		h.value = *val
	default:
		return nil, []paramError{{key + ".operation", fmt.Errorf(`a header's "operation" is set, add or remove, found %s`, kindOf(m["operation"]))}}
	}
	if err := reservedHeader(h.op, name, response); err != nil {
		return nil, []paramError{{key, err}}
	}
	return h, nil
}

// headerName checks a header's name as Cloudflare does: letters, digits,
// - and _.
func headerName(name string) error {
	if name == "" {
		return fmt.Errorf("a header's name is not empty")
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isAlnum(c) && c != '-' && c != '_' {
			return fmt.Errorf("header name %q has %s at %d; a name has letters, digits, - and _", name, char(c), i+1)
		}
	}
	return nil
}

// valueSpecials are the characters besides letters and digits a header's
// value may have, as Cloudflare documents them (the space among them).
const valueSpecials = "_ :;.,\\/\"'?!(){}[]@<>=-+*#$&`|~^%"

// headerValue checks a static value as Cloudflare does.
func headerValue(v string, response bool) error {
	if !response && len(v) > maxHeaderValue {
		return fmt.Errorf("a request header's value is at most %d bytes, found %d", maxHeaderValue, len(v))
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; !isAlnum(c) && strings.IndexByte(valueSpecials, c) < 0 {
			return fmt.Errorf("header value %q has %s at %d, which a header's value cannot have", v, char(c), i+1)
		}
	}
	return nil
}

// char names a byte for a message: 'x', or the byte of a character that
// is not ASCII.
func char(c byte) string {
	if c < 0x20 || c >= 0x7f {
		return fmt.Sprintf("the byte 0x%02X", c)
	}
	return fmt.Sprintf("%q", c)
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// The headers Cloudflare does not let a transform change: those that carry
// the client's address or protocol (a rule may not forge them), and those
// of the protocol itself, which the proxy manages.
var (
	clientHeaders      = []string{"x-forwarded-for", "x-real-ip", "true-client-ip", "x-forwarded-proto"}
	unremovableHeaders = []string{"x-forwarded-for", "x-forwarded-proto"}
	protocolHeaders    = []string{"accept-encoding", "connection", "content-length", "expect", "host", "keep-alive",
		"proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"}
	responseProtocolHeaders = []string{"connection", "content-length", "keep-alive", "trailer", "transfer-encoding", "upgrade"}
)

// reservedHeader refuses a change Cloudflare refuses: a request header of
// Cloudflare's own (cf-*, x-cf-*; cf-connecting-ip may only be removed),
// one that tells the client's address or protocol (x-forwarded-for and
// x-forwarded-proto may not even be removed), Cookie but to remove it, or
// one of the protocol's.
func reservedHeader(op HeaderOp, name string, response bool) error {
	lower := strings.ToLower(name)
	if response {
		if slices.Contains(responseProtocolHeaders, lower) {
			return fmt.Errorf("header %s frames the response; a transform cannot change it", name)
		}
		return nil
	}
	switch {
	case lower == "cf-connecting-ip" && op == RemoveHeader:
		return nil
	case strings.HasPrefix(lower, "cf-") || strings.HasPrefix(lower, "x-cf-"):
		return fmt.Errorf("header %s is Cloudflare's; a transform cannot change it (only cf-connecting-ip may be removed)", name)
	case slices.Contains(clientHeaders, lower) && op != RemoveHeader:
		return fmt.Errorf("header %s tells the client's address or protocol; a transform cannot set it", name)
	case slices.Contains(unremovableHeaders, lower):
		return fmt.Errorf("header %s tells the client's address or protocol; a transform cannot remove it", name)
	case lower == "cookie" && op != RemoveHeader:
		return fmt.Errorf("header Cookie may only be removed by a transform, not set")
	case slices.Contains(protocolHeaders, lower):
		return fmt.Errorf("header %s is the protocol's; a request header transform cannot change it", name)
	}
	return nil
}
