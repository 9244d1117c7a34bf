package crawler

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
)

// maxFileSize bounds a downloaded range file; the largest published today
// are tens of kilobytes.
const maxFileSize = 8 << 20

// A Download is what became of one list: its ranges, written to Path, or
// why not.
type Download struct {
	List   *List
	Path   string
	Ranges Ranges
	Err    error
}

// DownloadAll fetches each of Lists with client and writes it into dir,
// a file at a time, replacing the one there only with a file that parses.
// With a mirror URL, each list is fetched from the mirror's scheme and host
// with the list's own path (https://mirror.example/static/crawling/...).
func DownloadAll(ctx context.Context, client *http.Client, dir, mirror string) ([]Download, error) {
	var base *url.URL
	if mirror != "" {
		var err error
		if base, err = url.Parse(mirror); err != nil || base.Scheme == "" || base.Host == "" {
			return nil, fmt.Errorf("mirror %q is not a URL such as https://mirror.example", mirror)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	out := make([]Download, len(Lists))
	for i := range Lists {
		l := &Lists[i]
		d := Download{List: l, Path: filepath.Join(dir, l.File)}
		d.Ranges, d.Err = download(ctx, client, l.URL, base, d.Path)
		out[i] = d
	}
	return out, nil
}

func download(ctx context.Context, client *http.Client, from string, mirror *url.URL, path string) (Ranges, error) {
	u, err := url.Parse(from)
	if err != nil {
		return Ranges{}, err
	}
	if mirror != nil {
		u.Scheme, u.Host = mirror.Scheme, mirror.Host
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Ranges{}, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return Ranges{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Ranges{}, fmt.Errorf("%s: %s", u, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxFileSize+1))
	if err != nil {
		return Ranges{}, fmt.Errorf("%s: %w", u, err)
	}
	if len(data) > maxFileSize {
		return Ranges{}, fmt.Errorf("%s: larger than %d bytes", u, maxFileSize)
	}
	r, err := ParseRanges(data)
	if err != nil {
		return Ranges{}, fmt.Errorf("%s: %w", u, err)
	}
	return r, writeFile(path, data)
}

// writeFile replaces path with data at once, so that a verifier reloading
// it never reads half a file.
func writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
