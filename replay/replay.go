package replay

import (
	"bytes"
	"slices"
	"strconv"
	"time"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/ruleset"
)

// The limits of what a report keeps, so that its memory does not grow with
// the log.
const (
	// TopValues is how many values each top list shows.
	TopValues = 10
	// topCounters is how many distinct values each top list counts.
	topCounters = 512
	// MalformedKept is how many malformed lines a report names.
	MalformedKept = 20
)

// A Replayer evaluates a ruleset on log records, one at a time, and gathers
// what it decided. It is not safe for concurrent use.
type Replayer struct {
	engine  *ruleset.Engine
	ctx     *eval.Context
	fields  *binding
	decoder Decoder
	record  Record

	records, requests, malformed int64
	malformedLines               []Malformed
	actions                      map[string]int64
	rules                        []ruleTally
	scores, verified             [100]int64 // requests by score; 0 is no score
	sources                      map[string]int64
	latest                       time.Time // the latest record time so far
	late                         int64     // records earlier than one before them
	variants                     []*variant
}

// ruleTally is what one rule decided and matched, and, for a rule that
// blocks or challenges, about whom.
type ruleTally struct {
	requests, matched                int64
	ips, asns, countries, uas, paths *topK
}

// A Malformed line could not be read as a record.
type Malformed struct {
	Source string `json:"source"`
	Line   int64  `json:"line"`
	Error  string `json:"error"`
}

// New returns a Replayer of a compiled ruleset over scheme (the standard
// scheme, or one with its fields), reading records with decoder.
func New(engine *ruleset.Engine, scheme *fields.Scheme, decoder Decoder) (*Replayer, error) {
	b, err := bind(scheme)
	if err != nil {
		return nil, err
	}
	p := &Replayer{engine: engine, ctx: eval.NewContext(scheme), fields: b, decoder: decoder,
		actions: map[string]int64{}, sources: map[string]int64{}, rules: make([]ruleTally, len(engine.Rules()))}
	b.resolve(p.ctx, &p.record)
	for i, r := range engine.Rules() {
		if r.Action.Mitigating() {
			p.rules[i] = ruleTally{ips: newTopK(topCounters), asns: newTopK(topCounters),
				countries: newTopK(topCounters), uas: newTopK(topCounters), paths: newTopK(topCounters)}
		}
	}
	return p, nil
}

// Line evaluates one line of a log; source and number name it if it is
// malformed. A line that is only whitespace is passed over.
func (p *Replayer) Line(line []byte, source string, number int64) {
	if len(bytes.TrimSpace(line)) == 0 {
		return
	}
	if err := p.decoder.Decode(line, &p.record); err != nil {
		p.Malformed(source, number, err)
		return
	}
	p.Record(&p.record)
}

// Malformed counts a line that could not be read.
func (p *Replayer) Malformed(source string, number int64, err error) {
	p.malformed++
	if len(p.malformedLines) < MalformedKept {
		p.malformedLines = append(p.malformedLines, Malformed{source, number, err.Error()})
	}
}

// Record evaluates one record.
func (p *Replayer) Record(r *Record) {
	if r != &p.record {
		p.record = *r // the resolvers read the record in hand
		r = &p.record
	}
	w := r.Weight()
	p.records++
	p.requests += w
	if t, ok := r.Time(); ok {
		if t.Before(p.latest) {
			p.late++
		} else {
			p.latest = t
		}
	}
	p.ctx.Reset()
	p.fields.fill(p.ctx, r)
	d := p.engine.Evaluate(p.ctx)
	if d.ReachesOrigin() {
		p.engine.CountResponse(p.ctx, d)
	}

	// Every rule whose condition held counts as matched: the one that
	// decided, and the log and other rules that matched on the way.
	for _, rs := range [][]*ruleset.Rule{d.Logged, d.Applied} {
		for _, r := range rs {
			p.rules[r.Index].matched += w
		}
	}
	action := "none"
	if d.Rule != nil {
		action = string(d.Action)
		t := &p.rules[d.Rule.Index]
		t.requests += w
		t.matched += w
		if t.ips != nil {
			t.ips.add(r.ClientIP, w)
			t.asns.add(strconv.FormatInt(r.ClientASN, 10), w)
			t.countries.add(r.ClientCountry, w)
			t.uas.add(r.ClientRequestUserAgent, w)
			t.paths.add(r.Path(), w)
		}
	}
	p.actions[action] += w

	score := r.BotScore
	if score < 1 || score > 99 {
		score = 0
	}
	p.scores[score] += w
	if r.BotScoreSrc == VerifiedBotSource {
		p.verified[score] += w
	}
	source := r.BotScoreSrc
	if source == "" {
		source = "(none)"
	}
	p.sources[source] += w
	p.replayVariants(r, w)
}

