package nethttp

import (
	"maps"
	"slices"

	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/ruleset"
)

// An UnfilledRule is a rule that reads fields this middleware can never
// fill, as it is set up: no Locator for ip.src.country, no scorer for the
// bot score, cf.waf.* and the body, which nothing here reads. Such a
// field is missing in every request, so the rule's tests on it never hold.
type UnfilledRule struct {
	Rule   string   `json:"rule"`
	Fields []string `json:"fields"`
}

// A FieldFiller says which fields it fills. A BotScorer that implements it
// is taken at its word; one that does not is taken to fill all the
// cf.bot_management.* fields.
type FieldFiller interface {
	// Fills lists the fields, by name, that it fills; trusted says whether
	// the middleware trusts any proxy.
	Fills(trusted bool) []string
}

// Fills lists the fields CloudflareHeaders fills: the static resource
// flag, from the path, and, behind a trusted proxy, what its headers say.
func (CloudflareHeaders) Fills(trusted bool) []string {
	if !trusted {
		return []string{"cf.bot_management.static_resource"}
	}
	return []string{"cf.bot_management.static_resource", "cf.bot_management.score", "cf.bot_management.verified_bot",
		"cf.bot_management.ja3_hash", "cf.bot_management.ja4"}
}

// fillable returns, by slot, the fields of the standard scheme that cfg can
// fill in some request.
func fillable(cfg *config) []bool {
	scheme := fields.Cloudflare()
	can := make([]bool, scheme.Len())
	set := func(name string) {
		if f, ok := scheme.Field(name); ok {
			can[f.Index()] = true
		}
	}
	for name := range resolvers {
		set(name)
	}
	// The response's fields, for the response header transforms and the
	// rate limiting rules that count by response (Pass.Responded).
	set("http.response.code")
	set("http.response.headers")
	// A server that tells the client (Options.ClientAddr) says itself
	// which requests came through a trusted proxy.
	trusted := len(cfg.trustedProxies) > 0 || cfg.clientAddr != nil
	bot := append(slices.Collect(maps.Keys(botFields)), "cf.bot_management.verified_bot")
	if ff, ok := cfg.scorer.(FieldFiller); ok {
		bot = ff.Fills(trusted)
	}
	for _, name := range bot {
		set(name)
	}
	if slices.Contains(bot, "cf.bot_management.verified_bot") || cfg.crawlers != nil {
		set("cf.bot_management.verified_bot")
		set("cf.client.bot")
	}
	if slices.Contains(bot, "cf.verified_bot_category") || cfg.crawlers != nil {
		set("cf.verified_bot_category")
	}
	for i, g := range geoFields {
		if cfg.locates.has(i) || trusted && fromHeader(i) {
			set(g.name)
		}
	}
	return can
}

// fromHeader reports whether Cloudflare's visitor location headers give
// the geo field i.
func fromHeader(i int) bool {
	return geoFields[i].header != "" || i == inEU || i == subdivision1
}

// unfilled lists the rules of engine that read fields nothing fills.
func unfilled(engine *ruleset.ZoneEngine, can []bool) []UnfilledRule {
	var out []UnfilledRule
	missing := engine.Unfilled(can)
	for _, r := range engine.Rules() {
		if names := missing[r]; names != nil {
			out = append(out, UnfilledRule{Rule: ruleName(r), Fields: names})
		}
	}
	return out
}
