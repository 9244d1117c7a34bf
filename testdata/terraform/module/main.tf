# A module of the team's own takes the rules as an argument.
module "bot_rules" {
  source  = "./modules/ruleset"
  zone_id = var.zone_id
  phase   = "http_request_firewall_custom"
  rules = [
    {
      action      = "block"
      expression  = "cf.bot_management.score lt 20 and http.request.uri.path contains \"/checkout\""
      description = "Bots at checkout"
      owner       = "payments"
    },
    {
      action     = "managed_challenge"
      expression = "cf.verified_bot_category in {\"Search Engine Crawler\"} and cf.bot_management.score lt"
    },
  ]
}

variable "zone_id" {
  type = string
}
