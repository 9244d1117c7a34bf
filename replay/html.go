package replay

import (
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"
)

// WriteHTML writes the report as one HTML page with its charts drawn in
// inline SVG: it needs no script and no network to open.
func (rep *Report) WriteHTML(w io.Writer) error {
	return page.Execute(w, struct {
		*Report
		Header                                           []string
		Outcomes                                         []string
		ScoreChart, SweepChart, TimeChart, RuleTimeChart template.HTML
		DiffChart                                        template.HTML
	}{rep, rep.header(), sortedOutcomes(rep.Actions), rep.scoreChart(), rep.sweepChart(), rep.timeChart(),
		rep.ruleTimeChart(), rep.diffChart()})
}

// bandColours colour the score bands, in Bands' order.
var bandColours = []string{"#d9534f", "#f0ad4e", "#5cb85c", "#aaaaaa"}

// seriesColours colour the rules of a chart, in turn.
var seriesColours = []string{"#337ab7", "#d9534f", "#5cb85c", "#f0ad4e", "#8e44ad", "#16a085", "#7f8c8d", "#c0392b"}

// timeChart draws the requests of each bucket of time, stacked by band.
func (rep *Report) timeChart() template.HTML {
	tl := rep.Timeline
	if tl == nil {
		return ""
	}
	const width, height, left, bottom = 800, 240, 60, 30
	var most int64
	for _, p := range tl.Points {
		most = max(most, p.Bands.total())
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg viewBox="0 0 %d %d" role="img" aria-label="Requests over time by bot score band">`, width, height)
	axes(&b, width, height, left, bottom, most)
	barWidth := float64(width-left-10) / float64(len(tl.Points))
	for i, p := range tl.Points {
		y := float64(height - bottom)
		for band, n := range p.Bands.list() {
			h := scale(n, most, height-bottom-10)
			y -= h
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %d requests</title></rect>`,
				float64(left)+float64(i)*barWidth, y, barWidth*0.9, h, bandColours[band], p.Start.Format(time.DateTime), n)
		}
	}
	timeLabels(&b, tl, left, height-bottom+15, barWidth)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// ruleTimeChart draws the matches of each rule that matched any over
// time, a line a rule.
func (rep *Report) ruleTimeChart() template.HTML {
	tl := rep.Timeline
	if tl == nil {
		return ""
	}
	const width, height, left, bottom = 800, 240, 60, 30
	var most int64
	var shown []int
	for i, r := range rep.Rules {
		if r.Matched > 0 {
			shown = append(shown, i)
			for _, p := range tl.Points {
				most = max(most, p.Rules[i])
			}
		}
	}
	if len(shown) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg viewBox="0 0 %d %d" role="img" aria-label="Matches of each rule over time">`, width, height)
	axes(&b, width, height, left, bottom, most)
	step := float64(width-left-10) / float64(len(tl.Points))
	for k, i := range shown {
		var points []string
		for j, p := range tl.Points {
			points = append(points, fmt.Sprintf("%.1f,%.1f", float64(left)+(float64(j)+0.5)*step,
				float64(height-bottom)-scale(p.Rules[i], most, height-bottom-10)))
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"><title>rule %d</title></polyline>`,
			seriesColours[k%len(seriesColours)], strings.Join(points, " "), i+1)
	}
	timeLabels(&b, tl, left, height-bottom+15, step)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// timeLabels writes the start of some buckets under a time chart.
