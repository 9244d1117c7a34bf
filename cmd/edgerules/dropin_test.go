package main

// The drop-in CI files at the root of the repository, action.yml (a GitHub
// Action) and .pre-commit-hooks.yaml (pre-commit hooks), run edgerules with
// arguments that no compiler reads. The tests here read both files, take out
// every edgerules command line they run, and run each in this process through
// run, and so through the command's own flag parsing, on good and on broken
// files: a flag the command does not define, a value it refuses or a command
// that does not exist makes them fail.
//
// What they can read, and so the shape the two files must keep:
//   - in action.yml, a step whose run names edgerules (the word edgerules on
//     its own) runs one line, `edgerules COMMAND WORD...`; each WORD is plain
//     (letters, digits and _ . / = , : + @ % -), or $NAME, which bash splits
//     at white space into words, or PREFIX"$NAME", one word; and each NAME is
//     bound in the step's env to exactly ${{ inputs.INPUT }}, an input the
//     action declares. Any other shell (quotes of other kinds, &&, pipes,
//     command substitution, a second line) is refused, not guessed at;
//   - in .pre-commit-hooks.yaml, an entry is plain words, the first of them
//     edgerules, to which pre-commit adds the staged files that match files
//     and not exclude.

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// action is what the tests read of action.yml; decoding refuses any other
// key, so that a misspelt one is found.
type action struct {
	Name        string                 `yaml:"name"`
	Description string                 `yaml:"description"`
	Author      string                 `yaml:"author"`
	Branding    map[string]string      `yaml:"branding"`
	Inputs      map[string]actionInput `yaml:"inputs"`
	Runs        struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionInput struct {
	Description string  `yaml:"description"`
	Required    bool    `yaml:"required"`
	Default     *string `yaml:"default"`
}

type actionStep struct {
	Name  string            `yaml:"name"`
	ID    string            `yaml:"id"`
	If    string            `yaml:"if"`
	Shell string            `yaml:"shell"`
	Run   string            `yaml:"run"`
	Uses  string            `yaml:"uses"`
	With  map[string]string `yaml:"with"`
	Env   map[string]string `yaml:"env"`
}

// hook is one hook of .pre-commit-hooks.yaml, with the keys pre-commit
// documents for a hook's definition and no others.
type hook struct {
	ID                      string   `yaml:"id"`
	Name                    string   `yaml:"name"`
	Entry                   string   `yaml:"entry"`
	Language                string   `yaml:"language"`
	Files                   string   `yaml:"files"`
	Exclude                 string   `yaml:"exclude"`
	Types                   []string `yaml:"types"`
	TypesOr                 []string `yaml:"types_or"`
	ExcludeTypes            []string `yaml:"exclude_types"`
	AlwaysRun               *bool    `yaml:"always_run"`
	FailFast                *bool    `yaml:"fail_fast"`
	Verbose                 *bool    `yaml:"verbose"`
	PassFilenames           *bool    `yaml:"pass_filenames"`
	RequireSerial           *bool    `yaml:"require_serial"`
	Description             string   `yaml:"description"`
	LanguageVersion         string   `yaml:"language_version"`
	MinimumPreCommitVersion string   `yaml:"minimum_pre_commit_version"`
	Args                    []string `yaml:"args"`
	Stages                  []string `yaml:"stages"`
}

// decodeStrict decodes the YAML file at path into v, refusing keys that v
// does not have.
func decodeStrict(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	require.NoError(t, dec.Decode(v), path)
}

// repoRoot is the root of the repository, from the package's folder, where
// a test starts.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	return root
}

var (
	plainWord = regexp.MustCompile(`^[A-Za-z0-9_./=,:+@%-]+$`)
	bareVar   = regexp.MustCompile(`^\$([A-Za-z_][A-Za-z0-9_]*)$`)
	quotedVar = regexp.MustCompile(`^([A-Za-z0-9_./=,:+@%-]*)"\$([A-Za-z_][A-Za-z0-9_]*)"$`)
	inputRef  = regexp.MustCompile(`^\$\{\{ *inputs\.([A-Za-z0-9_-]+) *\}\}$`)
)

