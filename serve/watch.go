package serve

import (
	"context"
	"os"
	"time"
)

// Watch reloads the rules when their file changes, looking every interval,
// until ctx is done. It looks at the file's size, modification time and
// identity, so an editor that writes in place and one that renames a new
// file over the old one are both seen. A file that disappears is not a
// change: the rules in force stay until a file is back. An interval that
// is not positive watches nothing.
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
	now := stat(s.opts.Rules)
	if now.info == nil || now.same(s.file) {
		return
	}
	_ = s.reload(now) // logged and counted
}

// A fileState is what tells that a file changed without reading it.
type fileState struct {
	info os.FileInfo // nil when the file could not be read
}

func stat(path string) fileState {
	fi, err := os.Stat(path)
	if err != nil {
		return fileState{}
	}
	return fileState{info: fi}
}

func (f fileState) same(g fileState) bool {
	if f.info == nil || g.info == nil {
		return f.info == g.info
	}
	return os.SameFile(f.info, g.info) && f.info.Size() == g.info.Size() && f.info.ModTime().Equal(g.info.ModTime())
}
