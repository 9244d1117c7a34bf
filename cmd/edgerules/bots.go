package main

import (
	"context"
	"fmt"
	"net/http"
	"text/tabwriter"
	"time"

	"github.com/edgerules/edgerules/crawler"
)

// botsCommand downloads the range files of the crawlers package crawler
// knows into a directory: `edgerules bots update DIR`.
func botsCommand(args []string, s streams) int {
	fl := newFlags("bots", s)
	mirror := fl.String("mirror", "", "fetch each file from this URL's scheme and host instead, with the file's own path")
	timeout := fl.Duration("timeout", 30*time.Second, "time allowed for each file")
	rest, status, done := parseFlags(fl, args, s.out)
	if done {
		return status
	}
	if len(rest) != 2 || rest[0] != "update" {
		return s.fail("bots takes one action: bots update DIR")
	}
	dir := rest[1]
	client := &http.Client{Timeout: *timeout}
	downloads, err := crawler.DownloadAll(context.Background(), client, dir, *mirror)
	if err != nil {
		return s.fail("%v", err)
	}
	status = exitOK
	w := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
	for _, d := range downloads {
		if d.Err != nil {
			fmt.Fprintf(w, "%s\t%s\tnot updated: %v\n", d.List.File, d.List.Operator, d.Err)
			status = exitFindings
			continue
		}
		made := "undated"
		if !d.Ranges.Created.IsZero() {
			made = "made " + d.Ranges.Created.UTC().Format("2006-01-02 15:04 MST")
		}
		prefixes := "prefixes"
		if len(d.Ranges.Prefixes) == 1 {
			prefixes = "prefix"
		}
		fmt.Fprintf(w, "%s\t%s\t%d %s, %s, written to %s\n", d.List.File, d.List.Operator, len(d.Ranges.Prefixes), prefixes, made, d.Path)
	}
	w.Flush()
	if status != exitOK {
		fmt.Fprintln(s.err, "edgerules: some lists were not updated; the files there before stay")
	}
	return status
}