// commandLine returns the words of the edgerules command a step's run
// script runs, after the word edgerules, and whether it runs one; an error
// when it names edgerules in a shape the tests cannot read.
func commandLine(script string) ([]string, bool, error) {
	script = strings.TrimSpace(script)
	if !slices.Contains(strings.Fields(script), "edgerules") {
		return nil, false, nil
	}
	if strings.Contains(script, "\n") {
		return nil, true, fmt.Errorf("a run that names edgerules must be one line: %q", script)
	}
	words := strings.Fields(script)
	if words[0] != "edgerules" {
		return nil, true, fmt.Errorf("a run that names edgerules must start with it: %q", script)
	}
	for _, w := range words[1:] {
		if !plainWord.MatchString(w) && !bareVar.MatchString(w) && !quotedVar.MatchString(w) {
			return nil, true, fmt.Errorf("%q in %q is more shell than this test reads: keep to plain words, $NAME and \"$NAME\"", w, script)
		}
	}
	return words[1:], true, nil
}

// expandWords does what bash does to the words of a command line, given the
// step's env and the values of the action's inputs: $NAME becomes the
// words of its value, PREFIX"$NAME" one word.
func expandWords(words []string, env, inputs map[string]string) ([]string, error) {
	value := func(name string) (string, error) {
		ref := inputRef.FindStringSubmatch(env[name])
		if ref == nil {
			return "", fmt.Errorf("$%s is not bound to ${{ inputs.NAME }} in the step's env", name)
		}
		v, ok := inputs[ref[1]]
		if !ok {
			return "", fmt.Errorf("$%s names input %q, which the action does not declare", name, ref[1])
		}
		return v, nil
	}
	var args []string
	for _, w := range words {
		if m := bareVar.FindStringSubmatch(w); m != nil {
			v, err := value(m[1])
			if err != nil {
				return nil, err
			}
			if strings.ContainsAny(v, "*?[") {
				return nil, fmt.Errorf("$%s = %q would be expanded by bash as a glob, which this test does not do", m[1], v)
			}
			args = append(args, strings.Fields(v)...)
		} else if m := quotedVar.FindStringSubmatch(w); m != nil {
			v, err := value(m[2])
			if err != nil {
				return nil, err
			}
			args = append(args, m[1]+v)
		} else {
			args = append(args, w)
		}
	}
	return args, nil
}

// actionCommand is a step of the action that runs edgerules.
type actionCommand struct {
	step  string
	words []string
	env   map[string]string
}

func readAction(t *testing.T) (action, []actionCommand) {
	t.Helper()
	var a action
	decodeStrict(t, filepath.Join(repoRoot(t), "action.yml"), &a)
	var cmds []actionCommand
	for _, s := range a.Runs.Steps {
		words, ok, err := commandLine(s.Run)
		require.NoError(t, err, "step %q", s.Name)
		if ok {
			require.NotEmpty(t, words, "step %q runs edgerules without a command", s.Name)
			cmds = append(cmds, actionCommand{s.Name, words, s.Env})
		}
	}
	return a, cmds
}

// TestActionFile: action.yml is a composite action whose inputs are
// documented, and it runs check and test with GitHub annotations, and fmt.
func TestActionFile(t *testing.T) {
	a, cmds := readAction(t)
	assert.Equal(t, "composite", a.Runs.Using)
	assert.NotEmpty(t, a.Name)
	assert.NotEmpty(t, a.Description)
	require.NotEmpty(t, a.Inputs)
	for name, in := range a.Inputs {
		assert.NotEmpty(t, in.Description, "input %q has no description", name)
		assert.True(t, in.Required || in.Default != nil, "input %q is optional and has no default", name)
	}
	var commands []string
	for _, c := range cmds {
		commands = append(commands, c.words[0])
		// Every variable comes from an input, defaults and all.
		_, err := expandWords(c.words, c.env, defaults(a))
		assert.NoError(t, err, "step %q", c.step)
		if c.words[0] == "check" || c.words[0] == "test" {
			assert.Contains(t, strings.Join(c.words, " "), "--format github", "step %q annotates", c.step)
		}
	}
	assert.ElementsMatch(t, []string{"check", "fmt", "test"}, commands)
}

