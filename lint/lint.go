// Package lint finds rules that are valid but probably wrong: deprecated
// names, bot-score rules without a verified-bot exemption, tests that can
// never or always hold (a value the tested side never holds, such as an
// upper-case letter after lower(), a lower-case method or country, a
// header key with capitals, a scheme in http.host, a ? in a path;
// contradictions and tautologies within one and or or chain; empty sets),
// repeated conditions and set values, stars and double escapes where they
// do not mean what they seem, octal-looking numbers, tabs, regular
// expressions that are plain string tests, rewrite functions in filters,
// list names Cloudflare does not accept, rules an earlier rule shadows,
// and, in a ruleset with a phase, response fields in request phases; and in
// the value expressions of a rule's parameters, what Cloudflare does not
// allow there, such as a rate limiting rule's lists where it counts the
// response, and a counting expression that counts what the rule does not
// select.
package lint

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/internal/resyntax"
	"github.com/edgerules/edgerules/ruleset"
)

// A Severity says whether a finding fails a check.
type Severity string

// The severities.
const (
	Warning Severity = "warning"
	Error   Severity = "error"
)

// The codes of the findings.
const (
	DeprecatedField     = "deprecated-field"
	NoVerifiedBotExempt = "no-verified-bot-exemption"
	ScoreRange          = "score-range"
	LeadingZero         = "leading-zero"
	Tab                 = "tab"
	RegexIsString       = "regex-is-string-test"
	Shadowed            = "shadowed-rule"
	TooLong             = "too-long"
	ResponseField       = "response-field"
	RewriteFunction     = "rewrite-function"
	ListName            = "list-name"
	RewriteField        = "rewrite-field"
	RateLimitCounting   = "ratelimit-counting"
	RateLimitLists      = "ratelimit-lists"
	TransformPhase      = "transform-phase"

	// Tests that can never or always hold.
	CaseMismatch      = "case-mismatch"       // lower(x) contains "Curl"
	ValueCase         = "value-case"          // http.request.method eq "get"
	HeaderNameCase    = "header-name-case"    // http.request.headers["User-Agent"]
	HostValue         = "host-value"          // http.host eq "https://example.com"
	URIDelimiter      = "uri-delimiter"       // http.request.uri.path contains "?"
	PathSlash         = "path-without-slash"  // http.request.uri.path eq "admin"
	Contradiction     = "contradiction"       // x lt 30 and x gt 50
	Tautology         = "tautology"           // x ne "a" or x ne "b"
	Repeated          = "repeated-condition"  // a and b and a
	EmptySet          = "empty-set"           // x in {}
	DuplicateSetValue = "duplicate-set-value" // x in {"a" "a"}
	StarNotWildcard   = "star-not-wildcard"   // http.request.uri.path eq "/api/*"
	RegexDoubleEscape = "regex-double-escape" // x matches "\\.php$"
)

// CloudflareMaxLength is the longest expression Cloudflare accepts, in bytes.
const CloudflareMaxLength = 4096

// A Finding is one thing a linter noticed in an expression.
type Finding struct {
	Code     string
	Severity Severity
	Offset   int    // byte offset in the expression
	Len      int    // bytes it covers
	Message  string // what is wrong
	Fix      string // how to put it right
	Rule     *ruleset.Rule
	// Key, when set, is the key of the rule's parameter the finding is
	// about (such as "action_parameters.uri"), instead of its expression:
	// Offset and Len are then 0.
	Key string
	// Edits, when there are any, put the finding right and are safe to
	// make without asking: lint --fix makes them.
	Edits []Edit
}

// An Edit replaces the bytes [Offset, Offset+Len) of an expression with
// Text.
type Edit struct {
	Offset, Len int
	Text        string
}

// The fields the bot rules concern.
const (
	scoreField    = "cf.bot_management.score"
	verifiedField = "cf.bot_management.verified_bot"
	clientBot     = "cf.client.bot"
)

// Expression lints one checked expression.
func Expression(c *ast.Checked) []Finding {
	var out []Finding
	src := c.Source
	if len(src) > CloudflareMaxLength {
		out = append(out, Finding{Code: TooLong, Severity: Error, Offset: CloudflareMaxLength, Len: len(src) - CloudflareMaxLength,
			Message: fmt.Sprintf("the expression is %d bytes long; Cloudflare accepts at most %d", len(src), CloudflareMaxLength),
			Fix:     "split it into several rules, or move its values into a list"})
	}
	if i := strings.IndexByte(src, '\t'); i >= 0 {
		out = append(out, Finding{Code: Tab, Severity: Warning, Offset: i, Len: 1,
			Message: "a tab: Cloudflare's engine may reject tabs inside an expression", Fix: "use spaces"})
	}
	out = append(out, deprecated(c)...)
	for n := range ast.Preorder(c.X) {
		out = append(out, node(c, n)...)
	}
	return append(out, chainFindings(c)...)
}

