package replay

import (
	"fmt"
	"io"
	"strings"
)

// sweepShown are the thresholds the text report lists; JSON and HTML have
// them all.
var sweepShown = []int{2, 5, 10, 15, 20, 25, 30, 35, 40, 50, 60, 70, 80, 90, 99}

// WriteText writes the report for a terminal, with bars.
func (rep *Report) WriteText(w io.Writer, sources string) {
	fmt.Fprintf(w, "Replayed %s records (%s requests) from %s", group(rep.Records), group(rep.Requests), sources)
	switch rep.Malformed {
	case 0:
	case 1:
		fmt.Fprint(w, "; 1 malformed line")
	default:
		fmt.Fprintf(w, "; %s malformed lines", group(rep.Malformed))
	}
	fmt.Fprintln(w)
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
	for _, a := range []string{"block", "challenge", "js_challenge", "managed_challenge", "redirect", "serve_error", "skip", "allow", "none"} {
		if n, ok := rep.Actions[a]; ok {
			bar(w, a, n, rep.Requests, 22)
		}
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

	for _, r := range rep.Rules {
		if r.Top == nil || r.Requests == 0 {
			continue
		}
		heading(w, fmt.Sprintf("Who rule %d (%s, %s) would stop", r.Index, r.Ref, r.Action))
		for _, list := range []struct {
			name   string
			counts []Count
		}{{"IPs", r.Top.IPs}, {"ASNs", r.Top.ASNs}, {"countries", r.Top.Countries}, {"user agents", r.Top.UserAgents}, {"paths", r.Top.Paths}} {
			fmt.Fprintf(w, "  %s:\n", list.name)
			for _, c := range list.counts {
				approx := ""
				if c.Over > 0 {
					approx = fmt.Sprintf(" (at most %d too many)", c.Over)
				}
				fmt.Fprintf(w, "    %8s  %s%s\n", group(c.Count), clipText(c.Value, 90), approx)
			}
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
