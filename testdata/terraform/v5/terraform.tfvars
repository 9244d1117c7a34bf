blocked_countries = ["KP", "IR"]
