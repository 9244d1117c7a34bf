package replay

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/edgerules/edgerules/ruleset"
)

// sweepShown are the thresholds the text report lists; JSON and HTML have
// them all.
var sweepShown = []int{2, 5, 10, 15, 20, 25, 30, 35, 40, 50, 60, 70, 80, 90, 99}

// WriteText writes the report for a terminal, with bars.
func (rep *Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "Replayed %s records (%s requests) from %s", group(rep.Records), group(rep.Requests), strings.Join(rep.Logs, ", "))
	switch rep.Malformed {
	case 0:
	case 1:
		fmt.Fprint(w, "; 1 malformed line")
	default:
		fmt.Fprintf(w, "; %s malformed lines", group(rep.Malformed))
	}
	fmt.Fprintln(w)
	for _, line := range rep.header() {
		fmt.Fprintln(w, line)
	}
	switch rep.Late {
	case 0:
	case 1:
		fmt.Fprintln(w, "1 record was earlier than one before it; rate limits counted it in the latest window of its key")
	default:
		fmt.Fprintf(w, "%s records were earlier than one before them; rate limits counted them in the latest window of their key\n", group(rep.Late))
	}
	for _, m := range rep.MalformedLines {
		fmt.Fprintf(w, "  %s:%d: %s\n", m.Source, m.Line, m.Error)
	}
	if n := rep.Malformed - int64(len(rep.MalformedLines)); n > 0 {
		fmt.Fprintf(w, "  and %d more\n", n)
	}

	heading(w, "What the rules decided")
	for _, a := range sortedOutcomes(rep.Actions) {
		bar(w, a, rep.Actions[a], rep.Requests, 22)
	}

	heading(w, "Per rule (the rule that decided)")
	for _, r := range rep.Rules {
		bar(w, ruleLabel(r), r.Requests, rep.Requests, 36)
	}

	heading(w, "Per rule (every request it matched, log rules too)")
	for _, r := range rep.Rules {
		bar(w, ruleLabel(r), r.Matched, rep.Requests, 36)
	}
	warned := false
	for _, r := range rep.Rules {
		if len(r.NotInLogs) == 0 {
			continue
		}
		if !warned {
			heading(w, "Fields the logs do not carry (a count of 0 may only mean the logs cannot tell)")
			warned = true
		}
		fmt.Fprintf(w, "  warning: %s reads %s\n", ruleLabel(r), strings.Join(r.NotInLogs, ", "))
	}

	heading(w, "Bot scores")
	bar(w, "automated (1)", rep.Bands.Automated, rep.Requests, 26)
	bar(w, "likely automated (2-29)", rep.Bands.LikelyAutomated, rep.Requests, 26)
	bar(w, "likely human (30-99)", rep.Bands.LikelyHuman, rep.Requests, 26)
	bar(w, "no score", rep.Bands.Unscored, rep.Requests, 26)
	fmt.Fprintln(w)
	buckets := make([]int64, 20) // 1-5, 6-10, …, 96-99
	var most int64
	for s := 1; s <= 99; s++ {
		buckets[(s-1)/5] += rep.Scores[s]
		most = max(most, buckets[(s-1)/5])
	}
	for i, n := range buckets {
		lo, hi := i*5+1, min(i*5+5, 99)
		fmt.Fprintf(w, "  %2d-%-2d %8s %s\n", lo, hi, group(n), blocks(n, most, 40))
	}

	heading(w, "Score sources")
	for _, c := range rep.Sources {
		bar(w, c.Value, c.Count, rep.Requests, 22)
	}
	rep.writeTimeline(w)

	for _, r := range rep.Rules {
		if r.Top == nil {
			continue
		}
		heading(w, topTitle(r))
		for _, list := range r.Top.lists() {
			writeCounts(w, list.Name, list.Counts)
		}
	}

	heading(w, "Threshold sweep: what cf.bot_management.score lt T would catch")
	fmt.Fprintf(w, "  %3s %10s %8s %14s\n", "T", "requests", "share", "verified bots")
	for _, p := range rep.Sweep {
		for _, t := range sweepShown {
			if p.Threshold == t {
				fmt.Fprintf(w, "  %3d %10s %7.1f%% %14s\n", t, group(p.Requests), percent(p.Requests, rep.Requests), group(p.VerifiedBots))
			}
		}
	}
	rep.writeRateSweep(w)
	rep.writeDiff(w)
}

