# Provider v5: rules as a list attribute, built with for from a variable
# whose value is in terraform.tfvars, with format() and join().

locals {
  blocked_paths = ["/xmlrpc.php", "/wp-login.php"]
  score_limit   = 30
  rule_list = [for p in local.blocked_paths : {
    action      = "block"
    expression  = "http.request.uri.path eq \"${p}\""
    description = "Block ${p}"
  }]
}

resource "cloudflare_ruleset" "custom" {
  zone_id = var.zone_id
  name    = "Custom rules"
  kind    = "zone"
  phase   = "http_request_firewall_custom"

  rules = concat([
    {
      ref         = "bots"
      action      = "managed_challenge"
      expression  = format("(cf.bot_management.score lt %d) and not cf.bot_management.verified_bot", local.score_limit)
      description = "Challenge likely bots"
    },
    {
      ref         = "countries"
      action      = "block"
      expression  = "ip.src.country in {${join(" ", formatlist("%q", var.blocked_countries))}}"
      description = "Countries from terraform.tfvars"
    },
    {
      ref         = "offices"
      action      = "skip"
      expression  = "ip.src in {${join(" ", var.office_ips)}}"
      description = "Office addresses only apply knows"
      action_parameters = {
        ruleset = "current"
      }
    },
    {
      ref         = "lists"
      action      = "block"
      expression  = format("ip.src in $%s", cloudflare_list.bad.name)
      description = "A list named by a resource"
    },
    {
      ref         = "broken"
      action      = "block"
      expression  = format("http.host eq %q and and", var.host)
      description = "An error in an evaluated expression"
    },
  ], local.rule_list, [for r in var.extra_rules : merge(r, { action = "block" })])
}

resource "cloudflare_ruleset" "per_zone" {
  for_each = toset(["example.com", "example.org"])
  zone_id  = each.key
  name     = "Per zone"
  kind     = "zone"
  phase    = "http_request_firewall_custom"
  rules = [{
    action     = "block"
    expression = "http.host eq \"${each.key}\" and cf.bot_management.score lt 5"
  }]
}
