package replay

import (
	"fmt"
	"html/template"
	"io"
	"strings"
)

// WriteHTML writes the report as one HTML page with its charts drawn in
// inline SVG: it needs no script and no network to open.
func (rep *Report) WriteHTML(w io.Writer, sources string) error {
	return page.Execute(w, struct {
		*Report
		Logs                   string
		ScoreChart, SweepChart template.HTML
	}{rep, sources, rep.scoreChart(), rep.sweepChart()})
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
<p>{{group .Records}} records ({{group .Requests}} requests) from {{.Logs}}{{if .Malformed}}; {{group .Malformed}} malformed lines{{end}}.</p>
{{if eq .Late 1}}<p>1 record was earlier than one before it; rate limits counted it in the latest window of its key.</p>
{{else if .Late}}<p>{{group .Late}} records were earlier than one before them; rate limits counted them in the latest window of their key.</p>{{end}}
{{if .MalformedLines}}<ul>{{range .MalformedLines}}<li>{{.Source}}:{{.Line}}: {{.Error}}</li>{{end}}</ul>{{end}}

<h2>Decisions</h2>
<table><tr><th>action</th><th>requests</th><th>share</th></tr>
{{range $a, $n := .Actions}}<tr><td>{{$a}}</td><td class="n">{{group $n}}</td><td class="n">{{percent $n $.Requests}}</td></tr>{{end}}
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

{{range .Rules}}{{if and .Top .Requests}}
<h2>Who rule {{.Index}} ({{.Ref}}, {{.Action}}) would stop</h2>
<div class="tops">
{{template "top" (list "IP" .Top.IPs)}}{{template "top" (list "ASN" .Top.ASNs)}}{{template "top" (list "country" .Top.Countries)}}
{{template "top" (list "path" .Top.Paths)}}{{template "top" (list "user agent" .Top.UserAgents)}}
</div>{{end}}{{end}}
</body></html>
{{define "top"}}<table><tr><th>{{index . 0}}</th><th>requests</th></tr>{{range index . 1}}<tr><td>{{.Value}}</td><td class="n">{{group .Count}}{{if .Over}} (±{{.Over}}){{end}}</td></tr>{{end}}</table>{{end}}
`))
