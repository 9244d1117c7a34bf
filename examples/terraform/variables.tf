variable "zone_id" {
  type = string
}

variable "office_ips" {
  type        = list(string)
  description = "Set per environment by the pipeline"
}

variable "score_threshold" {
  type    = number
  default = 30
}
