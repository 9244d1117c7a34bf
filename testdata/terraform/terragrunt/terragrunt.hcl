# Terragrunt passes the rules to the module as inputs.
terraform {
  source = "../modules//ruleset"
}

inputs = {
  phase = "http_request_firewall_custom"
  rules = [
    {
      action     = "block"
      expression = "http.request.uri.path contains \"/.env\""
    },
    {
      action     = "block"
      expression = "http.request.uri.path contains \"/.git\" or http.reqest.uri.path contains \"/.svn\""
    },
  ]
}
