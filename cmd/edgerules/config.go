package main

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/internal/yamlerr"
	"github.com/edgerules/edgerules/lint"
	"go.yaml.in/yaml/v3"
)

// configName is the project file, looked for from a checked file's folder
// upward, as golangci-lint and ruff look for theirs.
const configName = ".edgerules.yaml"

// A lintConfig says which lints run and how bad each is: from the project
// file, with the command's --disable, --enable and --error on top.
type lintConfig struct {
	Disable []string  `yaml:"disable"` // codes not reported
	Enable  []string  `yaml:"enable"`  // codes reported although off by default
	Error   []string  `yaml:"error"`   // warnings reported as errors
	Exclude []exclude `yaml:"exclude"` // findings not reported in some files or rules

	dir string // the folder of the project file, which exclude paths are relative to
}

// An exclude passes by findings of some codes (all when none is named) in
// the files its path matches, or in the rules with its ref, or both.
type exclude struct {
	Path  string   `yaml:"path"` // a slash-separated glob, where ** stands for any folders
	Ref   string   `yaml:"ref"`
	Codes []string `yaml:"codes"`
}

// codeList is a flag of comma-separated lint codes.
type codeList []string

func (l *codeList) String() string { return strings.Join(*l, ",") }

func (l *codeList) Set(v string) error {
	for code := range strings.SplitSeq(v, ",") {
		if code = strings.TrimSpace(code); code != "" {
			*l = append(*l, code)
		}
	}
	return checkCodes(*l)
}

// configurable reports whether the settings may name code: a lint's, or
// the command's own unused-ignore.
func configurable(code string) bool { return lint.IsCode(code) || code == codeUnusedIgnore }

// checkCodes reports a code that is not a lint's.
func checkCodes(codes []string) error {
	for _, c := range codes {
		if !configurable(c) {
			return fmt.Errorf("%q is not a lint's code; they are %s", c, strings.Join(append(lint.Codes(), codeUnusedIgnore), ", "))
		}
	}
	return nil
}

// loadConfig reads a project file. An unknown key (with the nearest known
// one), a value of the wrong kind, a code that is not a lint's or a bad
// glob is an error at its line.
func loadConfig(file string) (*lintConfig, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(filepath.Dir(file))
	if err != nil {
		return nil, err
	}
	cfg := &lintConfig{dir: dir}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		line, msg := yamlerr.Split(err)
		return nil, fmt.Errorf("%s:%d: %s", file, max(line, 1), msg)
	}
	if len(root.Content) == 0 {
		return cfg, nil
	}
	r := &configReader{file: file}
	r.entries(root.Content[0], "the project file", map[string]func(*yaml.Node){
		"disable": func(v *yaml.Node) { cfg.Disable = r.codes(v) },
		"enable":  func(v *yaml.Node) { cfg.Enable = r.codes(v) },
		"error":   func(v *yaml.Node) { cfg.Error = r.codes(v) },
		"exclude": func(v *yaml.Node) {
			if v.Kind != yaml.SequenceNode {
				r.fail(v, `"exclude" is a list of {path, ref, codes}`)
				return
			}
			for _, item := range v.Content {
				var x exclude
				r.entries(item, "an exclude", map[string]func(*yaml.Node){
					"path":  func(v *yaml.Node) { x.Path = r.glob(v) },
					"ref":   func(v *yaml.Node) { x.Ref = r.str(v) },
					"codes": func(v *yaml.Node) { x.Codes = r.codes(v) },
				})
				cfg.Exclude = append(cfg.Exclude, x)
			}
		},
	})
	return cfg, r.err
}

// A configReader reads a project file's YAML, keeping its first error.
type configReader struct {
	file string
	err  error
}

func (r *configReader) fail(n *yaml.Node, format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%s:%d:%d: %s", r.file, n.Line, n.Column, fmt.Sprintf(format, args...))
	}
}

// entries reads a mapping whose keys are those of read.
func (r *configReader) entries(n *yaml.Node, what string, read map[string]func(*yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		r.fail(n, "%s is a mapping of keys", what)
		return
	}
	var known []string
	for k := range read {
		known = append(known, k)
	}
	slices.Sort(known)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if f, ok := read[k.Value]; ok {
			f(v)
			continue
		}
		if near := fields.Closest(k.Value, known, 1); len(near) > 0 {
			r.fail(k, "unknown key %q in %s; did you mean %q?", k.Value, what, near[0])
		} else {
			r.fail(k, "unknown key %q in %s, which has %s", k.Value, what, strings.Join(known, ", "))
		}
	}
}

