// Package bench measures edgerules beside the Go rule engines users would
// choose instead, expr-lang/expr and cel-go, and beside hand-written Go,
// on the same rules and the same request. It is a module of its own so
// that the library's go.mod does not carry the other engines.
package bench

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/ext"
	"cel.dev/cel-go/interpreter"
	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/ruleset"
	exprlang "github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
)

// A Request is the request every engine evaluates, as plain Go values.
type Request struct {
	Score       int
	VerifiedBot bool
	Path        string
	Query       string
	Host        string
	UserAgent   string
	IP          string
}

// BrowserUA is a 124-byte desktop browser user agent.
const BrowserUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0"

// LikelyBot is a likely bot (score 12) on a browser path: every rule has to
// read every field it names to decide.
var LikelyBot = Request{Score: 12, Path: "/products/shoes/running/index.html", Query: "color=red",
	Host: "www.example.com", UserAgent: BrowserUA, IP: "203.0.113.7"}

// A Rule is one rule written in each engine's language, and by hand.
type Rule struct {
	Name      string
	EdgeRules string
	Expr      string
	CEL       string
	Go        func(r *Request) bool
}

var (
	botUA   = regexp.MustCompile(`(?i)(curl|wget|python-requests)`)
	private = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.0.0/16")}
)

// Rules are the rules of the comparison: the seed's three bot rules, a
// regular expression on the user agent, and an IP set.
var Rules = []Rule{
	{
		Name:      "seed-browser-block",
		EdgeRules: `(cf.bot_management.score lt 30) and not (cf.bot_management.verified_bot)`,
		Expr:      `Score < 30 && !VerifiedBot`,
		CEL:       `score < 30 && !verified_bot`,
		Go:        func(r *Request) bool { return r.Score < 30 && !r.VerifiedBot },
	},
	{
		Name:      "seed-api-exempt",
		EdgeRules: `(cf.bot_management.score lt 30) and not (cf.bot_management.verified_bot) and not (http.request.uri.path contains "/api")`,
		Expr:      `Score < 30 && !VerifiedBot && !(Path contains "/api")`,
		CEL:       `score < 30 && !verified_bot && !path.contains('/api')`,
		Go:        func(r *Request) bool { return r.Score < 30 && !r.VerifiedBot && !strings.Contains(r.Path, "/api") },
	},
	{
		Name:      "seed-mobile-challenge",
		EdgeRules: `(cf.bot_management.score lt 30) and (http.user_agent contains "App_Name 2.0")`,
		Expr:      `Score < 30 && (UserAgent contains "App_Name 2.0")`,
		CEL:       `score < 30 && user_agent.contains('App_Name 2.0')`,
		Go:        func(r *Request) bool { return r.Score < 30 && strings.Contains(r.UserAgent, "App_Name 2.0") },
	},
	{
		Name:      "regex-user-agent",
		EdgeRules: `http.user_agent matches "(?i)(curl|wget|python-requests)"`,
		Expr:      `UserAgent matches "(?i)(curl|wget|python-requests)"`,
		CEL:       `user_agent.matches('(?i)(curl|wget|python-requests)')`,
		Go:        func(r *Request) bool { return botUA.MatchString(r.UserAgent) },
	},
	{
		Name:      "ip-set",
		EdgeRules: `ip.src in {10.0.0.0/8 192.168.0.0/16}`,
		Expr:      `inNetwork(IP, "10.0.0.0/8") || inNetwork(IP, "192.168.0.0/16")`,
		CEL:       `cidr('10.0.0.0/8').containsIP(ip_src) || cidr('192.168.0.0/16').containsIP(ip_src)`,
		Go: func(r *Request) bool {
			a, err := netip.ParseAddr(r.IP)
			return err == nil && (private[0].Contains(a) || private[1].Contains(a))
		},
	},
}

// An Engine compiles rules and evaluates them on one request.
type Engine interface {
	Compile(r Rule) (func() bool, error)
}

// EdgeRules compiles with edgerules. Single rules evaluate on a context
// filled once, as the other engines use an environment filled once. A
// ruleset evaluates on a context that is Reset for every evaluation, as per
// request, and whose fields resolvers read from the request again: the
// answers it shares between rules must not outlive a request.
type EdgeRules struct {
	Ctx  *eval.Context // filled once
	live *eval.Context // reset each time; resolvers read the request
}

