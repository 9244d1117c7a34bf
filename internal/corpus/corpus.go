// Package corpus reads the expression files under testdata/corpus that tests
// across the module share: the examples of Cloudflare's documentation and the
// rules of the seed documents.
package corpus

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// An Entry is one expression of a corpus file.
type Entry struct {
	Tag  string // where the expression comes from, with :value or :illustrative
	Expr string // the expression
	Line int    // its line in the file
}

// Value reports whether the entry is a value expression rather than a filter.
func (e Entry) Value() bool { return strings.HasSuffix(e.Tag, ":value") }

// Illustrative reports whether the entry uses literals where a field is required.
func (e Entry) Illustrative() bool { return strings.HasSuffix(e.Tag, ":illustrative") }

// Files names the corpus files.
var Files = []string{"doc-examples.txt", "seed-rules.txt"}

// Dir returns the folder of the corpus files.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "corpus")
}

// Load reads every corpus file: TAG<TAB>EXPRESSION lines, with blank lines
// and lines starting with # skipped.
func Load() ([]Entry, error) {
	var all []Entry
	for _, name := range Files {
		f, err := os.Open(filepath.Join(Dir(), name))
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		for line := 1; sc.Scan(); line++ {
			text := sc.Text()
			if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
				continue
			}
			tag, expr, _ := strings.Cut(text, "\t")
			all = append(all, Entry{Tag: name + ":" + tag, Expr: expr, Line: line})
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	return all, nil
}