// Report returns what the replay found so far.
func (p *Replayer) Report() *Report {
	rep := &Report{Records: p.records, Requests: p.requests, Malformed: p.malformed,
		MalformedLines: slices.Clone(p.malformedLines), Actions: map[string]int64{}, Late: p.late,
		RateSweep: p.rateSweeps()}
	for a, n := range p.actions {
		rep.Actions[a] = n
	}
	notInLogs := p.engine.Unfilled(p.fields.carried)
	for i, r := range p.engine.Rules() {
		t := p.rules[i]
		rr := RuleReport{Index: i + 1, Ref: r.Ref, Description: r.Description, Action: string(r.Action),
			Requests: t.requests, Matched: t.matched, NotInLogs: notInLogs[r]}
		if t.ips != nil {
			rr.Top = &Top{IPs: t.ips.top(TopValues), ASNs: t.asns.top(TopValues), Countries: t.countries.top(TopValues),
				UserAgents: t.uas.top(TopValues), Paths: t.paths.top(TopValues)}
		}
		rep.Rules = append(rep.Rules, rr)
	}
	rep.Scores = p.scores
	for s, n := range p.scores {
		switch {
		case s == 0:
			rep.Bands.Unscored += n
		case s == 1:
			rep.Bands.Automated += n
		case s < 30:
			rep.Bands.LikelyAutomated += n
		default:
			rep.Bands.LikelyHuman += n
		}
	}
	for s, n := range p.sources {
		rep.Sources = append(rep.Sources, Count{Value: s, Count: n})
	}
	slices.SortFunc(rep.Sources, byCount)
	var caught, verified int64
	for t := 2; t <= 99; t++ {
		caught += p.scores[t-1]
		verified += p.verified[t-1]
		rep.Sweep = append(rep.Sweep, SweepPoint{Threshold: t, Requests: caught, VerifiedBots: verified})
	}
	return rep
}

// A Report is what a replay found. Counts of requests are weighted by the
// records' sample intervals.
type Report struct {
	Records        int64            `json:"records"`
	Requests       int64            `json:"requests"`
	Malformed      int64            `json:"malformed"`
	MalformedLines []Malformed      `json:"malformed_lines,omitempty"`
	Actions        map[string]int64 `json:"actions"` // "none" when no rule decided
	Rules          []RuleReport     `json:"rules"`
	Scores         [100]int64       `json:"scores"` // requests by bot score; [0] have none
	Bands          Bands            `json:"bands"`
	Sources        []Count          `json:"score_sources"`
	Sweep          []SweepPoint     `json:"threshold_sweep"`
	// Late are the records earlier than a record before them in the log.
	Late int64 `json:"late_records"`
	// RateSweep is, for each rate limiting rule by requests, what it would
	// have decided with other values of requests_per_period, when the
	// replay was asked for it (SweepRateLimits).
	RateSweep []RateSweep `json:"ratelimit_sweep,omitempty"`
}

// RuleReport is what one rule decided.
type RuleReport struct {
	Index       int    `json:"index"` // from 1
	Ref         string `json:"ref,omitempty"`
	Description string `json:"description,omitempty"`
	Action      string `json:"action"`
	Requests    int64  `json:"requests"` // requests this rule decided
	// Matched are the requests whose condition this rule matched when the
	// engine came to it: those it decided, and for a log rule or another
	// rule that ends nothing, every request it matched on the way.
	Matched int64 `json:"matched"`
	Top     *Top  `json:"top,omitempty"`
	// NotInLogs are the fields the rule's expression reads that log
	// records never carry (cf.threat_score, the body, ...): they are
	// missing in every request, so a count of 0 may mean only that the
	// logs cannot tell.
	NotInLogs []string `json:"fields_not_in_logs,omitempty"`
}

// Top are the most frequent clients and targets of a rule that blocks or
// challenges.
type Top struct {
	IPs        []Count `json:"ips"`
	ASNs       []Count `json:"asns"`
	Countries  []Count `json:"countries"`
	UserAgents []Count `json:"user_agents"`
	Paths      []Count `json:"paths"`
}

// Bands count requests by Bot Management's score bands.
type Bands struct {
	Automated       int64 `json:"automated"`        // score 1
	LikelyAutomated int64 `json:"likely_automated"` // 2 to 29
	LikelyHuman     int64 `json:"likely_human"`     // 30 to 99
	Unscored        int64 `json:"unscored"`
}

// A SweepPoint says what a rule cf.bot_management.score lt Threshold would
// catch: requests, and among them verified bots.
type SweepPoint struct {
	Threshold    int   `json:"threshold"`
	Requests     int64 `json:"requests"`
	VerifiedBots int64 `json:"verified_bots"`
}
