package lint

import (
	"fmt"
	"strings"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/internal/asciicase"
)

// A oneCase describes a value that holds letters of one case only: the
// result of lower() or upper(), or a field Cloudflare always writes so.
type oneCase struct {
	code    string              // CaseMismatch or ValueCase
	subject string              // how the message names the value
	bad     func(rune) bool     // the letters it never holds
	fix     func(string) string // maps a literal to the case it does hold
}

// upperFields are the fields Cloudflare's fields reference gives in upper
// case: the method ("a string of uppercase characters"), the ISO 3166-1
// country and 3166-2 subdivision codes, and the continent codes (AF … T1).
// The deprecated ip.geoip.* names are aliases of the ip.src.* ones.
var upperFields = map[string]bool{
	"http.request.method":           true,
	"ip.src.country":                true,
	"ip.src.continent":              true,
	"ip.src.subdivision_1_iso_code": true,
	"ip.src.subdivision_2_iso_code": true,
}

// caseOf returns the one case the tested side x holds, if it holds one:
// lower(…), upper(…) (also over [*]), or a field of upperFields.
func caseOf(c *ast.Checked, x ast.Expr) (oneCase, bool) {
	x = ast.Unparen(x)
	if ix, ok := x.(*ast.IndexExpr); ok && ix.Index == nil {
		x = ast.Unparen(ix.X)
	}
	if name := fieldOf(c, x); upperFields[name] {
		return oneCase{ValueCase, "Cloudflare writes " + name + " in upper case, so it", isLower, strings.ToUpper}, true
	}
	call, ok := x.(*ast.CallExpr)
	if !ok || len(call.Args) != 1 || !builtin(c, call) {
		return oneCase{}, false
	}
	subject := "`" + ast.Format(call) + "` has no %s-case letters, so it"
	switch call.Fun.Name {
	case "lower":
		return oneCase{CaseMismatch, fmt.Sprintf(subject, "upper"), isUpper, asciicase.Lower}, true
	case "upper":
		return oneCase{CaseMismatch, fmt.Sprintf(subject, "lower"), isLower, asciicase.Upper}, true
	}
	return oneCase{}, false
}

// builtin reports whether call calls a built-in function, not one a
// custom scheme implements.
func builtin(c *ast.Checked, call *ast.CallExpr) bool {
	return fields.IsBuiltin(c.Funcs[call])
}

// neverVerb says what a test never does when its value cannot occur.
var neverVerb = map[string]string{
	"eq": "never equals", "in": "never equals", "contains": "never contains",
	"matches": "never matches", "strict wildcard": "never matches", "wildcard": "never matches",
	startsWith: "never starts with", endsWith: "never ends with",
	"ne": "always differs from",
}

// caseMismatch flags the values of a test that the one-case side it tests
// can never match: lower(x) contains "Curl", http.request.method eq "get".
// The wildcard operator ignores case, so it is never flagged.
func caseMismatch(c *ast.Checked, t strTest) []Finding {
	oc, ok := caseOf(c, t.x)
	verb, tested := neverVerb[t.op]
	if !ok || !tested || t.op == "wildcard" {
		return nil
	}
	var out []Finding
	for _, lit := range t.lits {
		if f, ok := oc.check(t, lit, verb); ok {
			out = append(out, f)
		}
	}
	return out
}

// check flags lit when the one-case value can never match it.
func (oc oneCase) check(t strTest, lit *ast.Literal, verb string) (Finding, bool) {
	var fix string
	var edits []Edit
	off, n := span(lit)
	if t.op == "matches" {
		if !regexNeedsBad(lit.Value, oc.bad) {
			return Finding{}, false
		}
		fix = "write the pattern's letters in the value's case, or match either case with (?i)"
	} else {
		if firstBad(lit.Value, oc.bad) < 0 {
			return Finding{}, false
		}
		fix = "write `" + t.with(lit, oc.fix(lit.Value)) + "`"
		edits = []Edit{{off, n, ast.QuoteLiteral(quoteKind(lit.Kind), oc.fix(lit.Value))}}
	}
	msg := fmt.Sprintf("%s %s %s", oc.subject, verb, lit.Raw)
	if t.op == "ne" {
		msg += ": this condition always holds"
	}
	return Finding{Code: oc.code, Severity: Warning, Offset: off, Len: n, Message: msg, Fix: fix, Edits: edits}, true
}