// NewEdgeRules makes the two contexts for a request.
func NewEdgeRules(r *Request) *EdgeRules {
	s := fields.Cloudflare()
	e := &EdgeRules{Ctx: eval.NewContext(s), live: eval.NewContext(s)}
	for name, read := range map[string]func() eval.Value{
		"cf.bot_management.score":        func() eval.Value { return eval.Int(int64(r.Score)) },
		"cf.bot_management.verified_bot": func() eval.Value { return eval.Bool(r.VerifiedBot) },
		"http.request.uri.path":          func() eval.Value { return eval.String(r.Path) },
		"http.request.uri.query":         func() eval.Value { return eval.String(r.Query) },
		"http.host":                      func() eval.Value { return eval.String(r.Host) },
		"http.user_agent":                func() eval.Value { return eval.String(r.UserAgent) },
		"ip.src": func() eval.Value {
			ip, err := netip.ParseAddr(r.IP)
			if err != nil {
				return eval.Value{}
			}
			return eval.IP(ip)
		},
	} {
		f, _ := s.Field(name)
		if err := e.Ctx.Set(f, read()); err != nil {
			panic(err)
		}
		_ = e.live.SetResolver(f, func(*eval.Context) eval.Value { return read() })
	}
	return e
}

// Compile compiles the edgerules form of the rule.
func (e *EdgeRules) Compile(r Rule) (func() bool, error) {
	f, err := expr.Compile(r.EdgeRules, fields.Cloudflare())
	if err != nil {
		return nil, err
	}
	return func() bool { return f.Match(e.Ctx) }, nil
}

// Ruleset compiles rules into one edgerules engine.
func (e *EdgeRules) Ruleset(rules []Rule) (func() bool, error) {
	rs := &ruleset.Ruleset{}
	for i, r := range rules {
		rs.Rules = append(rs.Rules, &ruleset.Rule{Ref: fmt.Sprint(i), Expression: r.EdgeRules, Action: ruleset.Block})
	}
	engine, err := ruleset.Compile(rs, fields.Cloudflare())
	if err != nil {
		return nil, err
	}
	return func() bool {
		e.live.Reset()
		return engine.Evaluate(e.live).Rule != nil
	}, nil
}

// Expr compiles with expr-lang/expr and runs on the request struct.
type Expr struct {
	Env     *Request
	machine vm.VM
}

// Compile compiles the expr form of the rule.
func (e *Expr) Compile(r Rule) (func() bool, error) {
	p, err := exprlang.Compile(r.Expr, exprlang.Env(Request{}), exprlang.AsBool(),
		exprlang.Function("inNetwork", func(params ...any) (any, error) {
			a, err := netip.ParseAddr(params[0].(string))
			if err != nil {
				return false, nil
			}
			p, err := netip.ParsePrefix(params[1].(string))
			return err == nil && p.Contains(a), nil
		}, new(func(string, string) bool)))
	if err != nil {
		return nil, err
	}
	return func() bool {
		out, err := e.machine.Run(p, e.Env)
		return err == nil && out.(bool)
	}, nil
}

// CEL compiles with cel-go, optimized, and evaluates on an activation
// made once.
type CEL struct {
	env *cel.Env
	act interpreter.Activation
}

// NewCEL declares the request's variables.
func NewCEL(r Request) (*CEL, error) {
	env, err := cel.NewEnv(
		cel.Variable("score", cel.IntType), cel.Variable("verified_bot", cel.BoolType),
		cel.Variable("path", cel.StringType), cel.Variable("query", cel.StringType), cel.Variable("host", cel.StringType),
		cel.Variable("user_agent", cel.StringType), cel.Variable("ip_src", cel.StringType),
		ext.Strings(), ext.Network())
	if err != nil {
		return nil, err
	}
	act, err := interpreter.NewActivation(map[string]any{
		"score": r.Score, "verified_bot": r.VerifiedBot, "path": r.Path, "query": r.Query, "host": r.Host,
		"user_agent": r.UserAgent, "ip_src": r.IP,
	})
	return &CEL{env: env, act: act}, err
}

// Compile compiles the CEL form of the rule.
func (e *CEL) Compile(r Rule) (func() bool, error) {
	ast, iss := e.env.Compile(r.CEL)
	if iss.Err() != nil {
		return nil, iss.Err()
	}
	prg, err := e.env.Program(ast, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, err
	}
	return func() bool {
		out, _, err := prg.Eval(e.act)
		return err == nil && out.Value() == true
	}, nil
}

// Go runs the hand-written form on the request struct.
type Go struct{ Req *Request }

// Compile returns the hand-written rule.
func (g Go) Compile(r Rule) (func() bool, error) {
	return func() bool { return r.Go(g.Req) }, nil
}
