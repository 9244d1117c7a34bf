package terraform

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/edgerules/edgerules/internal/suitefile"
	"github.com/edgerules/edgerules/ruleset"
)

// A ZoneFile is one ruleset of a zone with the file it was read from.
type ZoneFile struct {
	*ruleset.File
	// Path is the file, with #ADDRESS for a ruleset of a Terraform file.
	Path string
}

// LoadZone reads the rulesets of a zone, a ruleset per phase, from paths:
// JSON and YAML ruleset files, Terraform files (every ruleset they hold,
// or the one PATH#ADDRESS names), and folders, whose ruleset files of any
// of these formats are read (not Terraform's and Terragrunt's copies of
// modules, and not the files that are not rulesets, such as test suites).
// One path of one ruleset is a zone of one phase. Two rulesets of one phase
// are an error naming both files.
func LoadZone(paths []string, varFiles ...string) (*ruleset.Zone, []ZoneFile, error) {
	var files []ZoneFile
	for _, p := range paths {
		name, _, _ := strings.Cut(p, "#")
		info, err := os.Stat(name)
		if err != nil {
			return nil, nil, err
		}
		if !info.IsDir() {
			fs, err := loadZoneFile(p, varFiles)
			if err != nil {
				return nil, nil, err
			}
			if len(fs) == 0 {
				return nil, nil, fmt.Errorf("%s holds no Cloudflare ruleset", p)
			}
			files = append(files, fs...)
			continue
		}
		found, err := loadZoneFolder(p, varFiles)
		if err != nil {
			return nil, nil, err
		}
		files = append(files, found...)
	}
	byPhase := map[string]string{}
	rulesets := make([]*ruleset.Ruleset, len(files))
	var errs []error
	for i, f := range files {
		rulesets[i] = f.Ruleset
		phase := ruleset.PhaseOf(f.Ruleset)
		if prev, dup := byPhase[phase]; dup {
			errs = append(errs, &PhaseError{Phase: phase, First: prev, Second: f.Path})
			continue
		}
		byPhase[phase] = f.Path
	}
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}
	z, err := ruleset.NewZone(rulesets...)
	if err != nil {
		return nil, nil, err
	}
	slices.SortStableFunc(files, func(a, b ZoneFile) int {
		return slices.Index(z.Rulesets(), a.Ruleset) - slices.Index(z.Rulesets(), b.Ruleset)
	})
	return z, files, nil
}

// A PhaseError is a zone with two rulesets of one phase.
type PhaseError struct {
	Phase string
	// First and Second are the paths of the two rulesets, as ZoneFile's.
	First, Second string
}

// Error names both rulesets.
func (e *PhaseError) Error() string {
	return fmt.Sprintf("%s and %s are both rulesets of phase %s; a zone has one per phase", e.First, e.Second, e.Phase)
}

// loadZoneFile reads the rulesets of one file.
func loadZoneFile(path string, varFiles []string) ([]ZoneFile, error) {
	name, _, _ := strings.Cut(path, "#")
	if !ruleset.IsTerraform(name) {
		f, err := ruleset.Load(path)
		if err != nil {
			// The errors of a file's shape have lines and columns, not
			// its name: among a zone's files, it says which.
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return []ZoneFile{{f, path}}, nil
	}
	tfs, err := Load(path, varFiles...)
	if err != nil {
		return nil, err
	}
	out := make([]ZoneFile, len(tfs))
	for i, f := range tfs {
		out[i] = ZoneFile{f, name + "#" + f.Address}
	}
	return out, nil
}

// loadZoneFolder reads the ruleset files under a folder, in the order of
// their names.
func loadZoneFolder(dir string, varFiles []string) ([]ZoneFile, error) {
	paths, err := ZoneFolderFiles(dir)
	if err != nil {
		return nil, err
	}
	var out []ZoneFile
	for _, p := range paths {
		files, err := loadZoneFile(p, varFiles)
		if errors.Is(err, ruleset.ErrNotRuleset) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, files...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no ruleset file", dir)
	}
	return out, nil
}

// ZoneFolderFiles returns the files under dir that LoadZone reads, in the
// order of their names: those of a ruleset format (JSON, YAML, Terraform)
// that are not test suites, outside dot-folders such as Terraform's and
// Terragrunt's copies of modules. Some may hold no ruleset, which LoadZone
// passes by. A service watching a zone looks at these files.
func ZoneFolderFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && p != dir && strings.HasPrefix(d.Name(), "."):
			// .terraform, .terragrunt-cache, .git, ...
			return filepath.SkipDir
		case d.IsDir():
			return nil
		}
		if _, isRuleset := ruleset.FormatOf(p); isRuleset && !suitefile.Is(p) {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}
