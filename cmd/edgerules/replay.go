package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/replay"
	"github.com/edgerules/edgerules/ruleset"
	"github.com/edgerules/edgerules/terraform"
)

// replayCommand evaluates a ruleset on request logs and reports what it
// would have done; with --baseline, what changes from the ruleset in force;
// with --fail-if, whether a condition on the report holds (exit 1).
func replayCommand(args []string, s streams) int {
	fl := newFlags("replay", s)
	rulesPaths := listFlag(fl, "rules", "the ruleset to replay (.json, .yaml, .yml, Terraform), or a folder; repeated, the rulesets of a zone's phases")
	basePaths := listFlag(fl, "baseline", "a ruleset (or zone, repeated) to compare with, the one in force: both run on every record")
	varFiles := varFileFlag(fl)
	format := fl.String("format", "text", "text, json or html")
	outPath := fl.String("out", "", "write the report to this file instead of standard output")
	mapPath := fl.String("map", "", `a JSON file renaming the log's fields to Logpush's: {"ip": "ClientIP"}`)
	jobs := fl.Int("jobs", runtime.GOMAXPROCS(0), "decode and evaluate on this many workers (one when a ruleset has rate limiting rules)")
	var conditions conditionList
	fl.Var(&conditions, "fail-if", "exit 1 when this condition on the report holds, as 'block > 2%' (repeatable; see the README)")
	logs, status, done := parseFlags(fl, args, s.out)
	if done {
		return status
	}
	if len(*rulesPaths) == 0 || len(logs) == 0 {
		return s.fail("replay needs --rules FILE and one or more logs (- for standard input)")
	}
	if *format != "text" && *format != "json" && *format != "html" {
		return s.fail("unknown --format %q: use text, json or html", *format)
	}
	if *jobs < 1 {
		return s.fail("--jobs must be 1 or more, not %d", *jobs)
	}
	for _, c := range conditions {
		if c.NeedsBaseline() && len(*basePaths) == 0 {
			return s.fail("--fail-if %q: %s", c, "it tests what changed, which needs --baseline FILE")
		}
	}
	engine, status := compileForReplay(*rulesPaths, *varFiles, s)
	if engine == nil {
		return status
	}
	var decoder replay.Decoder
	if *mapPath != "" {
		if err := readJSON(*mapPath, &decoder.Rename); err != nil {
			return s.fail("%v", err)
		}
	}
	p, err := replay.New(engine, fields.Cloudflare(), decoder)
	if err != nil {
		return s.fail("%v", err)
	}
	if len(*basePaths) > 0 {
		baseline, status := compileForReplay(*basePaths, *varFiles, s)
		if baseline == nil {
			return status
		}
		p.Compare(baseline)
	}
	if err := p.SweepRateLimits(func(z *ruleset.Zone) (*ruleset.ZoneEngine, error) {
		return ruleset.CompileZone(z, fields.Cloudflare())
	}); err != nil {
		return s.fail("%v", err)
	}
	progress := newProgress(s.err)
	sources := make([]replay.Log, len(logs))
	for i, name := range logs {
		sources[i] = replay.Log{Name: name, Open: func() (io.ReadCloser, error) { return progress.open(name, s.in) }}
	}
	err = p.ReadLogs(sources, *jobs, progress.line)
	progress.done()
	if err != nil {
		return s.fail("%v", err)
	}
	rep := p.Report()
	if rep.Records == 0 {
		fmt.Fprintf(s.err, "edgerules: no record could be read from %s (%s)\n", strings.Join(logs, ", "), malformedSummary(rep))
		return exitFindings
	}
	rep.RulesFile, rep.Logs = strings.Join(*rulesPaths, ", "), logs
	if len(*basePaths) > 0 {
		rep.BaselineFile = strings.Join(*basePaths, ", ")
	}

	out := s.out
	if *outPath != "" {
		f, err := os.Create(*outPath)
		if err != nil {
			return s.fail("%v", err)
		}
		defer f.Close()
		out = f
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	case "html":
		err = rep.WriteHTML(out)
	default:
		rep.WriteText(out)
	}
	if err != nil {
		return s.fail("%v", err)
	}
	status = exitOK
	for _, c := range conditions {
		if holds, why := c.Check(rep); holds {
			fmt.Fprintf(s.err, "edgerules: --fail-if %q holds: %s\n", c, why)
			status = exitFindings
		}
	}
	return status
}

