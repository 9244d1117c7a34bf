# Windows line endings: a heredoc keeps them when fmt rewrites it.
resource "cloudflare_ruleset" "r" {
  phase = "http_request_firewall_custom"
  rules {
    action     = "block"
    expression = <<-EOT
      http.host   eq "a" and not cf.bot_management.verified_bot and http.request.uri.path eq "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    EOT
  }
  rules {
    action     = "block"
    expression = "http.host   eq \"b\""
  }
}
