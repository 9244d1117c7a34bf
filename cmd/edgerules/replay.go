package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/replay"
	"github.com/edgerules/edgerules/ruleset"
	"github.com/edgerules/edgerules/terraform"
)

// replayCommand evaluates a ruleset on request logs and reports what it
// would have done.
func replayCommand(args []string, s streams) int {
	fl := newFlags("replay", s)
	rulesPath := fl.String("rules", "", "the ruleset to replay (.json, .yaml, .yml)")
	format := fl.String("format", "text", "text, json or html")
	outPath := fl.String("out", "", "write the report to this file instead of standard output")
	mapPath := fl.String("map", "", `a JSON file renaming the log's fields to Logpush's: {"ip": "ClientIP"}`)
	logs, status, done := parseFlags(fl, args, s.out)
	if done {
		return status
	}
	if *rulesPath == "" || len(logs) == 0 {
		return s.fail("replay needs --rules FILE and one or more logs (- for standard input)")
	}
	if *format != "text" && *format != "json" && *format != "html" {
		return s.fail("unknown --format %q: use text, json or html", *format)
	}
	file, err := terraform.LoadAny(*rulesPath)
	if err != nil {
		return s.fail("%v", err)
	}
	engine, err := ruleset.Compile(file.Ruleset, fields.Cloudflare())
	if err != nil {
		fmt.Fprintf(s.err, "edgerules: %s does not compile; run edgerules check on it:\n%v\n", *rulesPath, err)
		return exitFindings
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
	if err := p.SweepRateLimits(func(rs *ruleset.Ruleset) (*ruleset.Engine, error) {
		return ruleset.Compile(rs, fields.Cloudflare())
	}); err != nil {
		return s.fail("%v", err)
	}
	progress := newProgress(s.err)
	for _, name := range logs {
		if err := replayLog(p, name, s.in, progress); err != nil {
			return s.fail("%s: %v", name, err)
		}
	}
	progress.done()

	out := s.out
	if *outPath != "" {
		f, err := os.Create(*outPath)
		if err != nil {
			return s.fail("%v", err)
		}
		defer f.Close()
		out = f
	}
	rep := p.Report()
	sources := strings.Join(logs, ", ")
	switch *format {
	case "json":
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	case "html":
		err = rep.WriteHTML(out, sources)
	default:
		rep.WriteText(out, sources)
	}
	if err != nil {
		return s.fail("%v", err)
	}
	return exitOK
}

func replayLog(p *replay.Replayer, name string, stdin io.Reader, progress *progress) error {
	var r io.Reader = stdin
	var size int64
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		if info, err := f.Stat(); err == nil {
			size = info.Size()
		}
		r = f
	}
	counted := &countingReader{r: r}
	progress.start(name, size)
	return replay.Read(counted, func(line []byte, n int64, err error) {
		if err != nil {
			p.Malformed(name, n, err)
		} else {
			p.Line(line, name, n)
		}
		progress.line(counted.n)
	})
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

func (p *progress) start(name string, size int64) { p.name, p.size = name, size }

func (p *progress) line(read int64) {
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
		share = fmt.Sprintf(" %5.1f%% of %s", float64(read)*100/float64(p.size), p.name)
	}
	fmt.Fprintf(p.w, "\r  %d records, %.0f/s%s ", p.lines, rate, share)
}

func (p *progress) done() {
	if p.visible {
		fmt.Fprintln(p.w)
	}
}