// node lints one node of a checked expression on its own.
func node(c *ast.Checked, n ast.Node) []Finding {
	var out []Finding
	switch n := n.(type) {
	case *ast.CallExpr:
		if fn, ok := rewriteOnly[n.Fun.Name]; ok {
			out = append(out, Finding{Code: RewriteFunction, Severity: Error, Offset: n.Fun.Pos(), Len: len(n.Fun.Name),
				Message: fmt.Sprintf("`%s` is a rewrite function: Cloudflare accepts it only in %s, not in a rule's filter expression", n.Fun.Name, fn.where),
				Fix:     "test the field itself in the filter, and rewrite in the rule's action parameters"})
		}
	case *ast.ListRef:
		if f, ok := listName(n); ok {
			out = append(out, f)
		}
	case *ast.Literal:
		if f, ok := leadingZero(n); ok {
			out = append(out, f)
		}
	case *ast.IndexExpr:
		if f, ok := headerNameCase(c, n); ok {
			out = append(out, f)
		}
	case *ast.CompareExpr:
		if f, ok := scoreRange(c, n); ok {
			out = append(out, f)
		}
		if f, ok := regexIsString(n); ok {
			out = append(out, f)
		}
		out = append(out, setValues(c, n)...)
	}
	if t, ok := asStrTest(n); ok {
		out = append(out, stringTest(c, t)...)
	}
	return out
}

// stringTest lints a test of a string against literal values.
func stringTest(c *ast.Checked, t strTest) []Finding {
	out := caseMismatch(c, t)
	out = append(out, hostValue(c, t)...)
	out = append(out, uriDelimiter(c, t)...)
	out = append(out, pathSlash(c, t)...)
	if f, ok := starNotWildcard(c, t); ok {
		out = append(out, f)
	}
	if f, ok := regexDoubleEscape(t); ok {
		out = append(out, f)
	}
	return out
}

// deprecated flags each deprecated name an expression uses, once, where
// it first appears, with the number of times it is used.
func deprecated(c *ast.Checked) []Finding {
	var first []*ast.Ident
	count := map[string]int{}
	edits := map[string][]Edit{}
	for n := range ast.Preorder(c.X) {
		id, ok := n.(*ast.Ident)
		if !ok {
			continue
		}
		if _, dep := c.Scheme.Deprecated(id.Name); !dep {
			continue
		}
		if count[id.Name]++; count[id.Name] == 1 {
			first = append(first, id)
		}
		repl, _ := c.Scheme.Deprecated(id.Name)
		edits[id.Name] = append(edits[id.Name], Edit{id.Pos(), len(id.Name), repl})
	}
	var out []Finding
	for _, id := range first {
		repl, _ := c.Scheme.Deprecated(id.Name)
		msg := fmt.Sprintf("`%s` is a deprecated name of `%s`", id.Name, repl)
		if n := count[id.Name]; n > 1 {
			msg += fmt.Sprintf(" (used %d times here)", n)
		}
		out = append(out, Finding{Code: DeprecatedField, Severity: Warning, Offset: id.Pos(), Len: len(id.Name),
			Message: msg, Fix: "write `" + repl + "`", Edits: edits[id.Name]})
	}
	return out
}

// The keys of the value expressions that may call rewrite functions: a
// URL rewrite's path and query, a header transform's values and a single
// redirect's target.
const (
	uriKey      = "action_parameters.uri."
	headersKey  = "action_parameters.headers."
	redirectKey = "action_parameters.from_value.target_url."
)

// A rewriteFunc is a function Cloudflare accepts only in some value
// expressions: where, in words, and the keys of those expressions.
type rewriteFunc struct {
	where string
	in    []string
}

// rewriteOnly are the functions Cloudflare accepts only in the value
// expressions of rewrites and redirects, with where they are accepted, as
// its functions reference gives them.
var rewriteOnly = map[string]rewriteFunc{
	"regex_replace":     {"the rewrite expressions of Transform Rules and redirect targets", []string{uriKey, headersKey, redirectKey}},
	"wildcard_replace":  {"URL rewrites and redirect targets", []string{uriKey, redirectKey}},
	"remove_query_args": {"URL rewrite expressions", []string{uriKey}},
	"to_string":         {"the rewrite and header value expressions of Transform Rules and redirect targets", []string{uriKey, headersKey, redirectKey}},
	"uuidv4":            {"the rewrite expressions of Transform Rules", []string{uriKey, headersKey}},
}

// fieldOf returns the canonical name of the field x reads directly.
func fieldOf(c *ast.Checked, x ast.Expr) string {
	if id, ok := ast.Unparen(x).(*ast.Ident); ok {
		if f, ok := c.Fields[id]; ok {
			return f.Name()
		}
	}
	return ""
}

// The names of lists: a custom list's name is lowercase letters, digits
// and _, at most 50 of them; Cloudflare's managed lists are named cf.*.
var (
	customList   = regexp.MustCompile(`^[a-z0-9_]{1,50}$`)
	managedLists = []string{"cf.anonymizer", "cf.botnetcc", "cf.malware", "cf.open_proxies", "cf.vpn"}
)