// defaults returns the action's inputs at their defaults, a required one
// without a default being empty.
func defaults(a action) map[string]string {
	inputs := map[string]string{}
	for name, in := range a.Inputs {
		if in.Default != nil {
			inputs[name] = *in.Default
		} else {
			inputs[name] = ""
		}
	}
	return inputs
}

// TestActionCommands runs the action's edgerules steps, their inputs at
// their defaults but for those given, on good files, which pass, and on
// broken ones, which each step reports. The steps' if conditions are not
// evaluated: every step runs, so each scenario gives tests, without which
// the action skips its test step.
func TestActionCommands(t *testing.T) {
	a, cmds := readAction(t)
	good := "clean.txt ../../../examples/rules/bot-management.json ../../../examples/rules/bot-management.txt"
	all := func(status int) map[string]int { return map[string]int{"check": status, "fmt": status, "test": status} }
	scenarios := []struct {
		name   string
		inputs map[string]string
		status map[string]int // by command
		// want and not are text that a command's output must and must
		// not hold, by command.
		want, not map[string]string
	}{
		{"good", map[string]string{"paths": good, "tests": "../../../examples/rules/bot-management.test.yaml"}, all(exitOK),
			map[string]string{"fmt": "--- stdout\n--- stderr\n"},
			map[string]string{"check": "::warning"}},
		{"good-lint", map[string]string{"paths": good, "tests": "../../../examples/rules/", "lint": "true"}, all(exitOK),
			map[string]string{"check": "::warning file=../../../examples/rules/bot-management.json,line=16"}, nil},
		{"broken", map[string]string{"paths": "broken.json fmt.txt", "tests": "tests/failing.test.yaml"}, all(exitFindings),
			map[string]string{"check": "::error file=broken.json,line=3", "fmt": "--- stdout\nfmt.txt\n", "test": "::error file=tests/failing.test.yaml"},
			nil},
		// A suite that passes with Cloudflare's fields fails with others:
		// the scheme reaches test as well as check.
		{"scheme", map[string]string{"paths": "custom.txt", "tests": "../../../examples/rules/bot-management.test.yaml", "scheme": "scheme.json"},
			map[string]int{"check": exitFindings, "fmt": exitOK, "test": exitFindings},
			map[string]string{"check": "::error file=custom.txt,line=4", "test": "unknown field `http.request.uri.path`"}, nil},
	}
	for _, sc := range scenarios {
		inputs := defaults(a)
		maps.Copy(inputs, sc.inputs)
		for _, c := range cmds {
			t.Run(sc.name+"/"+c.words[0], func(t *testing.T) {
				args, err := expandWords(c.words, c.env, inputs)
				require.NoError(t, err)
				status, out := runCommand(t, "", args...)
				assert.NotContains(t, out, "flag provided but not defined")
				assert.Equal(t, sc.status[c.words[0]], status, out)
				if want, ok := sc.want[c.words[0]]; ok {
					assert.Contains(t, out, want)
				}
				if not, ok := sc.not[c.words[0]]; ok {
					assert.NotContains(t, out, not)
				}
			})
		}
	}
}

// TestActionCommandsCanFail: the reading and running of the tests above
// refuse a step with a flag the command lacks, a value it refuses, a
// variable no input gives, and shell they cannot read.
func TestActionCommandsCanFail(t *testing.T) {
	env := map[string]string{"P": "${{ inputs.paths }}", "L": "${{ inputs.lint }}"}
	inputs := map[string]string{"paths": "clean.txt", "lint": "yes"}
	for _, tt := range []struct{ script, stderr string }{
		{"edgerules check --frobnicate -- $P", "flag provided but not defined: -frobnicate"},
		{`edgerules check --lint="$L" -- $P`, `invalid boolean value "yes" for -lint`},
		{"edgerules fmt -l --format github -- $P", "flag provided but not defined: -format"},
		{"edgerules verify $P", `unknown command "verify"`},
	} {
		words, ok, err := commandLine(tt.script)
		require.NoError(t, err)
		require.True(t, ok)
		args, err := expandWords(words, env, inputs)
		require.NoError(t, err)
		status, out := runCommand(t, "", args...)
		assert.Equal(t, exitUsage, status, out)
		assert.Contains(t, out, tt.stderr)
	}
	for _, script := range []string{
		"cd rules && edgerules check .",
		"edgerules check $(ls)",
		"edgerules check 'rules dir'",
		"edgerules check \\\n  rules",
		"edgerules check ${P}",
		"edgerules check . | tee out",
	} {
		_, ok, err := commandLine(script)
		assert.True(t, ok, script)
		assert.Error(t, err, script)
	}
	_, ok, err := commandLine(`go -C "$GITHUB_ACTION_PATH" build -o "$RUNNER_TEMP/edgerules-bin/" ./cmd/edgerules`)
	assert.False(t, ok, "building edgerules does not run it")
	assert.NoError(t, err)
	for _, words := range [][]string{{"check", "$Q"}, {"check", "$U"}, {"check", "$G"}} {
		_, err := expandWords(words, map[string]string{"U": "${{ inputs.nope }}", "G": "${{ inputs.paths }}"},
			map[string]string{"paths": "rules/*.json"})
		assert.Error(t, err, words)
	}
}

