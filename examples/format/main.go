// Command format parses rule expressions, one a line, and prints each in
// canonical form, or the error that stops it, with its position.
//
//	go run ./examples/format [FILE...]
//
// Without a file it reads examples/rules/bot-management.txt. Blank lines and
// lines starting with # are skipped. It exits 1 if any expression is invalid.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/expr"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout))
}

func run(files []string, out io.Writer) int {
	if len(files) == 0 {
		files = []string{"examples/rules/bot-management.txt"}
	}
	status := 0
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(out, err)
			return 2
		}
		if !formatAll(name, f, out) {
			status = 1
		}
		f.Close()
	}
	return status
}

// formatAll formats every expression read from r and reports whether all
// of them parsed.
func formatAll(name string, r io.Reader, out io.Writer) bool {
	ok := true
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		src := sc.Text()
		if strings.TrimSpace(src) == "" || strings.HasPrefix(src, "#") {
			continue
		}
		tree, err := expr.Parse(src)
		if err != nil {
			ok = false
			fmt.Fprintf(out, "%s:%d: %v\n\n", name, line, err)
			continue
		}
		fmt.Fprintf(out, "%s:%d: %s\n", name, line, ast.Format(tree))
	}
	if err := sc.Err(); err != nil { // a read error, or a line over 64 KiB
		fmt.Fprintf(out, "%s: %v\n", name, err)
		return false
	}
	return ok
}
