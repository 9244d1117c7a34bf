# The legacy Firewall Rules resources: a filter and the rule that acts on it.
resource "cloudflare_filter" "bots" {
  zone_id     = var.zone_id
  description = "Likely bots"
  expression  = "(cf.client.bot) or (cf.threat_score gt 14"
}

resource "cloudflare_firewall_rule" "bots" {
  zone_id     = var.zone_id
  description = "Challenge likely bots"
  filter_id   = cloudflare_filter.bots.id
  action      = "challenge"
}

resource "cloudflare_filter" "admin" {
  zone_id    = var.zone_id
  expression = "http.request.uri.path eq \"/admin\""
}

resource "cloudflare_firewall_rule" "admin" {
  zone_id   = var.zone_id
  filter_id = cloudflare_filter.admin.id
  action    = "allow"
}

variable "zone_id" {
  type = string
}