func readHooks(t *testing.T) []hook {
	t.Helper()
	var hooks []hook
	decodeStrict(t, filepath.Join(repoRoot(t), ".pre-commit-hooks.yaml"), &hooks)
	return hooks
}

// TestPreCommitHookFile: the hooks are pre-commit golang hooks on the files
// edgerules reads, Terraform's included, and never on test suites.
func TestPreCommitHookFile(t *testing.T) {
	hooks := readHooks(t)
	var ids []string
	for _, h := range hooks {
		ids = append(ids, h.ID)
		assert.NotEmpty(t, h.Name, h.ID)
		assert.NotEmpty(t, h.Description, h.ID)
		assert.Equal(t, "golang", h.Language, h.ID)
		assert.True(t, h.PassFilenames == nil || *h.PassFilenames, "%s: edgerules needs the file names", h.ID)
		files, err := regexp.Compile(h.Files)
		require.NoError(t, err, h.ID)
		exclude, err := regexp.Compile(h.Exclude)
		require.NoError(t, err, h.ID)
		for _, name := range []string{"rules/waf.json", "a.yaml", "a.yml", "rules.txt", "a.expr", "main.tf", "main.tf.json", "prod.tfvars", "terragrunt.hcl"} {
			assert.True(t, files.MatchString(name) && !exclude.MatchString(name), "%s skips %s", h.ID, name)
		}
		for _, name := range []string{"main.go", "README.md", "a.test.yaml", "a.test.yml", "rules/a.test.json"} {
			assert.False(t, files.MatchString(name) && !exclude.MatchString(name), "%s takes %s", h.ID, name)
		}
	}
	assert.ElementsMatch(t, []string{"edgerules-check", "edgerules-lint", "edgerules-fmt"}, ids)
}

// TestPreCommitHooks runs each hook as pre-commit does, its entry and args
// followed by the files that match, on copies of good and of broken files.
// pre-commit fails a hook that exits other than 0 or changes a file.
func TestPreCommitHooks(t *testing.T) {
	sets := []struct {
		name  string
		files []string
		fails bool
	}{
		{"good", []string{"clean.txt", "bot-management.json", "seed.test.yaml"}, false},
		{"broken", []string{"broken.json", "fmt.txt", "seed.test.yaml"}, true},
	}
	for _, h := range readHooks(t) {
		entry := strings.Fields(h.Entry)
		require.NotEmpty(t, entry, h.ID)
		require.Equal(t, "edgerules", entry[0], h.ID)
		for _, w := range append(entry[1:], h.Args...) {
			require.Regexp(t, plainWord, w, h.ID)
		}
		files := regexp.MustCompile(h.Files)
		exclude := regexp.MustCompile(h.Exclude)
		for _, set := range sets {
			t.Run(h.ID+"/"+set.name, func(t *testing.T) {
				dir := t.TempDir()
				var staged []string
				for _, name := range set.files {
					data, err := os.ReadFile(filepath.Join(testdata, name))
					require.NoError(t, err)
					require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
					if files.MatchString(name) && !exclude.MatchString(name) {
						staged = append(staged, name)
					}
				}
				assert.NotContains(t, staged, "seed.test.yaml", "check, lint and fmt refuse a test suite")
				args := append(append(slices.Clone(entry[1:]), h.Args...), staged...)
				status, out := runIn(t, dir, args...)
				assert.NotContains(t, out, "flag provided but not defined")
				assert.NotEqual(t, exitUsage, status, out)
				changed := false
				for _, name := range staged {
					before, err := os.ReadFile(filepath.Join(testdata, name))
					require.NoError(t, err)
					after, err := os.ReadFile(filepath.Join(dir, name))
					require.NoError(t, err)
					changed = changed || !bytes.Equal(before, after)
				}
				assert.Equal(t, set.fails, status != exitOK || changed, out)
				if set.fails {
					assert.Contains(t, out, "broken.json:3:", "every hook reports the broken file")
				}
				if h.ID == "edgerules-fmt" {
					assert.Equal(t, set.fails, changed, "fmt -w rewrites a file that is not canonical")
				}
			})
		}
	}
}

