package replay

import (
	"maps"
	"slices"

	"github.com/edgerules/edgerules/ruleset"
)

// A variant is the ruleset with one rate limiting rule's
// requests_per_period changed, replayed beside the ruleset itself.
type variant struct {
	judge    judge
	rule     int   // the index of the rule it changes
	limit    int64 // its requests_per_period
	requests int64 // the requests the rule decided
}

// sweepFactors are the multiples of a rule's requests_per_period that
// SweepRateLimits tries.
var sweepFactors = []float64{0.1, 0.25, 0.5, 1, 2, 4, 10}

// SweepRateLimits makes the replay try each rate limiting rule of its
// zone by requests, one at a time, with other values of
// requests_per_period: a tenth of it, a quarter, half, itself, twice, four
// and ten times. compile compiles a changed copy of the zone, as the zone
// itself was compiled (its scheme and options). Each value is a replay of
// its own: the replay takes that much longer.
func (p *Replayer) SweepRateLimits(compile func(*ruleset.Zone) (*ruleset.ZoneEngine, error)) error {
	zone := p.now.judge.zone
	for i, r := range zone.Rules() {
		rl, err := r.RateLimit()
		if err != nil || rl == nil || rl.RequestsPerPeriod == 0 || !r.IsEnabled() {
			continue
		}
		var limits []int64
		for _, f := range sweepFactors {
			if n := max(int64(float64(rl.RequestsPerPeriod)*f+0.5), 1); !slices.Contains(limits, n) {
				limits = append(limits, n)
			}
		}
		for _, n := range limits {
			z, err := withLimit(zone, r, n)
			if err == nil {
				var e *ruleset.ZoneEngine
				if e, err = compile(z); err == nil {
					p.variants = append(p.variants, &variant{judge: judge{e}, rule: i, limit: n})
				}
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// withLimit copies the rulesets of a compiled zone, rule limited with
// requests_per_period n.
func withLimit(zone *ruleset.ZoneEngine, limited *ruleset.Rule, n int64) (*ruleset.Zone, error) {
	var rulesets []*ruleset.Ruleset
	for i, e := range zone.Engines() {
		// The ruleset as it was given, its phase (or none) and shape kept.
		rs := *zone.Rulesets()[i]
		rs.Rules = make([]*ruleset.Rule, len(e.Rules()))
		for j, r := range e.Rules() {
			c := *r
			if r == limited {
				c.Ratelimit = maps.Clone(r.Ratelimit)
				c.Ratelimit["requests_per_period"] = float64(n)
			}
			rs.Rules[j] = &c
		}
		rulesets = append(rulesets, &rs)
	}
	return ruleset.NewZone(rulesets...)
}

// replayVariants evaluates the record in hand with every variant.
func (p *Replayer) replayVariants(r *Record, w int64) {
	for _, v := range p.variants {
		p.ctx.Reset()
		p.fields.fill(p.ctx, r)
		if d := v.judge.decide(p.ctx); d.Rule != nil && d.Rule.ZoneIndex == v.rule {
			v.requests += w
		}
	}
}

// A RateSweep is what a rate limiting rule would have decided with each of
// several values of its requests_per_period.
type RateSweep struct {
	Index  int         `json:"index"` // the rule's, from 1
	Ref    string      `json:"ref,omitempty"`
	Points []RatePoint `json:"points"`
}

// A RatePoint is the requests a rate limiting rule decides with one value of
// requests_per_period.
type RatePoint struct {
	RequestsPerPeriod int64 `json:"requests_per_period"`
	Requests          int64 `json:"requests"`
}

// rateSweeps reports the variants, rule by rule.
func (p *Replayer) rateSweeps() []RateSweep {
	var out []RateSweep
	for _, v := range p.variants {
		if len(out) == 0 || out[len(out)-1].Index != v.rule+1 {
			out = append(out, RateSweep{Index: v.rule + 1, Ref: p.now.judge.rules()[v.rule].Ref})
		}
		s := &out[len(out)-1]
		s.Points = append(s.Points, RatePoint{v.limit, v.requests})
	}
	return out
}
