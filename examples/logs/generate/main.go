// Command generate writes a sample of Cloudflare http_requests logs, as
// Logpush writes them (NDJSON), for trying edgerules replay: browsers, a
// mobile app, scrapers, verified crawlers and API clients, with a few
// sampled records and two malformed lines. The same seed gives the same log.
//
//	go run ./examples/logs/generate                        # examples/logs/sample.ndjson.gz, 4,000 records
//	go run ./examples/logs/generate -n 10000000 -o - | ... # a long log on standard output
package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"time"
)

func main() {
	n := flag.Int("n", 4000, "how many records")
	out := flag.String("o", "examples/logs/sample.ndjson.gz", "file to write (.gz to compress), or - for standard output")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if err := run(*n, *out, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "generate:", err)
		os.Exit(1)
	}
}

func run(n int, out string, seed uint64) error {
	var w io.Writer = os.Stdout
	if out != "-" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
		if strings.HasSuffix(out, ".gz") {
			zw := gzip.NewWriter(f)
			defer zw.Close()
			w = zw
		}
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	defer bw.Flush()
	g := &generator{rng: rand.New(rand.NewPCG(seed, seed^0x5eed)), start: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	enc := json.NewEncoder(bw)
	for i := range n {
		switch {
		case n >= 100 && i == 99:
			fmt.Fprintln(bw, `{"ClientIP":"203.0.113.9","ClientRequestHost":"shop.example.com","BotScore":`)
		case n >= 2000 && i == 1999:
			fmt.Fprintln(bw, `not json at all`)
		default:
			if err := enc.Encode(g.record(i)); err != nil {
				return err
			}
		}
	}
	return nil
}

type generator struct {
	rng   *rand.Rand
	start time.Time
}

// record is one log line; fields a log does not carry are left out.
type record struct {
	ClientIP               string            `json:"ClientIP"`
	ClientRequestHost      string            `json:"ClientRequestHost"`
	ClientRequestMethod    string            `json:"ClientRequestMethod"`
	ClientRequestURI       string            `json:"ClientRequestURI"`
	ClientRequestPath      string            `json:"ClientRequestPath"`
	ClientRequestUserAgent string            `json:"ClientRequestUserAgent"`
	ClientRequestReferer   string            `json:"ClientRequestReferer,omitempty"`
	ClientRequestProtocol  string            `json:"ClientRequestProtocol"`
	ClientASN              int               `json:"ClientASN"`
	ClientCountry          string            `json:"ClientCountry"`
	BotScore               int               `json:"BotScore"`
	BotScoreSrc            string            `json:"BotScoreSrc"`
	BotTags                []string          `json:"BotTags,omitempty"`
	BotDetectionIDs        []int             `json:"BotDetectionIDs,omitempty"`
	JA3Hash                string            `json:"JA3Hash,omitempty"`
	JA4                    string            `json:"JA4,omitempty"`
	EdgeResponseStatus     int               `json:"EdgeResponseStatus"`
	EdgeStartTimestamp     string            `json:"EdgeStartTimestamp"`
	RequestHeaders         map[string]string `json:"RequestHeaders,omitempty"`
	Cookies                map[string]string `json:"Cookies,omitempty"`
	SampleInterval         int               `json:"SampleInterval,omitempty"`
}

func (g *generator) pick(xs ...string) string { return xs[g.rng.IntN(len(xs))] }

func (g *generator) between(lo, hi int) int { return lo + g.rng.IntN(hi-lo+1) }

var (
	browsers = []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
		"Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
	}
	pages    = []string{"/", "/products/shoes", "/products/shoes/running", "/products/bags", "/cart", "/checkout", "/login", "/search?q=boots", "/about"}
	statics  = []string{"/static/app.js", "/static/site.css", "/images/logo.png", "/favicon.ico", "/.well-known/security.txt"}
	scrapers = []string{"curl/8.4.0", "python-requests/2.31.0", "Go-http-client/1.1", "Scrapy/2.11 (+https://scrapy.org)",
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36"}
)

func (g *generator) record(i int) record {
	r := record{
		ClientRequestHost: "shop.example.com", ClientRequestMethod: "GET", ClientRequestProtocol: "HTTP/2",
		EdgeResponseStatus: 200, EdgeStartTimestamp: g.start.Add(time.Duration(i) * 750 * time.Millisecond).Format(time.RFC3339Nano),
		BotScoreSrc: "Machine Learning",
	}
	uri := ""
	switch kind := g.rng.IntN(100); {
	case kind < 52: // people in browsers
		r.ClientIP = fmt.Sprintf("198.51.100.%d", g.between(1, 254))
		r.ClientASN, r.ClientCountry = []int{7922, 3320, 2856, 3215}[g.rng.IntN(4)], g.pick("us", "de", "gb", "fr", "nl")
		r.ClientRequestUserAgent = g.pick(browsers...)
		r.BotScore = g.between(30, 99)
		if g.rng.IntN(10) == 0 {
			r.BotScore = g.between(5, 29) // a person Bot Management is unsure of
		}
		uri = g.pick(pages...)
		if g.rng.IntN(3) == 0 {
			uri = g.pick(statics...)
		}
		r.ClientRequestReferer = "https://shop.example.com/"
		r.RequestHeaders = map[string]string{"accept-language": g.pick("en-US,en;q=0.9", "de-DE,de;q=0.8", "fr-FR")}
		r.Cookies = map[string]string{"session": fmt.Sprintf("s%06d", g.between(1, 900))}
		r.JA4 = "t13d1516h2_8daaf6152771_02713d6af862"
	case kind < 64: // the mobile app, usually scored 37
		r.ClientIP = fmt.Sprintf("203.0.113.%d", g.between(1, 254))
		r.ClientASN, r.ClientCountry = []int{21928, 22394}[g.rng.IntN(2)], g.pick("us", "ca")
		r.ClientRequestUserAgent = g.pick("App_Name 2.0 (iPhone; iOS 17.4)", "App_Name 2.0 (Android 14; Pixel 8)")
		switch band := g.rng.IntN(20); {
		case band == 0:
			r.BotScore = 1
		case band < 4:
			r.BotScore = g.between(2, 29)
		default:
			r.BotScore = g.between(33, 41)
		}
		uri = g.pick("/feed", "/profile", "/orders", "/notifications")
	case kind < 79: // scrapers from a few data-centre addresses
		r.ClientIP = fmt.Sprintf("192.0.2.%d", g.between(10, 17))
		r.ClientASN, r.ClientCountry = []int{16509, 14061, 24940}[g.rng.IntN(3)], g.pick("us", "nl", "sg")
		r.ClientRequestUserAgent = g.pick(scrapers...)
		r.BotScore = 1
		if g.rng.IntN(5) < 2 {
			r.BotScore = g.between(2, 29)
		}
		r.BotScoreSrc = g.pick("Heuristics", "Machine Learning")
		if r.BotScore == 1 {
			r.BotScoreSrc = "Heuristics"
			r.BotDetectionIDs = []int{33554817}
		}
		uri = g.pick("/products/shoes", "/products/bags", "/search?q=boots&page="+fmt.Sprint(g.between(1, 40)), "/products/shoes/running")
		r.JA3Hash = "e7d705a3286e19ea42f587b344ee6865"
	case kind < 89: // verified crawlers
		google := g.rng.IntN(3) < 2
		if google {
			r.ClientIP, r.ClientASN = fmt.Sprintf("66.249.66.%d", g.between(1, 200)), 15169
			r.ClientRequestUserAgent = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
			r.BotTags = []string{"google"}
		} else {
			r.ClientIP, r.ClientASN = fmt.Sprintf("157.55.39.%d", g.between(1, 200)), 8075
			r.ClientRequestUserAgent = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"
			r.BotTags = []string{"bing"}
		}
		r.ClientCountry = "us"
		r.BotScore, r.BotScoreSrc = g.between(1, 5), "Verified Bot"
		uri = g.pick(append(pages, "/robots.txt", "/sitemap.xml")...)
	default: // partner API clients
		r.ClientIP = fmt.Sprintf("192.0.2.%d", g.between(100, 103))
		r.ClientASN, r.ClientCountry = 24940, "de"
		r.ClientRequestUserAgent = "partner-sync/3.1"
		r.BotScore, r.BotScoreSrc = g.between(1, 20), "Heuristics"
		r.ClientRequestMethod = g.pick("GET", "POST")
		uri = g.pick("/api/v1/stock", "/api/v1/orders", "/api/v1/prices?since=yesterday")
		r.BotTags = []string{"api"}
	}
	r.ClientRequestURI = uri
	r.ClientRequestPath, _, _ = strings.Cut(uri, "?")
	if g.rng.IntN(25) == 0 {
		r.SampleInterval = 10
	}
	return r
}