func timeLabels(b *strings.Builder, tl *Timeline, left, y int, step float64) {
	layout := "15:04"
	if tl.Seconds%86400 == 0 {
		layout = "01-02"
	}
	every := max(1, len(tl.Points)/8)
	for i := 0; i < len(tl.Points); i += every {
		fmt.Fprintf(b, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%s</text>`,
			float64(left)+(float64(i)+0.5)*step, y, tl.Points[i].Start.Format(layout))
	}
}

// diffChart draws, for each outcome, the requests the baseline and the
// ruleset gave it, side by side.
func (rep *Report) diffChart() template.HTML {
	d := rep.Diff
	if d == nil {
		return ""
	}
	const width, height, left, bottom = 800, 240, 60, 30
	var most int64
	for _, o := range d.Outcomes {
		most = max(most, d.BaselineActions[o], rep.Actions[o])
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg viewBox="0 0 %d %d" role="img" aria-label="Requests by outcome, before and after">`, width, height)
	axes(&b, width, height, left, bottom, most)
	slot := float64(width-left-10) / float64(len(d.Outcomes))
	for i, o := range d.Outcomes {
		for k, n := range []int64{d.BaselineActions[o], rep.Actions[o]} {
			h := scale(n, most, height-bottom-10)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %d requests</title></rect>`,
				float64(left)+float64(i)*slot+slot*(0.1+0.4*float64(k)), float64(height-bottom)-h, slot*0.38, h,
				[]string{"#999999", "#337ab7"}[k], o, []string{"before", "after"}[k], n)
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%s</text>`,
			float64(left)+(float64(i)+0.5)*slot, height-bottom+15, template.HTMLEscapeString(o))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// scoreChart draws requests by score, 1 to 99, coloured by band.
func (rep *Report) scoreChart() template.HTML {
	const width, height, left, bottom = 800, 240, 50, 30
	var most int64
	for s := 1; s <= 99; s++ {
		most = max(most, rep.Scores[s])
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg viewBox="0 0 %d %d" role="img" aria-label="Requests by bot score">`, width, height)
	axes(&b, width, height, left, bottom, most)
	barWidth := float64(width-left-10) / 99
	for s := 1; s <= 99; s++ {
		h := scale(rep.Scores[s], most, height-bottom-10)
		colour := "#d9534f" // automated
		switch {
		case s >= 30:
			colour = "#5cb85c"
		case s > 1:
			colour = "#f0ad4e"
		}
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>score %d: %d requests</title></rect>`,
			float64(left)+float64(s-1)*barWidth, float64(height-bottom)-h, barWidth*0.9, h, colour, s, rep.Scores[s])
	}
	for _, s := range []int{1, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99} {
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%d</text>`,
			float64(left)+(float64(s)-0.5)*barWidth, height-bottom+15, s)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// sweepChart draws, for each threshold T, the requests and the verified
// bots a rule score lt T would catch.
func (rep *Report) sweepChart() template.HTML {
	const width, height, left, bottom = 800, 240, 60, 30
	var most int64
	for _, p := range rep.Sweep {
		most = max(most, p.Requests)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg viewBox="0 0 %d %d" role="img" aria-label="Threshold sweep">`, width, height)
	axes(&b, width, height, left, bottom, most)
	x := func(t int) float64 { return float64(left) + float64(t-2)*float64(width-left-10)/97 }
	for _, series := range []struct {
		colour string
		value  func(SweepPoint) int64
	}{{"#337ab7", func(p SweepPoint) int64 { return p.Requests }}, {"#d9534f", func(p SweepPoint) int64 { return p.VerifiedBots }}} {
		var points []string
		for _, p := range rep.Sweep {
			points = append(points, fmt.Sprintf("%.1f,%.1f", x(p.Threshold), float64(height-bottom)-scale(series.value(p), most, height-bottom-10)))
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`, series.colour, strings.Join(points, " "))
	}
	for _, t := range []int{2, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99} {
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%d</text>`, x(t), height-bottom+15, t)
	}
	fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="10" y2="%d" stroke="#999" stroke-dasharray="4"/>`, x(30), x(30), height-bottom)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// axes draws the two axes and the largest value.
func axes(b *strings.Builder, width, height, left, bottom int, most int64) {
	fmt.Fprintf(b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#333"/>`, left, width-5, height-bottom, height-bottom)
	fmt.Fprintf(b, `<line x1="%d" x2="%d" y1="10" y2="%d" stroke="#333"/>`, left, left, height-bottom)
	fmt.Fprintf(b, `<text x="%d" y="14" font-size="11" text-anchor="end">%s</text>`, left-4, group(most))
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="11" text-anchor="end">0</text>`, left-4, height-bottom)
}

func scale(n, most int64, span int) float64 {
	if most == 0 {
		return 0
	}
	return float64(n) * float64(span) / float64(most)
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"group": group,
	"join":  strings.Join,
	"list":  func(xs ...any) []any { return xs },
	"title": topTitle,
	"lists": (*Top).lists,
	"inc":   func(i int) int { return i + 1 },
	"percent": func(n, total int64) string {
		return fmt.Sprintf("%.1f%%", percent(n, total))
	},
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>edgerules replay</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 880px; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: .5em 0; } td, th { padding: 2px 10px; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } th { border-bottom: 1px solid #ccc; }
.key span { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 12px; }
.warn { color: #a94442; } svg { width: 100%; height: auto; } .tops { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
</style></head><body>
<h1>What the rules would have done</h1>
<p>{{group .Records}} records ({{group .Requests}} requests) from {{join .Logs ", "}}{{if .Malformed}}; {{group .Malformed}} malformed lines{{end}}.</p>
<p>{{range .Header}}{{.}}<br>{{end}}</p>
{{if eq .Late 1}}<p>1 record was earlier than one before it; rate limits counted it in the latest window of its key.</p>
{{else if .Late}}<p>{{group .Late}} records were earlier than one before them; rate limits counted them in the latest window of their key.</p>{{end}}
{{if .MalformedLines}}<ul>{{range .MalformedLines}}<li>{{.Source}}:{{.Line}}: {{.Error}}</li>{{end}}</ul>{{end}}

<h2>Decisions</h2>
<table><tr><th>action</th><th>requests</th><th>share</th></tr>
{{range .Outcomes}}{{$n := index $.Actions .}}<tr><td>{{.}}</td><td class="n">{{group $n}}</td><td class="n">{{percent $n $.Requests}}</td></tr>{{end}}
</table>
<table><tr><th>#</th><th>rule</th><th>action</th><th>requests it decided</th><th>share</th><th>requests it matched</th></tr>
{{range .Rules}}<tr><td>{{.Index}}</td><td>{{.Ref}}{{if .Description}}<br><small>{{.Description}}</small>{{end}}{{if .NotInLogs}}<br><small class="warn">reads {{join .NotInLogs ", "}}, which the logs do not carry: a count of 0 may only mean the logs cannot tell</small>{{end}}</td><td>{{.Action}}</td><td class="n">{{group .Requests}}</td><td class="n">{{percent .Requests $.Requests}}</td><td class="n">{{group .Matched}}</td></tr>{{end}}
</table>

<h2>Bot scores</h2>
<p class="key"><span style="background:#d9534f"></span>automated (1): {{group .Bands.Automated}}
<span style="background:#f0ad4e"></span>likely automated (2–29): {{group .Bands.LikelyAutomated}}
<span style="background:#5cb85c"></span>likely human (30–99): {{group .Bands.LikelyHuman}}
&nbsp; no score: {{group .Bands.Unscored}}</p>
{{.ScoreChart}}
{{with .Timeline}}
<h2>Requests over time, by bot score band (buckets of {{.Bucket}})</h2>
<p class="key"><span style="background:#d9534f"></span>automated <span style="background:#f0ad4e"></span>likely automated
<span style="background:#5cb85c"></span>likely human <span style="background:#aaaaaa"></span>no score</p>
{{$.TimeChart}}
{{if $.RuleTimeChart}}<h2>Matches of each rule over time</h2>
{{$.RuleTimeChart}}{{end}}
<details><summary>every bucket</summary><table><tr><th>start (UTC)</th><th>automated</th><th>likely automated</th><th>likely human</th><th>no score</th><th>matches by rule</th></tr>
{{range .Points}}<tr><td>{{.Start.Format "2006-01-02 15:04"}}</td><td class="n">{{group .Bands.Automated}}</td><td class="n">{{group .Bands.LikelyAutomated}}</td><td class="n">{{group .Bands.LikelyHuman}}</td><td class="n">{{group .Bands.Unscored}}</td><td>{{range $i, $n := .Rules}}{{if $i}}, {{end}}#{{inc $i}}: {{group $n}}{{end}}</td></tr>{{end}}
</table></details>{{end}}

<table><tr><th>score source</th><th>requests</th><th>share</th></tr>
{{range .Sources}}<tr><td>{{.Value}}</td><td class="n">{{group .Count}}</td><td class="n">{{percent .Count $.Requests}}</td></tr>{{end}}
</table>

<h2>Threshold sweep: cf.bot_management.score lt T</h2>
<p class="key"><span style="background:#337ab7"></span>requests caught <span style="background:#d9534f"></span>verified bots among them; the dashed line is T = 30</p>
{{.SweepChart}}
<details><summary>every threshold</summary><table><tr><th>T</th><th>requests</th><th>share</th><th>verified bots</th></tr>
{{range .Sweep}}<tr><td>{{.Threshold}}</td><td class="n">{{group .Requests}}</td><td class="n">{{percent .Requests $.Requests}}</td><td class="n">{{group .VerifiedBots}}</td></tr>{{end}}
</table></details>

{{range .RateSweep}}
<h2>Rate limit sweep: what rule {{.Index}} ({{.Ref}}) would decide with requests_per_period N</h2>
<table><tr><th>N</th><th>requests</th><th>share</th></tr>
{{range .Points}}<tr><td class="n">{{group .RequestsPerPeriod}}</td><td class="n">{{group .Requests}}</td><td class="n">{{percent .Requests $.Requests}}</td></tr>{{end}}
</table>{{end}}

{{range .Rules}}{{if .Top}}
<h2>{{title .}}</h2>
<div class="tops">
{{range lists .Top}}{{template "top" (list .Name .Counts)}}{{end}}
</div>{{end}}{{end}}

{{with .Diff}}
<h2>Before and after</h2>
<p>{{group .Changed}} requests ({{percent .Changed $.Requests}}) change outcome; {{group .ChangedVerifiedBots}} of them from verified bots.</p>
<p class="key"><span style="background:#999999"></span>baseline <span style="background:#337ab7"></span>ruleset</p>
{{$.DiffChart}}
<table><tr><th>before \ after</th>{{range .Outcomes}}<th>{{.}}</th>{{end}}</tr>
{{range $i, $row := .Matrix}}<tr><th>{{index $.Diff.Outcomes $i}}</th>{{range $row}}<td class="n">{{group .}}</td>{{end}}</tr>{{end}}
</table>
{{if .Rules}}<h2>Rules that gained or lost requests</h2>
<table><tr><th>rule</th><th>action</th><th>before</th><th>after</th><th>matched before</th><th>matched after</th></tr>
{{range .Rules}}<tr><td>{{.Rule}}</td><td>{{.Action}}</td><td class="n">{{group .Before}}</td><td class="n">{{group .After}}</td><td class="n">{{group .MatchedBefore}}</td><td class="n">{{group .MatchedAfter}}</td></tr>{{end}}
</table>{{end}}
{{if .Changed}}<h2>Who and what changed outcome</h2>
<div class="tops">
{{template "top" (list "IP" .Top.IPs)}}{{template "top" (list "path" .Top.Paths)}}{{template "top" (list "user agent" .Top.UserAgents)}}{{template "top" (list "verified bot" .Top.VerifiedBots)}}
</div>{{end}}{{end}}
</body></html>
{{define "top"}}<table><tr><th>{{index . 0}}</th><th>requests</th></tr>{{range index . 1}}<tr><td>{{.Value}}</td><td class="n">{{group .Count}}{{if .Over}} (±{{.Over}}){{end}}</td></tr>{{end}}</table>{{end}}
`))
