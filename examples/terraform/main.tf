# The seed's bot rules as a team keeps them in Terraform (provider v5).

locals {
  # Paths bots may use without a challenge.
  api_paths = ["/api/", "/webhooks/"]
}

resource "cloudflare_ruleset" "bots" {
  zone_id     = var.zone_id
  name        = "Bot rules"
  description = "Managed by Terraform"
  kind        = "zone"
  phase       = "http_request_firewall_custom"

  rules = [
    {
      ref         = "allow-office"
      description = "The office skips the rest"
      action      = "skip"
      action_parameters = {
        ruleset = "current"
      }
      expression = "ip.src in {${join(" ", var.office_ips)}}"
    },
    {
      ref         = "block-definite-bots"
      description = "Definitely automated, and not a verified bot"
      action      = "block"
      expression  = "(cf.bot_management.score eq 1) and not cf.bot_management.verified_bot"
    },
    {
      ref         = "challenge-likely-bots"
      description = "Likely automated, outside the API"
      action      = "managed_challenge"
      expression  = <<-EOT
        (cf.bot_management.score lt ${var.score_threshold}) and not (cf.bot_management.verified_bot)
        and not starts_with(http.request.uri.path, "${local.api_paths[0]}") and not starts_with(http.request.uri.path, "${local.api_paths[1]}")
      EOT
    },
    {
      ref         = "log-api-bots"
      description = "Watch bots on the API before acting"
      action      = "log"
      expression  = "cf.bot_management.score   lt 30 && starts_with(http.request.uri.path, \"/api/\")"
    },
  ]
}
