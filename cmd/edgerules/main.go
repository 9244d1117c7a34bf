// Command edgerules checks, lints, formats and evaluates Cloudflare-style
// rule expressions and rulesets, for CI and for people.
//
//	edgerules check [--scheme FILE] [--lists FILE] [--format text|json|sarif|github] [--lint] [-e EXPRESSION] FILE...
//	edgerules lint  [same flags] FILE...
//	edgerules fmt   [-w] [-l] FILE...  |  edgerules fmt -e EXPRESSION
//	edgerules eval  [--scheme FILE] [--values FILE|-] [--explain] EXPRESSION
//	edgerules test  [--scheme FILE] [--format text|json|sarif|github] [-v] SUITE...
//	edgerules replay --rules FILE [--baseline FILE] [--fail-if COND]... [--format text|json|html] [--out FILE] [--map FILE] [--jobs N] LOG...
//	edgerules bots update [--mirror URL] [--timeout DURATION] DIR
//	edgerules serve --rules FILE|DIR [--rules ...] [--listen ADDR] [--grpc ADDR] [--metrics ADDR] [--trusted-proxies CIDR,...]
//	edgerules help [COMMAND]
//	edgerules version
//
// FILE is a .txt or .expr file of expressions, one a line (blank lines and
// lines starting with # are skipped), a .json, .yaml or .yml ruleset, a
// folder (its files), dir/... (its files, recursively), or - for standard
// input. A SUITE is a *.test.yaml, *.test.yml or *.test.json file of cases
// for a ruleset (see package ruletest), or a folder of them. Exit status: 0
// when nothing is wrong, 1 when an expression is invalid or a case fails, 2
// for a usage or I/O error.
package main

import (
	"fmt"
	"io"
	"os"
)

// The exit statuses.
const (
	exitOK       = 0
	exitFindings = 1
	exitUsage    = 2
)

const usage = `edgerules checks, lints, formats and evaluates Cloudflare-style rule expressions.

Usage:
  edgerules check [--scheme FILE] [--lists FILE] [--format text|json|sarif|github] [--lint] [-e EXPRESSION] FILE...
  edgerules lint  [--scheme FILE] [--lists FILE] [--format text|json|sarif|github] [-e EXPRESSION]
                  [--fix] [--disable CODE,...] [--enable CODE,...] [--error CODE,...] FILE...
  edgerules fmt   [-w] [-l] FILE...
  edgerules fmt   -e EXPRESSION
  edgerules eval  [--scheme FILE] [--values FILE|-] [--explain] EXPRESSION
  edgerules test  [--scheme FILE] [--format text|json|sarif|github] [-v] SUITE...
  edgerules replay --rules FILE [--baseline FILE] [--fail-if COND]... [--format text|json|html] [--out FILE] [--map FILE] [--jobs N] LOG...
  edgerules bots update [--mirror URL] [--timeout DURATION] DIR
  edgerules serve --rules FILE|DIR [--rules ...] [--listen ADDR] [--grpc ADDR] [--metrics ADDR] [--trusted-proxies CIDR,...]
                  [--detection-only] [--on-error allow|deny] [--envoy-prefix PATH] [--watch DURATION]
                  [--geoip FILES] [--crawlers DIR [--crawler-dns]] [--ratelimit-redis URL]
  edgerules help [COMMAND]
  edgerules version

Flags may come before or after the other arguments; after --, every
argument is a file. FILE is a .txt or .expr file (one expression a line), a .json, .yaml or .yml
ruleset, a Terraform file (.tf, .tf.json, .tfvars, .hcl), a folder, dir/... for a folder and its
subfolders, or - for standard input. A SUITE is a *.test.yaml, *.test.yml or *.test.json file of cases
(field values and the decision they must get) for a ruleset, or a folder
of them. A LOG is Cloudflare http_requests logs as NDJSON, plain or gzip,
or - for standard input. Exit status: 0 when all is well, 1 when an
expression is invalid or a case fails, 2 for a usage or I/O error.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run carries out one command and returns its exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	io := streams{stdin, stdout, stderr}
	switch args[0] {
	case "check":
		return checkCommand(args[1:], false, io)
	case "lint":
		return checkCommand(args[1:], true, io)
	case "fmt":
		return fmtCommand(args[1:], io)
	case "eval":
		return evalCommand(args[1:], io)
	case "test":
		return testCommand(args[1:], io)
	case "replay":
		return replayCommand(args[1:], io)
	case "bots":
		return botsCommand(args[1:], io)
	case "serve":
		return serveCommand(args[1:], io)
	case "help", "-h", "-help", "--help":
		return helpCommand(args[1:], io)
	case "version", "-version", "--version":
		return versionCommand(io)
	}
	fmt.Fprintf(stderr, "edgerules: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// streams are a command's standard input and outputs.
type streams struct {
	in       io.Reader
	out, err io.Writer
}

// fail reports a usage or I/O error and returns exitUsage.
func (s streams) fail(format string, args ...any) int {
	fmt.Fprintf(s.err, "edgerules: "+format+"\n", args...)
	return exitUsage
}