// runIn runs the command in this process, in dir, as runCommand does in
// testdata.
func runIn(t *testing.T, dir string, args ...string) (int, string) {
	t.Helper()
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	status := run(args, strings.NewReader(""), &stdout, &stderr)
	return status, labelled(args, status, stdout.String(), stderr.String())
}

// TestReadmeDropIn: the README's example workflow and pre-commit
// configuration use the action's inputs and the hooks' ids, and its table
// of inputs names every input with its default.
func TestReadmeDropIn(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	require.NoError(t, err)
	readme := string(data)
	block := func(first string) string {
		start := strings.Index(readme, "```yaml\n"+first+"\n")
		require.GreaterOrEqual(t, start, 0, "the README has no YAML block that starts with %q", first)
		text := readme[start+len("```yaml\n"):]
		return text[:strings.Index(text, "```")]
	}

	a, _ := readAction(t)
	var workflow struct {
		Jobs map[string]struct {
			Steps []struct {
				Uses string            `yaml:"uses"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	require.NoError(t, yaml.Unmarshal([]byte(block("# .github/workflows/edgerules.yml")), &workflow))
	uses := 0
	for _, job := range workflow.Jobs {
		for _, step := range job.Steps {
			if !strings.HasPrefix(step.Uses, "edgerules/edgerules@") {
				continue
			}
			uses++
			for name := range step.With {
				assert.Contains(t, a.Inputs, name, "the README's workflow gives an input the action lacks")
			}
			for name, in := range a.Inputs {
				if in.Required {
					assert.Contains(t, step.With, name, "the README's workflow lacks a required input")
				}
			}
		}
	}
	assert.Equal(t, 1, uses, "the README's workflow uses the action once")

	row := regexp.MustCompile("(?m)^\\| `([a-z-]+)` \\| ([^|]+) \\|")
	table := map[string]string{}
	start := strings.Index(readme, "| input | default |")
	require.GreaterOrEqual(t, start, 0, "the README has no table of the action's inputs")
	rows, _, _ := strings.Cut(readme[start:], "\n\n")
	for _, m := range row.FindAllStringSubmatch(rows, -1) {
		table[m[1]] = strings.TrimSpace(m[2])
	}
	assert.ElementsMatch(t, slices.Collect(maps.Keys(a.Inputs)), slices.Collect(maps.Keys(table)))
	for name, in := range a.Inputs {
		switch {
		case in.Required:
			assert.Equal(t, "(required)", table[name], name)
		case *in.Default == "":
			assert.Equal(t, "empty", table[name], name)
		default:
			assert.Equal(t, "`"+*in.Default+"`", table[name], name)
		}
	}

	var config struct {
		Repos []struct {
			Repo  string `yaml:"repo"`
			Hooks []struct {
				ID string `yaml:"id"`
			} `yaml:"hooks"`
		} `yaml:"repos"`
	}
	require.NoError(t, yaml.Unmarshal([]byte(block("# .pre-commit-config.yaml")), &config))
	var ids []string
	for _, h := range readHooks(t) {
		ids = append(ids, h.ID)
	}
	require.Len(t, config.Repos, 1)
	assert.Equal(t, "https://github.com/edgerules/edgerules", config.Repos[0].Repo)
	require.NotEmpty(t, config.Repos[0].Hooks)
	for _, h := range config.Repos[0].Hooks {
		assert.Contains(t, ids, h.ID, "the README's pre-commit configuration names a hook that does not exist")
	}
}
