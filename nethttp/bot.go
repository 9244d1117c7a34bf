package nethttp

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/internal/webpath"
)

// Bot is what a scorer knows of a request's bot signals. A zero Score
// means there is no score: the field is then missing, never made up.
type Bot struct {
	Score          int64 // 1 (certainly a bot) to 99 (certainly a human); 0 for none
	VerifiedBot    bool
	StaticResource bool
	CorporateProxy bool
	JA3Hash        string
	JA4            string
	DetectionIDs   []int64
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
	b.VerifiedBot = strings.EqualFold(strings.TrimSpace(first(r.Header, "Cf-Verified-Bot")), "true")
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
	"cf.bot_management.verified_bot":    func(b *Bot) eval.Value { return eval.Bool(b.VerifiedBot) },
	"cf.client.bot":                     func(b *Bot) eval.Value { return eval.Bool(b.VerifiedBot) },
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
