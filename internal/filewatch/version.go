package filewatch

import (
	"fmt"
	"hash/fnv"
	"io/fs"
	"path/filepath"
	"strings"
)

// Version tells one content of the files under paths (files, and folders
// walked to the files they hold; a Terraform file's PATH#ADDRESS is its
// PATH) from another without reading them: a hash of their names, sizes
// and modification times. A file added to a folder, removed from it or
// changed gives another version. A path that cannot be read is an error.
func Version(paths ...string) (uint64, error) {
	h := fnv.New64a()
	for _, p := range paths {
		name, _, _ := strings.Cut(p, "#")
		err := filepath.WalkDir(name, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%s\x00%d\x00%d\x00", path, info.Size(), info.ModTime().UnixNano())
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	return h.Sum64(), nil
}