// listName flags a list name Cloudflare does not accept: its Lists
// documentation allows lowercase letters, digits and _, at most 50 of them,
// and names the managed lists.
func listName(l *ast.ListRef) (Finding, bool) {
	name := l.Name
	f := Finding{Code: ListName, Severity: Error, Offset: l.Pos(), Len: l.End() - l.Pos()}
	switch {
	case strings.HasPrefix(name, "cf."):
		if slices.Contains(managedLists, name) {
			return Finding{}, false
		}
		f.Message = fmt.Sprintf("`$%s` is not one of Cloudflare's managed lists", name)
		if near := fields.Closest(name, managedLists, 1); len(near) > 0 {
			f.Fix = "did you mean `$" + near[0] + "`?"
		} else {
			f.Fix = "the managed lists are $" + strings.Join(managedLists, ", $")
		}
	case customList.MatchString(name):
		return Finding{}, false
	case len(name) > 50:
		f.Message = fmt.Sprintf("the list name `%s` is %d characters long; Cloudflare allows at most 50", name, len(name))
		f.Fix = "rename the list"
	default:
		f.Message = fmt.Sprintf("Cloudflare's list names are lowercase letters, digits and _, so no list is named `%s`", name)
		if lower := strings.ToLower(name); customList.MatchString(lower) {
			f.Fix = "write `$" + lower + "`"
		}
	}
	return f, true
}

var octal = regexp.MustCompile(`^-?0[0-9]+$`)

// leadingZero flags an integer written with a leading zero, which the
// language reads as octal: 010 is 8.
func leadingZero(lit *ast.Literal) (Finding, bool) {
	if lit.Kind != ast.Unquoted {
		return Finding{}, false
	}
	for part := range strings.SplitSeq(lit.Raw, "..") {
		if n, err := fields.ParseInt(part); err == nil && octal.MatchString(part) {
			return Finding{Code: LeadingZero, Severity: Warning, Offset: lit.Pos(), Len: len(lit.Raw),
				Message: fmt.Sprintf("`%s` starts with 0, so it is octal: %d", part, n),
				Fix:     "write it without the leading zero, or as 0x… if hex was meant"}, true
		}
	}
	return Finding{}, false
}

// scoreRange flags a comparison of the bot score, which runs from 1 to 99,
// that can never or always hold.
func scoreRange(c *ast.Checked, x *ast.CompareExpr) (Finding, bool) {
	lit, isLit := x.Y.(*ast.Literal)
	if fieldOf(c, x.X) != scoreField || !isLit {
		return Finding{}, false
	}
	n, err := fields.ParseInt(lit.Raw)
	if err != nil {
		return Finding{}, false
	}
	var never, always bool
	switch x.Op {
	case ast.OpLt:
		never, always = n <= 1, n > 99
	case ast.OpLe:
		never, always = n < 1, n >= 99
	case ast.OpGt:
		never, always = n >= 99, n < 1
	case ast.OpGe:
		never, always = n > 99, n <= 1
	case ast.OpEq:
		never = n < 1 || n > 99
	case ast.OpNe:
		always = n < 1 || n > 99
	}
	what := "never holds"
	if always {
		what = "holds for every scored request"
	}
	if !never && !always {
		return Finding{}, false
	}
	return Finding{Code: ScoreRange, Severity: Warning, Offset: x.Pos(), Len: x.End() - x.Pos(),
		Message: fmt.Sprintf("`%s` %s: bot scores run from 1 to 99", ast.Format(x), what),
		Fix:     "compare with a score from 1 to 99; `eq 1` is definitely automated, `lt 30` likely automated"}, true
}

// regexIsString flags a regular expression that is a plain string test:
// contains, starts_with, ends_with or eq say the same, faster and clearer.
func regexIsString(x *ast.CompareExpr) (Finding, bool) {
	lit, ok := x.Y.(*ast.Literal)
	if x.Op != ast.OpMatches || !ok || strings.Contains(lit.Value, "(?") {
		return Finding{}, false
	}
	re, err := syntax.Parse(lit.Value, syntax.Perl)
	if err != nil {
		return Finding{}, false
	}
	parts, start, end := resyntax.Anchors(re.Simplify())
	if len(parts) != 1 || parts[0].Op != syntax.OpLiteral || parts[0].Flags&syntax.FoldCase != 0 {
		return Finding{}, false
	}
	text := ast.QuoteLiteral(ast.String, string(parts[0].Rune))
	lhs := ast.Format(x.X)
	var better string
	switch {
	case start && end:
		better = lhs + " eq " + text
	case start:
		better = "starts_with(" + lhs + ", " + text + ")"
	case end:
		better = "ends_with(" + lhs + ", " + text + ")"
	default:
		better = lhs + " contains " + text
	}
	return Finding{Code: RegexIsString, Severity: Warning, Offset: x.Pos(), Len: x.End() - x.Pos(),
		Message: "this regular expression only tests for a fixed string", Fix: "write `" + better + "`",
		Edits: []Edit{{x.Pos(), x.End() - x.Pos(), better}}}, true
}
