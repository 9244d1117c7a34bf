variable "zone_id" {
  type = string
}

variable "blocked_countries" {
  type    = list(string)
  default = ["XX"]
}

variable "office_ips" {
  type = list(string)
}

variable "host" {
  type    = string
  default = "example.com"
}

variable "extra_rules" {
  type = list(object({ expression = string, description = string }))
  default = [
    {
      expression  = "http.request.method eq \"TRACE\""
      description = "No TRACE"
    },
    {
      expression  = "http.request.uri.query contians \"union select\""
      description = "A misspelt operator in a variable's default"
    },
  ]
}
