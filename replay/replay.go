package replay

import (
	"bytes"
	"maps"
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
// what it decided; with Compare, what a baseline ruleset decided too, and
// where the two differ. It is not safe for concurrent use: ReadLogs runs
// several, one per worker, and merges them.
type Replayer struct {
	scheme  *fields.Scheme
	ctx     *eval.Context
	fields  *binding
	decoder Decoder
	record  Record
	log     int // the index of the log being read, for the order of malformed lines

	records, requests, malformed  int64
	malformedLines                []malformedLine
	now                           *tally // the ruleset's
	base                          *tally // the baseline's, with Compare
	diff                          *diffTally
	scores, verified              [100]int64 // requests by score; 0 is no score
	verifiedActions               map[string]int64
	sources                       map[string]int64
	timeline                      *timeline
	untimed                       int64 // records without a time
	sampled, minSample, maxSample int64
	ordered                       bool      // rate limits: records one at a time, in order
	latest                        time.Time // the latest record time so far, when ordered
	late                          int64     // records earlier than one before them, when ordered
	variants                      []*variant
}

// A tally is what one ruleset decided.
type tally struct {
	judge   judge
	actions map[string]int64
	rules   []ruleTally
}

// ruleTally is what one rule decided and matched, and about whom.
type ruleTally struct {
	requests, matched int64
	top               *tops // made at the rule's first match
}

// tops are the most frequent attributes of the requests a rule matched.
type tops struct {
	ips, asns, countries, uas, paths, ja3, ja4, ids topK
}

func newTops() *tops {
	t := &tops{}
	for _, k := range t.lists() {
		*k = *newTopK(topCounters)
	}
	return t
}

func (t *tops) lists() []*topK {
	return []*topK{&t.ips, &t.asns, &t.countries, &t.uas, &t.paths, &t.ja3, &t.ja4, &t.ids}
}

func (t *tops) add(r *Record, w int64) {
	t.ips.add(r.ClientIP, w)
	t.asns.add(strconv.FormatInt(r.ClientASN, 10), w)
	t.countries.add(r.ClientCountry, w)
	t.uas.add(r.ClientRequestUserAgent, w)
	t.paths.add(r.Path(), w)
	if r.JA3Hash != "" {
		t.ja3.add(r.JA3Hash, w)
	}
	if r.JA4 != "" {
		t.ja4.add(r.JA4, w)
	}
	for _, id := range r.BotDetectionIDs {
		t.ids.add(strconv.FormatInt(id, 10), w)
	}
}

func (t *tops) merge(u *tops) {
	ours, theirs := t.lists(), u.lists()
	for i := range ours {
		ours[i].merge(theirs[i])
	}
}

func (t *tops) report() *Top {
	return &Top{IPs: t.ips.top(TopValues), ASNs: t.asns.top(TopValues), Countries: t.countries.top(TopValues),
		UserAgents: t.uas.top(TopValues), Paths: t.paths.top(TopValues), JA3: t.ja3.top(TopValues),
		JA4: t.ja4.top(TopValues), DetectionIDs: t.ids.top(TopValues)}
}

func newTally(j judge) *tally {
	return &tally{judge: j, actions: map[string]int64{}, rules: make([]ruleTally, len(j.rules()))}
}

// count decides the request in c and counts it; with tops, it counts who
// each rule matched. It returns the decision.
func (t *tally) count(c *eval.Context, r *Record, w int64, withTops bool) ruleset.Decision {
	d := t.judge.decide(c)
	matched(d, func(rule *ruleset.Rule) {
		rt := &t.rules[rule.ZoneIndex]
		rt.matched += w
		if withTops {
			if rt.top == nil {
				rt.top = newTops()
			}
			rt.top.add(r, w)
		}
	})
	if d.Rule != nil {
		t.rules[d.Rule.ZoneIndex].requests += w
	}
	t.actions[outcome(d)] += w
	return d
}

func (t *tally) merge(u *tally) {
	addCounts(t.actions, u.actions)
	for i := range t.rules {
		a, b := &t.rules[i], &u.rules[i]
		a.requests += b.requests
		a.matched += b.matched
		switch {
		case b.top == nil:
		case a.top == nil:
			a.top = b.top
		default:
			a.top.merge(b.top)
		}
	}
}

func addCounts(into, from map[string]int64) {
	for k, n := range from {
		into[k] += n
	}
}

// A Malformed line could not be read as a record.
type Malformed struct {
	Source string `json:"source"`
	Line   int64  `json:"line"`
	Error  string `json:"error"`
}

// malformedLine is a Malformed line with the place of its log in the
// order they were read.
type malformedLine struct {
	Malformed
	log int
}

// New returns a Replayer of a compiled zone (ruleset.CompileZone: a zone's
// rulesets in phase order, or one ruleset) over scheme (the standard
// scheme, or one with its fields), reading records with decoder.
func New(engine *ruleset.ZoneEngine, scheme *fields.Scheme, decoder Decoder) (*Replayer, error) {
	b, err := bind(scheme)
	if err != nil {
		return nil, err
	}
	return newReplayer(judge{engine}, scheme, b, decoder.Rename), nil
}

func newReplayer(j judge, scheme *fields.Scheme, b *binding, rename map[string]string) *Replayer {
	p := &Replayer{scheme: scheme, ctx: eval.NewContext(scheme), fields: b, decoder: Decoder{Rename: rename},
		now: newTally(j), verifiedActions: map[string]int64{}, sources: map[string]int64{},
		timeline: newTimeline(len(j.rules())), ordered: j.ordered()}
	b.resolve(p.ctx, &p.record)
	return p
}

// Compare makes the replay evaluate every record with baseline too, the
// ruleset in force, and report where the two decide differently (Diff).
// Call it before the first record.
func (p *Replayer) Compare(baseline *ruleset.ZoneEngine) {
	p.base, p.diff = newTally(judge{baseline}), newDiffTally()
	p.ordered = p.ordered || p.base.judge.ordered()
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
		p.malformedLines = append(p.malformedLines, malformedLine{Malformed{source, number, err.Error()}, p.log})
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
	if r.SampleInterval > 1 {
		if p.sampled == 0 {
			p.minSample, p.maxSample = r.SampleInterval, r.SampleInterval
		}
		p.sampled++
		p.minSample, p.maxSample = min(p.minSample, r.SampleInterval), max(p.maxSample, r.SampleInterval)
	}
	score := r.BotScore
	if score < 1 || score > 99 {
		score = 0
	}
	t, timed := r.Time()
	if p.ordered && timed {
		if t.Before(p.latest) {
			p.late++
		} else {
			p.latest = t
		}
	}
	p.ctx.Reset()
	p.fields.fill(p.ctx, r)
	d := p.now.count(p.ctx, r, w, true)
	action := outcome(d)
	if timed {
		b := p.timeline.at(t.Unix(), band(score), w)
		matched(d, func(rule *ruleset.Rule) { b.rules[rule.ZoneIndex] += w })
	} else {
		p.untimed++
	}
	verified := r.BotScoreSrc == VerifiedBotSource
	if p.base != nil {
		// The same context: the fields are filled once for both.
		before := outcome(p.base.count(p.ctx, r, w, false))
		p.diff.add(before, action, r, w, verified)
	}

	p.scores[score] += w
	if verified {
		p.verified[score] += w
		p.verifiedActions[action] += w
	}
	source := r.BotScoreSrc
	if source == "" {
		source = "(none)"
	}
	p.sources[source] += w
	p.replayVariants(r, w)
}

// band is the index of a score's band in Bands' order: automated, likely
// automated, likely human, and 0 (no score) last.
func band(score int64) int {
	switch {
	case score == 0:
		return 3
	case score == 1:
		return 0
	case score < 30:
		return 1
	}
	return 2
}

func bandsOf(n [4]int64) Bands {
	return Bands{Automated: n[0], LikelyAutomated: n[1], LikelyHuman: n[2], Unscored: n[3]}
}

// list are the counts of the bands in order: automated, likely automated,
// likely human, unscored.
func (b Bands) list() [4]int64 {
	return [4]int64{b.Automated, b.LikelyAutomated, b.LikelyHuman, b.Unscored}
}

func (b Bands) total() int64 { return b.Automated + b.LikelyAutomated + b.LikelyHuman + b.Unscored }

// fork returns a Replayer of the same rulesets with nothing counted, for
// another worker.
func (p *Replayer) fork() *Replayer {
	q := newReplayer(p.now.judge, p.scheme, p.fields, p.decoder.Rename)
	if p.base != nil {
		q.base, q.diff = newTally(p.base.judge), newDiffTally()
	}
	return q
}

// merge adds what q counted, from other records of the same logs.
func (p *Replayer) merge(q *Replayer) {
	p.records += q.records
	p.requests += q.requests
	p.malformed += q.malformed
	p.malformedLines = append(p.malformedLines, q.malformedLines...)
	slices.SortFunc(p.malformedLines, func(a, b malformedLine) int {
		if a.log != b.log {
			return a.log - b.log
		}
		return int(a.Line - b.Line)
	})
	p.malformedLines = p.malformedLines[:min(len(p.malformedLines), MalformedKept)]
	p.now.merge(q.now)
	if p.base != nil {
		p.base.merge(q.base)
		p.diff.merge(q.diff)
	}
	for i := range p.scores {
		p.scores[i] += q.scores[i]
		p.verified[i] += q.verified[i]
	}
	addCounts(p.verifiedActions, q.verifiedActions)
	addCounts(p.sources, q.sources)
	p.timeline.merge(q.timeline)
	p.untimed += q.untimed
	if q.sampled > 0 {
		if p.sampled == 0 {
			p.minSample, p.maxSample = q.minSample, q.maxSample
		}
		p.minSample, p.maxSample = min(p.minSample, q.minSample), max(p.maxSample, q.maxSample)
		p.sampled += q.sampled
	}
}

// Report returns what the replay found so far.
func (p *Replayer) Report() *Report {
	rep := &Report{Records: p.records, Requests: p.requests, Malformed: p.malformed,
		Actions: maps.Clone(p.now.actions), VerifiedBotActions: maps.Clone(p.verifiedActions),
		Late: p.late, RateSweep: p.rateSweeps(), Timeline: p.timeline.report(), Untimed: p.untimed,
		Sampling: Sampling{Records: p.sampled, MinInterval: p.minSample, MaxInterval: p.maxSample}}
	for _, m := range p.malformedLines {
		rep.MalformedLines = append(rep.MalformedLines, m.Malformed)
	}
	if len(p.timeline.buckets) > 0 {
		rep.Span = &Span{First: time.Unix(p.timeline.lo, 0).UTC(), Last: time.Unix(p.timeline.hi, 0).UTC()}
	}
	rep.Rules = p.now.report(p.fields.carried)
	rep.Scores = p.scores
	var bands [4]int64
	for s, n := range p.scores {
		bands[band(int64(s))] += n
	}
	rep.Bands = bandsOf(bands)
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
	if p.base != nil {
		rep.Diff = p.diff.report(p.base, p.now, p.fields.carried)
	}
	return rep
}

// report is what each rule of the tally's ruleset decided and matched.
func (t *tally) report(carried []bool) []RuleReport {
	notInLogs := t.judge.unfilled(carried)
	var out []RuleReport
	for i, r := range t.judge.rules() {
		rt := t.rules[i]
		rr := RuleReport{Index: i + 1, Ref: r.Ref, ID: r.ID, Description: r.Description, Action: string(r.Action),
			Requests: rt.requests, Matched: rt.matched, NotInLogs: notInLogs[r]}
		if rt.top != nil {
			rr.Top = rt.top.report()
		}
		out = append(out, rr)
	}
	return out
}

// A Report is what a replay found. Counts of requests are weighted by the
// records' sample intervals.
type Report struct {
	// RulesFile, BaselineFile and Logs name what was replayed; the
	// caller sets them.
	RulesFile      string      `json:"rules_file,omitempty"`
	BaselineFile   string      `json:"baseline_file,omitempty"`
	Logs           []string    `json:"logs,omitempty"`
	Records        int64       `json:"records"`
	Requests       int64       `json:"requests"`
	Malformed      int64       `json:"malformed"`
	MalformedLines []Malformed `json:"malformed_lines,omitempty"`
	// Span is the time of the earliest and the latest record
	// (EdgeStartTimestamp), to the second; nil when no record had one.
	Span *Span `json:"span,omitempty"`
	// Untimed are the records without a time.
	Untimed  int64    `json:"untimed_records,omitempty"`
	Sampling Sampling `json:"sampling"`
	// Actions are the requests by what the ruleset did: the action of the
	// rule that decided, "log" when only log rules matched, "none" when
	// no rule did.
	Actions map[string]int64 `json:"actions"`
	// VerifiedBotActions are the requests of verified bots, as Actions.
	VerifiedBotActions map[string]int64 `json:"verified_bot_actions"`
	Rules              []RuleReport     `json:"rules"`
	Scores             [100]int64       `json:"scores"` // requests by bot score; [0] have none
	Bands              Bands            `json:"bands"`
	Timeline           *Timeline        `json:"timeline,omitempty"`
	Sources            []Count          `json:"score_sources"`
	Sweep              []SweepPoint     `json:"threshold_sweep"`
	// Late are the records earlier than a record before them in the log,
	// counted for rate limiting rules, which take records in order.
	Late int64 `json:"late_records"`
	// RateSweep is, for each rate limiting rule by requests, what it would
	// have decided with other values of requests_per_period, when the
	// replay was asked for it (SweepRateLimits).
	RateSweep []RateSweep `json:"ratelimit_sweep,omitempty"`
	// Diff is where the ruleset and the baseline differ, with Compare.
	Diff *Diff `json:"diff,omitempty"`
}

// A Span is the time of the earliest and the latest record of a log.
type Span struct {
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
}

// Sampling is what the records say of how the log was sampled: how many
// stand for more than one request (SampleInterval over 1), and the range
// of their intervals. A job's sample rate that its records do not carry
// cannot be known from the log.
type Sampling struct {
	Records     int64 `json:"sampled_records"`
	MinInterval int64 `json:"min_interval,omitempty"`
	MaxInterval int64 `json:"max_interval,omitempty"`
}

// RuleReport is what one rule decided.
type RuleReport struct {
	Index       int    `json:"index"` // from 1
	Ref         string `json:"ref,omitempty"`
	ID          string `json:"id,omitempty"`
	Description string `json:"description,omitempty"`
	Action      string `json:"action"`
	Requests    int64  `json:"requests"` // requests this rule decided
	// Matched are the requests whose condition this rule matched when the
	// engine came to it: those it decided, and for a log rule or another
	// rule that ends nothing, every request it matched on the way.
	Matched int64 `json:"matched"`
	// Top are the most frequent attributes of the requests it matched;
	// nil when it matched none.
	Top *Top `json:"top,omitempty"`
	// NotInLogs are the fields the rule's expression reads that log
	// records never carry (cf.threat_score, the body, ...): they are
	// missing in every request, so a count of 0 may mean only that the
	// logs cannot tell.
	NotInLogs []string `json:"fields_not_in_logs,omitempty"`
}

// Top are the most frequent attributes of the requests a rule matched.
type Top struct {
	IPs          []Count `json:"ips"`
	ASNs         []Count `json:"asns"`
	Countries    []Count `json:"countries"`
	UserAgents   []Count `json:"user_agents"`
	Paths        []Count `json:"paths"`
	JA3          []Count `json:"ja3,omitempty"`
	JA4          []Count `json:"ja4,omitempty"`
	DetectionIDs []Count `json:"detection_ids,omitempty"`
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