// header says what was replayed beyond the logs: the rules, the time the
// records span and their sampling.
func (rep *Report) header() []string {
	var out []string
	if rep.RulesFile != "" {
		rules := "Rules: " + rep.RulesFile
		if rep.BaselineFile != "" {
			rules += ", against the baseline " + rep.BaselineFile
		}
		out = append(out, rules)
	}
	switch {
	case rep.Span != nil:
		span := fmt.Sprintf("Time: %s to %s (%s)", rep.Span.First.Format(time.DateTime), rep.Span.Last.Format(time.DateTime+" MST"),
			rep.Span.Last.Sub(rep.Span.First))
		if rep.Untimed > 0 {
			span += fmt.Sprintf("; %s records without a time", group(rep.Untimed))
		}
		out = append(out, span)
	case rep.Records > 0:
		out = append(out, "Time: no record has an EdgeStartTimestamp")
	}
	out = append(out, "Sampling: "+rep.Sampling.describe(rep.Records))
	return out
}

// describe says how the records were sampled, as far as they tell.
func (s Sampling) describe(records int64) string {
	switch {
	case s.Records == 0:
		return "none that the records show (no SampleInterval over 1): each record is one request"
	case s.MinInterval == s.MaxInterval:
		return fmt.Sprintf("%s of %s records sampled at 1 in %d (SampleInterval), each counted as %d requests",
			group(s.Records), group(records), s.MinInterval, s.MinInterval)
	}
	return fmt.Sprintf("%s of %s records sampled at 1 in %d to 1 in %d (SampleInterval), each counted as the requests it stands for",
		group(s.Records), group(records), s.MinInterval, s.MaxInterval)
}

// sortedOutcomes are the outcomes of counts in outcomeOrder, then others
// by name.
func sortedOutcomes(counts map[string]int64) []string {
	out := slices.Collect(maps.Keys(counts))
	slices.SortFunc(out, compareOutcomes)
	return out
}

// topTitle is the heading of a rule's top attributes.
func topTitle(r RuleReport) string {
	if ruleset.Action(r.Action).Mitigating() {
		return fmt.Sprintf("Who rule %d (%s, %s) would stop", r.Index, r.Ref, r.Action)
	}
	return fmt.Sprintf("What rule %d (%s, %s) matched", r.Index, r.Ref, r.Action)
}

// A namedCounts is a top list with its name.
type namedCounts struct {
	Name   string
	Counts []Count
}

// lists are the top lists that have values, with their names.
func (t *Top) lists() []namedCounts {
	var out []namedCounts
	for _, l := range []namedCounts{{"IPs", t.IPs}, {"ASNs", t.ASNs}, {"countries", t.Countries},
		{"user agents", t.UserAgents}, {"paths", t.Paths}, {"JA3", t.JA3}, {"JA4", t.JA4},
		{"detection IDs", t.DetectionIDs}} {
		if len(l.Counts) > 0 {
			out = append(out, l)
		}
	}
	return out
}

func writeCounts(w io.Writer, name string, counts []Count) {
	fmt.Fprintf(w, "  %s:\n", name)
	for _, c := range counts {
		approx := ""
		if c.Over > 0 {
			approx = fmt.Sprintf(" (at most %d too many)", c.Over)
		}
		fmt.Fprintf(w, "    %8s  %s%s\n", group(c.Count), clipText(c.Value, 90), approx)
	}
}

// bandMarks draw the score bands in the text timeline, in Bands' order.
var bandMarks = []string{"█", "▓", "▒", "░"}

// writeTimeline writes the requests of each bucket of time, stacked by
// score band, and the matches of each rule that matched any.
func (rep *Report) writeTimeline(w io.Writer) {
	tl := rep.Timeline
	if tl == nil {
		return
	}
	heading(w, fmt.Sprintf("Requests over time (buckets of %s; %s automated %s likely automated %s likely human %s no score)",
		tl.Bucket, bandMarks[0], bandMarks[1], bandMarks[2], bandMarks[3]))
	layout := time.DateTime[:16]
	if tl.Seconds%86400 == 0 {
		layout = time.DateOnly
	}
	var most int64
	for _, p := range tl.Points {
		most = max(most, p.Bands.total())
	}
	for _, p := range tl.Points {
		var b strings.Builder
		for i, n := range p.Bands.list() {
			b.WriteString(strings.Repeat(bandMarks[i], int((n*40+most/2)/max(most, 1))))
		}
		fmt.Fprintf(w, "  %-16s %8s  %s\n", p.Start.Format(layout), group(p.Bands.total()), b.String())
	}
	var shown []int
	for i, r := range rep.Rules {
		if r.Matched > 0 {
			shown = append(shown, i)
		}
	}
	if len(shown) == 0 {
		return
	}
	heading(w, "Matches of each rule over time (by rule number)")
	fmt.Fprintf(w, "  %-16s", "")
	for _, i := range shown {
		fmt.Fprintf(w, " %8s", fmt.Sprintf("#%d", i+1))
	}
	fmt.Fprintln(w)
	for _, p := range tl.Points {
		fmt.Fprintf(w, "  %-16s", p.Start.Format(layout))
		for _, i := range shown {
			fmt.Fprintf(w, " %8s", group(p.Rules[i]))
		}
		fmt.Fprintln(w)
	}
}

