package serve

import (
	"context"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/edgerules/edgerules/terraform"
)

// Watch reloads the rules when one of their files changes, looking every
// interval, until ctx is done. It looks at each file's size, modification
// time and identity, so an editor that writes in place and one that
// renames a new file over the old one are both seen; in a folder, a
// ruleset file that appears is a change too, and so is a change of a
// Options.VarFiles file. A file named by Options.Rules
// that disappears is not a change: the rules in force stay until it is
// back. A file of a folder that disappears is a change only if it is still
// missing at the next look, so that an editor that replaces it in two
// steps never leaves the zone without its ruleset. An interval that is not
// positive watches nothing.
func (s *Service) Watch(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.reloadIfChanged()
		}
	}
}

func (s *Service) reloadIfChanged() {
	s.reloading.Lock()
	defer s.reloading.Unlock()
	now := look(s.opts.watched())
	switch {
	case now.missing || now.same(s.files):
		s.pending = nil
		return
	case now.lost(s.files) && (s.pending == nil || !now.same(*s.pending)):
		s.pending = &now
		return
	}
	_ = s.reload(now) // logged and counted
}

// A snapshot is what tells that the rules files changed without reading
// them: the files named, and those under the folders named, as they were.
type snapshot struct {
	files   map[string]os.FileInfo
	missing bool // a path named could not be read
}

// watched are the paths whose change reloads the rules: the rules files
// and folders, and the .tfvars files Terraform files are read with.
func (o Options) watched() []string { return append(slices.Clip(o.Rules), o.VarFiles...) }

// look takes a snapshot of the files of paths (PATH#ADDRESS is PATH's).
func look(paths []string) snapshot {
	s := snapshot{files: map[string]os.FileInfo{}}
	for _, p := range paths {
		name, _, _ := strings.Cut(p, "#")
		fi, err := os.Stat(name)
		if err != nil {
			s.missing = true
			continue
		}
		if !fi.IsDir() {
			s.files[name] = fi
			continue
		}
		found, err := terraform.ZoneFolderFiles(name)
		if err != nil {
			s.missing = true
			continue
		}
		for _, f := range found {
			if fi, err := os.Stat(f); err == nil {
				s.files[f] = fi
			}
		}
	}
	return s
}

// same reports whether s and t saw the same files, unchanged.
func (s snapshot) same(t snapshot) bool {
	if len(s.files) != len(t.files) {
		return false
	}
	for name, a := range s.files {
		b, ok := t.files[name]
		if !ok || !os.SameFile(a, b) || a.Size() != b.Size() || !a.ModTime().Equal(b.ModTime()) {
			return false
		}
	}
	return true
}

// lost reports whether a file t saw is missing from s.
func (s snapshot) lost(t snapshot) bool {
	for name := range t.files {
		if _, ok := s.files[name]; !ok {
			return true
		}
	}
	return false
}