// compileForReplay loads and compiles the zone of paths (one ruleset, or
// a ruleset per phase) for replay; it returns nil and the exit status when
// it cannot.
func compileForReplay(paths, varFiles []string, s streams) (*ruleset.ZoneEngine, int) {
	zone, _, err := terraform.LoadZone(paths, varFiles...)
	if err != nil {
		return nil, s.fail("%v", err)
	}
	engine, err := ruleset.CompileZone(zone, fields.Cloudflare())
	if err != nil {
		fmt.Fprintf(s.err, "edgerules: %s does not compile; run edgerules check on it:\n%v\n", strings.Join(paths, ", "), err)
		return nil, exitFindings
	}
	for _, ig := range engine.Ignored() {
		fmt.Fprintf(s.err, "edgerules: the ruleset of phase %s is not replayed: %s\n", ig.Phase, ig.Why)
	}
	return engine, exitOK
}

// malformedSummary says why no record was read: no line, or the malformed
// lines and the first of them.
func malformedSummary(rep *replay.Report) string {
	if rep.Malformed == 0 {
		return "the logs hold no line"
	}
	first := rep.MalformedLines[0]
	where := fmt.Sprintf("%s:%d: %s", first.Source, first.Line, first.Error)
	if rep.Malformed == 1 {
		return "its one line is malformed: " + where
	}
	return fmt.Sprintf("all %d lines are malformed; the first, %s", rep.Malformed, where)
}

// conditionList is the repeatable --fail-if flag.
type conditionList []replay.Condition

func (l *conditionList) String() string { return fmt.Sprint(*l) }

func (l *conditionList) Set(v string) error {
	c, err := replay.ParseCondition(v)
	if err != nil {
		return err
	}
	*l = append(*l, c)
	return nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

// progress shows, on a terminal, how far a replay has got once it has run
// for a few seconds: records read, their rate, and the share of the file.
type progress struct {
	w            io.Writer
	tty          bool
	began, shown time.Time
	name         string
	size         int64
	read         *countingReader
	lines        int64
	visible      bool
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, began: time.Now()}
	if f, ok := w.(*os.File); ok {
		if info, err := f.Stat(); err == nil && info.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

// open opens a log for the replay, standard input for -, and shows its
// progress from then on.
func (p *progress) open(name string, stdin io.Reader) (io.ReadCloser, error) {
	p.name, p.size = name, 0
	if name == "-" {
		p.read = &countingReader{r: stdin}
		return io.NopCloser(p.read), nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	if info, err := f.Stat(); err == nil {
		p.size = info.Size()
	}
	p.read = &countingReader{r: f}
	return struct {
		io.Reader
		io.Closer
	}{p.read, f}, nil
}

// line counts a line read.
func (p *progress) line() {
	p.lines++
	if !p.tty || p.lines%4096 != 0 {
		return
	}
	now := time.Now()
	if now.Sub(p.began) < 2*time.Second || now.Sub(p.shown) < 250*time.Millisecond {
		return
	}
	p.shown, p.visible = now, true
	rate := float64(p.lines) / now.Sub(p.began).Seconds()
	share := ""
	if p.size > 0 {
		share = fmt.Sprintf(" %5.1f%% of %s", float64(p.read.n)*100/float64(p.size), p.name)
	}
	fmt.Fprintf(p.w, "\r  %d records, %.0f/s%s ", p.lines, rate, share)
}

func (p *progress) done() {
	if p.visible {
		fmt.Fprintln(p.w)
	}
}