// writeDiff writes where the ruleset and the baseline differ.
func (rep *Report) writeDiff(w io.Writer) {
	d := rep.Diff
	if d == nil {
		return
	}
	heading(w, "Before and after: the baseline's outcome (rows) and the ruleset's (columns)")
	fmt.Fprintf(w, "  %s requests (%.1f%%) change outcome; %s of them from verified bots\n\n",
		group(d.Changed), percent(d.Changed, rep.Requests), group(d.ChangedVerifiedBots))
	widths := make([]int, len(d.Outcomes))
	fmt.Fprintf(w, "  %-18s", "before \\ after")
	for j, o := range d.Outcomes {
		widths[j] = max(len(o), 8)
		fmt.Fprintf(w, " %*s", widths[j], o)
	}
	fmt.Fprintln(w)
	for i, o := range d.Outcomes {
		fmt.Fprintf(w, "  %-18s", o)
		for j, n := range d.Matrix[i] {
			fmt.Fprintf(w, " %*s", widths[j], group(n))
		}
		fmt.Fprintln(w)
	}
	if len(d.Rules) > 0 {
		heading(w, "Rules that gained or lost requests")
		fmt.Fprintf(w, "  %-30s %-18s %9s %9s %9s   %s\n", "rule", "action", "before", "after", "change", "matched before → after")
		for _, c := range d.Rules {
			fmt.Fprintf(w, "  %-30s %-18s %9s %9s %+9d   %s → %s\n", clipText(c.Rule, 30), c.Action, group(c.Before),
				group(c.After), c.After-c.Before, group(c.MatchedBefore), group(c.MatchedAfter))
		}
	}
	if d.Changed > 0 {
		heading(w, "Who and what changed outcome")
		for _, l := range []namedCounts{{"IPs", d.Top.IPs}, {"paths", d.Top.Paths}, {"user agents", d.Top.UserAgents},
			{"verified bots (user agents)", d.Top.VerifiedBots}} {
			if len(l.Counts) > 0 {
				writeCounts(w, l.Name, l.Counts)
			}
		}
	}
}

// writeRateSweep writes what each rate limiting rule would decide with
// other values of requests_per_period.
func (rep *Report) writeRateSweep(w io.Writer) {
	for _, s := range rep.RateSweep {
		heading(w, fmt.Sprintf("Rate limit sweep: what rule %d (%s) would decide with requests_per_period N", s.Index, s.Ref))
		fmt.Fprintf(w, "  %8s %10s %8s\n", "N", "requests", "share")
		for _, p := range s.Points {
			fmt.Fprintf(w, "  %8s %10s %7.1f%%\n", group(p.RequestsPerPeriod), group(p.Requests), percent(p.Requests, rep.Requests))
		}
	}
}

func heading(w io.Writer, title string) {
	fmt.Fprintf(w, "\n%s\n%s\n", title, strings.Repeat("-", len([]rune(title))))
}

// bar writes a labelled count with its share of total and a bar.
func bar(w io.Writer, label string, n, total int64, width int) {
	fmt.Fprintf(w, "  %-*s %8s %6.1f%%  %s\n", width, label, group(n), percent(n, total), blocks(n, total, 30))
}

// blocks draws n of most as a bar of at most width cells, in eighths.
func blocks(n, most int64, width int) string {
	if most <= 0 || n <= 0 {
		return ""
	}
	eighths := int(n * int64(width) * 8 / most)
	eighths = max(eighths, 1)
	return strings.Repeat("█", eighths/8) + []string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}[eighths%8]
}

func percent(n, total int64) float64 {
	if total == 0 {
		return 0
	}
	return float64(n) * 100 / float64(total)
}

// group writes a count with thousands separators: 12,345.
func group(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func clipText(s string, most int) string {
	if r := []rune(s); len(r) > most {
		return string(r[:most-1]) + "…"
	}
	return s
}

// ruleLabel names a rule in the text report: 2 bots (block).
func ruleLabel(r RuleReport) string {
	name := r.Ref
	if name == "" {
		name = fmt.Sprintf("rule %d", r.Index)
	}
	return fmt.Sprintf("%d %s (%s)", r.Index, name, r.Action)
}
