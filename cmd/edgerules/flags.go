package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// A usageText is what a command's help says: its arguments, what it does,
// and an example.
type usageText struct {
	args, summary, example string
}

// The help of each command.
var usages = map[string]usageText{
	"check": {"[flags] FILE...  |  check [flags] -e EXPRESSION",
		"Validates every expression of every file: one expression a line in .txt and .expr files, every\n" +
			"expression a ruleset holds in .json, .yaml and .yml files, and those of Cloudflare resources and\n" +
			"values in Terraform files (.tf, .tf.json, .tfvars, .hcl). Exit 0 when all are valid (notes of\n" +
			"what Terraform knows only when it applies included), 1 when one is not, 2 for a usage or I/O error.",
		"edgerules check --format github rules/..."},
	"lint": {"[flags] FILE...  |  lint [flags] -e EXPRESSION",
		"check --lint: validates the files and also reports rules that are valid but probably wrong.",
		"edgerules lint examples/rules/bot-management.json"},
	"fmt": {"[-w] [-l] FILE...  |  fmt -e EXPRESSION",
		"Prints expressions in canonical form, keeping the parentheses their authors wrote; in rulesets\n" +
			"only the expression strings change. -w writes the files back after checking what it writes.",
		"edgerules fmt -l rules/...  &&  edgerules fmt -w rules/..."},
	"eval": {"[flags] EXPRESSION",
		"Evaluates an expression against field values given as JSON and prints true, false or the value.",
		`edgerules eval --values mobile.json --explain 'cf.bot_management.score lt 30'`},
	"test": {"[flags] SUITE...",
		"Runs test suites (*.test.yaml, *.test.yml, *.test.json): field values in, the decision each\n" +
			"case expects out. Exit 1 when a case fails.",
		"edgerules test examples/rules/..."},
	"replay": {"--rules FILE [flags] LOG...",
		"Evaluates a ruleset on Cloudflare http_requests logs (NDJSON, plain or gzip) and reports what it\n" +
			"would have done; with --baseline, the ruleset in force runs on every record too, and the report\n" +
			"shows what changes. --fail-if COND (name op number[%], as 'block > 2%', 'changed > 0.5%',\n" +
			"'verified_bots_blocked > 0') exits 1 when it holds. Exit 1 too when no record could be read.",
		"edgerules replay --rules new.json --baseline old.json --fail-if 'changed > 0.5%' day.ndjson.gz"},
	"bots": {"update [flags] DIR",
		"Downloads the address ranges crawler operators publish (Google, Bing, Apple, OpenAI) into DIR,\n" +
			"for nethttp's crawler verification (package crawler). A file is replaced only by one that\n" +
			"parses. Exit 1 when a list could not be updated.",
		"edgerules bots update /var/lib/edgerules/bots"},
	"serve": {"--rules FILE [flags]",
		"Answers proxies whether to let a request through: HTTP forward-auth for nginx, Traefik, Caddy,\n" +
			"Envoy and HAProxy, and Envoy's gRPC ext_authz. Reloads the rules on SIGHUP and when their file\n" +
			"changes, keeping the rules in force when the new ones do not compile.",
		"edgerules serve --rules examples/rules/bot-management.yaml --trusted-proxies 127.0.0.1/32"},
}

// newFlags returns the flag set of a command. A bad flag is reported on
// standard error with where to find help; -h and --help print the help.
func newFlags(name string, s streams) *flag.FlagSet {
	fl := flag.NewFlagSet(name, flag.ContinueOnError)
	fl.SetOutput(s.err)
	fl.Usage = func() {} // parseFlags says where help is, or prints it
	return fl
}

// printHelp prints a command's help: its arguments, what it does, its flags
// and an example.
func printHelp(fl *flag.FlagSet, w io.Writer) {
	u := usages[fl.Name()]
	fmt.Fprintf(w, "usage: edgerules %s %s\n\n%s\n\nflags:\n", fl.Name(), u.args, u.summary)
	fl.SetOutput(w)
	fl.PrintDefaults()
	fmt.Fprintf(w, "\nexample:\n  %s\n", u.example)
}

// parseFlags parses a command's arguments, flags before or after the others
// (`check f.txt --format json`); everything after "--" is an argument. It
// returns the arguments that are not flags, or, when parsing ends the
// command (-h, which prints the help on help, or a bad flag), the exit
// status.
func parseFlags(fl *flag.FlagSet, args []string, help io.Writer) (rest []string, status int, done bool) {
	for {
		err := fl.Parse(args)
		switch {
		case errors.Is(err, flag.ErrHelp):
			printHelp(fl, help)
			return nil, exitOK, true
		case err != nil:
			fmt.Fprintf(fl.Output(), "run 'edgerules %s -h' for its flags\n", fl.Name())
			return nil, exitUsage, true
		}
		left := fl.Args()
		if len(left) == 0 {
			return rest, exitOK, false
		}
		if consumed := len(args) - len(left); consumed > 0 && args[consumed-1] == "--" {
			return append(rest, left...), exitOK, false
		}
		rest, args = append(rest, left[0]), left[1:]
	}
}

// helpCommand prints the help of the command it names, or the overview.
func helpCommand(args []string, s streams) int {
	if len(args) == 0 {
		fmt.Fprint(s.out, usage)
		return exitOK
	}
	if _, ok := usages[args[0]]; !ok {
		fmt.Fprintf(s.err, "edgerules: no command %q\n\n%s", args[0], usage)
		return exitUsage
	}
	return run([]string{args[0], "-h"}, s.in, s.out, s.err)
}

// versionCommand prints the module's version and the Go version the command
// was built with, from the build information.
func versionCommand(s streams) int {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		fmt.Fprintln(s.out, "edgerules (no build information)")
		return exitOK
	}
	version := strings.TrimSpace(info.Main.Version)
	if version == "" {
		version = "(devel)"
	}
	fmt.Fprintf(s.out, "edgerules %s, built with %s\n", version, info.GoVersion)
	return exitOK
}
