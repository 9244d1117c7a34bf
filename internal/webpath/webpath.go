// Package webpath holds what several parts of edgerules derive from a URL
// the same way: a path's extension, whether it names a static resource,
// and a query's arguments.
package webpath

import (
	"path"
	"strings"
)

// Extension returns the lowercased extension of a path's last segment,
// without the dot; "" for none, a dot-file or a trailing dot.
func Extension(p string) string {
	base := path.Base(p)
	i := strings.LastIndexByte(base, '.')
	if i <= 0 || i == len(base)-1 || strings.HasSuffix(p, "/") {
		return ""
	}
	return strings.ToLower(base[i+1:])
}

// staticExtensions are the file extensions Bot Management counts as static
// resources.
var staticExtensions = map[string]bool{
	"ico": true, "jpg": true, "jpeg": true, "png": true, "gif": true, "webp": true, "avif": true, "svg": true,
	"bmp": true, "tif": true, "tiff": true, "css": true, "js": true, "mjs": true, "map": true, "woff": true,
	"woff2": true, "ttf": true, "otf": true, "eot": true, "mp4": true, "webm": true, "mp3": true, "ogg": true,
	"wav": true, "flac": true, "pdf": true, "txt": true, "csv": true, "zip": true, "gz": true, "xml": true,
}

// StaticResource reports whether a path names a static file, by its
// extension, or lies under /.well-known/.
func StaticResource(p string) bool {
	return strings.HasPrefix(p, "/.well-known/") || staticExtensions[Extension(p)]
}

// Args splits a query into its arguments' names and values in order, as
// sent: not decoded. An argument without "=" has the value "".
func Args(query string) (names, values []string) {
	for kv := range strings.SplitSeq(query, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		names, values = append(names, k), append(values, v)
	}
	return names, values
}

// ArgsMap maps each name Args gave to its values, in order.
func ArgsMap(names, values []string) map[string][]string {
	m := make(map[string][]string, len(names))
	for i, k := range names {
		m[k] = append(m[k], values[i])
	}
	return m
}
