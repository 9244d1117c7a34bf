package crawler

// A List is a range file a crawler's operator publishes.
type List struct {
	File     string // its name, in a directory of lists: "common-crawlers.json"
	URL      string // where the operator publishes it
	Operator string
	// Category is Cloudflare's verified bot category of the crawlers: the
	// value of cf.verified_bot_category for their requests.
	Category string
	// Agents are the user agent tokens by which a request claims to be one
	// of the crawlers, and Hosts the domains their addresses' reverse DNS
	// names end in; a verifier with a resolver checks a claim from an
	// address outside the ranges by them. Neither: no DNS check.
	Agents []string
	Hosts  []string
	// Former are names the file had in a directory of lists before, read
	// when it has none of its own name yet.
	Former []string
}

// Lists are the range files this package knows, as their operators
// document them. `edgerules bots update` downloads them. Google's are under
// /static/crawling/ipranges/ since March 2026, where googlebot.json is
// named common-crawlers.json; the old /static/search/apis/ipranges/ files
// answer with a note that has no ranges.
var Lists = []List{
	{File: "common-crawlers.json", URL: "https://developers.google.com/static/crawling/ipranges/common-crawlers.json",
		Operator: "Google", Category: "Search Engine Crawler",
		Agents: []string{"Googlebot", "GoogleOther", "Google-InspectionTool", "Storebot-Google"},
		Hosts:  []string{"googlebot.com", "google.com", "googleusercontent.com"}, Former: []string{"googlebot.json"}},
	{File: "special-crawlers.json", URL: "https://developers.google.com/static/crawling/ipranges/special-crawlers.json",
		Operator: "Google", Category: "Advertising & Marketing",
		Agents: []string{"AdsBot-Google", "Mediapartners-Google", "APIs-Google", "Google-Safety"},
		Hosts:  []string{"google.com", "googleusercontent.com"}},
	{File: "bingbot.json", URL: "https://www.bing.com/toolbox/bingbot.json",
		Operator: "Microsoft", Category: "Search Engine Crawler",
		Agents: []string{"bingbot", "BingPreview", "adidxbot"},
		Hosts:  []string{"search.msn.com"}},
	{File: "applebot.json", URL: "https://search.developer.apple.com/applebot.json",
		Operator: "Apple", Category: "Search Engine Crawler",
		Agents: []string{"Applebot"},
		Hosts:  []string{"applebot.apple.com"}},
	{File: "gptbot.json", URL: "https://openai.com/gptbot.json",
		Operator: "OpenAI", Category: "AI Crawler"},
}
