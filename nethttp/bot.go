package nethttp

import (
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/internal/webpath"
)

// Bot is what a scorer knows of a request's bot signals. A zero Score
// means there is no score: the field is then missing, never made up.
type Bot struct {
	Score       int64 // 1 (certainly a bot) to 99 (certainly a human); 0 for none
	VerifiedBot bool
	// VerifiedKnown says that VerifiedBot is an answer, a trusted header's
	// say, rather than a default; without it, a CrawlerVerifier answers.
	VerifiedKnown bool
	// VerifiedBotCategory is Cloudflare's category of a verified bot:
	// "Search Engine Crawler", "AI Crawler", ...
	VerifiedBotCategory string
	StaticResource      bool
	CorporateProxy      bool
	JA3Hash             string
	JA4                 string
	DetectionIDs        []int64
}

// A BotScorer fills the cf.bot_management.* fields. It runs once per
// request, the first time a rule reads one of them. trusted says whether
// the request came through a trusted proxy.
type BotScorer interface {
	Score(r *http.Request, trusted bool) Bot
}

// CloudflareHeaders is a BotScorer for a proxy behind Cloudflare: it reads
// the headers Cloudflare's "Add bot protection headers" managed transform
// sets (Cf-Bot-Score, Cf-Verified-Bot, Cf-Ja3-Hash, Cf-Ja4), and only from
// requests that came through a trusted proxy, since anyone can send them.
// Whether a request is for a static resource it works out from the path.
type CloudflareHeaders struct{}

// Score reads the bot headers of r.
func (CloudflareHeaders) Score(r *http.Request, trusted bool) Bot {
	b := Bot{StaticResource: StaticResource(r.URL.Path)}
	if !trusted {
		return b
	}
	if n, err := strconv.ParseInt(strings.TrimSpace(first(r.Header, "Cf-Bot-Score")), 10, 64); err == nil && n >= 1 && n <= 99 {
		b.Score = n
	}
	if v := strings.TrimSpace(first(r.Header, "Cf-Verified-Bot")); v != "" {
		b.VerifiedBot, b.VerifiedKnown = strings.EqualFold(v, "true"), true
	}
	b.JA3Hash = first(r.Header, "Cf-Ja3-Hash")
	b.JA4 = first(r.Header, "Cf-Ja4")
	return b
}

// StaticResource reports whether a path names a static file, by its
// extension, or lies under /.well-known/.
func StaticResource(path string) bool { return webpath.StaticResource(path) }

// botFields read the scorer's answer, asked once a request.
var botFields = map[string]func(b *Bot) eval.Value{
	"cf.bot_management.score": func(b *Bot) eval.Value {
		if b.Score == 0 {
			return eval.Value{}
		}
		return eval.Int(b.Score)
	},
	"cf.bot_management.static_resource": func(b *Bot) eval.Value { return eval.Bool(b.StaticResource) },
	"cf.bot_management.corporate_proxy": func(b *Bot) eval.Value { return eval.Bool(b.CorporateProxy) },
	"cf.bot_management.ja3_hash":        func(b *Bot) eval.Value { return nonEmpty(b.JA3Hash) },
	"cf.bot_management.ja4":             func(b *Bot) eval.Value { return nonEmpty(b.JA4) },
	"cf.bot_management.detection_ids": func(b *Bot) eval.Value {
		if b.DetectionIDs == nil {
			return eval.Value{}
		}
		return eval.Ints(b.DetectionIDs...)
	},
}

// crawlerFields say whether the request comes from a verified bot: as
// the scorer says if it knows, else as the CrawlerVerifier says.
var crawlerFields = map[string]func(q *request) eval.Value{
	"cf.bot_management.verified_bot": func(q *request) eval.Value { return eval.Bool(q.verifiedBot().ok) },
	"cf.client.bot":                  func(q *request) eval.Value { return eval.Bool(q.verifiedBot().ok) },
	"cf.verified_bot_category": func(q *request) eval.Value {
		v := q.verifiedBot()
		if !v.categoryKnown {
			return eval.Value{}
		}
		return eval.String(v.category)
	},
}

// A CrawlerVerifier tells whether a request from address a with user agent
// ua comes from a crawler its operator vouches for, and Cloudflare's
// category of it; see package crawler. It must answer at once: a check
// that takes time belongs in the background.
type CrawlerVerifier interface {
	Verify(a netip.Addr, ua string) (category string, ok bool)
}

// verified is a request's verified bot answer.
type verified struct {
	ok, categoryKnown bool
	category          string
}

// verifiedBot works out once a request whether it is a verified bot. A
// CrawlerVerifier answers when the scorer does not know, and gives the
// category of a bot the scorer verified without naming one.
func (q *request) verifiedBot() verified {
	if q.verifiedDone {
		return q.verified
	}
	q.verifiedDone = true
	b := q.botSignals()
	v := verified{ok: b.VerifiedBot, category: b.VerifiedBotCategory, categoryKnown: b.VerifiedBotCategory != ""}
	if c := q.cfg.crawlers; c != nil {
		v.categoryKnown = true
		if !b.VerifiedKnown || v.ok && v.category == "" {
			category, ok := c.Verify(q.clientIP(), first(q.r.Header, "User-Agent"))
			if !b.VerifiedKnown {
				v.ok = ok
			}
			if v.ok && ok {
				v.category = category
			}
		}
	}
	q.verified = v
	return v
}

func nonEmpty(s string) eval.Value {
	if s == "" {
		return eval.Value{}
	}
	return eval.String(s)
}

// botSignals asks the scorer once a request.
func (q *request) botSignals() *Bot {
	if !q.botDone {
		q.botDone = true
		if q.cfg.scorer != nil {
			q.bot = q.cfg.scorer.Score(q.r, q.trustedHop())
		}
	}
	return &q.bot
}
