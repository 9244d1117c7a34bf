// Package crawler tells whether a request comes from a crawler whose
// operator vouches for it: its address is in the ranges the operator
// publishes (Google's common-crawlers.json, Bing's bingbot.json, ...), or, with a
// resolver, its reverse DNS name is the operator's and resolves back to it.
// A Verifier fills nethttp's cf.client.bot, cf.bot_management.verified_bot
// and cf.verified_bot_category.
package crawler

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/edgerules/edgerules/internal/filewatch"
)

// A Verifier answers from the range files of a directory, and, given a
// resolver, from DNS. It is safe for concurrent use, also while it reloads.
type Verifier struct {
	dir   string
	mu    sync.Mutex // guards files and lists; one Reload at a time
	files []*filewatch.File[Ranges]
	lists []*List // the list of each file
	index atomic.Pointer[index]
	dns   *dnsCheck // nil without a resolver
}

// Open reads the range files of dir that Lists names (those absent are
// passed over; none at all is an error) and checks claims from other
// addresses by DNS if opts has a Resolver.
func Open(dir string, opts Options) (*Verifier, error) {
	v := &Verifier{dir: dir}
	if _, err := v.openNew(); err != nil {
		return nil, err
	}
	if len(v.files) == 0 {
		names := make([]string, len(Lists))
		for i, l := range Lists {
			names[i] = l.File
		}
		return nil, fmt.Errorf("crawler: %s has none of the range files %s; `edgerules bots update %s` downloads them",
			dir, strings.Join(names, ", "), dir)
	}
	v.build()
	if opts.Resolver != nil {
		v.dns = newDNSCheck(opts)
	}
	return v, nil
}

// openNew reads the files of Lists in the directory that it has not read
// yet, passing over those that are absent, and reports those it read.
func (v *Verifier) openNew() (opened []string, err error) {
	var errs []error
	for i := range Lists {
		l := &Lists[i]
		if slices.Contains(v.lists, l) {
			continue
		}
		path := v.present(l)
		if path == "" {
			continue
		}
		f, err := filewatch.Open(path, ParseRanges)
		if err != nil {
			errs = append(errs, fmt.Errorf("crawler: %w", err))
			continue
		}
		v.files, v.lists = append(v.files, f), append(v.lists, l)
		opened = append(opened, path)
	}
	return opened, errors.Join(errs...)
}

// present returns the path of a list's file in the directory, under its
// name or, in a directory an earlier version filled, its former one; ""
// when there is none.
func (v *Verifier) present(l *List) string {
	for _, name := range append([]string{l.File}, l.Former...) {
		path := filepath.Join(v.dir, name)
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			return path
		}
	}
	return ""
}

// Lists returns the lists the verifier read, with their ranges.
func (v *Verifier) Lists() map[string]Ranges {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := map[string]Ranges{}
	for i, f := range v.files {
		out[v.lists[i].File] = f.Value()
	}
	return out
}

// Reload reads again each range file that changed since it was read, and
// reads the files of Lists that have appeared in the directory since. A
// file that cannot be read keeps its old ranges; the error names it.
// Reload reports the files it read.
func (v *Verifier) Reload() (reloaded []string, err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	var errs []error
	for _, f := range v.files {
		ok, err := f.Reload()
		if err != nil {
			errs = append(errs, fmt.Errorf("crawler: %w; the ranges read before stay", err))
		} else if ok {
			reloaded = append(reloaded, f.Path())
		}
	}
	opened, err := v.openNew()
	reloaded = append(reloaded, opened...)
	if len(reloaded) > 0 {
		v.build()
	}
	return reloaded, errors.Join(append(errs, err)...)
}

// Verify returns the category of the verified crawler a request from a
// with user agent ua comes from, and false if it is none. An address in
// the ranges is a crawler whatever its user agent. Another one whose user
// agent claims a crawler that has DNS names is checked by DNS in the
// background: until the answer is in, it is no crawler.
func (v *Verifier) Verify(a netip.Addr, ua string) (category string, ok bool) {
	a = a.Unmap()
	if l := v.index.Load().lookup(a); l != nil {
		return l.Category, true
	}
	if v.dns == nil {
		return "", false
	}
	l := claimed(ua)
	if l == nil {
		return "", false
	}
	if v.dns.verified(a, l) {
		return l.Category, true
	}
	return "", false
}

// claimed returns the list of the crawler a user agent claims to be, among
// those that can be checked by DNS.
func claimed(ua string) *List {
	for i := range Lists {
		l := &Lists[i]
		for _, token := range l.Agents {
			if containsFold(ua, token) {
				return l
			}
		}
	}
	return nil
}

// containsFold reports whether s contains the ASCII token t, ignoring case.
func containsFold(s, t string) bool {
	for i := 0; i+len(t) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(t)], t) {
			return true
		}
	}
	return false
}

// index finds the list of an address: one map of prefixes for each prefix
// length the lists use, longest first.
type index struct {
	byLen []prefixes
}

type prefixes struct {
	bits int
	is4  bool
	m    map[netip.Prefix]*List
}

func (v *Verifier) build() {
	var ix index
	for i, f := range v.files {
		for _, p := range f.Value().Prefixes {
			at := slices.IndexFunc(ix.byLen, func(g prefixes) bool { return g.bits == p.Bits() && g.is4 == p.Addr().Is4() })
			if at < 0 {
				ix.byLen = append(ix.byLen, prefixes{bits: p.Bits(), is4: p.Addr().Is4(), m: map[netip.Prefix]*List{}})
				at = len(ix.byLen) - 1
			}
			if _, dup := ix.byLen[at].m[p]; !dup {
				ix.byLen[at].m[p] = v.lists[i]
			}
		}
	}
	slices.SortFunc(ix.byLen, func(a, b prefixes) int { return b.bits - a.bits })
	v.index.Store(&ix)
}

func (ix *index) lookup(a netip.Addr) *List {
	for _, g := range ix.byLen {
		if g.is4 != a.Is4() {
			continue
		}
		p, err := a.Prefix(g.bits)
		if err != nil {
			continue
		}
		if l := g.m[p]; l != nil {
			return l
		}
	}
	return nil
}