func (r *configReader) str(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode {
		r.fail(n, "expected a string")
	}
	return n.Value
}

// codes reads a list of lint codes, or one code.
func (r *configReader) codes(n *yaml.Node) []string {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	var out []string
	for _, item := range items {
		code := r.str(item)
		if err := checkCodes([]string{code}); err != nil {
			r.fail(item, "%v", err)
		}
		out = append(out, code)
	}
	return out
}

func (r *configReader) glob(n *yaml.Node) string {
	g := r.str(n)
	if _, err := path.Match(strings.ReplaceAll(g, "**", "*"), ""); err != nil {
		r.fail(n, "bad glob %q: %v", g, err)
	}
	return g
}

// on reports whether findings of code are reported: the command's flags
// decide first, then the project file, then whether the lint is on by
// default.
func (c *lintConfig) on(flags *lintConfig, code string) bool {
	for _, cfg := range []*lintConfig{flags, c} {
		switch {
		case cfg == nil:
		case slices.Contains(cfg.Disable, code):
			return false
		case slices.Contains(cfg.Enable, code):
			return true
		}
	}
	return !lint.OffByDefault(code)
}

// excluded reports whether the project file passes by a finding of code in
// file, in the rule with ref.
func (c *lintConfig) excluded(file, ref, code string) bool {
	if c == nil {
		return false
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(c.dir, abs)
	if err != nil {
		return false
	}
	rel = filepath.ToSlash(rel)
	for _, x := range c.Exclude {
		if (x.Path == "" || globMatch(x.Path, rel)) && (x.Ref == "" || x.Ref == ref) &&
			(len(x.Codes) == 0 || slices.Contains(x.Codes, code)) {
			return true
		}
	}
	return false
}

// globMatch matches a slash-separated path against a glob whose ** stands
// for any number of folders.
func globMatch(glob, name string) bool {
	gs, ns := strings.Split(glob, "/"), strings.Split(name, "/")
	var match func(gs, ns []string) bool
	match = func(gs, ns []string) bool {
		switch {
		case len(gs) == 0:
			return len(ns) == 0
		case gs[0] == "**":
			for i := 0; i <= len(ns); i++ {
				if match(gs[1:], ns[i:]) {
					return true
				}
			}
			return false
		case len(ns) == 0:
			return false
		}
		ok, _ := path.Match(gs[0], ns[0])
		return ok && match(gs[1:], ns[1:])
	}
	return match(gs, ns)
}

// configs finds the project file that governs each checked file, reading
// each file once.
type configs struct {
	flags *lintConfig            // the command's --disable, --enable, --error
	byDir map[string]*lintConfig // a folder's project file; nil for none
}

// forFile returns the project file nearest to file, in its folder or
// above; nil when there is none. Standard input and -e look from the
// working folder.
func (c *configs) forFile(file string) (*lintConfig, error) {
	dir := "."
	if file != "-" && file != "-e" {
		dir = filepath.Dir(file)
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	var seen []string
	for {
		if cfg, ok := c.byDir[dir]; ok {
			return c.remember(seen, cfg), nil
		}
		seen = append(seen, dir)
		candidate := filepath.Join(dir, configName)
		if _, err := os.Stat(candidate); err == nil {
			cfg, err := loadConfig(shortPath(candidate))
			if err != nil {
				return nil, err
			}
			return c.remember(seen, cfg), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return c.remember(seen, nil), nil
		}
		dir = parent
	}
}

// shortPath returns an absolute path relative to the working folder where
// that is shorter, for messages.
func shortPath(abs string) string {
	wd, err := os.Getwd()
	if err != nil {
		return abs
	}
	if rel, err := filepath.Rel(wd, abs); err == nil && len(rel) < len(abs) {
		return rel
	}
	return abs
}

func (c *configs) remember(dirs []string, cfg *lintConfig) *lintConfig {
	for _, d := range dirs {
		c.byDir[d] = cfg
	}
	return cfg
}
