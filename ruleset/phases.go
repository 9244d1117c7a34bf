package ruleset

// phaseActions are the actions each phase of the Rulesets API has, as
// Cloudflare's documentation of each product gives them; no single page
// lists them all. A phase missing here (the managed DDoS, Magic Transit and
// Super Bot Fight Mode phases, whose actions are not documented) is not
// judged. Custom rules execute custom rulesets at the account level, and
// rewrite there for exposed-credential checks.
var phaseActions = map[string][]Action{
	"http_request_firewall_custom":    {Block, Challenge, JSChallenge, ManagedChallenge, Log, Skip, Execute, Rewrite},
	"http_ratelimit":                  {Block, Challenge, JSChallenge, ManagedChallenge, Log},
	"http_request_firewall_managed":   {Execute, Skip, Log},
	"http_request_transform":          {Rewrite},
	"http_request_late_transform":     {Rewrite},
	"http_response_headers_transform": {Rewrite},
	"http_request_dynamic_redirect":   {Redirect},
	"http_request_redirect":           {Redirect},
	"http_request_origin":             {Route},
	"http_request_cache_settings":     {SetCacheSettings},
	"http_config_settings":            {SetConfig},
	"http_response_compression":       {CompressResponse},
	"http_custom_errors":              {ServeError},
	"http_log_custom_fields":          {LogCustomField},
}

// firewallRuleActions are the actions of the legacy Firewall Rules API.
var firewallRuleActions = []Action{Block, Challenge, JSChallenge, ManagedChallenge, Allow, Log, Bypass}
