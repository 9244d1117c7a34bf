# Provider v4: rules as repeated blocks, a dynamic block over a local, and
# the nested blocks of action_parameters.

locals {
  api_prefix = "/api/"

  # Rules kept as data and turned into blocks below.
  bot_rules = [
    {
      description = "Challenge likely bots"
      action      = "managed_challenge"
      expression  = "(cf.bot_management.score lt 30)   and not cf.bot_management.verified_bot"
    },
    {
      description = "Block a scraper by its JA4"
      action      = "block"
      expression  = "cf.bot_management.ja4 in {\"t13d1516h2_8daaf6152771_b186095e22b6\"}"
    },
  ]
}

resource "cloudflare_ruleset" "waf" {
  zone_id     = var.zone_id
  name        = "Custom rules"
  description = "Bot rules, kept in Terraform"
  kind        = "zone"
  phase       = "http_request_firewall_custom"

  rules {
    action      = "block"
    expression  = "(cf.bot_management.score lt 30) and not (http.request.uri.path contains \"/api\")"
    description = "Block bots off the API; no verified-bot exemption"
    enabled     = true
  }

  rules {
    action = "skip"
    action_parameters {
      ruleset = "current"
    }
    expression  = "ip.src in {192.0.2.0/24 2001:db8::/32} and http.request.uri.path wildcard r\"/admin/*\""
    description = "Let the office through"
  }

  rules {
    action      = "block"
    expression  = <<EOT
(http.user_agent contains "curl" or http.user_agent contains "python-requests")
and not starts_with(http.request.uri.path, "${local.api_prefix}")
EOT
    description = "Heredoc with an interpolated local"
  }

  rules {
    action     = "js_challenge"
    expression = <<-EOT
      (cf.bot_management.score lt 10)
        and http.request.uri.path eq "/l\u00e9gal"
        and http.cookie contains "$${session}"
    EOT
  }

  dynamic "rules" {
    for_each = local.bot_rules
    content {
      action      = rules.value.action
      expression  = rules.value.expression
      description = rules.value.description
    }
  }

  rules {
    action      = "block"
    expression  = "http.request.uri.path matches \"^/wp-(admin|login)\" and ip.src.country in {\"CN\" \"RU\"}"
    description = "A regular expression, and \"escapes\": caf\u00e9 \\ \t"
  }

  rules {
    action      = "blok"
    expression  = "http.host   eq \"caf\u00e9.example\" and http.request.uri.path eq \"/a\\\\b\""
    description = "A misspelt action"
  }
}

resource "cloudflare_ruleset" "transform" {
  zone_id = var.zone_id
  name    = "Transforms"
  kind    = "zone"
  phase   = "http_request_late_transform"

  rules {
    action     = "rewrite"
    expression = "true"
    action_parameters {
      headers {
        name       = "X-Bot-Score"
        operation  = "set"
        expression = "to_string(cf.bot_management.score)"
      }
      headers {
        name       = "X-Verified"
        operation  = "set"
        expression = "cf.bot_management.verified_bot"
      }
    }
    description = "Tell the origin the bot score"
  }
}

resource "cloudflare_ruleset" "redirects" {
  zone_id = var.zone_id
  name    = "Redirects"
  kind    = "zone"
  phase   = "http_request_dynamic_redirect"

  rules {
    action     = "redirect"
    expression = "http.request.uri.path eq \"/old\""
    action_parameters {
      from_value {
        status_code = 301
        target_url {
          expression = "concat(\"https://example.com\", http.request.uri.path)"
        }
        preserve_query_string = true
      }
    }
  }
}

resource "cloudflare_ruleset" "ratelimit" {
  zone_id = var.zone_id
  name    = "Rate limits"
  kind    = "zone"
  phase   = "http_ratelimit"

  rules {
    action     = "block"
    expression = "http.request.uri.path eq \"/login\""
    ratelimit {
      characteristics     = ["ip.src", "cf.colo.id"]
      period              = 60
      requests_per_period = 100
      mitigation_timeout  = 600
      counting_expression = "http.response.code eq 401 and"
    }
  }
}

variable "zone_id" {
  type = string
}
